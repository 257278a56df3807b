# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Credit hold: while a case is escalated or broken (and, by company
option, from its final notice or from a number of days past due), its
debtor is on credit hold (``res.partner.negotiation_credit_hold``): sales
may not confirm new orders for it (``debt_negotiation_sale``)."""

from datetime import timedelta

from odoo import api, fields, models

# the states that always hold the debtor's credit
HOLD_STATES = ("escalated", "broken")


# Satellite file of the case model, one concern per file (as account does).
class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    credit_hold = fields.Boolean(
        compute="_compute_credit_hold",
        store=True,
        readonly=True,
        index=True,
        help="This case puts its debtor on credit hold: it is escalated or "
        "broken, or, by the company's settings, its final notice went out "
        "or its oldest invoice is long past due. Released when the case is "
        "settled or its agreement is back in force. Recomputed when the "
        "case changes and every night.",
    )

    partner_credit_hold = fields.Boolean(
        related="partner_id.negotiation_credit_hold", string="Debtor on Credit Hold"
    )
    partner_credit_hold_reason = fields.Char(
        related="partner_id.negotiation_credit_hold_reason",
        string="Debtor's Credit Hold",
    )

    @api.depends(
        "state",
        "oldest_due_date",
        "letter_ids.letter_type",
        "company_id.negotiation_hold_final_notice",
        "company_id.negotiation_hold_days_overdue",
    )
    def _compute_credit_hold(self):
        today = fields.Date.context_today(self)
        for case in self:
            case.credit_hold = case._credit_hold_by_rule(today)

    def _credit_hold_by_rule(self, today):
        """Whether the company's hold rules put this case's debtor on hold
        on ``today``."""
        self.ensure_one()
        if self.state in HOLD_STATES:
            return True
        if self.state != "open":
            return False
        company = self.company_id
        if company.negotiation_hold_final_notice and (
            "final_notice" in self.letter_ids.mapped("letter_type")
        ):
            return True
        days = company.negotiation_hold_days_overdue
        return bool(
            days
            and self.oldest_due_date
            and self.oldest_due_date <= today - timedelta(days=days)
        )

    def _credit_hold_why(self):
        """One sentence: why this case holds its debtor's credit (its
        state, and who negotiates it)."""
        self.ensure_one()
        labels = dict(self._fields["state"]._description_selection(self.env))
        return self.env._(
            "case %(case)s (%(state)s), negotiator %(user)s",
            case=self.name,
            state=labels[self.state],
            user=self.user_id.name or self.env._("none"),
        )
