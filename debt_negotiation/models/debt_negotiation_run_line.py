# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

# The phases of the scheduled runs (see debt_negotiation_run.py).
PHASES = [
    ("step", "Follow-up step"),
    ("settle", "Settlement of a paid case"),
    ("expire", "Offer expiry"),
    ("open", "Case opening"),
    ("courtesy", "Courtesy reminder"),
    ("refresh", "Installment states"),
    ("break", "Agreement break"),
    ("cure", "Agreement back in force"),
    ("fulfil", "Agreement fulfilment"),
    ("notice", "Installment notice"),
    ("promise", "Promise check"),
]


class DebtNegotiationRunLine(models.Model):
    _name = "debt.negotiation.run.line"
    _description = "Debt Negotiation Scheduled Run Problem"
    _order = "run_id desc, id"

    run_id = fields.Many2one(
        "debt.negotiation.run",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    kind = fields.Selection(related="run_id.kind", store=True)
    date = fields.Date(related="run_id.date", store=True, index=True)
    negotiation_id = fields.Many2one(
        "debt.negotiation", string="Case", readonly=True, index=True, ondelete="cascade"
    )
    partner_id = fields.Many2one("res.partner", string="Debtor", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    phase = fields.Selection(PHASES, required=True, readonly=True)
    outcome = fields.Selection(
        [
            ("skipped", "Skipped"),
            ("failed", "Failed"),
            ("partial", "Done in Part"),
        ],
        required=True,
        readonly=True,
    )
    reason = fields.Text(required=True, readonly=True)
    alerted = fields.Boolean(
        string="Negotiator Alerted",
        readonly=True,
        help="The negotiator got an activity: the case failed three days in a row.",
    )
