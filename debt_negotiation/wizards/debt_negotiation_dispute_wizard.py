# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from ..const import DISPUTE_REASONS


class DebtNegotiationDisputeWizard(models.TransientModel):
    _name = "debt.negotiation.dispute.wizard"
    _description = "Put a Debt Negotiation Case in Dispute"

    negotiation_id = fields.Many2one(
        "debt.negotiation", string="Case", required=True, ondelete="cascade"
    )
    reason_code = fields.Selection(
        DISPUTE_REASONS, string="Disputed Because", required=True, default="other"
    )
    reason = fields.Text(required=True, help="What the debtor disputes, and why.")
    invoice_ids = fields.Many2many(
        "account.move",
        string="Disputed Invoices",
        domain="[('id', 'in', case_invoice_ids)]",
        help="Only these invoices are disputed; the rest is still chased. "
        "Leave empty when the debtor disputes the whole claim.",
    )
    case_invoice_ids = fields.Many2many(related="negotiation_id.invoice_ids")

    def action_confirm(self):
        self.ensure_one()
        self.negotiation_id.action_dispute(
            self.reason,
            invoices=self.invoice_ids or None,
            reason_code=self.reason_code,
        )
        return {"type": "ir.actions.act_window_close"}
