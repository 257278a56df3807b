# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The recovery compensation of a company by bands of invoice amounts (see
``tools.interest.banded_compensation``)."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DebtNegotiationCompensationBand(models.Model):
    """A band of the banded recovery compensation: invoices of at least
    ``amount_from`` owe ``compensation`` (e.g. UK: 40, 70 and 100 GBP)."""

    _name = "debt.negotiation.compensation.band"
    _description = "Debt Negotiation Recovery Compensation Band"
    _order = "company_id, amount_from"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_from = fields.Monetary(
        string="Invoices From",
        required=True,
        help="The smallest invoice amount (company currency) of this band.",
    )
    compensation = fields.Monetary(required=True)

    @api.constrains("amount_from", "compensation", "company_id")
    def _check_band(self):
        for band in self:
            if band.amount_from < 0 or band.compensation < 0:
                raise ValidationError(
                    self.env._("The amounts of a compensation band cannot be negative.")
                )
            if self.search_count(
                [
                    ("id", "!=", band.id),
                    ("company_id", "=", band.company_id.id),
                    ("amount_from", "=", band.amount_from),
                ]
            ):
                raise ValidationError(
                    self.env._("Two compensation bands start at the same amount.")
                )
