# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.debt_negotiation.tests.common import FollowupCommon, at
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs


@tagged("post_install", "-at_install")
class TestQueueJobs(FollowupCommon):
    """The scheduled runs split into jobs of queue_job: queued by the
    scheduler, done by the job workers, never a step twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "debt_negotiation_queue.jobs", "1"
        )
        cls.Engine = cls.env["debt.negotiation.followup.engine"]
        cls.Run = cls.env["debt.negotiation.run"].sudo()

    def _cases(self, count=5):
        cases = self.env["debt.negotiation"]
        for partner in self.partners[:count]:
            cases |= self._case_due(partner, overdue=7)
        return cases

    def _last_run(self, kind="followups"):
        return self.Run.search([("kind", "=", kind)], order="id desc", limit=1)

    def _jobs(self, trap, method):
        return [job for job in trap.enqueued_jobs if job.method_name == method]

    def _perform_all(self, trap):
        """Perform the trapped jobs, then those they queued, until none is
        left."""
        for _round in range(10):
            if not trap.enqueued_jobs:
                return
            trap.perform_enqueued_jobs()
        self.fail("the jobs keep queueing jobs")

    def test_the_scheduler_queues_the_run_as_jobs(self):
        with at(7):
            cases = self._cases()
            with trap_jobs() as trap:
                stats = self._cron(debt_negotiation_followup_batch_size=2)
                # nothing done in the scheduler's call: a job prepares it
                self.assertFalse(stats["executed"])
                trap.assert_jobs_count(1, only=self.Engine._job_followups_prepare)
                self.assertFalse(self.Log.search([("negotiation_id", "in", cases.ids)]))
                # called again the same day, the scheduler queues nothing more
                self._cron(debt_negotiation_followup_batch_size=2)
                trap.assert_jobs_count(1)
                trap.perform_enqueued_jobs()
                # one job per batch of two cases, then the one finishing the run
                trap.assert_jobs_count(3, only=self.Engine._job_followups_batch)
                trap.assert_jobs_count(1, only=self.Engine._job_run_finish)
                self._perform_all(trap)
            for case in cases:
                self.assertEqual(len(self._logs(case)), 1)
            run = self._last_run()
            self.assertEqual(run.state, "done")
            self.assertEqual(run.stats["executed"], 5)
            self.assertIn("Follow-up steps executed: 5", run.summary)
            # the work before the cases, then the three batches
            self.assertEqual(len(run.batch_ids), 4)

    def test_a_batch_done_twice_executes_each_step_once(self):
        with at(7):
            cases = self._cases(3)
            with trap_jobs() as trap:
                self._cron()
                trap.perform_enqueued_jobs()
                (batch,) = self._jobs(trap, "_job_followups_batch")
                batch.perform()
                letters = self.Letter.search_count(
                    [("negotiation_id", "in", cases.ids)]
                )
                self.assertTrue(letters)
                batch.perform()
            self.assertEqual(
                self.Letter.search_count([("negotiation_id", "in", cases.ids)]),
                letters,
            )
            for case in cases:
                self.assertEqual(len(self._logs(case)), 1)

    def test_a_batch_retried_after_a_failure_does_the_rest_once(self):
        with at(7):
            cases = self._cases(3)
            engine = type(self.Engine)
            process = engine._process_batch
            failures = []

            def fail_once(self, cases, today, ladders=None):
                if not failures:
                    failures.append(cases.ids)
                    raise RetryableJobError("could not serialize access")
                return process(self, cases, today, ladders)

            with trap_jobs() as trap:
                self._cron()
                trap.perform_enqueued_jobs()
                (batch,) = self._jobs(trap, "_job_followups_batch")
                with patch.object(engine, "_process_batch", fail_once):
                    with self.assertRaises(RetryableJobError):
                        batch.perform()
                    self.assertFalse(
                        self.Log.search([("negotiation_id", "in", cases.ids)])
                    )
                    batch.perform()
                self._perform_all(trap)
            for case in cases:
                self.assertEqual(len(self._logs(case)), 1)
            self.assertEqual(self._last_run().state, "done")

    def test_the_jobs_have_their_channels(self):
        Function = self.env["queue.job.function"].sudo()
        for model, method, channel in (
            ("debt.negotiation.followup.engine", "_job_followups_batch", "followups"),
            ("debt.negotiation.agreement", "_job_monitor_phase", "agreements"),
        ):
            config = Function.job_config(Function.job_function_name(model, method))
            self.assertEqual(config.channel, f"root.debt_negotiation.{channel}")

    def test_without_a_job_runner_the_run_is_done_at_once(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "debt_negotiation_queue.jobs", "0"
        )
        with at(7):
            cases = self._cases(2)
            with trap_jobs() as trap:
                stats = self._cron()
                trap.assert_jobs_count(0)
            self.assertEqual(stats["executed"], 2)
            for case in cases:
                self.assertEqual(len(self._logs(case)), 1)

    def test_the_agreement_check_as_jobs(self):
        Agreement = self.env["debt.negotiation.agreement"]
        with at(7), trap_jobs() as trap:
            self._negotiation_root()._cron_monitor_agreements()
            phases = len(Agreement._monitor_phases())
            trap.assert_jobs_count(phases, only=Agreement._job_monitor_phase)
            trap.assert_jobs_count(1, only=Agreement._job_monitor_finish)
            self._perform_all(trap)
            run = self._last_run("agreements")
            self.assertEqual(run.state, "done")
            self.assertEqual(len(run.batch_ids), phases)
