# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..const import DISPUTE_REASONS
from .workflow import is_privileged
from .workflow import workflow as _workflow


class DebtNegotiationDisputePeriod(models.Model):
    """When an invoice of a case was disputed: from the day the debtor
    disputed it to the day before the dispute was resolved (open while it
    lasts). No late-payment interest accrues on those days (see
    ``debt.negotiation._interest_claims``). Written only by the dispute
    actions."""

    _name = "debt.negotiation.dispute.period"
    _description = "Debt Negotiation Invoice Dispute Period"
    _order = "move_id, date_from, id"
    _check_company_auto = True

    negotiation_id = fields.Many2one(
        "debt.negotiation",
        string="Case",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="negotiation_id.company_id", store=True, index=True, precompute=True
    )
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    date_from = fields.Date(string="Disputed From", required=True, readonly=True)
    date_to = fields.Date(
        string="Disputed Until",
        readonly=True,
        help="The last day of the dispute; empty while it lasts.",
    )
    reason_code = fields.Selection(
        DISPUTE_REASONS, string="Disputed Because", readonly=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not is_privileged(self):
            raise UserError(
                self.env._("A dispute period is recorded by the dispute actions.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not is_privileged(self):
            raise UserError(
                self.env._("A dispute period is recorded by the dispute actions.")
            )
        return super().write(vals)

    @api.model
    def _open(self, case, moves, reason_code):
        """``moves`` of ``case`` are disputed from today (those already in
        an open period stay in it)."""
        running = self.sudo().search(
            [("move_id", "in", moves.ids), ("date_to", "=", False)]
        )
        new = moves - running.move_id
        if not new:
            return self.browse()
        today = fields.Date.context_today(self)
        return _workflow(self.sudo()).create(
            [
                {
                    "negotiation_id": case.id,
                    "move_id": move.id,
                    "date_from": today,
                    "reason_code": reason_code,
                }
                for move in new
            ]
        )

    @api.model
    def _close(self, moves):
        """The dispute of ``moves`` is resolved today: their open periods
        end yesterday (interest runs again from today; a period opened
        today is left out entirely)."""
        running = self.sudo().search(
            [("move_id", "in", moves.ids), ("date_to", "=", False)]
        )
        today = fields.Date.context_today(self)
        yesterday = fields.Date.subtract(today, days=1)
        same_day = running.filtered(lambda p: p.date_from >= today)
        if same_day:
            _workflow(same_day).unlink()
        if running - same_day:
            _workflow(running - same_day).write({"date_to": yesterday})

    @api.model
    def _periods_of(self, moves):
        """``{move id: [(date_from, date_to or None), ...]}`` in one query."""
        periods = {}
        for period in self.sudo().search([("move_id", "in", moves.ids)]):
            periods.setdefault(period.move_id.id, []).append(
                (period.date_from, period.date_to or None)
            )
        return periods
