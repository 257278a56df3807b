# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.exceptions import UserError

from ..const import DISPUTABLE_STATES, DISPUTE_REASONS
from .workflow import workflow


# Satellite file of the case model, one concern per file (as account does).
class DebtNegotiation(models.Model):
    """Disputes: the debtor contests the claim, the automatic follow-ups
    pause until the dispute is resolved."""

    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # ACTION METHODS
    # ------------------------------------------------------------------
    def action_open_dispute_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dispute"),
            "res_model": "debt.negotiation.dispute.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_negotiation_id": self.id},
        }

    def action_dispute(self, reason, invoices=None, reason_code="other"):
        """The debtor disputes the claim.

        Without ``invoices`` the whole case is ``disputed`` and the
        automatic follow-ups pause. With ``invoices`` (some of the case's
        invoices) only those are disputed: they are left out of what the
        letters demand and shown as disputed, and the rest of the debt is
        still chased. Either way the dispute is logged as an inbound
        interaction and in the chatter.

        :param reason: what the debtor disputes, and why (required)
        :param invoices: the disputed invoices (records or ids), if not all
        :param reason_code: one of :data:`~..const.DISPUTE_REASONS`
        """
        self._record_dispute(reason, invoices, reason_code)
        return True

    def _record_dispute(
        self,
        reason,
        invoices=None,
        reason_code="other",
        channel="other",
        contact_name=None,
        client_address=None,
    ):
        """:meth:`action_dispute`, told on ``channel`` by ``contact_name``
        (the interaction's: ``portal`` when the debtor disputes online, from
        ``client_address``; the debtor by default). Return the logged
        interactions."""
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Please give the reason of the dispute."))
        if invoices is not None and not isinstance(invoices, models.BaseModel):
            # ids, as an RPC client or a data file sends them
            invoices = self.env["account.move"].browse(invoices)
        if reason_code not in dict(DISPUTE_REASONS):
            raise UserError(
                self.env._("Unknown dispute reason: %(code)s.", code=reason_code or "")
            )
        if invoices:
            self.ensure_one()
            self._set_invoices_disputed(invoices, reason, reason_code)
        else:
            self._set_disputed(reason, reason_code)
        return self.env["debt.negotiation.interaction"].create(
            [
                {
                    "negotiation_id": case.id,
                    "channel": channel,
                    "direction": "inbound",
                    "contact_name": contact_name or case.partner_id.name,
                    "summary": reason,
                    "outcome": "dispute",
                    **({"client_address": client_address} if client_address else {}),
                }
                for case in self
            ]
        )

    def _set_disputed(self, reason, reason_code="other"):
        """Put the cases in dispute (the debtor contests the claim), which
        pauses the automatic follow-ups, and say why in the chatter."""
        self._check_state(DISPUTABLE_STATES, "dispute")
        Period = self.env["debt.negotiation.dispute.period"]
        for case in self:
            # the whole claim is contested: no interest while it lasts
            Period._open(case, case.invoice_ids, reason_code)
            workflow(case).write(
                {
                    "dispute_previous_state": case.state,
                    "state": "disputed",
                    "dispute_reason": reason,
                    "dispute_reason_code": reason_code,
                    "next_action_date": False,
                }
            )
            case.message_post(
                body=self.env._(
                    "The debtor disputes the claim; automatic follow-ups are "
                    "paused. Reason: %(reason)s",
                    reason=reason,
                )
            )

    def _set_invoices_disputed(self, invoices, reason, reason_code):
        """Dispute ``invoices`` of this case only: the case stays as it is
        and goes on chasing the rest."""
        self.ensure_one()
        self._check_state(DISPUTABLE_STATES, "dispute")
        foreign = invoices - self.invoice_ids
        if foreign:
            raise UserError(
                self.env._(
                    "%(moves)s not part of case %(case)s: only the case's own "
                    "invoices can be disputed in it.",
                    moves=", ".join(foreign.mapped("display_name")),
                    case=self.name,
                )
            )
        workflow(invoices.sudo()).write(
            {"negotiation_disputed": True, "negotiation_dispute_code": reason_code}
        )
        self.env["debt.negotiation.dispute.period"]._open(self, invoices, reason_code)
        self.message_post(
            body=self.env._(
                "The debtor disputes %(moves)s (%(amount)s): left out of what "
                "the letters demand; the rest is still chased. Reason: "
                "%(reason)s",
                moves=", ".join(invoices.mapped("display_name")),
                amount=self.currency_id.format(sum(invoices.mapped("amount_residual"))),
                reason=reason,
            )
        )
        self._schedule_next_action()

    def action_resolve_dispute(self, invoices=None):
        """End the whole-case dispute (the negotiation resumes where it
        was), or, with ``invoices``, the dispute of those invoices, which
        are chased again (or settled by a credit note:
        :meth:`action_credit_disputed_invoices`)."""
        if invoices is not None and not isinstance(invoices, models.BaseModel):
            invoices = self.env["account.move"].browse(invoices)
        if invoices:
            self.ensure_one()
            disputed = invoices & self.invoice_ids.filtered("negotiation_disputed")
            if not disputed:
                raise UserError(
                    self.env._(
                        "None of these invoices is disputed in case %(case)s.",
                        case=self.name,
                    )
                )
            workflow(disputed.sudo()).write(
                {"negotiation_disputed": False, "negotiation_dispute_code": False}
            )
            if self.state != "disputed":
                self.env["debt.negotiation.dispute.period"]._close(disputed)
            self.message_post(
                body=self.env._(
                    "Dispute of %(moves)s resolved: they are claimed again.",
                    moves=", ".join(disputed.mapped("display_name")),
                )
            )
            self._schedule_next_action()
            return True
        self._check_state(("disputed",), "resolve_dispute")
        # the invoices disputed on their own stay so
        self.env["debt.negotiation.dispute.period"]._close(
            self.invoice_ids.filtered(lambda m: not m.negotiation_disputed)
        )
        for case in self:
            previous = case.dispute_previous_state or "open"
            if previous == "disputed":
                previous = "open"
            workflow(case).write(
                {
                    "state": previous,
                    "dispute_previous_state": False,
                    "dispute_reason_code": False,
                }
            )
            case.message_post(
                body=self.env._("Dispute resolved; the negotiation resumes.")
            )
        self._schedule_next_action()
        return True

    def action_resolve_invoice_disputes(self):
        """ "Resolve Invoice Disputes": the disputed invoices are claimed
        again."""
        self.ensure_one()
        return self.action_resolve_dispute(
            invoices=self.invoice_ids.filtered("negotiation_disputed")
        )

    def action_credit_disputed_invoices(self):
        """The dispute is settled in the debtor's favour: open Odoo's credit
        note wizard on the disputed invoices (a reversed invoice is paid,
        so the case settles once nothing else is due)."""
        self.ensure_one()
        disputed = self.invoice_ids.filtered(
            lambda m: (
                m.negotiation_disputed and not m.currency_id.is_zero(m.amount_residual)
            )
        )
        if not disputed:
            raise UserError(
                self.env._(
                    "Case %(case)s has no open disputed invoice.", case=self.name
                )
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_view_account_move_reversal"
        )
        action["context"] = {
            "active_model": "account.move",
            "active_ids": disputed.ids,
        }
        return action
