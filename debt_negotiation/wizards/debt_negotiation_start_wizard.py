# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class DebtNegotiationStartWizard(models.TransientModel):
    """ "Start Negotiation" on some invoices of a debtor who owes more: the
    debtor's other overdue invoices of the same company and currency (not in
    a case yet, not taken out of one on purpose) are offered, added by
    default, so that the case and its letters claim what is overdue."""

    _name = "debt.negotiation.start.wizard"
    _description = "Start a Debt Negotiation"

    invoice_ids = fields.Many2many(
        "account.move",
        "debt_negotiation_start_wizard_invoice_rel",
        string="Selected Invoices",
        readonly=True,
    )
    other_invoice_ids = fields.Many2many(
        "account.move",
        "debt_negotiation_start_wizard_other_rel",
        string="Other Overdue Invoices",
        readonly=True,
    )
    include_others = fields.Boolean(
        string="Add the Other Overdue Invoices",
        default=True,
        help="Negotiate everything the debtor owes overdue, not only the "
        "selected invoices.",
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Debtor", readonly=True)
    amount_selected = fields.Monetary(compute="_compute_amounts")
    amount_others = fields.Monetary(compute="_compute_amounts")

    @api.depends("invoice_ids", "other_invoice_ids")
    def _compute_amounts(self):
        for wizard in self:
            wizard.amount_selected = sum(wizard.invoice_ids.mapped("amount_residual"))
            wizard.amount_others = sum(
                wizard.other_invoice_ids.mapped("amount_residual")
            )

    def action_confirm(self):
        self.ensure_one()
        invoices = self.invoice_ids
        if self.include_others:
            invoices |= self.other_invoice_ids
        action = invoices.action_start_negotiation()
        if self.include_others and self.other_invoice_ids:
            case = self.env["debt.negotiation"].browse(action["res_id"])
            case.message_post(
                body=self.env._(
                    "The debtor's other overdue invoices were added: %(moves)s "
                    "(%(amount)s).",
                    moves=", ".join(self.other_invoice_ids.mapped("name")),
                    amount=self.currency_id.format(self.amount_others),
                )
            )
        return action
