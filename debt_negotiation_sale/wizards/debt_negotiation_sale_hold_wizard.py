# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

MANAGER_GROUP = "debt_negotiation.group_negotiation_manager"


class DebtNegotiationSaleHoldWizard(models.TransientModel):
    """ "Confirm despite the Credit Hold": a negotiation manager confirms
    an order of a customer on credit hold, with a reason (logged as an
    interaction on the case)."""

    _name = "debt.negotiation.sale.hold.wizard"
    _description = "Confirm an Order despite the Credit Hold"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    credit_hold_reason = fields.Char(
        related="order_id.negotiation_credit_hold_reason", string="Credit Hold"
    )
    reason = fields.Char(
        required=True,
        help="Why this order may be confirmed although the customer is on "
        "credit hold (logged on the negotiation case).",
    )

    @api.model
    def _check_manager(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a negotiation manager can confirm an order of a "
                    "customer on credit hold."
                )
            )

    def action_confirm(self):
        self.ensure_one()
        self._check_manager()
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(
                self.env._("Give the reason for confirming despite the credit hold.")
            )
        self.order_id._negotiation_override_credit_hold(reason)
        return {"type": "ir.actions.act_window_close"}
