# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..const import MANAGER_GROUP


# Satellite file of the case model, one concern per file (as account does).
class DebtNegotiation(models.Model):
    """Who negotiates a case. The negotiator holds rights on the case (its
    evidence dossier, its activities): a manager gives the case to a
    negotiator, nobody takes it for themselves."""

    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    can_reassign = fields.Boolean(
        compute="_compute_can_reassign",
        help="Whether the current user may change the case's negotiator: "
        "negotiation managers.",
    )

    @api.depends_context("uid")
    def _compute_can_reassign(self):
        manager = self.env.user.has_group(MANAGER_GROUP)
        for case in self:
            case.can_reassign = manager

    def _check_reassignment(self, user_id):
        """Refuse a client's change of these cases' negotiator to
        ``user_id`` unless the user is a negotiation manager (the scheduler
        and the addon's own code assign cases as they open them)."""
        if self.env.user.has_group(MANAGER_GROUP):
            return
        if any(case.user_id.id != (user_id or False) for case in self):
            raise AccessError(
                self.env._(
                    "Only a negotiation manager can change the negotiator of "
                    "a case: the negotiator has the case's dossier and "
                    "activities."
                )
            )
