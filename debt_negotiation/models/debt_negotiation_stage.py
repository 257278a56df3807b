# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..const import STATE_SELECTION


class DebtNegotiationStage(models.Model):
    _name = "debt.negotiation.stage"
    _description = "Debt Negotiation Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(
        string="Folded in Kanban",
        help="Fold this stage in the kanban view (closed cases).",
    )
    state = fields.Selection(
        STATE_SELECTION,
        string="Case State",
        help="When a case reaches this state, it moves to the first stage "
        "bound to it. Stages without a state are free pipeline steps.",
    )
    description = fields.Text(translate=True)
    case_count = fields.Integer(compute="_compute_case_count")

    def _compute_case_count(self):
        counts = dict(
            self.env["debt.negotiation"]._read_group(
                [("stage_id", "in", self.ids)], ["stage_id"], ["__count"]
            )
        )
        for stage in self:
            stage.case_count = counts.get(stage, 0)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        used = (
            self.env["debt.negotiation"]
            .sudo()
            ._read_group([("stage_id", "in", self.ids)], ["stage_id"])
        )
        if used:
            raise UserError(
                self.env._(
                    "Stages holding negotiation cases cannot be deleted: "
                    "%(stages)s. Move the cases to another stage first.",
                    stages=", ".join(stage.name for (stage,) in used),
                )
            )

    @api.model
    def _stage_for_state(self, state):
        return self.search([("state", "=", state)], order="sequence, id", limit=1)
