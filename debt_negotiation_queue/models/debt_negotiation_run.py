# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import Counter

import odoo
from odoo import api, fields, models

from odoo.addons.debt_negotiation.models.workflow import (
    RUN_ACTIVITIES_KEY,
    RunActivities,
)

# ir.config_parameter: "1" always split the scheduled runs into jobs, "0"
# never; unset: when this server loads queue_job (its job runner).
JOBS_PARAM = "debt_negotiation_queue.jobs"


class DebtNegotiationRun(models.Model):
    _inherit = "debt.negotiation.run"

    batch_ids = fields.One2many(
        "debt.negotiation.run.batch", "run_id", string="Jobs Done", readonly=True
    )
    jobs_planned = fields.Boolean(
        readonly=True,
        help="The run's jobs are in the job queue: a second call of the "
        "scheduler the same day does not queue them again.",
    )

    @api.model
    def _jobs_run(self):
        """Whether the scheduled runs are split into jobs of queue_job: the
        system parameter ``debt_negotiation_queue.jobs`` (``1``/``0``), else
        when this server loads queue_job server-wide (``--load=web,
        queue_job``: its job runner runs the jobs). Without a runner the jobs
        would wait for ever: the runs then go on as without this addon."""
        value = self.env["ir.config_parameter"].sudo().get_param(JOBS_PARAM)
        if value in ("0", "1"):
            return value == "1"
        return "queue_job" in odoo.conf.server_wide_modules

    @api.model
    def _job_env(self, run_id):
        """The run ``run_id``'s model to do one of its jobs with: its
        environment (see ``_resume``) with a collector of the activities the
        job gives; None when the run is gone or already done (a job run
        again after its run ended does nothing)."""
        run = self.sudo().browse(run_id).exists()
        if not run or run.state != "running":
            return None
        context = {RUN_ACTIVITIES_KEY: RunActivities()}
        if run.company_ids:
            context["debt_negotiation_followup_company_ids"] = run.company_ids.ids
        return run._resume().with_context(**context)

    @api.model
    def _keep_job(self, stats):
        """A job of the run in progress did its part: keep what it did
        (``stats``, a Counter) and the activities it gave, in a row of its
        own."""
        collected = self.env.context.get(RUN_ACTIVITIES_KEY)
        self.env["debt.negotiation.run.batch"].sudo().create(
            {
                "run_id": self._in_progress().id,
                "stats": dict(stats),
                "activity_ids": list(collected or ()),
            }
        )

    @api.model
    def _gather(self):
        """Add up what the jobs of the run in progress did, on the run."""
        run = self._in_progress()
        totals = Counter(run.stats or {})
        activities = list(run.activity_ids or ())
        for job in run.batch_ids:
            totals.update(job.stats or {})
            activities += job.activity_ids or []
        run.write({"stats": dict(totals), "activity_ids": activities})
