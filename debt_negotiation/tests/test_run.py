# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The scheduled runs: the same result whoever runs them, every phase
isolated per record, each problem reported where people look (the case,
Due Today, the run record), and a person told after three failing days."""

from unittest.mock import patch

from odoo import SUPERUSER_ID
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FollowupCommon, at, day

FAULT = "Injected fault for this case only"


@tagged("post_install", "-at_install")
class TestScheduledRuns(FollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["debt.negotiation.run"]
        cls.bot = cls.env["res.users"].browse(SUPERUSER_ID)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _run_cron(self, xmlid, user):
        """Run the cron ``xmlid`` as the scheduler does when ``user`` is its
        user (its server action, as that user), for the test company."""
        action = self.env.ref(f"debt_negotiation.{xmlid}").sudo().ir_actions_server_id
        action.with_user(user).with_context(
            debt_negotiation_followup_company_ids=self.company.ids
        ).run()

    def _followups(self, runner):
        """Run the follow-ups as ``runner``: ``bot`` (the cron as shipped),
        ``manager`` (the cron set to run as a manager) or ``button`` (a
        manager's "Run Follow-ups Now")."""
        if runner == "button":
            self.env["debt.negotiation"].with_user(
                self.negotiation_manager
            ).with_context(
                allowed_company_ids=self.company.ids
            ).action_run_followups_now()
            return
        user = self.bot if runner == "bot" else self.negotiation_manager
        self._run_cron("ir_cron_process_followups", user)

    def _agreement_check(self, runner):
        user = self.bot if runner == "bot" else self.negotiation_manager
        self._run_cron("ir_cron_monitor_agreements", user)

    def _snapshot(self, case):
        """What a run left on ``case``, comparable between two cases."""
        return {
            "state": case.state,
            "stage": case.stage_id.name,
            "next": (case.next_step_id.name, case.next_action_date),
            "deadline": case.response_deadline,
            "letters": [
                (lt.letter_type, lt.channel, lt.state, lt.date, lt.amount_due)
                for lt in self._letters(case)
            ],
            "steps": [(log.step_id.name, log.date) for log in self._logs(case)],
            "activities": sorted(
                (act.summary or "", act.user_id.id, act.date_deadline)
                for act in case.activity_ids
            ),
            "problems": (case.followup_error, case.monitor_error),
            "agreement": case.agreement_id.state,
            "email authors": sorted(
                set(
                    case.message_ids.filtered(
                        lambda m: m.message_type == "comment"
                    ).author_id.mapped("name")
                )
            ),
        }

    def _inject(self, model, method, bad_case):
        """Patch ``model.method`` to raise on the records of ``bad_case``
        only (a whole batch holding one of them fails with it)."""
        cls = type(self.env[model])
        original = getattr(cls, method)

        def faulty(records, *args, **kwargs):
            cases = (
                records
                if records._name == "debt.negotiation"
                else records.negotiation_id
            )
            if bad_case in cases:
                raise UserError(FAULT)
            return original(records, *args, **kwargs)

        return patch.object(cls, method, faulty)

    def _assert_noted(self, case, field="monitor_error"):
        """The failure is on the case (its problem field and chatter, once)
        and in the last run's problems."""
        self.assertIn(FAULT, case[field])
        notes = case.message_ids.filtered(lambda m: FAULT in (m.body or ""))
        self.assertEqual(len(notes), 1)
        line = self.Run.search([], limit=1).line_ids.filtered(
            lambda ln: ln.negotiation_id == case
        )
        self.assertEqual(line.outcome, "failed")
        self.assertIn(FAULT, line.reason)
        return line

    # ------------------------------------------------------------------
    # 1. The same result whoever runs it
    # ------------------------------------------------------------------
    def test_followups_same_outcome_for_the_bot_and_a_manager(self):
        """A case first seen 90 days late gets the final notice, then is
        escalated 14 days later, whether the scheduler runs as its bot, as
        a manager, or a manager runs it by hand."""
        outcomes = {}
        for index, runner in enumerate(("bot", "manager", "button")):
            with self.subTest(runner=runner):
                with at(90):
                    case = self._case_due(self.partners[index], overdue=90)
                    # a case nobody negotiates: its activities go to the same
                    # person whoever runs
                    case.user_id = False
                    self._followups(runner)
                    self.assertEqual(
                        self._letters(case)[:1].letter_type, "final_notice"
                    )
                with at(104):
                    self._followups(runner)
                outcome = self._snapshot(case)
                self.assertEqual(outcome["state"], "escalated", outcome)
                self.assertEqual(outcome["stage"], "Escalated")
                self.assertEqual(outcome["problems"], (False, False))
                outcomes[runner] = outcome
                run = self.Run.search([("kind", "=", "followups")], limit=1)
                expected = self.bot if runner == "bot" else self.negotiation_manager
                self.assertEqual(run.user_id, expected)
                self.assertEqual(run.manual, runner == "button")
                self.assertEqual(run.state, "done")
        self.assertEqual(outcomes["manager"], outcomes["bot"])
        self.assertEqual(outcomes["button"], outcomes["bot"])

    def test_agreement_check_same_outcome_for_the_bot_and_a_manager(self):
        """An agreement whose first payment is missed is broken the same
        way (letter, call activity, next step) whoever runs the check."""
        outcomes = {}
        for index, runner in enumerate(("bot", "manager")):
            with self.subTest(runner=runner):
                with at(10):
                    case = self._case_due(self.partners[index], overdue=10)
                    case.user_id = False
                    offer = self._plan(case, amount=1000.0, count=2, first_due=day(20))
                    self._confirm_agreement(offer)
                with at(20 + self.company.negotiation_grace_days + 1):
                    self._agreement_check(runner)
                outcome = self._snapshot(case)
                self.assertEqual(outcome["state"], "broken", outcome)
                self.assertEqual(outcome["agreement"], "broken")
                outcomes[runner] = outcome
                run = self.Run.search([("kind", "=", "agreements")], limit=1)
                self.assertEqual(
                    run.user_id,
                    self.bot if runner == "bot" else self.negotiation_manager,
                )
                self.assertGreaterEqual(run.done_count, 1)
        self.assertEqual(outcomes["manager"], outcomes["bot"])

    # ------------------------------------------------------------------
    # Reported where people look, and a person told after three days
    # ------------------------------------------------------------------
    def test_failing_step_reported_on_case_due_today_and_run(self):
        with at(7):
            good = self._case_due(self.partners[0], overdue=7)
            bad = self._case_due(self.partners[1], overdue=7)
            with self._inject("debt.negotiation", "_generate_letter", bad):
                self._followups("bot")
            self.assertEqual(len(self._letters(good)), 1)
            self.assertFalse(self._letters(bad))
            self.assertIn(FAULT, bad.followup_error)
            run = self.Run.search([("kind", "=", "followups")], limit=1)
            self.assertEqual((run.failed_count, run.skipped_count), (1, 0))
            self.assertGreaterEqual(run.done_count, 1)
            self.assertIn("Follow-up steps executed: 1", run.summary)
            line = run.line_ids
            self.assertEqual(
                (line.negotiation_id, line.phase, line.outcome), (bad, "step", "failed")
            )
            self.assertIn(FAULT, line.reason)
            # Due Today shows it, with why, after the run
            Preview = self.env["debt.negotiation.followup.preview"].with_user(
                self.negotiation_manager
            )
            lines = Preview.search(Preview.action_open()["domain"])
            failed = lines.filtered(lambda ln: ln.negotiation_id == bad)
            self.assertEqual(failed.action, "failed")
            self.assertIn(FAULT, failed.problem)
            self.assertFalse(lines.filtered(lambda ln: ln.negotiation_id == good))
            # managers read the run; a plain negotiator does not
            self.assertEqual(
                self.Run.with_user(self.negotiation_manager).browse(run.id).line_ids,
                line,
            )
            with self.assertRaises(UserError):
                self.Run.with_user(self.negotiation_user).browse(run.id).read(["name"])

    def test_three_failing_days_give_the_negotiator_one_activity(self):
        """A step that cannot run (the debtor cannot be reached) is retried
        every day; on the third day in a row the negotiator gets an
        activity, once, not every day."""
        with at(7):
            case = self._case_due(self.partners[0], overdue=7)
            case.user_id = self.negotiation_user
            self.partners[0].write({"email": False, "street": False})

        def alerts():
            return case.activity_ids.filtered(
                lambda a: "failing for 3 days" in (a.summary or "")
            )

        for n in (7, 8):
            with at(n):
                self._followups("bot")
                self.assertIn("no valid email address", case.followup_error)
                self.assertFalse(alerts())
        with at(9):
            self._followups("bot")
            self.assertEqual(len(alerts()), 1)
            self.assertEqual(alerts().user_id, self.negotiation_user)
            self.assertIn("no valid email address", alerts().note)
            # the digest of the run tells the negotiator
            self.assertIn(
                case.name, self._user_notifications(self.negotiation_user)[:1].body
            )
            # a manual run the same day alerts no one again
            self._followups("button")
        for n in (10, 11, 12):
            with at(n):
                self._followups("bot")
        self.assertEqual(len(alerts()), 1, "once per streak, not daily")
        lines = self.env["debt.negotiation.run.line"].search(
            [("negotiation_id", "=", case.id)]
        )
        self.assertEqual(set(lines.mapped("outcome")), {"skipped"})
        self.assertEqual(len(lines.filtered("alerted")), 1)

    # ------------------------------------------------------------------
    # 2. Every phase isolated per record: the agreement check
    # ------------------------------------------------------------------
    def _plans(self, first_due, count=2, amount=1000.0):
        """Two cases (a good and a bad one) under a monthly plan."""
        cases = []
        for partner in self.partners[:2]:
            case = self._case_due(partner, overdue=10)
            offer = self._plan(case, amount=amount, count=count, first_due=first_due)
            self._confirm_agreement(offer)
            cases.append(case)
        return cases

    def test_isolated_phase_installment_states(self):
        with at(10):
            good, bad = self._plans(day(20))
        with (
            at(21),
            self._inject("debt.negotiation.installment", "_refresh_state", bad),
        ):
            self._agreement_check("bot")
        with at(21):
            self.assertEqual(good.installment_ids.sorted("due_date")[0].state, "late")
            self._assert_noted(bad)
            self.assertEqual(self.Run.search([], limit=1).line_ids.phase, "refresh")

    def test_isolated_phase_installment_notices(self):
        with at(10):
            good, bad = self._plans(day(12))
            self.company.negotiation_installment_reminder_days = 3
        with at(10), self._inject("debt.negotiation.installment", "_post_notices", bad):
            self._agreement_check("bot")
        with at(10):
            self.assertTrue(good.installment_ids.sorted("due_date")[0].reminder_date)
            self.assertFalse(bad.installment_ids.sorted("due_date")[0].reminder_date)
            self._assert_noted(bad)
            run = self.Run.search([], limit=1)
            self.assertIn("Installment reminders sent: 1", run.summary)
            # the next run sends it and clears the problem
            self._agreement_check("bot")
            self.assertTrue(bad.installment_ids.sorted("due_date")[0].reminder_date)
            self.assertFalse(bad.monitor_error)

    def test_isolated_phase_breaks(self):
        with at(10):
            good, bad = self._plans(day(20))
        with at(30), self._inject("debt.negotiation.agreement", "_break", bad):
            self._agreement_check("bot")
        with at(30):
            self.assertEqual(good.state, "broken")
            self.assertEqual(bad.state, "agreement")
            self._assert_noted(bad)
            self.assertIn(FAULT, bad.agreement_id.monitor_error)

    def test_isolated_phase_cures(self):
        with at(10):
            good, bad = self._plans(day(20))
        with at(30):
            self._agreement_check("bot")
            self.assertEqual({good.state, bad.state}, {"broken"})
            for case in (good, bad):
                first = case.installment_ids.sorted("due_date")[0]
                self._register_payment(case.invoice_ids, amount=first.amount)
        with at(31), self._inject("debt.negotiation.agreement", "_cure", bad):
            self._agreement_check("bot")
        with at(31):
            self.assertEqual(good.state, "agreement")
            self.assertEqual(bad.state, "broken")
            self._assert_noted(bad)

    def test_isolated_phase_fulfilments(self):
        with at(10):
            good, bad = self._plans(day(20), count=1)
            for case in (good, bad):
                self._register_payment(case.invoice_ids)
        with at(11), self._inject("debt.negotiation.agreement", "_fulfil", bad):
            self._agreement_check("bot")
        with at(11):
            self.assertEqual(good.state, "settled")
            self.assertEqual(bad.agreement_id.state, "active")
            self._assert_noted(bad)

    def test_isolated_phase_promises(self):
        self.company.negotiation_grace_days = 3
        with at(1):
            cases = [self._case_due(p, overdue=1) for p in self.partners[:2]]
            promises = [
                self.Interaction.create(
                    {
                        "negotiation_id": case.id,
                        "channel": "phone",
                        "summary": "Will pay on Friday.",
                        "outcome": "promise",
                        "promise_date": day(5),
                        "promise_amount": 400.0,
                    }
                ).promise_ids
                for case in cases
            ]
        good, bad = cases
        with at(9), self._inject("debt.negotiation.promise", "_set_broken", bad):
            self._agreement_check("bot")
        with at(9):
            self.assertEqual(promises[0].state, "broken")
            self.assertEqual(promises[1].state, "pending")
            self._assert_noted(bad)

    def test_isolated_phase_settlements(self):
        with at(10):
            good = self._case_due(self.partners[0], overdue=10)
            bad = self._case_due(self.partners[1], overdue=10)
            for case in (good, bad):
                self._register_payment(case.invoice_ids)
            # the payment settles at once; a case left open by an old run
            self.env.cr.execute(
                "UPDATE debt_negotiation SET state = 'open' WHERE id IN %s",
                [(good.id, bad.id)],
            )
            self.env.invalidate_all()
        with at(11), self._inject("debt.negotiation", "_settle_paid", bad):
            self._agreement_check("bot")
        with at(11):
            self.assertEqual(good.state, "settled")
            self.assertEqual(bad.state, "open")
            self._assert_noted(bad)

    # ------------------------------------------------------------------
    # 2. Every phase isolated per record: the follow-ups
    # ------------------------------------------------------------------
    def test_isolated_followup_phase_offer_expiry(self):
        with at(2):
            cases = [self._case_due(p, overdue=2) for p in self.partners[:2]]
            offers = []
            for case in cases:
                offer = self._create_offer(
                    case, expiry_date=day(4), first_due_date=day(5)
                )
                offer.action_propose()
                offers.append(offer)
        with at(5), self._inject("debt.negotiation.offer", "_expire", cases[1]):
            self._followups("bot")
        with at(5):
            self.assertEqual(offers[0].state, "expired")
            self.assertEqual(offers[1].state, "proposed")
            self._assert_noted(cases[1], field="followup_error")

    def test_isolated_followup_phase_case_opening(self):
        self.company.negotiation_auto_open_days = 10
        with at(20):
            good = self._create_invoice(partner=self.partners[0], days_overdue=15)
            bad = self._create_invoice(partner=self.partners[1], days_overdue=15)
            Case = type(self.env["debt.negotiation"])
            original = Case._open_case_for_invoices

            def faulty(cases, invoices, *args, **kwargs):
                if invoices.partner_id == self.partners[1]:
                    raise UserError(FAULT)
                return original(cases, invoices, *args, **kwargs)

            with patch.object(Case, "_open_case_for_invoices", faulty):
                self._followups("bot")
            self.assertTrue(good.negotiation_id)
            self.assertFalse(bad.negotiation_id)
            line = self.Run.search([], limit=1).line_ids
            self.assertEqual(
                (line.partner_id, line.phase, line.outcome),
                (self.partners[1], "open", "failed"),
            )
            self.assertIn(FAULT, line.reason)

    def test_isolated_followup_phase_settlements(self):
        with at(10):
            good = self._case_due(self.partners[0], overdue=10)
            bad = self._case_due(self.partners[1], overdue=10)
            for case in (good, bad):
                self._register_payment(case.invoice_ids)
            self.env.cr.execute(
                "UPDATE debt_negotiation SET state = 'open' WHERE id IN %s",
                [(good.id, bad.id)],
            )
            self.env.invalidate_all()
        with at(11), self._inject("debt.negotiation", "_settle_paid", bad):
            self._followups("bot")
        with at(11):
            self.assertEqual(good.state, "settled")
            self.assertEqual(bad.state, "open")
            self._assert_noted(bad, field="followup_error")
