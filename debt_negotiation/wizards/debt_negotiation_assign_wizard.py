# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class DebtNegotiationAssignWizard(models.TransientModel):
    """Give the selected cases to a negotiator (managers)."""

    _name = "debt.negotiation.assign.wizard"
    _description = "Give Debt Negotiation Cases to a Negotiator"

    negotiation_ids = fields.Many2many("debt.negotiation", string="Cases")
    user_id = fields.Many2one(
        "res.users",
        string="Negotiator",
        required=True,
        domain="[('share', '=', False)]",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "debt.negotiation":
            values["negotiation_ids"] = [
                fields.Command.set(self.env.context.get("active_ids", []))
            ]
        return values

    def action_confirm(self):
        self.ensure_one()
        return self.negotiation_ids._assign_negotiator(self.user_id)
