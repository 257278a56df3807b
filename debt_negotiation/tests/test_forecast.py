# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID
from odoo.tests import tagged

from .common import FollowupCommon, at, day


@tagged("post_install", "-at_install")
class TestForecast(FollowupCommon):
    """The cash forecast: installments and promises expected, weighted by
    the debtor's record of kept promises, next to what arrived."""

    def _rows(self, cases):
        Forecast = self.env["debt.negotiation.forecast"]
        Forecast.env.flush_all()
        return Forecast.search([("negotiation_id", "in", cases.ids)])

    def _promise(self, case, date, amount):
        return self.env["debt.negotiation.promise"].create(
            {"negotiation_id": case.id, "date": date, "amount": amount}
        )

    def test_forecast_figures(self):
        with at(1):
            plan_case = self._case_due(overdue=1)
            offer = self._plan(plan_case, amount=1000.0, count=4, first_due=day(10))
            self._confirm_agreement(offer)
            promise_case = self._case_due(partner=self.debtor_2, overdue=1)
        with at(11):
            self._register_payment(plan_case.invoice_ids, amount=250.0)
        # debtor 2 keeps two promises (one payment covers both)
        with at(12):
            kept = self._promise(promise_case, day(13), 100.0)
            second = self._promise(promise_case, day(13), 100.0)
            self._register_payment(promise_case.invoice_ids, amount=100.0)
        with at(20):
            monitor = self.env["debt.negotiation"].with_user(SUPERUSER_ID)
            monitor._cron_monitor_agreements()
            self.assertEqual((kept | second).mapped("state"), ["kept", "kept"])
        # a third promise of debtor 2 is broken: 2 kept, 1 broken
        with at(21):
            late = self._promise(promise_case, day(22), 50.0)
        with at(40):
            monitor._cron_monitor_agreements()
            self.assertEqual(late.state, "broken")
            pending = self._promise(promise_case, day(45), 300.0)
        rows = self._rows(plan_case | promise_case)

        def total(kind, case, field="amount"):
            return sum(
                rows.filtered(
                    lambda r: r.kind == kind and r.negotiation_id == case
                ).mapped(field)
            )

        # the plan: 4 x 250, the first paid: 3 x 250 still expected, in full
        # (debtor 1 has no record of promises)
        self.assertEqual(total("installment", plan_case), 750.0)
        self.assertEqual(total("installment", plan_case, "amount_weighted"), 750.0)
        self.assertEqual(total("received", plan_case), 250.0)
        # the pending promise, weighted by the debtor's reliability: 2 kept
        # out of 3 (the rule of tools.forecast), 66.67 %
        self.assertEqual(self.debtor_2.negotiation_promise_reliability, 66.67)
        self.assertEqual(self.debtor.negotiation_promise_reliability, 100.0)
        self.assertEqual(total("promise", promise_case), 300.0)
        self.assertEqual(total("promise", promise_case, "amount_weighted"), 200.01)
        self.assertEqual(pending.state, "pending")
        self.assertEqual(total("received", promise_case), 100.0)
        self.assertEqual(
            rows.filtered(lambda r: r.kind == "promise").mapped("date"), [day(45)]
        )


@tagged("post_install", "-at_install")
class TestResults(FollowupCommon):
    """The managers' results: recovered, outstanding, discount granted,
    recovery rate, promises, days to agreement, per case."""

    def test_results_of_a_fulfilled_settlement(self):
        with at(1):
            case = self._case_due(overdue=1)
        with at(3):
            offer = self._create_offer(case, amount=800.0, first_due_date=day(5))
            offer.action_propose()
            self._confirm_agreement(offer)
        with at(5):
            self._register_payment(case.invoice_ids, amount=800.0)
            self.env["debt.negotiation"].with_user(
                SUPERUSER_ID
            )._cron_monitor_agreements()
        self.assertEqual(case.agreement_ids.state, "fulfilled")
        with at(6):
            other = self._case_due(partner=self.debtor_2, overdue=5)
            self.env["debt.negotiation.promise"].create(
                {"negotiation_id": other.id, "date": day(7), "amount": 300.0}
            )
        with at(20):
            self.env["debt.negotiation"].with_user(
                SUPERUSER_ID
            )._cron_monitor_agreements()
        Result = self.env["debt.negotiation.result"]
        Result.env.flush_all()
        result = Result.search([("negotiation_id", "=", case.id)])
        self.assertRecordValues(
            result,
            [
                {
                    "state": "settled",
                    "date_open": day(1),
                    "date_agreement": day(3),
                    "days_to_agreement": 2,
                    "amount_recovered": 800.0,
                    "amount_outstanding": 0.0,
                    "discount_granted": 200.0,
                    "recovery_rate": 100.0,
                }
            ],
        )
        other_result = Result.search([("negotiation_id", "=", other.id)])
        self.assertRecordValues(
            other_result,
            [
                {
                    "amount_recovered": 0.0,
                    "amount_outstanding": 1000.0,
                    "recovery_rate": 0.0,
                    "promise_kept_count": 0,
                    "promise_broken_count": 1,
                    "promise_kept_rate": 0.0,
                    "days_to_agreement": 0,
                }
            ],
        )
        # the pivot's totals, per negotiator
        groups = Result._read_group(
            [("negotiation_id", "in", (case | other).ids)],
            [],
            ["amount_recovered:sum", "discount_granted:sum", "__count"],
        )
        self.assertEqual(groups, [(800.0, 200.0, 2)])

    def test_a_credit_note_is_not_money_recovered(self):
        """Review F12 (issue 24): a credit note issued because the invoice
        was wrong is credited, not recovered: Results show it apart and the
        Cash Forecast's Received counts the payments only."""
        with at(1):
            case = self._case_due(overdue=1)
            invoice = case.invoice_ids
        with at(3):
            # credited in full ("Reverse": the credit note reconciled)
            invoice._reverse_moves(
                [{"ref": "Wrong price", "invoice_date": day(3), "date": day(3)}],
                cancel=True,
            )
        self.assertEqual(invoice.amount_residual, 0.0)
        self.env.flush_all()
        result = self.env["debt.negotiation.result"].search(
            [("negotiation_id", "=", case.id)]
        )
        self.assertRecordValues(
            result, [{"amount_recovered": 0.0, "amount_credited": 1000.0}]
        )
        forecast = self.env["debt.negotiation.forecast"].search(
            [("negotiation_id", "=", case.id), ("kind", "=", "received")]
        )
        self.assertFalse(forecast, "a credit note is not cash received")
