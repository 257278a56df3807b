# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.exceptions import UserError


class DebtNegotiationAgreementCancelWizard(models.TransientModel):
    """Cancel a confirmed agreement (managers only), with a logged reason."""

    _name = "debt.negotiation.agreement.cancel.wizard"
    _description = "Cancel a Debt Negotiation Agreement"

    negotiation_id = fields.Many2one(
        "debt.negotiation", string="Case", required=True, ondelete="cascade"
    )
    agreement_id = fields.Many2one(related="negotiation_id.agreement_id")
    reason = fields.Text(
        required=True, help="Why the agreement is cancelled; it is logged on the case."
    )
    cancel_case = fields.Boolean(
        string="Also Cancel the Case",
        help="Cancel the whole case instead of resuming the negotiation.",
    )

    def action_confirm(self):
        self.ensure_one()
        agreement = self.agreement_id
        if not agreement:
            raise UserError(
                self.env._(
                    "Case %(case)s has no agreement to cancel.",
                    case=self.negotiation_id.name,
                )
            )
        agreement.action_cancel(self.reason, cancel_case=self.cancel_case)
        return {"type": "ir.actions.act_window_close"}
