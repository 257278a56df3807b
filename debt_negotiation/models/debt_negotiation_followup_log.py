# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class DebtNegotiationFollowupLog(models.Model):
    """One executed follow-up step of a case.

    The UNIQUE (negotiation_id, step_id) constraint is what makes the
    follow-ups idempotent: a worker first claims the step by inserting this
    row (``INSERT ... ON CONFLICT DO NOTHING``) and only then generates the
    letters, in the same transaction. A rerun, or a second worker running at
    the same time, cannot claim the step again; if the run crashes, the claim
    is rolled back with the letters.
    """

    _name = "debt.negotiation.followup.log"
    _description = "Executed Debt Negotiation Follow-up Step"
    _order = "date desc, id desc"
    _check_company_auto = True

    negotiation_id = fields.Many2one(
        "debt.negotiation",
        string="Case",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    step_id = fields.Many2one(
        "debt.negotiation.followup.step",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    partner_id = fields.Many2one(related="negotiation_id.partner_id", string="Debtor")
    date = fields.Date(required=True, readonly=True)
    letter_ids = fields.Many2many(
        "debt.negotiation.letter",
        "debt_negotiation_followup_log_letter_rel",
        "log_id",
        "letter_id",
        string="Letters",
        readonly=True,
    )
    next_step_id = fields.Many2one(
        "debt.negotiation.followup.step",
        string="Announced Next Step",
        readonly=True,
        ondelete="set null",
    )
    next_action_date = fields.Date(string="Announced Next Date", readonly=True)

    _sql_constraints = [
        (
            "negotiation_step_uniq",
            "unique(negotiation_id, step_id)",
            "A follow-up step is executed only once per case.",
        ),
    ]
