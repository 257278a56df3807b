# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class DebtNegotiationCreditHoldWizard(models.TransientModel):
    """ "Put on Credit Hold": a negotiation manager holds a customer's
    credit by hand, with a reason (``res.partner._negotiation_set_credit_hold``
    checks both)."""

    _name = "debt.negotiation.credit.hold.wizard"
    _description = "Put a Customer on Credit Hold"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade"
    )
    reason = fields.Char(
        required=True,
        help="Why sales must not confirm this customer's orders (shown to "
        "the salespeople).",
    )

    def action_confirm(self):
        self.ensure_one()
        self.partner_id._negotiation_set_credit_hold(self.reason)
        return {"type": "ir.actions.act_window_close"}
