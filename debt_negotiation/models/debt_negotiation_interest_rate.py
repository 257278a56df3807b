# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The statutory rates of a company by period. The arithmetic is
:mod:`..tools.interest`'s."""

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools.misc import format_date

from ..tools import interest as interest_rules


class DebtNegotiationInterestRate(models.Model):
    """One statutory rate in force from ``date_from`` until the next one's
    (e.g. the reference rate of a half-year plus the statutory margin,
    Directive 2011/7/EU). The interest of each day uses the rate in force
    that day; what was claimed keeps the rate it was claimed at."""

    _name = "debt.negotiation.interest.rate"
    _description = "Debt Negotiation Statutory Interest Rate"
    _order = "company_id, date_from desc"
    _rec_name = "date_from"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    date_from = fields.Date(
        string="In Force From",
        required=True,
        help="The first day this rate applies; it applies until the day "
        "before the next rate's.",
    )
    reference_rate = fields.Float(
        digits=(16, 2),
        help="Optional: the central bank's reference rate of the half-year "
        "(set on 1 January and 1 July); with the margin it gives the rate.",
    )
    margin = fields.Float(
        digits=(16, 2),
        help="Optional: the statutory margin added to the reference rate "
        "(e.g. 8 points under Directive 2011/7/EU, 9 in Germany, 10 in France).",
    )
    rate = fields.Float(
        string="Rate (% a year)",
        digits=(16, 2),
        compute="_compute_rate",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        help="The annual rate in force from this date: the reference rate "
        "plus the margin when they are set.",
    )

    @api.depends("reference_rate", "margin")
    def _compute_rate(self):
        for line in self:
            if line.reference_rate or line.margin:
                line.rate = line.reference_rate + line.margin
            elif not line.rate:
                line.rate = 0.0

    @api.constrains("company_id", "date_from", "rate", "reference_rate")
    def _check_rate(self):
        for company in self.company_id:
            rates = self.search([("company_id", "=", company.id)])
            for kind, date_from in interest_rules.rate_problems(
                [(r.date_from, r.rate) for r in rates]
            ):
                raise ValidationError(
                    self.env._(
                        "Two statutory rates of %(company)s are in force from "
                        "%(date)s: a day has one rate.",
                        company=company.name,
                        date=format_date(self.env, date_from),
                    )
                    if kind == "overlap"
                    else self.env._(
                        "The statutory rate in force from %(date)s cannot be negative.",
                        date=format_date(self.env, date_from),
                    )
                )
        for line in self:
            if line.rate > 100:
                raise ValidationError(
                    self.env._(
                        "The late-payment interest rate must be between 0 and "
                        "100 % a year."
                    )
                )
            if line.reference_rate and (
                line.date_from.day,
                line.date_from.month,
            ) not in (
                (1, 1),
                (1, 7),
            ):
                raise ValidationError(
                    self.env._(
                        "A reference rate is set by half-year: its rate is in "
                        "force from 1 January or 1 July."
                    )
                )

    @api.model
    def _rates_by_company(self, companies):
        """``{company id: [(date_from, rate), ...]}`` of ``companies`` (from
        a cache cleared whenever a rate changes: the case form reads it)."""
        return {
            company_id: list(self._rates_of(company_id)) for company_id in companies.ids
        }

    @api.model
    @tools.ormcache("company_id")
    def _rates_of(self, company_id):
        lines = self.sudo().search_fetch(
            [("company_id", "=", company_id)], ["date_from", "rate"]
        )
        return tuple((line.date_from, line.rate) for line in lines)

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
