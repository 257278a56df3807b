# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import Counter

from odoo import api, models
from odoo.tools import split_every

from odoo.addons.queue_job.delay import chain, group


class DebtNegotiationFollowupEngine(models.AbstractModel):
    """The scheduled follow-ups as jobs: one job for the work before the
    cases, then one job per batch of cases (the same batches as the cron's,
    run at once by as many job workers as there are), then one that
    finishes the run. A job done twice, or retried after a failure, never
    executes a step twice: each case's step is claimed in the follow-up log
    before anything is sent, as in the cron."""

    _inherit = "debt.negotiation.followup.engine"

    @api.model
    def _run(self, batch_size=None, max_batches=None, manual=False):
        # Override: the scheduler's run goes to the job queue when a job
        # runner runs it; a manager's run by hand stays in their request.
        Run = self.env["debt.negotiation.run"]
        if manual or not Run._jobs_run():
            return super()._run(batch_size, max_batches, manual)
        Run = Run._open(
            "followups",
            company_ids=self.env.context.get("debt_negotiation_followup_company_ids"),
        )
        run = Run._in_progress()
        if not run.jobs_planned:
            run.jobs_planned = True
            self.with_env(Run.env).delayable()._job_followups_prepare(
                run.id, batch_size or self._batch_size()
            ).delay()
        return Counter()

    # ------------------------------------------------------------------
    # Jobs
    # ------------------------------------------------------------------
    @api.model
    def _job_followups_prepare(self, run_id, batch_size):
        """Job: the work of the run before the cases (paid cases settled,
        offers expired, cases opened, courtesy reminders), then a job per
        batch of the cases due, chained to the job that finishes the run."""
        Run = self.env["debt.negotiation.run"]._job_env(run_id)
        if Run is None:
            return "run already over"
        engine = self.with_env(Run.env)
        stats = Counter()
        for phase in engine._prelude_phases(batch_size):
            phase(stats, False)
        Run._keep_job(stats)
        today = Run._in_progress().date
        case_ids = (
            engine.env["debt.negotiation"]
            .search(engine._candidate_domain(today), order="id")
            .ids
        )
        finish = engine.delayable()._job_run_finish(run_id)
        batches = [
            engine.delayable()._job_followups_batch(run_id, ids)
            for ids in split_every(batch_size, case_ids)
        ]
        if batches:
            chain(group(*batches), finish).delay()
        else:
            finish.delay()
        return f"{len(case_ids)} cases in {len(batches)} jobs"

    @api.model
    def _job_followups_batch(self, run_id, case_ids):
        """Job: the follow-ups of a batch of cases, those still due (a job
        done again finds its cases done: checked today, their step
        claimed)."""
        Run = self.env["debt.negotiation.run"]._job_env(run_id)
        if Run is None:
            return "run already over"
        engine = self.with_env(Run.env)
        today = Run._in_progress().date
        cases = engine.env["debt.negotiation"].search(
            engine._candidate_domain(today) + [("id", "in", case_ids)], order="id"
        )
        stats = engine._process_free(cases, today) if cases else Counter()
        Run._keep_job(stats)
        return str(dict(stats))

    @api.model
    def _job_run_finish(self, run_id):
        """Job: the run is over: what its jobs did added up on it, the run
        recorded and the negotiators told (as at the end of the cron's
        run)."""
        Run = self.env["debt.negotiation.run"]._job_env(run_id)
        if Run is None:
            return "run already over"
        Run._gather()
        Run._conclude()
        return str(Run._in_progress().stats)
