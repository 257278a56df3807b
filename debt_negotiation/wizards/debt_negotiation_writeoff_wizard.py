# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from ..models.res_company import WRITEOFF_ACCOUNT_TYPES


class DebtNegotiationWriteoffWizard(models.TransientModel):
    """Write a hopeless case off as a bad debt: the account, the reason,
    then the case closed as uncollectible (a negotiation manager's
    decision, see ``debt.negotiation._write_off_uncollectible``)."""

    _name = "debt.negotiation.writeoff.wizard"
    _description = "Write a Debt Off as Uncollectible"
    _check_company_auto = True

    negotiation_id = fields.Many2one(
        "debt.negotiation", required=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="negotiation_id.company_id")
    currency_id = fields.Many2one(related="negotiation_id.currency_id")
    amount_due = fields.Monetary(
        related="negotiation_id.amount_due", string="Amount Written Off"
    )
    account_id = fields.Many2one(
        "account.account",
        string="Write-off Account",
        required=True,
        check_company=True,
        domain=f"[('account_type', 'in', {WRITEOFF_ACCOUNT_TYPES})]",
        default=lambda self: self._default_account(),
        help="The expense account of bad debts.",
    )
    reason = fields.Text(
        required=True,
        help="Why the debt is hopeless (insolvency, debtor gone, cost of "
        "recovery beyond the amount...): kept on the case.",
    )

    def _default_account(self):
        case = self.env["debt.negotiation"].browse(
            self.env.context.get("default_negotiation_id")
        )
        company = case.company_id or self.env.company
        return company.negotiation_writeoff_account_id

    def action_confirm(self):
        self.ensure_one()
        self.negotiation_id._write_off_uncollectible(self.reason, self.account_id)
        return {"type": "ir.actions.act_window_close"}
