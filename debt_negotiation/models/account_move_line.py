# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # A line of an interest and compensation invoice (see
    # ``debt.negotiation.action_claim_interest``): which invoice it claims
    # for, what and which days. The days a posted claim covers are never
    # claimed again.
    negotiation_claim_move_id = fields.Many2one(
        "account.move",
        string="Interest Claimed on",
        readonly=True,
        index="btree_not_null",
        copy=False,
    )
    negotiation_claim_kind = fields.Selection(
        [
            ("interest", "Late-payment Interest"),
            ("compensation", "Recovery Compensation"),
        ],
        string="Claimed",
        readonly=True,
        copy=False,
    )
    negotiation_claim_date_from = fields.Date(readonly=True, copy=False)
    negotiation_claim_date_to = fields.Date(
        string="Interest Claimed until", readonly=True, copy=False
    )
