# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class DebtNegotiationDisputeWizard(models.TransientModel):
    _name = "debt.negotiation.dispute.wizard"
    _description = "Put a Debt Negotiation Case in Dispute"

    negotiation_id = fields.Many2one(
        "debt.negotiation", string="Case", required=True, ondelete="cascade"
    )
    reason = fields.Text(required=True, help="What the debtor disputes, and why.")

    def action_confirm(self):
        self.ensure_one()
        self.negotiation_id.action_dispute(self.reason)
        return {"type": "ir.actions.act_window_close"}
