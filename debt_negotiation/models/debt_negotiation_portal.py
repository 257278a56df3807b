# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the debtor does on the portal: accept and sign, decline, counter,
dispute, promise, pay.

The controller checks access (the debtor's own case, or its access token)
and hands the case in superuser mode to these methods, which check
everything else (the offer belongs to the case and is open, the case's
state allows the action, the terms are valid) before writing, and log every
answer as an inbound ``portal`` interaction. Nothing here ever tells the
debtor about the creditor's minimum.
"""

import base64
import io

import qrcode
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.image import image_data_uri
from odoo.tools.mimetypes import guess_mimetype
from odoo.tools.misc import format_date

from ..const import DISPUTABLE_STATES
from ..tools import portal_input
from .debt_negotiation_offer import TERMS_FIELDS

CALL_ACTIVITY = "debt_negotiation.mail_activity_type_negotiation_call"
# The QR codes' mask pattern (0 to 7), fixed: see _portal_qr_code.
QR_MASK_PATTERN = 0


class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # What the debtor is shown
    # ------------------------------------------------------------------
    def _portal_link(self):
        """The case's portal address with its access token, in full: what
        letters and emails give the debtor (no account needed)."""
        self.ensure_one()
        return self.get_base_url() + self.sudo().get_portal_url()

    def _portal_qr_code(self):
        """The portal link as a QR code, as a PNG data URI for the printed
        letters: black and white, 6 pixels a module, a border of 4 modules,
        error correction level L (as Odoo's barcode renderer makes it, which
        draws each module through reportlab's graphics: about 20 times
        slower, most of the time a letter takes to render)."""
        self.ensure_one()
        # One mask pattern, not the best of eight: any is valid and reads
        # the same; choosing costs eight layouts, most of a code's time.
        code = qrcode.QRCode(
            error_correction=qrcode.constants.ERROR_CORRECT_L,
            box_size=6,
            border=4,
            mask_pattern=QR_MASK_PATTERN,
        )
        code.add_data(self._portal_link())
        code.make(fit=True)
        png = io.BytesIO()
        code.make_image().save(png)
        return image_data_uri(base64.b64encode(png.getvalue()))

    def _portal_respond_by(self):
        """Whether the page asks the debtor to respond by the response
        deadline: only while it is ahead (never a past date) and something
        is claimed (nothing to answer once everything is disputed)."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        return bool(
            self.response_deadline
            and self.response_deadline >= today
            and self.state in ("open", "broken", "escalated")
            and self.currency_id.compare_amounts(self.amount_claimed, 0.0) > 0
        )

    def _portal_next_step(self):
        """Whether the page shows "what happens next": the follow-up step
        planned on a date still ahead (a date passed is no future step), on
        a case the follow-ups chase."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        return bool(
            self.next_step_id
            and self.next_action_date
            and self.next_action_date >= today
            and self.state in ("open", "broken")
            and not self.negotiation_blocked
        )

    def _portal_open_offers(self):
        """Our proposals the debtor can answer now: proposed, not expired,
        and the one awaiting its signature."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        return (
            self.offer_ids.filtered(
                lambda o: (
                    o.origin == "creditor"
                    and o.state == "proposed"
                    and not (o.expiry_date and o.expiry_date < today)
                )
            )
            | self._portal_unsigned_agreement().offer_id
        )

    def _portal_own_offers(self):
        """The debtor's own counter-offer still open (at most one), shown on
        its page as its own."""
        self.ensure_one()
        return self.offer_ids.filtered(
            lambda o: o.origin == "debtor" and o.state == "proposed"
        )

    def _portal_unsigned_agreement(self):
        self.ensure_one()
        return self.agreement_ids.filtered(lambda a: a.state == "pending_signature")[:1]

    def _portal_can_counter(self):
        self.ensure_one()
        return self.state in ("open", "broken", "escalated")

    def _portal_can_dispute(self):
        self.ensure_one()
        return self.state in DISPUTABLE_STATES

    def _portal_can_promise(self):
        self.ensure_one()
        return self.state in ("open", "agreement", "broken", "escalated") and (
            self.currency_id.compare_amounts(self.amount_due, 0.0) > 0
        )

    def _portal_payment(self):
        """What "Pay now" pays: ``(amount, invoices)``. Under an agreement,
        the installments past due (a broken promise cured) or else the next
        one (the down payment, the settlement); otherwise the whole amount
        claimed. The invoices are those the payment is reconciled with.
        ``(0.0, empty)`` when there is nothing to pay online."""
        self.ensure_one()
        currency = self.currency_id
        none = (0.0, self.env["account.move"])
        if self.state in ("settled", "cancelled", "disputed"):
            return none
        agreement = self.agreement_id
        if agreement.state in ("active", "broken") and self.state in (
            "agreement",
            "broken",
        ):
            today = fields.Date.context_today(self)
            unpaid = agreement.installment_ids.filtered(lambda i: i.state != "paid")
            due = (
                unpaid.filtered(lambda i: i.due_date <= today)
                or unpaid.sorted(lambda i: i._allocation_key())[:1]
            )
            amount = currency.round(sum(due.mapped("amount_residual")))
            invoices = agreement.invoice_ids
        else:
            invoices = self.invoice_ids.filtered(
                lambda m: m.state == "posted" and not m.negotiation_disputed
            )
            amount = currency.round(sum(invoices.mapped("amount_residual")))
        invoices = invoices.filtered(lambda m: not currency.is_zero(m.amount_residual))
        if currency.compare_amounts(amount, 0.0) <= 0 or not invoices:
            return none
        return amount, invoices

    def _online_letter_channel(self):
        """How a letter the debtor triggers online reaches it: by email when
        its invoicing contact has one, else by post."""
        self.ensure_one()
        return "email" if self.letter_recipient_id.email else "post"

    # ------------------------------------------------------------------
    # What the debtor does
    # ------------------------------------------------------------------
    def _portal_offer(self, offer_id):
        """The offer ``offer_id`` if the debtor can answer it on this case;
        else a clear refusal (another case's offer, ours withdrawn or
        expired, a counter-offer of its own)."""
        self.ensure_one()
        offer = self._portal_open_offers().filtered(lambda o: o.id == offer_id)
        if not offer:
            raise UserError(
                self.env._(
                    "This offer is no longer open: it may have expired or been "
                    "withdrawn. Please contact us."
                )
            )
        return offer

    def _portal_accept(self, offer_id, name, signature, client=None):
        """The debtor accepts our offer ``offer_id`` and signs it (``name``,
        drawn ``signature`` as base64 PNG or JPEG): the agreement awaiting
        its signature comes into force, or a new one is confirmed with the
        offer's schedule, sealed with where it was signed from (``client``:
        its ``address`` and ``user_agent``). The agreement letter, with the
        signature, is sent to the debtor. Return the agreement."""
        self.ensure_one()
        offer = self._portal_offer(offer_id)
        name = (name or "").strip()
        if not name or not signature:
            raise UserError(self.env._("Please give your name and your signature."))
        self._portal_check_signature(signature)
        unsigned = offer.agreement_ids.filtered(
            lambda a: a.state == "pending_signature"
        )
        if unsigned:
            agreement = unsigned._sign_online(name, signature, client=client)
        else:
            agreement = self.env["debt.negotiation.agreement"]._confirm_offer(
                offer,
                offer._schedule_lines(lang=offer._debtor_lang()),
                name,
                fields.Date.context_today(self),
                signature=signature,
                mode="portal",
                letter_channel=self._online_letter_channel(),
                client=client,
            )
        letter = agreement.letter_id
        if letter.channel == "email" and letter.state == "to_send":
            letter._send_email()
        return agreement

    def _portal_decline(self, offer_id, message, contact_name=None, client=None):
        """The debtor declines our offer ``offer_id``, saying why: the offer
        is rejected, the answer logged, and the negotiator calls back."""
        self.ensure_one()
        offer = self._portal_offer(offer_id)
        message = (message or "").strip()
        if not message:
            raise UserError(
                self.env._("Please tell us why you decline, so that we can answer.")
            )
        offer.action_reject()
        summary = self.env._(
            "The debtor declined our offer %(offer)s online: %(message)s",
            offer=offer.display_name,
            message=message,
        )
        self._portal_log(summary, "refusal", contact_name, client=client)
        self._portal_activity(
            self.env._("Offer declined online: call the debtor"), summary
        )
        return offer

    def _portal_counter(self, values, message, contact_name=None, client=None):
        """The debtor's counter-offer: a ``debtor`` offer ``proposed`` with
        ``values`` (offer_type, amount, down_payment, installment_count,
        interval, first_due_date) and the debtor's ``message`` as its
        conditions, which counters our open proposal, replaces the debtor's
        previous counter-offer still open, and gives the negotiator an
        activity to answer it by its expiry date. The terms are checked like
        any offer's (the first payment within a year); the minimum is never
        used. Return the offer."""
        self.ensure_one()
        if not self._portal_can_counter():
            raise UserError(
                self.env._("A counter-offer cannot be made on this case any more.")
            )
        self._portal_check_pace(client)
        today = fields.Date.context_today(self)
        if portal_input.first_due_too_far(values.get("first_due_date"), today):
            raise UserError(
                self.env._(
                    "Please propose a first payment within a year, by %(date)s.",
                    date=format_date(
                        self.env,
                        fields.Date.add(today, days=portal_input.MAX_FIRST_DUE_DAYS),
                    ),
                )
            )
        message = (message or "").strip()
        # the terms only: the case and the origin are ours to set
        allowed = TERMS_FIELDS - {"negotiation_id", "origin", "conditions"}
        vals = {key: values[key] for key in allowed if key in values}
        vals.update(
            negotiation_id=self.id, origin="debtor", conditions=message or False
        )
        offer = self.env["debt.negotiation.offer"].create(vals)
        offer.action_propose()
        summary = self.env._(
            "Counter-offer made online: %(offer)s.", offer=offer.display_name
        )
        if message:
            summary = f"{summary}\n{message}"
        self._portal_log(summary, "counter_offer", contact_name, client=client)
        return offer

    def _portal_dispute(
        self,
        reason_code,
        reason,
        invoice_ids=None,
        attachment=None,
        contact_name=None,
        client=None,
    ):
        """The debtor disputes the whole claim or ``invoice_ids`` (of this
        case) online: recorded as by ``action_dispute``, logged as an
        inbound ``portal`` interaction, the optional ``attachment``
        (``(name, bytes)``: a PDF or an image) kept on the case, created by
        the visitor (``client["user_id"]``), and acknowledged by email."""
        self.ensure_one()
        if not self._portal_can_dispute():
            raise UserError(self.env._("This case cannot be disputed any more."))
        self._portal_check_pace(client)
        upload = attachment and self._portal_check_upload(*attachment)
        invoices = None
        if invoice_ids:
            invoices = self.invoice_ids.filtered(lambda m: m.id in invoice_ids)
            if len(invoices) != len(set(invoice_ids)):
                raise UserError(
                    self.env._("Choose the disputed invoices among those of the case.")
                )
        interaction = self._record_dispute(
            reason,
            invoices,
            reason_code,
            channel="portal",
            contact_name=contact_name,
            client_address=(client or {}).get("address"),
        )
        if upload:
            # created as the visitor: Odoo's own rules on a visitor's files
            # apply (never an active type), on top of ours (PDF or image)
            visitor = self.env["res.users"].browse((client or {}).get("user_id"))
            Attachment = self.env["ir.attachment"]
            if visitor:
                Attachment = Attachment.with_user(visitor).sudo()
            document = Attachment.create(
                dict(upload, res_model=self._name, res_id=self.id)
            )
            self.message_post(
                body=self.env._("Document sent by the debtor with its dispute."),
                attachment_ids=document.ids,
                subtype_xmlid="mail.mt_note",
            )
        template = self.env.ref("debt_negotiation.mail_template_dispute_received")
        self._as_sender().message_post_with_source(
            template,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            **self._mail_author_values(template),
        )
        self._portal_activity(
            self.env._("Dispute received online: examine it"), interaction.summary
        )
        return interaction

    def _portal_promise(self, date, amount, contact_name=None, client=None):
        """The debtor promises to pay ``amount`` by ``date``: logged as an
        inbound ``portal`` interaction with outcome ``promise``, which
        creates the ``debt.negotiation.promise`` (the follow-ups wait), and
        confirmed to the debtor by email."""
        self.ensure_one()
        if not self._portal_can_promise():
            raise UserError(
                self.env._("A promise to pay cannot be made on this case any more.")
            )
        self._portal_check_pace(client)
        currency = self.currency_id
        today = fields.Date.context_today(self)
        if not date or date < today:
            raise UserError(self.env._("The promised date cannot be in the past."))
        limit = fields.Date.add(today, days=self.company_id.negotiation_response_days)
        if date > limit:
            raise UserError(
                self.env._(
                    "Please promise a date on or before %(date)s, or make a "
                    "counter-offer with a payment plan.",
                    date=format_date(self.env, limit),
                )
            )
        amount = currency.round(portal_input.parse_amount(amount))
        # without an amount the interaction would make no promise; the rest
        # (at most what is due) is the promise's own check
        if currency.compare_amounts(amount, 0.0) <= 0:
            raise UserError(
                self.env._("The promised amount must be greater than zero.")
            )
        interaction = self._portal_log(
            self.env._(
                "Promise to pay %(amount)s by %(date)s, made online.",
                amount=currency.format(amount),
                date=format_date(self.env, date),
            ),
            "promise",
            contact_name,
            client=client,
            promise_date=date,
            promise_amount=amount,
        )
        # the promise (created with the interaction) confirmed in writing
        template = self.env.ref("debt_negotiation.mail_template_promise_confirmation")
        self._as_sender().message_post_with_source(
            template,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            **self._mail_author_values(template),
        )
        return interaction

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _portal_log(self, summary, outcome, contact_name=None, client=None, **extra):
        """Log the debtor's answer as an inbound ``portal`` interaction, by
        ``contact_name`` (default: the debtor), from ``client["address"]``."""
        self.ensure_one()
        return self.env["debt.negotiation.interaction"].create(
            {
                "negotiation_id": self.id,
                "channel": "portal",
                "direction": "inbound",
                "contact_name": contact_name or self.partner_id.name,
                "summary": summary,
                "outcome": outcome,
                "user_id": False,
                "client_address": (client or {}).get("address") or False,
                **extra,
            }
        )

    def _portal_activity(self, summary, note):
        """An activity for the negotiator about the debtor's answer: the
        debtor's words (``note``) as plain text, never markup."""
        self.ensure_one()
        self.activity_schedule(
            CALL_ACTIVITY,
            user_id=self._activity_user_id(),
            summary=summary,
            note=self._plain_html(note),
        )

    @api.model
    def _plain_html(self, text):
        """``text`` (the debtor's words) as HTML that says it as written:
        escaped, its lines kept, no markup, no link made of it."""
        lines = (text or "").splitlines() or [""]
        return Markup("<p>%s</p>") % Markup("<br/>").join(lines)

    def _portal_check_pace(self, client=None):
        """Refuse an answer that writes records and sends emails
        (counter-offer, dispute, promise) beyond the pace a person keeps:
        a few a day on this case, and from ``client["address"]`` on all
        cases (see ``tools/portal_input.py``)."""
        self.ensure_one()
        Interaction = self.env["debt.negotiation.interaction"].sudo()
        now = fields.Datetime.now()
        domain = [
            ("channel", "=", "portal"),
            ("direction", "=", "inbound"),
            ("outcome", "in", ("counter_offer", "dispute", "promise")),
            ("create_date", ">", now - portal_input.RATE_WINDOW),
        ]
        limits = [
            (domain + [("negotiation_id", "=", self.id)], portal_input.RATE_PER_CASE)
        ]
        address = (client or {}).get("address")
        if address:
            limits.append(
                (
                    domain + [("client_address", "=", address)],
                    portal_input.RATE_PER_ADDRESS,
                )
            )
        for limit_domain, limit in limits:
            times = Interaction.search(limit_domain, limit=limit).mapped("create_date")
            if portal_input.over_limit(times, now, limit):
                raise UserError(
                    self.env._(
                        "We have received several answers from you today: we "
                        "will come back to you. To add something, write to us "
                        "below or call us."
                    )
                )

    def _portal_check_signature(self, signature):
        """Refuse a drawn signature that is not a PNG or JPEG image (by its
        content, whatever it claims to be)."""
        raw = base64.b64decode(signature, validate=True)
        if guess_mimetype(raw) not in portal_input.SIGNATURE_MIMETYPES:
            raise UserError(
                self.env._(
                    "Please sign again: the signature must be drawn (a PNG or "
                    "JPEG image)."
                )
            )

    def _portal_check_upload(self, name, content):
        """The values of the debtor's document ``name`` with ``content``, if
        it is a PDF or an image (by its content, whatever its name) within
        the company's size limit; else a clear refusal."""
        self.ensure_one()
        limit = self.company_id.negotiation_portal_upload_max_mb
        if len(content or b"") > limit * 1024 * 1024:
            raise UserError(
                self.env._(
                    "The document is larger than %(size)s MB: please send a "
                    "smaller one (a PDF or an image).",
                    size=limit,
                )
            )
        mimetype = guess_mimetype(content or b"")
        if mimetype not in portal_input.UPLOAD_MIMETYPES:
            raise UserError(
                self.env._(
                    "Please send the document as a PDF or an image (PNG, "
                    "JPEG, GIF or WebP)."
                )
            )
        return {
            "name": portal_input.upload_name(
                name or self.env._("Dispute document"), mimetype
            ),
            "raw": content,
            "mimetype": mimetype,
        }
