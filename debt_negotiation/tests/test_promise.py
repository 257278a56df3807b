# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import FollowupCommon, at, day


@tagged("post_install", "-at_install")
class TestPromise(FollowupCommon):
    """Promises to pay, day by day through the real crons: the follow-ups
    wait, the daily check keeps or breaks them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.negotiation_grace_days = 3
        cls.Promise = cls.env["debt.negotiation.promise"]

    def _log_promise(self, case, date, amount, **vals):
        return self.Interaction.create(
            {
                "negotiation_id": case.id,
                "channel": "phone",
                "contact_name": "Jane Accounts",
                "summary": "Will pay on Friday.",
                "outcome": "promise",
                "promise_date": date,
                "promise_amount": amount,
                **vals,
            }
        )

    def _monitor(self):
        self.env["debt.negotiation"].with_user(SUPERUSER_ID)._cron_monitor_agreements()

    def _candidates(self, today):
        engine = self._engine()
        return engine.env["debt.negotiation"].search(engine._candidate_domain(today))

    def test_logged_promise_holds_the_followups_then_is_kept(self):
        with at(1):
            case = self._case_due()
            self.assertEqual(case.amount_due, 1000.0)
            interaction = self._log_promise(case, day(5), 400.0)
            promise = interaction.promise_ids
            self.assertRecordValues(
                promise,
                [
                    {
                        "negotiation_id": case.id,
                        "promised_on": day(1),
                        "date": day(5),
                        "amount": 400.0,
                        "state": "pending",
                        "grace_end_date": day(8),
                    }
                ],
            )
            self.assertEqual(case.promise_hold_until, day(8))
            self.assertEqual(case.promise_pending_id, promise)
            self.assertGreater(case.next_action_date, day(8))
        # the ladder's first step would be due: the promise holds it
        for n in (2, 5, 8):
            with self.subTest(day=n), at(n):
                self.assertNotIn(case, self._candidates(day(n)))
                self._cron()
                self.assertFalse(self._letters(case))
        with at(4):
            self._register_payment(case.invoice_ids, amount=250.0)
        with at(5):
            self._monitor()
            self.assertEqual(promise.state, "pending")
            self.assertEqual(promise.amount_paid, 250.0)
            self._register_payment(case.invoice_ids, amount=150.0)
            self._monitor()
        self.assertEqual(promise.state, "kept")
        self.assertEqual(promise.amount_paid, 400.0)
        self.assertFalse(case.promise_hold_until)
        self.assertEqual(case.partner_id.negotiation_promise_kept_count, 1)
        # the ladder resumes for what is still due
        with at(9):
            self.assertIn(case, self._candidates(day(9)))

    def test_broken_promise_resumes_the_followups(self):
        with at(1):
            case = self._case_due()
            promise = self._log_promise(case, day(5), 400.0).promise_ids
        with at(6):
            self._register_payment(case.invoice_ids, amount=100.0)
        with at(8):
            self._monitor()
            self.assertEqual(promise.state, "pending", "still within the grace days")
        with at(9):
            self._monitor()
            self.assertEqual(promise.state, "broken")
            self.assertEqual(promise.amount_paid, 100.0)
            self.assertFalse(case.promise_hold_until)
            activity = case.activity_ids.filtered(
                lambda a: "Promise to pay broken" in (a.summary or "")
            )
            self.assertEqual(len(activity), 1)
            self.assertEqual(activity.user_id, case.user_id)
            self.assertIn(case, self._candidates(day(9)))
            self._cron()
            self.assertTrue(self._letters(case), "the ladder resumed")
            self._monitor()
        self.assertEqual(case.partner_id.negotiation_promise_broken_count, 1)
        broken_calls = case.activity_ids.filtered(
            lambda a: "Promise to pay broken" in (a.summary or "")
        )
        self.assertEqual(len(broken_calls), 1, "idempotent")

    def test_payments_before_the_promise_do_not_count(self):
        with at(1):
            case = self._case_due()
            self._register_payment(case.invoice_ids, amount=300.0)
        with at(2):
            promise = self._log_promise(case, day(5), 300.0).promise_ids
            self._monitor()
        self.assertEqual(promise.state, "pending")
        self.assertEqual(promise.amount_paid, 0.0)

    def test_bad_promises_are_refused(self):
        with at(1):
            case = self._case_due()
            cases = {
                "above what is due": (day(5), 1500.0, "cannot exceed what is due"),
                "before it was made": (day(0), 100.0, "cannot be before"),
                "nothing": (day(5), -5.0, "greater than zero"),
            }
            for label, (date, amount, message) in cases.items():
                with (
                    self.subTest(label),
                    self.assertRaisesRegex(ValidationError, message),
                    self.env.cr.savepoint(),
                ):
                    self._log_promise(case, date, amount)
            self.assertFalse(case.promise_ids)
            self.assertFalse(
                case.interaction_ids.filtered(lambda i: i.outcome == "promise")
            )
            case.action_dispute("Never ordered.")
            with self.assertRaisesRegex(ValidationError, "takes no promise"):
                self._log_promise(case, day(5), 100.0)

    def test_outcome_is_decided_by_the_payments_only(self):
        with at(1):
            case = self._case_due()
            promise = self._log_promise(case, day(5), 400.0).promise_ids
            user_promise = promise.with_user(self.negotiation_user)
            for vals in ({"state": "kept"}, {"amount_paid": 400.0}):
                with self.subTest(vals=vals), self.assertRaises(UserError):
                    user_promise.write(vals)
            with self.assertRaises(UserError):
                self.Promise.with_user(self.negotiation_user).create(
                    {
                        "negotiation_id": case.id,
                        "date": day(5),
                        "amount": 100.0,
                        "state": "kept",
                    }
                )
        self.assertEqual(promise.state, "pending")

    def test_confirmation_in_writing(self):
        with at(1):
            case = self._case_due()
            promise = self._log_promise(case, day(5), 400.0).promise_ids
            action = promise.action_send_confirmation()
            self.assertEqual(action["res_model"], "mail.compose.message")
            composer = (
                self.env["mail.compose.message"]
                .with_context(**action["context"])
                .create({})
            )
            self.assertIn("400.00", composer.body)
            # the reference bank matching uses: the invoice's
            self.assertIn(case.invoice_ids.payment_reference, composer.body)
            composer._action_send_mail()
        mail = (
            self.env["mail.mail"]
            .search([("model", "=", "debt.negotiation"), ("res_id", "=", case.id)])
            .filtered(lambda m: "we confirm your promise" in (m.body_html or ""))
        )
        self.assertTrue(mail)

    # ------------------------------------------------------------------
    # Issue 24: an agreement supersedes the pending promise
    # ------------------------------------------------------------------
    def test_agreement_supersedes_the_pending_promise(self):
        """A promise pending when an agreement is confirmed is superseded: it
        never breaks (no "call the debtor", no "the follow-ups resume"),
        Results do not count it as broken and the Cash Forecast does not
        count its money next to the installments."""
        with at(1):
            case = self._case_due()
            promise = self._log_promise(case, day(5), 400.0).promise_ids
            offer = self._plan(case, amount=1000.0, count=4, first_due=day(30))
            self._confirm_agreement(offer)
            self.assertEqual(case.state, "agreement")
            self.assertEqual(promise.state, "superseded")
            self.assertFalse(case.promise_hold_until)
            self.assertFalse(case.promise_pending_id)
            self.assertIn("superseded", self._message_bodies(case))
        with at(12):
            self._monitor()
        self.assertEqual(promise.state, "superseded", "it never breaks")
        self.assertNotIn("follow-ups resume", self._message_bodies(case))
        self.assertFalse(
            self._call_activities(case).filtered(
                lambda a: "broken" in (a.summary or "")
            )
        )
        self.env.flush_all()
        result = self.env["debt.negotiation.result"].search(
            [("negotiation_id", "=", case.id)]
        )
        self.assertEqual(result.promise_broken_count, 0)
        forecast = self.env["debt.negotiation.forecast"].search(
            [("negotiation_id", "=", case.id)]
        )
        self.assertEqual(set(forecast.mapped("kind")), {"installment"})
        self.assertEqual(sum(forecast.mapped("amount")), 1000.0)

    def test_settled_or_cancelled_case_closes_the_pending_promise(self):
        with at(1):
            paid = self._case_due()
            promise_paid = self._log_promise(paid, day(5), 400.0).promise_ids
            cancelled = self._case_due(partner=self.debtor_2)
            promise_cancelled = self._log_promise(cancelled, day(5), 400.0).promise_ids
            cancelled.action_cancel()
            self.assertEqual(promise_cancelled.state, "superseded")
        with at(2):
            # paid in full: the promise is kept, the case settled
            self._register_payment(paid.invoice_ids)
            self._monitor()
        self.assertEqual(paid.state, "settled")
        self.assertEqual(promise_paid.state, "kept")
        with at(20):
            self._monitor()
        self.assertEqual(promise_cancelled.state, "superseded")
