# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

MANAGER_GROUP = "debt_negotiation.group_negotiation_manager"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    negotiation_credit_hold = fields.Boolean(
        string="Customer on Credit Hold",
        compute="_compute_negotiation_credit_hold",
        help="The customer has a negotiation case escalated or broken, or a "
        "negotiation manager put it on hold: the order cannot be confirmed "
        "without a manager's reason.",
    )
    negotiation_credit_hold_reason = fields.Char(
        string="Credit Hold Reason", compute="_compute_negotiation_credit_hold"
    )
    negotiation_hold_override_reason = fields.Char(
        string="Credit Hold Overridden Because",
        readonly=True,
        copy=False,
        tracking=True,
        groups=MANAGER_GROUP,
        help="Why a negotiation manager let this order be confirmed although "
        "its customer was on credit hold.",
    )
    negotiation_hold_override_user_id = fields.Many2one(
        "res.users",
        string="Credit Hold Overridden By",
        readonly=True,
        copy=False,
        groups=MANAGER_GROUP,
    )

    @api.depends("partner_id")
    def _compute_negotiation_credit_hold(self):
        for order in self:
            # sales read the hold of any customer, whoever they are
            customer = order.partner_id.commercial_partner_id.sudo()
            order.negotiation_credit_hold = customer.negotiation_credit_hold
            order.negotiation_credit_hold_reason = (
                customer.negotiation_credit_hold_reason
            )

    def _confirmation_error_message(self):
        error = super()._confirmation_error_message()
        if error or not self.negotiation_credit_hold:
            return error
        if self.sudo().negotiation_hold_override_user_id:
            return False
        return self.env._(
            "%(customer)s is on credit hold: %(reason)s. Only a negotiation "
            "manager can confirm this order, with a reason (Confirm despite "
            "the Credit Hold).",
            customer=self.partner_id.commercial_partner_id.display_name,
            reason=self.negotiation_credit_hold_reason,
        )

    def action_negotiation_override_credit_hold(self):
        """ "Confirm despite the Credit Hold": the wizard asking the
        manager's reason."""
        self.ensure_one()
        self.env["debt.negotiation.sale.hold.wizard"]._check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Confirm despite the Credit Hold"),
            "res_model": "debt.negotiation.sale.hold.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def _negotiation_override_credit_hold(self, reason):
        """A negotiation manager confirms this order of a customer on credit
        hold, for ``reason``: logged on the order, and as an interaction on
        each case holding the customer (or in the customer's chatter for a
        hold set by hand)."""
        self.ensure_one()
        self.sudo().write(
            {
                "negotiation_hold_override_reason": reason,
                "negotiation_hold_override_user_id": self.env.uid,
            }
        )
        customer = self.partner_id.commercial_partner_id.sudo()
        summary = self.env._(
            "Sale order %(order)s (%(amount)s) confirmed despite the credit "
            "hold by %(user)s: %(reason)s",
            order=self.name,
            amount=self.currency_id.format(self.amount_total),
            user=self.env.user.name,
            reason=reason,
        )
        cases = customer.negotiation_ids.filtered("credit_hold")
        for case in cases:
            self.env["debt.negotiation.interaction"].sudo().create(
                {
                    "negotiation_id": case.id,
                    "channel": "other",
                    "direction": "outbound",
                    "outcome": "other",
                    "contact_name": self.user_id.name or self.env.user.name,
                    "summary": summary,
                    "user_id": self.env.uid,
                }
            )
        if not cases:
            customer.message_post(body=summary)
        self.message_post(body=summary)
        return self.action_confirm()
