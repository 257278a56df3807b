# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import format_date

from ..const import AGREED_CHANNELS, MANAGER_GROUP, SIGNATURE_MODES
from ..tools import negotiation_rules as rules
from .debt_negotiation_evidence_mixin import EVIDENCE_VERSION
from .workflow import internal as _internal
from .workflow import is_workflow as _is_internal
from .workflow import workflow as _workflow

_logger = logging.getLogger(__name__)


class DebtNegotiationAgreement(models.Model):
    """A deal confirmed in writing: the accepted offer, who signed it and
    when, the invoices and the amount due at that moment, the installments,
    the agreement letter and, once fulfilled, the write-off of what it
    forgave.

    Agreements are created by :meth:`_confirm_offer` (the agreement wizard)
    and change only through their own methods: confirm, cancel, break,
    fulfil. Only an ``active`` (or ``broken``) agreement puts its case under
    agreement; a ``pending_signature`` one waits for the debtor.
    """

    _name = "debt.negotiation.agreement"
    _description = "Debt Negotiation Agreement"
    _inherit = ["debt.negotiation.evidence.mixin"]
    _order = "negotiation_id, id desc"
    _check_company_auto = True

    negotiation_id = fields.Many2one(
        "debt.negotiation",
        string="Case",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    offer_id = fields.Many2one(
        "debt.negotiation.offer",
        required=True,
        readonly=True,
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="negotiation_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="negotiation_id.currency_id", store=True)
    partner_id = fields.Many2one(related="negotiation_id.partner_id", store=True)
    offer_type = fields.Selection(related="offer_id.offer_type")
    amount = fields.Monetary(related="offer_id.amount", string="Agreed Amount")
    state = fields.Selection(
        [
            ("pending_signature", "Awaiting Signature"),
            ("active", "Active"),
            ("broken", "Broken"),
            ("fulfilled", "Fulfilled"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        readonly=True,
        default="active",
        index=True,
        copy=False,
    )
    date = fields.Date(
        string="Agreed On",
        required=True,
        readonly=True,
        default=fields.Date.context_today,
        help="Date the agreement was confirmed in writing. Payments received "
        "on the agreement invoices from then on count towards its installments.",
    )
    signed_by = fields.Char(
        readonly=True, help="Who agreed to the terms on behalf of the debtor."
    )
    signed_on = fields.Date(readonly=True)
    signature = fields.Image(
        readonly=True,
        max_width=1024,
        max_height=1024,
        help="The debtor's signature, when one was given.",
    )
    signature_mode = fields.Selection(
        SIGNATURE_MODES,
        string="Confirmed by",
        readonly=True,
        default="written",
        help="How the debtor's agreement was confirmed: the agreement letter "
        "confirms it in writing, a countersigned copy was received, or the "
        "debtor signed it online (after an e-signature request or by "
        "accepting the offer in the portal).",
    )
    agreed_channel = fields.Selection(
        AGREED_CHANNELS,
        string="Agreed by",
        readonly=True,
        help="Confirmed in writing: how the debtor agreed to the terms (the "
        'letter says "Agreed by phone with ... on ...").',
    )
    ask_signature = fields.Boolean(
        string="Countersignature Asked",
        readonly=True,
        help="Confirmed in writing: the letter asks the debtor to sign it and "
        "return a copy.",
    )
    creditor_signed_by = fields.Char(
        string="Signed for Us by",
        readonly=True,
        help="The negotiator who signed the agreement for the creditor.",
    )
    creditor_signature = fields.Image(
        readonly=True,
        max_width=1024,
        max_height=1024,
        help="The creditor's signature, drawn by the negotiator, if any.",
    )
    signed_ip = fields.Char(
        string="Signed From",
        readonly=True,
        help="Signed online: the address (IP) the debtor signed from, sealed "
        "with the signature.",
    )
    signed_user_agent = fields.Char(
        string="Signed With",
        readonly=True,
        help="Signed online: the debtor's browser, sealed with the signature.",
    )
    signature_requested_on = fields.Date(
        readonly=True, help="When the agreement was sent for the debtor's e-signature."
    )
    signed_copy_id = fields.Many2one(
        "ir.attachment",
        readonly=True,
        help="The scan of the agreement signed on paper, when one was uploaded.",
    )
    note = fields.Text(readonly=True, help="Anything agreed beyond the terms.")
    letter_id = fields.Many2one(
        "debt.negotiation.letter", string="Agreement Letter", readonly=True
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "debt_negotiation_agreement_move_rel",
        "agreement_id",
        "move_id",
        string="Agreement Invoices",
        readonly=True,
    )
    amount_due = fields.Monetary(
        string="Due at Agreement",
        readonly=True,
        help="What the debtor owed on the agreement invoices when the "
        "agreement was confirmed.",
    )
    amount_paid = fields.Monetary(
        string="Paid since Agreement",
        compute="_compute_amount_paid",
        store=True,
        help="Decrease of what is due on the agreement invoices since the "
        "agreement (payments, credit notes), the write-off excluded.",
    )
    writeoff_move_id = fields.Many2one(
        "account.move", string="Write-off Entry", readonly=True
    )
    writeoff_amount = fields.Monetary(string="Written Off", readonly=True)
    cancel_reason = fields.Text(readonly=True)
    monitor_error = fields.Char(
        string="Monitoring Problem",
        readonly=True,
        copy=False,
        help="Why the daily check could not break or fulfil this agreement. "
        "It is tried again on the next run.",
    )
    installment_ids = fields.One2many(
        "debt.negotiation.installment",
        "agreement_id",
        string="Installments",
        readonly=True,
        context={"active_test": False},
    )
    next_installment_id = fields.Many2one(
        "debt.negotiation.installment", compute="_compute_progress"
    )
    next_installment_date = fields.Date(
        string="Next Payment Due", compute="_compute_progress"
    )
    next_installment_amount = fields.Monetary(
        string="Next Payment", compute="_compute_progress"
    )
    installment_count = fields.Integer(
        string="Installments Count", compute="_compute_progress"
    )
    installment_paid_count = fields.Integer(
        string="Installments Paid", compute="_compute_progress"
    )
    installment_amount_paid = fields.Monetary(
        string="Paid under Agreement",
        compute="_compute_progress",
        help="Payments received since the agreement, allocated to its installments.",
    )
    progress = fields.Float(
        string="Schedule Progress",
        compute="_compute_progress",
        help="Share of the agreed amount already paid, in percent.",
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("negotiation_id.name", "offer_id")
    def _compute_display_name(self):
        for agreement in self:
            agreement.display_name = " - ".join(
                part
                for part in (
                    agreement.negotiation_id.name,
                    agreement.offer_id.display_name,
                )
                if part
            )

    @api.depends(
        "amount_due",
        "invoice_ids.amount_residual",
        "writeoff_amount",
        "currency_id",
    )
    def _compute_amount_paid(self):
        for agreement in self:
            agreement.amount_paid = rules.paid_since_agreement(
                agreement.amount_due,
                sum(agreement.invoice_ids.mapped("amount_residual")),
                agreement.writeoff_amount,
                agreement.currency_id.rounding or 0.01,
            )

    @api.depends(
        "installment_ids.state",
        "installment_ids.amount",
        "installment_ids.amount_paid",
        "installment_ids.due_date",
    )
    def _compute_progress(self):
        for agreement in self:
            installments = agreement._all_installments().sorted(
                lambda i: i._allocation_key()
            )
            unpaid = installments.filtered(lambda i: i.state != "paid")
            agreed = sum(installments.mapped("amount"))
            paid = sum(installments.mapped("amount_paid"))
            agreement.next_installment_id = unpaid[:1]
            agreement.next_installment_date = unpaid[:1].due_date
            agreement.next_installment_amount = unpaid[:1].amount_residual
            agreement.installment_count = len(installments)
            agreement.installment_paid_count = len(installments) - len(unpaid)
            agreement.installment_amount_paid = paid
            agreement.progress = (
                min(100.0, round(paid * 100.0 / agreed, 2)) if agreed else 0.0
            )

    def _all_installments(self):
        """Every installment of the agreements, archived ones included."""
        return self.with_context(active_test=False).installment_ids

    # ------------------------------------------------------------------
    # CRUD methods
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not _is_internal(self):
            raise UserError(
                self.env._("An agreement is created by confirming an offer in writing.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not _is_internal(self):
            raise UserError(
                self.env._(
                    "A confirmed agreement is a signed document: its records "
                    "cannot be changed."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        if self:
            raise UserError(
                self.env._(
                    "A confirmed agreement cannot be deleted; a manager may "
                    "cancel it instead."
                )
            )

    def _evidence_description(self):
        self.ensure_one()
        return self.env._(
            "Signed agreement: %(agreement)s, signed by %(who)s",
            agreement=self.display_name,
            who=self.signed_by or "",
        )

    def _evidence_payload(self, version=EVIDENCE_VERSION):
        """The signed agreement as sealed when it came into force: the
        terms and schedule, who signed, how, and the signatures and signed
        copy (their bytes); not its later progress."""
        self.ensure_one()
        currency = self.currency_id
        return {
            "case": self.negotiation_id.id,
            "offer": self.offer_id.id,
            "offer_type": self.offer_id.offer_type,
            "date": self.date,
            "schedule": [
                [line.due_date, self._evidence_amount(line.amount, currency)]
                for line in self._all_installments().sorted("sequence")
            ],
            "signature_mode": self.signature_mode,
            **self._evidence_signatures(),
            "signed_copy": self.signed_copy_id.raw or b"",
            "letter": self.letter_id.id or False,
            "note": self.note or "",
            # where the debtor signed online from (version 2)
            **(
                {
                    "signed_ip": self.signed_ip or "",
                    "signed_user_agent": self.signed_user_agent or "",
                }
                if version >= 2
                else {}
            ),
        }

    # ------------------------------------------------------------------
    # Action methods
    # ------------------------------------------------------------------
    def action_cancel(self, reason, cancel_case=False):
        """Cancel the agreements (managers only), with a reason.

        The agreed offer becomes ``withdrawn``, the installments are
        archived (they no longer count but stay on record with the agreement
        letter), the reason is logged as an interaction and in the chatter,
        and the negotiation resumes (``open``), or the case is cancelled
        with ``cancel_case``.
        """
        self._check_manager()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(
                self.env._("Please give the reason for cancelling the agreement.")
            )
        cases = self.negotiation_id
        cases._check_state(("agreement", "broken", "disputed"), "cancel_agreement")
        for agreement in self:
            case = agreement.negotiation_id
            if agreement.state not in ("active", "broken"):
                raise UserError(
                    self.env._(
                        "Case %(case)s has no agreement to cancel.", case=case.name
                    )
                )
            with self.env.cr.savepoint():
                agreement._cancel(reason)
        if cancel_case:
            cases.action_cancel()
        else:
            cases._schedule_next_action()
        return True

    # ------------------------------------------------------------------
    # Business methods: confirmation
    # ------------------------------------------------------------------
    @api.model
    def _check_manager(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only a negotiation manager can cancel an agreement.")
            )

    def _schedule_error_messages(self, total, amount, currency):
        return {
            "schedule_empty": self.env._("The agreement has no payment schedule."),
            "installment_date_missing": self.env._(
                "Every payment of the schedule needs a due date."
            ),
            "installment_date_in_past": self.env._(
                "The payments of the schedule cannot be due in the past."
            ),
            "installment_not_positive": self.env._(
                "Every payment of the schedule must be greater than zero."
            ),
            "schedule_total_mismatch": self.env._(
                "The payments of the schedule add up to %(total)s but the "
                "agreed amount is %(amount)s: they must match exactly.",
                total=currency.format(total),
                amount=currency.format(amount),
            ),
        }

    @api.model
    def _check_confirmable(
        self,
        offer,
        schedule,
        signed_by,
        signed_on,
        mode="written",
        signed_copy=False,
        minimum=True,
    ):
        """Raise, before anything is written, when ``offer`` cannot become
        its case's agreement with this ``schedule`` and signature.

        ``mode`` ``esign`` checks the terms only (the debtor signs later);
        ``portal``: the debtor accepts our proposed offer online, which a
        manager approved when it was proposed if it is below the minimum.
        ``minimum=False``: everything but the minimum (before asking a
        manager's approval for it)."""
        case = offer.negotiation_id
        # offer state (expired, withdrawn...), case state (already under an
        # agreement, settled, cancelled), expiry date, terms, minimum rule
        offer._check_acceptable()
        case.check_access("write")
        self._check_confirmation(offer, mode, signed_by, signed_on, signed_copy)
        self._check_terms(offer, schedule)
        # last, so that no other refusal tells a user whether the amount
        # clears the hidden minimum
        if mode != "portal" and minimum:
            offer._check_minimum()

    @api.model
    def _check_confirmation(self, offer, mode, signed_by, signed_on, signed_copy):
        """Raise when the way the debtor agrees to ``offer`` (``mode``, who
        signed and when, the signed copy) cannot confirm it (see
        :meth:`_check_confirmable`)."""
        case = offer.negotiation_id
        if mode not in dict(SIGNATURE_MODES):
            raise UserError(self.env._("Unknown confirmation: %(mode)s.", mode=mode))
        pending = case.agreement_ids.filtered(
            lambda a: a.state == "pending_signature" and a.offer_id != offer
        )
        if pending:
            raise UserError(
                self.env._(
                    "Case %(case)s already has an agreement awaiting the "
                    "debtor's signature (%(agreement)s): cancel it first.",
                    case=case.name,
                    agreement=pending[:1].display_name,
                )
            )
        if mode == "portal" and (
            offer.origin != "creditor" or offer.state != "proposed"
        ):
            raise UserError(self.env._("This offer is not open for acceptance."))
        if mode == "countersigned" and not signed_copy:
            raise UserError(
                self.env._("Attach the copy of the agreement the debtor signed.")
            )
        if mode == "esign":
            return
        if not (signed_by or "").strip():
            raise UserError(
                self.env._("Say who agreed to the terms on behalf of the debtor.")
            )
        if not signed_on:
            raise UserError(self.env._("Give the date the agreement was signed."))
        if signed_on > fields.Date.context_today(self):
            raise UserError(self.env._("The signature date cannot be in the future."))

    @api.model
    def _check_terms(self, offer, schedule):
        """Raise when ``offer`` with ``schedule`` cannot be agreed on its
        case now: nothing due any more, a wrong schedule, or a forgiven
        balance without the company's write-off account (see
        :meth:`_check_confirmable`)."""
        case = offer.negotiation_id
        today = fields.Date.context_today(self)
        invoices = case.invoice_ids.filtered(lambda m: m.state == "posted")
        if case.currency_id.is_zero(sum(invoices.mapped("amount_residual"))):
            raise UserError(
                self.env._("Nothing is due on case %(case)s any more.", case=case.name)
            )
        currency = offer.currency_id
        rounding = currency.rounding or 0.01
        payments = [(due_date, amount) for _name, due_date, amount in schedule]
        codes = rules.schedule_errors(payments, offer.amount, today, rounding)
        if codes:
            total = rules.from_units(
                sum(rules.to_units(amount, rounding) for _date, amount in payments),
                rounding,
            )
            messages = self._schedule_error_messages(total, offer.amount, currency)
            raise ValidationError("\n".join(messages[code] for code in codes))
        if (
            offer._agreement_forgives_balance(case.amount_due)
            and not case.company_id.negotiation_writeoff_account_id
        ):
            raise UserError(
                self.env._(
                    "This agreement forgives part of the debt: set the settlement "
                    "write-off account of %(company)s in the Accounting settings "
                    "before confirming it.",
                    company=case.company_id.name,
                )
            )

    @api.model
    def _confirm_offer(
        self,
        offer,
        schedule,
        signed_by,
        signed_on,
        note=False,
        signature=False,
        signed_copy=False,
        signed_copy_name=False,
        letter_channel="post",
        mode="written",
        creditor_signature=False,
        agreed_channel=False,
        ask_signature=False,
        client=None,
    ):
        """Confirm ``offer`` in writing as its case's agreement (``active``),
        or, with ``mode`` ``esign``, send it for the debtor's e-signature
        (``pending_signature``: see :meth:`_request_signature`).

        Checks everything first (states, minimum rule, schedule, write-off
        account), then accepts the offer and closes its rivals, archives the
        installments of a previous (broken) agreement, creates the agreement
        (invoices, amount due now, installments), logs an ``agreement``
        interaction, attaches the signed copy, sets the case ``agreement``
        and generates the agreement letter (PDF with the signatures).

        :param schedule: ``[(label, due_date, amount)]``, in payment order
        :param signature: the debtor's signature image (base64), only when
            the debtor drew it (``portal``)
        :param signed_copy: the scan signed on paper (base64), if any
        :param letter_channel: ``post`` or ``email`` (the caller sends it)
        :param mode: one of :data:`~..const.SIGNATURE_MODES`
        :param creditor_signature: the negotiator's signature (base64)
        :param agreed_channel: ``written``: how the debtor agreed (one of
            :data:`~..const.AGREED_CHANNELS`)
        :param ask_signature: ``written``: the letter asks the debtor to
            sign and return it
        :param client: the debtor signing online (``portal``): its
            ``address`` and ``user_agent``, sealed with the signature
        :return: the new agreement

        An agreement of the offer still awaiting the debtor's e-signature is
        cancelled first (the debtor agreed otherwise, or the request is sent
        again): never two agreements of one offer.
        """
        self._check_confirmable(
            offer, schedule, signed_by, signed_on, mode=mode, signed_copy=signed_copy
        )
        if mode != "portal":
            offer.agreement_ids._cancel_unsigned(
                self.env._("replaced by the agreement confirmed on %(date)s.")
                % {"date": format_date(self.env, fields.Date.context_today(self))}
            )
        if mode == "esign":
            return self._request_signature(offer, schedule, note, creditor_signature)
        case = offer.negotiation_id
        vals = self._prepare_values(
            offer, schedule, signed_by.strip(), signed_on, note, signature
        )
        vals.update(
            signature_mode=mode,
            creditor_signed_by=self._creditor_signatory(case),
            creditor_signature=creditor_signature or False,
            **self._signer_values(client),
        )
        if mode == "written":
            vals.update(
                agreed_channel=agreed_channel or "other",
                ask_signature=bool(ask_signature),
            )
        agreement = _internal(self).create(vals).with_env(self.env)
        agreement._activate(
            signed_copy=signed_copy,
            signed_copy_name=signed_copy_name,
            letter_channel=letter_channel,
            channel="portal" if mode == "portal" else "other",
        )
        return agreement

    def _activate(
        self,
        signed_copy=False,
        signed_copy_name=False,
        letter_channel="post",
        channel="other",
    ):
        """Put this agreement (just created or just signed) in force: the
        offer is accepted, the rivals are closed, the installments of a
        previous (broken) agreement stop counting, the confirmation is
        logged, the case is under agreement and the agreement letter with
        the signatures is generated and posted in the chatter."""
        self.ensure_one()
        case = self.negotiation_id
        # the minimum was checked when staff confirmed the agreement or sent
        # it for e-signature; our proposal accepted online needs no manager
        self.offer_id._mark_accepted(
            check_minimum=self.signature_mode not in ("portal", "esign")
        )
        # A broken agreement being renegotiated: its installments stop counting.
        _internal(case.installment_ids - self._all_installments()).write(
            {"active": False}
        )
        _internal(self._all_installments()).write({"active": True})
        signed_copy_attachment = self._log_confirmation(
            signed_copy, signed_copy_name, channel=channel
        )
        # the letter carries this agreement's signatures (the case's
        # agreement: see debt.negotiation._letter_signatures)
        letter = case._generate_letter(
            "agreement", channel=letter_channel, offer=self.offer_id
        )
        _internal(self).write(
            {"letter_id": letter[:1].id, "signed_copy_id": signed_copy_attachment.id}
        )
        self._post_letter_copy()
        # the signed agreement is evidence: sealed in the case's chain
        self._evidence_seal()
        # the ladder starts again: only debt falling due from now on is
        # chased, from its first step
        _workflow(case).write({"followup_round": case.followup_round + 1})
        case._schedule_next_action()

    @api.model
    def _creditor_signatory(self, case):
        """Who signs for the creditor: the user confirming the agreement,
        else (the debtor accepting online, the scheduler) the case's
        negotiator; never a portal user or the system's bot."""
        for user in (self.env.user, case.user_id):
            if user and user.active and not user.share and not user._is_superuser():
                return user.name
        return False

    @api.model
    def _signer_values(self, client):
        """Where the debtor signed online from (``client``: its ``address``
        and ``user_agent``), as sealed with the signature."""
        client = client or {}
        return {
            "signed_ip": (client.get("address") or "")[:64] or False,
            "signed_user_agent": (client.get("user_agent") or "")[:512] or False,
        }

    @api.model
    def _in_force_covering(self, moves):
        """The agreements in force (awaiting signature, active or broken)
        whose invoices include some of ``moves``."""
        return _internal(self).search(
            [
                ("invoice_ids", "in", moves.ids),
                ("state", "in", ("pending_signature", "active", "broken")),
            ]
        )

    def _remove_invoices(self, moves, residuals):
        """Take ``moves`` (reset or cancelled invoices) out of these
        agreements: the amount due at the agreement drops by what each
        still owed (``residuals``: ``{move_id: amount}``)."""
        for agreement in _internal(self):
            removed = agreement.invoice_ids & moves
            if not removed:
                continue
            currency = agreement.currency_id
            owed = currency.round(sum(residuals.get(m.id, 0.0) for m in removed))
            _internal(agreement).write(
                {
                    "invoice_ids": [Command.unlink(m.id) for m in removed],
                    "amount_due": max(currency.round(agreement.amount_due - owed), 0.0),
                }
            )
            agreement.negotiation_id.message_post(
                body=self.env._(
                    "%(moves)s no longer posted: removed from the agreement "
                    "%(agreement)s, whose amount due falls by %(amount)s to "
                    "%(due)s.",
                    moves=", ".join(removed.mapped("display_name")),
                    agreement=agreement.display_name,
                    amount=currency.format(owed),
                    due=currency.format(agreement.amount_due),
                )
            )

    def _post_letter_copy(self):
        """Post a copy of the agreement letter's PDF in the case's chatter,
        where the parties' agreement is read. A copy: deleting the chatter
        message never touches the letter's own stored PDF."""
        self.ensure_one()
        pdf = self.letter_id.attachment_id
        if not pdf:
            return
        self.negotiation_id.message_post(
            body=self.env._(
                "Agreement letter %(letter)s, as generated.",
                letter=self.letter_id.name,
            ),
            attachments=[(pdf.name, pdf.raw)],
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )

    @api.model
    def _prepare_values(self, offer, schedule, signed_by, signed_on, note, signature):
        """Values of the agreement on ``offer`` and of its installments,
        with the case's posted invoices and what is due on them now."""
        case = offer.negotiation_id
        invoices = case.invoice_ids.filtered(lambda m: m.state == "posted")
        debtor_env = self.with_context(lang=offer._debtor_lang()).env
        return {
            "negotiation_id": case.id,
            "offer_id": offer.id,
            "state": "active",
            "signed_by": signed_by,
            "signed_on": signed_on,
            "signature": signature or False,
            "note": note or False,
            "invoice_ids": [Command.set(invoices.ids)],
            "amount_due": case.currency_id.round(
                sum(invoices.mapped("amount_residual"))
            ),
            "installment_ids": [
                Command.create(
                    {
                        "negotiation_id": case.id,
                        "sequence": index,
                        "name": label
                        or debtor_env._("Installment %(number)s", number=index),
                        "due_date": due_date,
                        "amount": amount,
                    }
                )
                for index, (label, due_date, amount) in enumerate(schedule, 1)
            ],
        }

    def _log_confirmation(
        self, signed_copy=False, signed_copy_name=False, channel="other"
    ):
        """Log the confirmed agreement (interaction, chatter with the signed
        copy) and put its case under agreement. Return the signed copy's
        attachment (empty without one)."""
        self.ensure_one()
        case = self.negotiation_id
        # signed by the debtor online (accepted on its page, or the
        # agreement sent for its e-signature and signed there)
        if self.signature_mode in ("portal", "esign"):
            summary = self.env._(
                "Agreement signed online: %(offer)s, signed by %(who)s on %(date)s.",
                offer=self.offer_id.display_name,
                who=self.signed_by,
                date=format_date(self.env, self.signed_on),
            )
        elif self.signature_mode == "written":
            summary = self.env._(
                "Agreement confirmed in writing: %(offer)s. %(agreed)s",
                offer=self.offer_id.display_name,
                agreed=self._agreed_sentence(),
            )
        else:
            summary = self.env._(
                "Agreement confirmed in writing: %(offer)s, signed by %(who)s on "
                "%(date)s.",
                offer=self.offer_id.display_name,
                who=self.signed_by,
                date=format_date(self.env, self.signed_on),
            )
        if self.note:
            summary = f"{summary}\n{self.note}"
        # the debtor's agreement: logged by the confirmation only
        _workflow(self.env["debt.negotiation.interaction"]).create(
            {
                "negotiation_id": case.id,
                "channel": channel,
                "direction": "inbound",
                "contact_name": self.signed_by,
                "summary": summary,
                "outcome": "agreement",
            }
        )
        attachment = self.env["ir.attachment"]
        if signed_copy:
            attachment = attachment.create(
                {
                    "name": signed_copy_name or self.env._("Signed agreement"),
                    "datas": signed_copy,
                    "res_model": case._name,
                    "res_id": case.id,
                }
            )
        _workflow(case).write(
            {
                "state": "agreement",
                "response_deadline": False,
                "next_action_date": False,
                "dispute_previous_state": False,
            }
        )
        case.message_post(
            body=summary,
            attachment_ids=attachment.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return attachment

    def _cancel(self, reason):
        """Cancel this agreement and resume its case (see :meth:`action_cancel`)."""
        self.ensure_one()
        case = self.negotiation_id
        offer = self.offer_id
        _internal(self._all_installments()).write({"active": False})
        _internal(self).write({"state": "cancelled", "cancel_reason": reason})
        offer._write_workflow(
            {"state": "withdrawn", "answered_date": fields.Date.context_today(self)}
        )
        self.env["debt.negotiation.interaction"].create(
            {
                "negotiation_id": case.id,
                "channel": "other",
                "direction": "outbound",
                "contact_name": case.partner_id.name,
                "summary": self.env._(
                    "Agreement cancelled (%(offer)s): %(reason)s",
                    offer=offer.display_name,
                    reason=reason,
                ),
                "outcome": "other",
            }
        )
        case.message_post(
            body=self.env._(
                "Agreement cancelled by %(user)s: %(offer)s. Reason: %(reason)s",
                user=self.env.user.name,
                offer=offer.display_name,
                reason=reason,
            )
        )
        if case.state == "disputed":
            _workflow(case).dispute_previous_state = "open"
        else:
            _workflow(case).state = "open"
