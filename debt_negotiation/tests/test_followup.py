# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import io
import zipfile
from unittest.mock import patch

from odoo import api
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..models.workflow import without_pdf
from .common import DUE, FollowupCommon, at, day


@tagged("post_install", "-at_install")
class TestFollowups(FollowupCommon):
    """The scheduled follow-ups: the ladder, once per step, at scale."""

    # ------------------------------------------------------------------
    # Data
    # ------------------------------------------------------------------
    def test_default_ladder_and_crons_shipped(self):
        main_company = self.env.ref("base.main_company").sudo()
        steps = main_company.negotiation_default_ladder_id.step_ids
        self.assertEqual(steps.mapped("delay_days")[:4], [7, 21, 45, 60])
        self.assertTrue(steps[0].activity_type_id, "seed practice: call first")
        self.assertTrue(steps.filtered("escalate"))
        for xmlid, method in (
            ("ir_cron_process_followups", "model._cron_process_followups()"),
            ("ir_cron_monitor_agreements", "model._cron_monitor_agreements()"),
        ):
            cron = self.env.ref(f"debt_negotiation.{xmlid}")
            self.assertEqual(cron.model_id.model, "debt.negotiation")
            self.assertEqual(cron.code, method)
            self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
            self.assertTrue(cron.active)

    # ------------------------------------------------------------------
    # The engine's building blocks
    # ------------------------------------------------------------------
    def test_ladders_done_steps_and_claims(self):
        Step = self.env["debt.negotiation.followup.step"]
        ladders = Step._ladders(self.company)
        default = self.company.negotiation_default_ladder_id.id
        self.assertEqual(list(ladders), [default])
        self.assertEqual(
            ladders[default],
            [(step.id, step.delay_days) for step in self.steps.values()],
        )
        self.assertEqual(ladders[default][0][1], 7)
        with at(7):
            cases = self._case_due(overdue=7) | self._case_due(self.debtor_2, overdue=7)
            self.assertEqual(self.Log._done_steps(cases), {})
            decisions = self._engine()._decide(cases, day(7))
            claimed = self.Log._claim(decisions, day(7))
            self.assertEqual(set(claimed), set(cases.ids))
            logs = self.Log.browse(list(claimed.values()))
            self.assertEqual(logs.step_id, self.steps["reminder"])
            self.assertEqual(logs.next_step_id, self.steps["negotiation"])
            self.assertEqual(set(logs.mapped("next_action_date")), {day(21)})
            # claimed once: a second claim of the same step gets nothing
            self.assertEqual(self.Log._claim(decisions, day(7)), {})
            self.assertEqual(self.Log._claim(decisions[:1], day(7)), {})
            self.assertEqual(
                dict(self.Log._done_steps(cases)),
                {case.id: {self.steps["reminder"].id} for case in cases},
            )
            self.assertEqual(cases.followup_log_ids, logs)
            # the letters are linked to the log of their case
            letters = without_pdf(cases)._generate_letter("reminder")
            self.Log._link_letters({cases[0].id: claimed[cases[0].id]}, letters)
            self.assertEqual(
                self.Log.browse(claimed[cases[0].id]).letter_ids,
                letters.filtered(lambda lt: lt.negotiation_id == cases[0]),
            )
            self.assertFalse(self.Log.browse(claimed[cases[1].id]).letter_ids)

    def test_decide_uses_the_pure_ladder_rules(self):
        """The engine's decision is the pure rule's, on the case's data."""
        with at(50):
            case = self._case_due(overdue=50)
            decision = self._engine()._decide(case, day(50))[0]
            self.assertEqual(decision.case, case)
            self.assertEqual(decision.step, self.steps["final_notice"])
            self.assertEqual(decision.deadline, day(64))
            self.assertEqual(decision.next_step, self.steps["escalation"])
            self.assertEqual(decision.next_date, day(64))
            # within the response period: nothing runs, the deadline stays,
            # and the first step not executed yet comes on the deadline
            case.response_deadline = day(52)
            decision = self._engine()._decide(case, day(50))[0]
            self.assertFalse(decision.step)
            self.assertEqual(decision.deadline, day(52))
            self.assertEqual(decision.next_step, self.steps["reminder"])
            self.assertEqual(decision.next_date, day(52))

    def test_preview_prepare_lines(self):
        with at(21):
            self.company.negotiation_auto_open_days = 10
            invoice = self._create_invoice(partner=self.partners[3], days_overdue=15)
            due = self._case_due(self.partners[0], overdue=21)
            skipped = self._case_due(self.partners[1], overdue=21)
            self.partners[1].email = False
            waiting = self._case_due(self.partners[2], overdue=2)
            Preview = self.env["debt.negotiation.followup.preview"].with_context(
                debt_negotiation_followup_company_ids=self.company.ids
            )
            # keyed by debtor (new cases) and by case (steps)
            lines = {
                vals.get("negotiation_id") or ("open", vals["partner_id"]): vals
                for vals in Preview._prepare_lines()
            }
            self.assertEqual(len(lines), 3)
            self.assertNotIn(waiting.id, lines)
            self.assertEqual(
                lines["open", self.partners[3].id],
                {
                    "action": "open",
                    "partner_id": self.partners[3].id,
                    "company_id": self.company.id,
                    "currency_id": invoice.currency_id.id,
                    "amount_due": invoice.amount_residual,
                    "invoice_count": 1,
                    "oldest_due_date": invoice.invoice_date_due,
                },
            )
            line = lines[due.id]
            self.assertEqual(
                {key: line[key] for key in ("action", "step_id", "channel")},
                {
                    "action": "step",
                    "step_id": self.steps["negotiation"].id,
                    "channel": "both",
                },
            )
            self.assertEqual(
                (line["response_deadline"], line["next_action_date"]),
                (day(35), day(45)),
            )
            self.assertEqual(line["next_step_id"], self.steps["final_notice"].id)
            self.assertFalse(line["problem"])
            # post and email: the letter goes by post, and the preview says
            # what cannot be sent
            self.assertEqual(lines[skipped.id]["action"], "step")
            self.assertIn("by post only", lines[skipped.id]["problem"])
            self.assertIn("no valid email address", lines[skipped.id]["problem"])
            # nothing was done: the preview only decides
            self.assertFalse(self._logs(due))
            self.assertFalse(invoice.negotiation_id)

    # ------------------------------------------------------------------
    # The ladder, day by day
    # ------------------------------------------------------------------
    def test_walk_ladder_day_by_day(self):
        with at(1):
            case = self._case_due(overdue=1)
        self.assertEqual(case.oldest_due_date, DUE)
        executed = {}
        for n in range(1, 76):
            with at(n):
                before = set(self._logs(case).ids)
                self._cron()
                new = self._logs(case).filtered(lambda log, b=before: log.id not in b)
                if new:
                    executed[n] = new.step_id
                if n == 1:
                    # a new case gets its schedule on the first run
                    self.assertEqual(case.next_action_date, day(7))
                    self.assertEqual(case.next_step_id, self.steps["reminder"])
                if n == 7:
                    self._check_reminder_day(case)
                if n == 21:
                    self._check_negotiation_day(case)
        steps = self.steps
        self.assertEqual(
            executed,
            {
                7: steps["reminder"],
                21: steps["negotiation"],
                45: steps["final_notice"],
                60: steps["escalation"],
            },
        )
        self.assertEqual(case.state, "escalated")
        self.assertEqual(
            case.stage_id, self.env.ref("debt_negotiation.stage_escalated")
        )
        self.assertFalse(case.next_action_date)
        letters = self._letters(case)
        self.assertEqual(
            [(letter.letter_type, letter.channel) for letter in letters],
            [
                ("reminder", "email"),
                ("negotiation", "post"),
                ("negotiation", "email"),
                ("final_notice", "post"),
                ("final_notice", "email"),
            ],
        )
        self.assertTrue(all(letter.attachment_id for letter in letters))
        self.assertEqual(
            letters.filtered(lambda lt: lt.channel == "email").mapped("state"),
            ["sent"] * 3,
        )
        self.assertEqual(
            letters.filtered(lambda lt: lt.channel == "post").mapped("state"),
            ["to_send"] * 2,
        )
        # every letter announced the date the next step then happened on
        self.assertEqual(
            [(letter.letter_type, letter.next_date) for letter in letters],
            [
                ("reminder", day(21)),
                ("negotiation", day(45)),
                ("negotiation", day(45)),
                ("final_notice", day(60)),
                ("final_notice", day(60)),
            ],
        )
        self.assertEqual(len(self._call_activities(case)), 2)
        self.assertEqual(self._logs(case).letter_ids, letters)

    def _check_reminder_day(self, case):
        self.assertEqual(case.stage_id, self.env.ref("debt_negotiation.stage_reminder"))
        self.assertEqual(case.response_deadline, day(21))
        self.assertEqual(case.next_action_date, day(21))
        self.assertEqual(case.next_step_id, self.steps["negotiation"])
        letter = self._letters(case)
        self.assertEqual(letter.letter_type, "reminder")
        self.assertEqual(letter.response_deadline, day(21))
        self.assertEqual(letter.next_date, day(21))
        activity = self._call_activities(case)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, case.user_id)
        self.assertEqual(activity.date_deadline, day(7))
        self.assertIn("Reminder and call", self._message_bodies(case))
        # the email went out with the stored PDF attached
        mail = self.env["mail.mail"].search(
            [("model", "=", "debt.negotiation"), ("res_id", "=", case.id)]
        )
        self.assertTrue(mail)
        self.assertIn(
            letter.attachment_id.checksum, mail.attachment_ids.mapped("checksum")
        )

    def _check_negotiation_day(self, case):
        self.assertEqual(
            case.stage_id, self.env.ref("debt_negotiation.stage_formal_letter")
        )
        self.assertEqual(case.response_deadline, day(35))
        self.assertEqual(case.next_action_date, day(45))
        self.assertEqual(case.next_step_id, self.steps["final_notice"])

    def test_late_run_jumps_to_latest_due_step_then_keeps_the_pace(self):
        """A case first seen 50 days overdue gets the final notice (not
        every earlier letter); the escalation waits for its deadline."""
        with at(50):
            case = self._case_due(overdue=50)
            self._cron()
            self.assertEqual(self._logs(case).step_id, self.steps["final_notice"])
            self.assertEqual(case.response_deadline, day(64))
            # escalation is due on day 60 by the ladder, but not before the
            # debtor's answer is due
            self.assertEqual(case.next_action_date, day(64))
            self.assertEqual(case.next_step_id, self.steps["escalation"])
        with at(63):
            self._cron()
            self.assertEqual(case.state, "open")
        with at(64):
            self._cron()
            self.assertEqual(case.state, "escalated")

    def test_no_escalation_without_the_final_notice(self):
        """A case first seen 90 days overdue (past the escalation step's
        day 60) is not handed over at once: the debtor first gets the final
        notice, and the escalation comes after its deadline."""
        with at(90):
            case = self._case_due(overdue=90)
            self._cron()
            self.assertEqual(case.state, "open")
            self.assertEqual(self._logs(case).step_id, self.steps["final_notice"])
            self.assertEqual(
                set(self._letters(case).mapped("letter_type")), {"final_notice"}
            )
            self.assertEqual(case.response_deadline, day(104))
            self.assertEqual(case.next_step_id, self.steps["escalation"])
            self.assertEqual(case.next_action_date, day(104))
        with at(103):
            self._cron()
            self.assertEqual(case.state, "open")
        with at(104):
            self._cron()
            self.assertEqual(case.state, "escalated")
            # the negotiator is told to hand the claim over
            self.assertIn(
                "Hand the claim over for collection",
                case.activity_ids.mapped("summary"),
            )

    def test_the_ladder_escalation_hands_the_claim_over(self):
        """With a collection agency set, the escalation step hands the
        claim over: the final notice named the agency, the debtor gets the
        hand-over notice, the agency the dossier with every letter."""
        agency = self.env["res.partner"].create(
            {"name": "Acme Collections", "email": "claims@acme.example.com"}
        )
        self.company.negotiation_agency_id = agency
        with at(90):
            case = self._case_due(overdue=90)
            self._cron()
            final = self._letters(case)
            self.assertEqual(set(final.mapped("letter_type")), {"final_notice"})
            self.assertIn(
                "hand the claim over to Acme Collections", final[0]._next_step_clause()
            )
        with at(104):
            self._cron()
            self.assertEqual(case.state, "escalated")
            self.assertEqual(case.handover_date, day(104))
            notice = self._letters(case).filtered(
                lambda lt: lt.letter_type == "handover"
            )
            self.assertEqual(len(notice), 1)
            dossier = case.handover_dossier_id
            self.assertTrue(dossier)
            with zipfile.ZipFile(io.BytesIO(dossier.raw)) as archive:
                contents = [archive.read(name) for name in archive.namelist()]
            for letter in self._letters(case):
                self.assertIn(letter.attachment_id.raw, contents)
            self.assertTrue(
                case.message_ids.filtered(lambda m: agency in m.partner_ids)
            )
            summaries = case.activity_ids.mapped("summary")
            self.assertIn("Follow the hand-over to Acme Collections", summaries)
            self.assertNotIn("Hand the claim over for collection", summaries)

    def test_response_deadline_postpones_the_next_step(self):
        """While a proposed offer waits for the debtor's answer, no letter
        goes out; the step comes on the expiry date."""
        with at(7):
            case = self._case_due(overdue=7)
            self._cron()
        with at(20):
            offer = self._create_offer(
                case, expiry_date=day(30), first_due_date=day(31)
            )
            offer.action_propose()
            self.assertEqual(case.response_deadline, day(30))
        with at(21):
            self._cron()
            self.assertEqual(len(self._logs(case)), 1)
            self.assertEqual(case.next_action_date, day(30))
        with at(30):
            self._cron()
            self.assertEqual(self._logs(case)[-1].step_id, self.steps["negotiation"])

    def test_schedule_next_action_after_dispute(self):
        with at(7):
            case = self._case_due(overdue=7)
            self._cron()
        with at(10):
            case.action_dispute("Goods were damaged.")
            self.assertFalse(case.next_action_date)
        with at(12):
            self._cron()
            self.assertEqual(len(self._logs(case)), 1, "disputed: paused")
            case.action_resolve_dispute()
            self.assertEqual(case.next_action_date, day(21))
            self.assertEqual(case.next_step_id, self.steps["negotiation"])

    # ------------------------------------------------------------------
    # Once per step
    # ------------------------------------------------------------------
    def test_rerun_same_day_is_idempotent(self):
        with at(7):
            case = self._case_due(overdue=7)
            self._cron()
            self._cron()
            # even forced, and with the schedule reset by hand
            case.write(
                {"next_action_date": day(7), "next_step_id": self.steps["reminder"].id}
            )
            self._cron(debt_negotiation_followup_force=True)
            self.assertEqual(len(self._letters(case)), 1)
            self.assertEqual(len(self._logs(case)), 1)
            self.assertEqual(len(self._call_activities(case)), 1)

    def test_two_overlapping_runs_execute_a_step_once(self):
        """Two workers decide on the same data, then both execute: the
        UNIQUE (case, step) claim lets only the first one through."""
        Engine = self._engine()
        with at(7):
            cases = self._case_due(overdue=7) | self._case_due(self.debtor_2, overdue=7)
            cases = self._negotiation_root().browse(cases.ids)
            first = Engine._decide(cases, day(7))
            second = Engine._decide(cases, day(7))
            self.assertEqual([d.step for d in first], [self.steps["reminder"]] * 2)
            self.assertEqual(Engine._execute(first, day(7)), cases)
            self.assertFalse(Engine._execute(second, day(7)))
            # and one case at a time, as the fallback does
            self.assertFalse(Engine._execute(second[:1], day(7)))
            for case in cases:
                self.assertEqual(len(self._letters(case)), 1)
                self.assertEqual(len(self._logs(case)), 1)

    def test_crash_mid_run_then_rerun(self):
        """A batch crashing after the letters were generated leaves nothing
        behind; the rerun executes each step exactly once."""
        with at(7):
            cases = self._case_due(overdue=7) | self._case_due(self.debtor_2, overdue=7)
            Negotiation = type(self.env["debt.negotiation"])
            with patch.object(
                Negotiation,
                "_mail_batch_activities",
                side_effect=UserError("Disk full"),
                autospec=True,
            ):
                stats = self._cron()
            self.assertEqual(stats["failed"], 2)
            for case in cases:
                self.assertFalse(self._letters(case))
                self.assertFalse(self._logs(case))
                self.assertIn("Disk full", case.followup_error)
            self._cron(debt_negotiation_followup_force=True)
            for case in cases:
                self.assertEqual(len(self._letters(case)), 1)
                self.assertEqual(len(self._logs(case)), 1)
                self.assertFalse(case.followup_error)

    # ------------------------------------------------------------------
    # Who is not chased
    # ------------------------------------------------------------------
    def test_blocked_and_paused_cases_get_nothing(self):
        with at(7):
            blocked = self._case_due(self.partners[0], overdue=7)
            self.partners[0].negotiation_blocked = True
            disputed = self._case_due(self.partners[1], overdue=7)
            disputed.action_dispute("Not ours")
            escalated = self._case_due(self.partners[2], overdue=7)
            escalated.action_escalate()
            cancelled = self._case_due(self.partners[3], overdue=7)
            cancelled.action_cancel()
            agreement, _offer = self._open_case_with_agreement()
            chased = self._case_due(self.partners[4], overdue=7)
            self._cron()
            for case in (blocked, disputed, escalated, cancelled, agreement):
                self.assertFalse(self._logs(case), case.state)
                self.assertFalse(
                    self._letters(case).filtered(
                        lambda lt: lt.letter_type == "reminder"
                    )
                )
            self.assertEqual(len(self._logs(chased)), 1)
            # preview agrees
            Preview = self.env["debt.negotiation.followup.preview"]
            preview = Preview.create(Preview._prepare_lines())
            self.assertFalse(preview.negotiation_id)
        with at(8):
            self.partners[0].negotiation_blocked = False
            self._cron()
            self.assertEqual(len(self._logs(blocked)), 1)

    def test_partner_missing_data_does_not_stop_the_run(self):
        with at(21):
            good = self._case_due(self.partners[0], overdue=21)
            bad = self._case_due(self.partners[1], overdue=21)
            later = self._case_due(self.partners[2], overdue=21)
            # the negotiation letter goes by post and email
            self.partners[1].write({"street": False, "email": False})
            stats = self._cron()
            self.assertEqual(stats["executed"], 2)
            self.assertEqual(stats["failed"], 1)
            for case in (good, later):
                self.assertEqual(len(self._letters(case)), 2)
            self.assertFalse(self._letters(bad))
            self.assertFalse(self._logs(bad))
            self.assertIn("no valid email address", bad.followup_error)
            self.assertIn("no postal address", bad.followup_error)
            notes = bad.message_ids.filtered(
                lambda m: "was not executed" in (m.body or "")
            )
            self.assertEqual(len(notes), 1)
            # the forced rerun notes the same problem only once
            self._cron(debt_negotiation_followup_force=True)
            notes = bad.message_ids.filtered(
                lambda m: "was not executed" in (m.body or "")
            )
            self.assertEqual(len(notes), 1)
        with at(22):
            self.partners[1].write(
                {"street": "2 Side Street", "email": "b@example.com"}
            )
            self._cron()
            self.assertEqual(len(self._letters(bad)), 2)
            self.assertFalse(bad.followup_error)

    def test_letter_error_skips_only_that_case(self):
        """An error raised while executing one case (here by the letters)
        is noted on that case; the other cases of its step go on."""
        with at(7):
            good = self._case_due(self.partners[0], overdue=7)
            bad = self._case_due(self.partners[1], overdue=7)
            Negotiation = type(self.env["debt.negotiation"])
            original = Negotiation._generate_letter

            def generate(cases, letter_type, **kwargs):
                if bad in cases:
                    raise UserError(self.env._("Printer on fire"))
                return original(cases, letter_type, **kwargs)

            with patch.object(Negotiation, "_generate_letter", generate):
                stats = self._cron()
            self.assertEqual((stats["executed"], stats["failed"]), (1, 1))
            self.assertEqual(len(self._letters(good)), 1)
            self.assertFalse(self._logs(bad))
            self.assertIn("Printer on fire", bad.followup_error)
            self.assertIn("Printer on fire", self._message_bodies(bad))

    # ------------------------------------------------------------------
    # Offers, auto-open
    # ------------------------------------------------------------------
    def test_cron_expires_offers(self):
        with at(2):
            case = self._case_due(overdue=2)
            offer = self._create_offer(case, expiry_date=day(4), first_due_date=day(5))
            offer.action_propose()
        with at(4):
            self._cron()
            self.assertEqual(offer.state, "proposed")
        with at(5):
            stats = self._cron()
            self.assertEqual(offer.state, "expired")
            self.assertGreaterEqual(stats["expired_offers"], 1)
            self.assertIn("expired", self._message_bodies(case))

    def test_auto_open_setting(self):
        with at(20):
            old = self._create_invoice(partner=self.partners[0], days_overdue=15)
            recent = self._create_invoice(partner=self.partners[1], days_overdue=5)
            self._cron()
            self.assertFalse(old.negotiation_id, "0 days: the setting is off")
            settings = self.env["res.config.settings"].create({})
            settings.negotiation_auto_open_days = 10
            settings.execute()
            self.assertEqual(self.company.negotiation_auto_open_days, 10)
            Preview = self.env["debt.negotiation.followup.preview"]
            preview = Preview.create(Preview._prepare_lines())
            self.assertEqual(
                preview.filtered(lambda line: line.action == "open").partner_id,
                self.partners[0],
            )
            # with the chatter's subscriptions on, as in production (the
            # tests' environment turns them off)
            stats = self._cron(mail_create_nosubscribe=False, tracking_disable=False)
            self.assertEqual(stats["opened"], 1)
            case = old.negotiation_id
            self.assertTrue(case)
            self.assertFalse(recent.negotiation_id)
            # the new case gets its first step in the same run
            self.assertEqual(self._logs(case).step_id, self.steps["reminder"])
            # its negotiator follows it, without an email per case opened
            self.assertTrue(case.user_id)
            self.assertIn(case.user_id.partner_id, case.message_partner_ids)
            self.assertFalse(
                self.env["mail.message"]
                .sudo()
                .search(
                    [
                        ("model", "=", "debt.negotiation"),
                        ("res_id", "=", case.id),
                        ("message_type", "=", "user_notification"),
                        ("body", "ilike", "assigned"),
                    ]
                )
            )
            # a case cancelled by hand is not opened again
            case.action_cancel()
        with at(21):
            self._cron()
            self.assertFalse(old.negotiation_id)
            self.assertEqual(len(old.negotiation_ids), 1)

    # ------------------------------------------------------------------
    # Scale
    # ------------------------------------------------------------------
    def test_batches_in_one_call(self):
        """Without a step budget (a manager's run, the tests), one call
        goes through every batch."""
        with at(7):
            cases = self.env["debt.negotiation"]
            for partner in self.partners[:5]:
                cases |= self._case_due(partner, overdue=7)
            stats = self._cron(debt_negotiation_followup_batch_size=2)
            self.assertEqual(stats["executed"], 5)
            self.assertEqual(stats["cases"], 5)
            for case in cases:
                self.assertEqual(len(self._logs(case)), 1)
            # a case is looked at once a day
            self.assertFalse(self._cron()["cases"], "each case looked at once a day")

    def test_max_batches_leaves_the_rest_to_the_next_call(self):
        """A call with a step budget stops after it; the next call goes on
        with the same run where it stopped (no case done twice, none
        forgotten), telling the cron what is left; the run is finished
        (its summary, the negotiators' digest) by the last call only."""
        Cron = type(self.env["ir.cron"])
        progress = []

        def notify(cron, done, remaining, deactivate=False):
            progress.append((done, remaining))

        Run = self.env["debt.negotiation.run"].sudo()
        with at(7), patch.object(Cron, "_notify_progress", notify):
            for partner in self.partners[:5]:
                self._case_due(partner, overdue=7)
            Negotiation = self._negotiation_root()
            first = Negotiation._cron_process_followups(batch_size=2, max_batches=1)
            self.assertEqual(first["executed"], 2)
            run = Run.search([("kind", "=", "followups")], order="id desc", limit=1)
            self.assertEqual(run.state, "running")
            self.assertEqual(run.stats["executed"], 2)
            self.assertEqual(run.company_ids, self.company)
            # managers read what a run still going on did so far
            self.assertEqual(run.done_count, 2)
            self.assertIn("Follow-up steps executed: 2", run.summary)
            second = Negotiation._cron_process_followups(batch_size=2, max_batches=1)
            self.assertEqual(second["executed"], 2)
            third = Negotiation._cron_process_followups(batch_size=2, max_batches=1)
            self.assertEqual(third["executed"], 1)
            self.assertEqual(
                len(self.Log.search([("company_id", "=", self.company.id)])), 5
            )
            # one run, done by the last call, with all the calls' work
            self.assertEqual(
                Run.search([("kind", "=", "followups")], order="id desc", limit=1),
                run,
            )
            self.assertEqual(run.state, "done")
            self.assertEqual(run.stats["executed"], 5)
            self.assertIn("Follow-up steps executed: 5", run.summary)
        self.assertEqual(progress, [(2, 3), (2, 1), (1, 0)])

    def test_the_agreement_check_works_for_every_company(self):
        """The agreement check ignores the follow-ups' company restriction:
        its run, done, names no company (all of them)."""
        with at(7):
            self._negotiation_root()._cron_monitor_agreements()
        run = (
            self.env["debt.negotiation.run"]
            .sudo()
            .search([("kind", "=", "agreements")], order="id desc", limit=1)
        )
        self.assertEqual(run.state, "done")
        self.assertFalse(run.company_ids)

    def test_one_batch_per_cron_call(self):
        """In Odoo's cron loop (``ir.cron._process_job``: the framework
        commits each call and calls again while something remains), the
        scheduled follow-ups do one batch per call: every case once, one
        run record, done at the end."""
        cron = self.env.ref("debt_negotiation.ir_cron_process_followups")
        Progress = self.env["ir.cron.progress"].sudo()
        Run = self.env["debt.negotiation.run"].sudo()
        engine = type(self.env["debt.negotiation.followup.engine"])
        with at(7):
            cases = self.env["debt.negotiation"]
            for partner in self.partners[:5]:
                cases |= self._case_due(partner, overdue=7)
            with patch.object(engine, "_batch_size", lambda self: 2):
                for _call in range(20):
                    self._process_cron_job(cron)
                    run = Run.search(
                        [("kind", "=", "followups"), ("manual", "=", False)],
                        order="id desc",
                        limit=1,
                    )
                    if run.state == "done":
                        break
            self.assertEqual(run.state, "done")
            for case in cases:
                self.assertEqual(len(self._logs(case)), 1)
            calls = Progress.search([("cron_id", "=", cron.id)], order="id")
            # the cases by batches of two: several calls, each telling what
            # is left, the last one nothing
            self.assertGreaterEqual(len(calls), 3)
            self.assertTrue(all(call.done <= 2 for call in calls[1:]))
            self.assertTrue(all(call.remaining for call in calls[:-1]))
            self.assertFalse(calls[-1].remaining)

    def _process_cron_job(self, cron):
        """One pass of Odoo's cron runner on ``cron`` (up to ten calls),
        as in ``base``'s own tests of the cron loop."""
        self.env.flush_all()
        self.registry.enter_test_mode(self.cr)
        try:
            self.registry["ir.cron"]._process_job(
                self.registry.db_name,
                self.registry.cursor(),
                {
                    **cron.read(load=None)[0],
                    "done": 0,
                    "remaining": 0,
                    "timed_out_counter": 0,
                },
            )
        finally:
            self.registry.leave_test_mode()
        self.env.invalidate_all()

    def test_decision_phase_has_no_query_per_case(self):
        with at(30):
            few = self.env["debt.negotiation"]
            many = self.env["debt.negotiation"]
            for index, partner in enumerate(self.partners):
                case = self._case_due(partner, overdue=30)
                if index < 2:
                    few |= case
                many |= case
            # some history: the reminder ran on half of them
            self.Log.sudo().create(
                [
                    {
                        "negotiation_id": case.id,
                        "step_id": self.steps["reminder"].id,
                        "company_id": case.company_id.id,
                        "date": day(7),
                    }
                    for case in many[::2]
                ]
            )
            counts = []
            # the first pass warms the registry caches (rules, ...) up
            for cases in (few, few, many):
                self.env.invalidate_all()
                cases = self.env["debt.negotiation"].browse(cases.ids)
                before = self.env.cr.sql_log_count
                Engine = self.env["debt.negotiation.followup.engine"]
                decisions = Engine._decide(cases, day(30))
                for decision in decisions:
                    Engine._step_problem(decision.case, decision.step)
                counts.append(self.env.cr.sql_log_count - before)
                self.assertEqual(
                    {d.step for d in decisions}, {self.steps["negotiation"]}
                )
            self.assertEqual(counts[1], counts[2], "queries do not grow with cases")
            # cases, executed steps, ladders, stages, the debtors' unapplied
            # credits, their invoicing contacts (one query for the batch)...
            # and which ladder each debtor follows (the company's ladders,
            # their segments' tags, the debtors' own ladders: issue 26)
            self.assertLessEqual(counts[2], 13)

    # ------------------------------------------------------------------
    # UI: preview and manual run
    # ------------------------------------------------------------------
    def test_preview_shows_what_the_run_does_and_manual_run(self):
        with at(21):
            due = self._case_due(self.partners[0], overdue=21)
            skipped = self._case_due(self.partners[1], overdue=21)
            self.partners[1].street = False
            self._case_due(self.partners[2], overdue=2)  # nothing due yet
            Preview = self.env["debt.negotiation.followup.preview"].with_user(
                self.negotiation_manager
            )
            action = Preview.action_open()
            lines = Preview.search(action["domain"])
            self.assertEqual(len(lines), 2)
            line = lines.filtered(lambda ln: ln.negotiation_id == due)
            self.assertEqual(line.action, "step")
            self.assertEqual(line.step_id, self.steps["negotiation"])
            self.assertEqual(line.channel, "both")
            self.assertEqual(line.response_deadline, day(35))
            self.assertEqual(line.next_step_id, self.steps["final_notice"])
            self.assertEqual(line.next_action_date, day(45))
            problem = lines.filtered(lambda ln: ln.negotiation_id == skipped)
            self.assertEqual(problem.action, "step")
            self.assertIn("by email only", problem.problem)
            self.assertIn("postal address", problem.problem)
            # a plain negotiator cannot run the follow-ups by hand
            with self.assertRaises(AccessError):
                self.env["debt.negotiation"].with_user(
                    self.negotiation_user
                ).action_run_followups_now()
            announced = (line.response_deadline, line.next_action_date)
            result = Preview.with_context(
                debt_negotiation_followup_company_ids=self.company.ids
            ).action_run_now()
            self.assertEqual(result["res_model"], "debt.negotiation.followup.preview")
            self.assertEqual(self._logs(due).step_id, self.steps["negotiation"])
            self.assertEqual((due.response_deadline, due.next_action_date), announced)
            self.assertFalse(
                Preview.search(result["domain"]).filtered(
                    lambda ln: ln.action == "step"
                )
            )

    def test_due_today_run_button_as_the_web_client_calls_it(self):
        """Due Today > "Run Follow-ups Now": the list-header button is called
        by the web client with the selected ids (none or some lines); it
        runs the follow-ups and shows what is left, never "takes 1
        positional argument but 2 were given"."""
        with at(7):
            case = self._case_due(overdue=7)
            Preview = self.env["debt.negotiation.followup.preview"].with_user(
                self.negotiation_manager
            )
            lines = Preview.search(Preview.action_open()["domain"])
            self.assertTrue(lines)
            Preview = Preview.with_context(
                debt_negotiation_followup_company_ids=self.company.ids
            )
            for ids in ([], lines.ids):
                result = api.call_kw(Preview, "action_run_now", [ids], {})
                self.assertEqual(
                    result["res_model"], "debt.negotiation.followup.preview"
                )
            self.assertEqual(self._logs(case).step_id, self.steps["reminder"])

    def test_manual_run_menu_action(self):
        with at(7):
            case = self._case_due(overdue=7)
            action = self.env.ref(
                "debt_negotiation.action_debt_negotiation_run_followups"
            )
            self.assertIn(
                self.env.ref("debt_negotiation.group_negotiation_manager"),
                action.groups_id,
            )
            result = (
                action.with_user(self.negotiation_manager)
                .with_context(debt_negotiation_followup_company_ids=self.company.ids)
                .run()
            )
            self.assertEqual(result["tag"], "display_notification")
            self.assertEqual(len(self._logs(case)), 1)
            self.assertEqual(self._logs(case).step_id, self.steps["reminder"])
            self.assertEqual(
                self.env.ref(
                    "debt_negotiation.action_debt_negotiation_followup_preview"
                )
                .with_user(self.negotiation_user)
                .run()["res_model"],
                "debt.negotiation.followup.preview",
            )

    def test_negotiator_is_told_of_the_calls_to_make(self):
        """The call activity of a step notifies the negotiator (once for all
        the cases of the run), as an activity assigned by hand would."""
        with at(7):
            cases = self._case_due(overdue=7) | self._case_due(
                partner=self.partners[0], overdue=7
            )
            cases.user_id = self.negotiation_user
            self._cron()
        self.assertEqual(len(self._call_activities(cases)), 2)
        notes = self._user_notifications(self.negotiation_user)
        self.assertEqual(len(notes), 1, "one notification for the whole run")
        for case in cases:
            self.assertIn(case.name, notes.body)

    def test_run_now_keeps_to_the_managers_companies(self):
        with at(0):
            other = self._start_case(
                self._create_invoice(company=self.company_2, days_overdue=1)
            )
            offer = self._create_offer(other, expiry_date=day(3))
            offer.action_propose()
        with at(10):
            self.env["debt.negotiation"].with_user(
                self.negotiation_manager
            ).with_context(
                allowed_company_ids=self.company.ids
            ).action_run_followups_now()
        self.assertEqual(offer.state, "proposed", "another company's offer")

    def test_run_now_ignores_a_forged_skip_pdf(self):
        with at(7):
            case = self._case_due(overdue=7)
            self.env["debt.negotiation"].with_user(
                self.negotiation_manager
            ).with_context(
                allowed_company_ids=self.company.ids, debt_negotiation_skip_pdf=True
            ).action_run_followups_now()
        letters = self._letters(case)
        self.assertTrue(letters)
        self.assertTrue(all(letters.mapped("attachment_id")), "every PDF rendered")
