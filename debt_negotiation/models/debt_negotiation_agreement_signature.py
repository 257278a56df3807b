# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The debtor's e-signature of an agreement: the request, its resending
and cancelling, the signature online; and how an agreement confirmed in
writing says the debtor agreed."""

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from .workflow import internal as _internal


class DebtNegotiationAgreement(models.Model):
    _inherit = "debt.negotiation.agreement"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Action methods: the request awaiting the debtor's signature
    # ------------------------------------------------------------------
    def _check_signature_request(self):
        """Only an agreement awaiting its signature, by a user who may
        change its case."""
        self.ensure_one()
        if self.state != "pending_signature":
            raise UserError(
                self.env._(
                    "Agreement %(agreement)s is not awaiting the debtor's signature.",
                    agreement=self.display_name,
                )
            )
        self.negotiation_id.check_access("write")

    def action_resend_signature_request(self):
        """Send the e-signature request again (the same link), and log it."""
        for agreement in self:
            agreement._check_signature_request()
            agreement._send_signature_request(resent=True)
        return True

    def action_cancel_signature_request(self):
        """Withdraw the e-signature request: the agreement is cancelled (kept
        on record), the offer stays open for another confirmation, and the
        debtor's page no longer offers to sign it."""
        for agreement in self:
            agreement._check_signature_request()
        self._cancel_unsigned(
            self.env._("request withdrawn by %(user)s.", user=self.env.user.name)
        )
        return True

    def _send_signature_request(self, resent=False):
        """Email the debtor the link to sign this agreement, and log it."""
        self.ensure_one()
        case = self.negotiation_id
        case._portal_ensure_token()
        template = self.env.ref(
            "debt_negotiation.mail_template_agreement_signature_request"
        )
        case.message_post_with_source(
            template,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        if resent:
            summary = self.env._(
                "Agreement sent again for e-signature: %(offer)s.",
                offer=self.offer_id.display_name,
            )
        else:
            summary = self.env._(
                "Agreement sent for e-signature: %(offer)s.",
                offer=self.offer_id.display_name,
            )
        self.env["debt.negotiation.interaction"].create(
            {
                "negotiation_id": case.id,
                "channel": "email",
                "direction": "outbound",
                "contact_name": case.letter_recipient_id.name,
                "summary": summary,
                "outcome": "other",
            }
        )

    # ------------------------------------------------------------------
    # Business methods: the debtor's e-signature
    # ------------------------------------------------------------------
    @api.model
    def _request_signature(self, offer, schedule, note, creditor_signature):
        """Send ``offer`` (checked) for the debtor's e-signature: an
        agreement ``pending_signature`` with its schedule (installments
        archived until signed), the offer proposed to the debtor, and an
        email with the signing link. The case is not under agreement until
        the debtor signs (:meth:`_sign_online`)."""
        case = offer.negotiation_id
        if offer.state == "draft":
            offer.action_propose()
        vals = self._prepare_values(offer, schedule, False, False, note, False)
        vals.update(
            state="pending_signature",
            signature_mode="esign",
            creditor_signed_by=self._creditor_signatory(case),
            creditor_signature=creditor_signature or False,
            signature_requested_on=fields.Date.context_today(self),
        )
        for _command, _id, line in vals["installment_ids"]:
            line["active"] = False
        agreement = _internal(self).create(vals).with_env(self.env)
        agreement._send_signature_request()
        return agreement

    def _cancel_unsigned(self, reason):
        """Cancel those of these agreements still awaiting the debtor's
        signature (their offer closed, the debt paid...), with ``reason``."""
        unsigned = self.filtered(lambda a: a.state == "pending_signature")
        if not unsigned:
            return
        _internal(unsigned._all_installments()).write({"active": False})
        _internal(unsigned).write({"state": "cancelled", "cancel_reason": reason})
        for agreement in unsigned:
            agreement.negotiation_id.message_post(
                body=self.env._(
                    "The agreement awaiting signature %(agreement)s is cancelled: "
                    "%(reason)s",
                    agreement=agreement.display_name,
                    reason=reason,
                )
            )

    def _agreed_sentence(self):
        """``written``: how the debtor agreed, as the letter and the log say
        it: "Agreed by phone with Jane Smith on 12/07/2026."."""
        self.ensure_one()
        values = {
            "who": self.signed_by or "",
            "date": format_date(self.env, self.signed_on),
        }
        sentences = {
            "phone": self.env._("Agreed by phone with %(who)s on %(date)s."),
            "meeting": self.env._("Agreed in a meeting with %(who)s on %(date)s."),
            "email": self.env._("Agreed by email with %(who)s on %(date)s."),
            "letter": self.env._("Agreed by letter with %(who)s on %(date)s."),
        }
        sentence = sentences.get(
            self.agreed_channel, self.env._("Agreed with %(who)s on %(date)s.")
        )
        return sentence % values

    def _sign_online(self, signed_by, signature, client=None):
        """The debtor signs this agreement awaiting its signature in the
        portal: it comes into force with the debtor's name, today's date and
        the drawn signature (see :meth:`_activate`), sealed with where it
        signed from (``client``: ``address``, ``user_agent``). The terms are
        checked again (the offer may have expired, the case been settled)."""
        self.ensure_one()
        signed_by = (signed_by or "").strip()
        if self.state != "pending_signature":
            raise UserError(self.env._("This agreement is not awaiting a signature."))
        if not signed_by or not signature:
            raise UserError(self.env._("Please give your name and your signature."))
        offer = self.offer_id
        schedule = [
            (line.name, line.due_date, line.amount)
            for line in self._all_installments().sorted("sequence")
        ]
        today = fields.Date.context_today(self)
        self._check_confirmable(offer, schedule, signed_by, today, mode="portal")
        case = self.negotiation_id
        invoices = case.invoice_ids.filtered(lambda m: m.state == "posted")
        _internal(self).write(
            {
                "state": "active",
                "date": today,
                "signed_by": signed_by,
                "signed_on": today,
                "signature": signature,
                **self._signer_values(client),
                "invoice_ids": [Command.set(invoices.ids)],
                "amount_due": case.currency_id.round(
                    sum(invoices.mapped("amount_residual"))
                ),
            }
        )
        self._activate(channel="portal", letter_channel=case._online_letter_channel())
        return self


# Satellite of the case model: the agreement buttons of the case (confirm,
# cancel) and the agreement awaiting signature.
class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    agreement_state = fields.Selection(
        related="agreement_id.state", string="Agreement Status"
    )
    signature_requested_on = fields.Date(related="agreement_id.signature_requested_on")

    def action_resend_signature_request(self):
        self.ensure_one()
        return self.agreement_id.action_resend_signature_request()

    def action_cancel_signature_request(self):
        self.ensure_one()
        return self.agreement_id.action_cancel_signature_request()

    def action_open_agreement_wizard(self):
        """Confirm the newest open offer of the case in writing."""
        self.ensure_one()
        offer = (
            self.current_offer_id
            or self.offer_ids.filtered(lambda o: o.state == "draft").sorted("id")[-1:]
        )
        if not offer:
            raise UserError(
                self.env._(
                    "Case %(case)s has no open offer to confirm: create or "
                    "propose one first.",
                    case=self.name,
                )
            )
        return offer.action_accept()

    def action_open_cancel_agreement_wizard(self):
        self.ensure_one()
        self.env["debt.negotiation.agreement"]._check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel Agreement"),
            "res_model": "debt.negotiation.agreement.cancel.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_negotiation_id": self.id},
        }
