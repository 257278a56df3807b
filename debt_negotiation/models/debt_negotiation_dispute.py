# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.exceptions import UserError

from ..const import DISPUTABLE_STATES
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

    def action_dispute(self, reason):
        """The debtor disputes the claim: automatic follow-ups pause."""
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Please give the reason of the dispute."))
        self._set_disputed(reason)
        self.env["debt.negotiation.interaction"].create(
            [
                {
                    "negotiation_id": case.id,
                    "channel": "other",
                    "direction": "inbound",
                    "contact_name": case.partner_id.name,
                    "summary": reason,
                    "outcome": "dispute",
                }
                for case in self
            ]
        )
        return True

    def _set_disputed(self, reason):
        """Put the cases in dispute (the debtor contests the claim), which
        pauses the automatic follow-ups, and say why in the chatter."""
        self._check_state(DISPUTABLE_STATES, "dispute")
        for case in self:
            workflow(case).write(
                {
                    "dispute_previous_state": case.state,
                    "state": "disputed",
                    "dispute_reason": reason,
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

    def action_resolve_dispute(self):
        self._check_state(("disputed",), "resolve_dispute")
        for case in self:
            previous = case.dispute_previous_state or "open"
            if previous == "disputed":
                previous = "open"
            workflow(case).write({"state": previous, "dispute_previous_state": False})
            case.message_post(
                body=self.env._("Dispute resolved; the negotiation resumes.")
            )
        self._schedule_next_action()
        return True
