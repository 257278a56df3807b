# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class DebtNegotiationRunBatch(models.Model):
    """What one job of a scheduled run did. Each job keeps its counts in a
    row of its own: jobs running at once on several workers never write the
    same row (the run's own row would make all but one fail to serialize);
    the run's last job adds them up."""

    _name = "debt.negotiation.run.batch"
    _description = "Debt Negotiation Scheduled Run Job"
    _order = "id"

    run_id = fields.Many2one(
        "debt.negotiation.run",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    stats = fields.Json(string="Counts", readonly=True)
    activity_ids = fields.Json(string="Activities Given", readonly=True)
