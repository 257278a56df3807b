# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class DebtNegotiationAgreementWizardLine(models.TransientModel):
    """One payment of the schedule being agreed, editable before the
    agreement is confirmed."""

    _name = "debt.negotiation.agreement.wizard.line"
    _description = "Payment of an Agreement Being Confirmed"
    _order = "sequence, due_date, id"

    wizard_id = fields.Many2one(
        "debt.negotiation.agreement.wizard", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Payment")
    due_date = fields.Date(required=True)
    amount = fields.Monetary(required=True)
