# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL


class DebtNegotiationAssignmentRule(models.Model):
    """Who negotiates which case: a case opened without a negotiator gets
    the negotiator of the first rule of its company whose criteria all
    match (the debtor's tags and country, the amount due in the company's
    currency), else the invoices' salesperson. A rule can share its cases
    among a team, in turn."""

    _name = "debt.negotiation.assignment.rule"
    _description = "Debt Negotiation Assignment Rule"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Negotiator",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        check_company=True,
        help="Who negotiates the cases of this rule (without a team).",
    )
    team_user_ids = fields.Many2many(
        "res.users",
        string="Team (in Turn)",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="When set, the cases of this rule go to these negotiators in turn "
        "(round robin) instead of to one negotiator.",
    )
    last_user_id = fields.Many2one(
        "res.users", string="Last Given To", readonly=True, copy=False
    )
    partner_category_ids = fields.Many2many(
        "res.partner.category",
        string="Debtor Tags",
        help="The debtor has one of these tags.",
    )
    country_ids = fields.Many2many(
        "res.country",
        string="Countries",
        help="The debtor is in one of these countries.",
    )
    min_amount = fields.Monetary(
        string="Minimum Amount",
        currency_field="currency_id",
        help="The amount due on the case, in the company's currency, is at least this.",
    )

    @api.depends("user_id", "team_user_ids", "sequence")
    def _compute_display_name(self):
        for rule in self:
            who = (
                ", ".join(rule.team_user_ids.mapped("name")) or rule.user_id.name or ""
            )
            rule.display_name = f"{rule.sequence}: {who}"

    # ------------------------------------------------------------------
    # CONSTRAINT METHODS
    # ------------------------------------------------------------------
    @api.constrains(
        "partner_category_ids", "country_ids", "min_amount", "user_id", "team_user_ids"
    )
    def _check_rule(self):
        for rule in self:
            if not (
                rule.partner_category_ids or rule.country_ids or rule.min_amount > 0
            ):
                raise ValidationError(
                    self.env._(
                        "An assignment rule needs at least one criterion: debtor tags, "
                        "countries or a minimum amount (a rule for every case is the "
                        "salesperson's default)."
                    )
                )
            if rule.min_amount < 0:
                raise ValidationError(
                    self.env._("The minimum amount cannot be negative.")
                )
            if not (rule.user_id or rule.team_user_ids):
                raise ValidationError(
                    self.env._("An assignment rule needs a negotiator or a team.")
                )

    # ------------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------------
    def _matches(self, partner, amount):
        """Whether every criterion this rule sets holds for the debtor
        ``partner`` owing ``amount`` (company currency)."""
        self.ensure_one()
        if self.partner_category_ids and not (
            self.partner_category_ids & partner.category_id
        ):
            return False
        if self.country_ids and partner.country_id not in self.country_ids:
            return False
        return (
            not self.min_amount
            or self.currency_id.compare_amounts(amount, self.min_amount) >= 0
        )

    @api.model
    def _negotiator_for(self, partner, company, amount):
        """The negotiator the first matching rule of ``company`` gives a case
        of ``partner`` owing ``amount`` (company currency), or an empty
        recordset. A team's turn moves on (locked: two cases opened at once
        go to two members)."""
        rules = self.sudo().search([("company_id", "=", company.id)])
        rule = next((r for r in rules if r._matches(partner, amount)), None)
        if not rule:
            return self.env["res.users"]
        if not rule.team_user_ids:
            return rule.user_id
        self.env.cr.execute(
            SQL(
                "SELECT last_user_id FROM %s WHERE id = %s FOR UPDATE",
                SQL.identifier(self._table),
                rule.id,
            )
        )
        rule.invalidate_recordset(["last_user_id"])
        team = rule.team_user_ids.sorted("id")
        index = (
            (team.ids.index(rule.last_user_id.id) + 1)
            if rule.last_user_id in team
            else 0
        )
        user = team[index % len(team)]
        rule.last_user_id = user
        return user
