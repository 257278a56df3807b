# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import Counter

from odoo import api, models

from odoo.addons.queue_job.delay import chain


class DebtNegotiationAgreement(models.Model):
    """The daily agreement check as jobs: one job per phase (installment
    states, breaks, cures, fulfilments, notices, promises, paid cases), in
    their order, then one that finishes the run."""

    _inherit = "debt.negotiation.agreement"

    @api.model
    def _cron_monitor(self, batch_size=200, max_steps=0):
        # Override: the scheduler's check goes to the job queue when a job
        # runner runs it.
        Run = self.env["debt.negotiation.run"]
        if not Run._jobs_run():
            return super()._cron_monitor(batch_size, max_steps)
        Run = Run._open("agreements")
        run = Run._in_progress()
        if not run.jobs_planned:
            run.jobs_planned = True
            monitor = self.with_env(Run.env)
            count = len(monitor._monitor_phases(batch_size))
            chain(
                *(
                    monitor.delayable()._job_monitor_phase(run.id, index, batch_size)
                    for index in range(count)
                ),
                monitor.delayable()._job_monitor_finish(run.id),
            ).delay()
        return Counter()

    @api.model
    def _job_monitor_phase(self, run_id, index, batch_size):
        """Job: phase ``index`` of the agreement check (see
        ``_monitor_phases``), done whole; idempotent as the phases are."""
        Run = self.env["debt.negotiation.run"]._job_env(run_id)
        if Run is None:
            return "run already over"
        stats = Counter()
        self.with_env(Run.env)._monitor_phases(batch_size)[index](stats, False)
        Run._keep_job(stats)
        return str(dict(stats))

    @api.model
    def _job_monitor_finish(self, run_id):
        """Job: the check is over: recorded, the negotiators told."""
        Run = self.env["debt.negotiation.run"]._job_env(run_id)
        if Run is None:
            return "run already over"
        Run._gather()
        Run._conclude(self._monitor_digest())
        return str(Run._in_progress().stats)
