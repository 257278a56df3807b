# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""My Day: what a negotiator does today, most pressing first."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from .common import DebtNegotiationCommon
from .test_performance import view_specification


@tagged("post_install", "-at_install")
class TestMyDay(DebtNegotiationCommon):
    def _my_day(self, user=None):
        """The cases of My Day for ``user``, as its action lists them."""
        Case = self.env["debt.negotiation"].with_user(user or self.negotiation_user)
        return Case.search(
            [("user_id", "=", Case.env.uid), ("my_day", "=", True)],
            order="priority_score desc, id",
        )

    def _case(self, amount=1000.0, days=30, partner=None):
        invoice = self._create_invoice(
            partner=partner or self._create_debtors([{"name": f"Day {amount} {days}"}]),
            amount=amount,
            days_overdue=days,
        )
        case = self._start_case(invoice, user=self.negotiation_user)
        self.assertEqual(case.user_id, self.negotiation_user)
        # nothing due until a test says so
        case.sudo().next_action_date = self.today + timedelta(days=30)
        return case

    def test_each_reason_brings_the_case_and_says_why(self):
        quiet = self._case(amount=100)
        followup = self._case(amount=200)
        followup.sudo().next_action_date = self.today
        promise = self._case(amount=300)
        self.env["debt.negotiation.promise"].create(
            {"negotiation_id": promise.id, "date": self.today, "amount": 50}
        )
        counter = self._case(amount=400)
        self.Offer.create(
            {
                "negotiation_id": counter.id,
                "origin": "debtor",
                "offer_type": "settlement",
                "amount": 350,
                "first_due_date": self.today + timedelta(days=5),
            }
        ).sudo().action_propose()
        call = self._case(amount=500)
        call.activity_schedule(
            "debt_negotiation.mail_activity_type_negotiation_call",
            date_deadline=self.today,
            user_id=self.negotiation_user.id,
        )
        letter = self._case(amount=600)
        letter._generate_letter("reminder", channel="post")

        my_day = self._my_day()
        self.assertNotIn(quiet, my_day)
        expected = {
            followup: "Follow-up due",
            promise: "Promise due",
            counter: "Counter-offer to answer",
            call: "Call planned",
            letter: "Letter to send",
        }
        for case, reason in expected.items():
            self.assertIn(case, my_day)
            self.assertIn(reason, case.my_day_reasons)
        self.assertFalse(quiet.my_day)
        self.assertFalse(quiet.my_day_reasons)
        # another negotiator's day is not mine
        self.assertFalse(self._my_day(self.negotiation_manager) & my_day)

    def test_a_late_installment(self):
        case, _offer = self._open_case_with_agreement(
            offer_type="payment_plan",
            installment_count=2,
            interval="month",
            first_due_date=self.today + timedelta(days=5),
        )
        case.user_id = self.negotiation_user
        case.sudo().next_action_date = self.today + timedelta(days=60)
        first = case.installment_ids.sorted("due_date")[:1]
        with freeze_time(first.due_date + timedelta(days=1)):
            self.env["debt.negotiation"]._cron_monitor_agreements()
            self.assertIn(first.state, ("late", "missed"))
            self.assertIn("Installment late", case.my_day_reasons)
            self.assertIn(case, self._my_day())

    def test_most_pressing_first(self):
        small = self._case(amount=100, days=10)
        large = self._case(amount=100000, days=10)
        old = self._case(amount=100, days=200)
        for case in small | large | old:
            case.sudo().next_action_date = self.today
        self.assertEqual(self._my_day()[:3], large | old | small)
        self.assertGreater(old.priority_score, small.priority_score)
        # why the debtor does not pay weighs in
        before = small.priority_score
        small.nonpayment_reason = "insolvency"
        self.assertAlmostEqual(small.priority_score, before + 20.0, places=2)

    def test_recomputed_every_night(self):
        case = self._case(amount=1000, days=10)
        before = case.priority_score
        with freeze_time(self.today + timedelta(days=30)):
            self.env.ref(
                "debt_negotiation.ir_cron_refresh_priorities"
            ).method_direct_trigger()
            case.invalidate_recordset(["priority_score"])
            self.assertAlmostEqual(case.priority_score, before + 10.0, places=2)

    def test_closed_cases_have_no_priority(self):
        case = self._case()
        case.sudo().action_cancel()
        self.assertEqual(case.priority_score, 0.0)
        self.assertNotIn(case, self._my_day())

    def test_a_fixed_number_of_queries_whatever_the_load(self):
        """The My Day list as the web client reads it: the same queries for
        a day of 5 cases and of 60."""
        view = self.env.ref("debt_negotiation.view_debt_negotiation_my_day_list")
        Case = self.env["debt.negotiation"].with_user(self.negotiation_user)
        spec = view_specification(Case, "list", view)
        domain = [("user_id", "=", self.negotiation_user.id), ("my_day", "=", True)]

        def read():
            Case.env.invalidate_all()
            return Case.web_search_read(
                domain, spec, order="priority_score desc", limit=80
            )

        def due_cases(count):
            for index in range(count):
                case = self._case(amount=100 + index, days=5 + index)
                case.sudo().next_action_date = self.today

        due_cases(5)
        read()
        queries = self.env.cr.sql_log_count
        self.assertEqual(read()["length"], 5)
        small = self.env.cr.sql_log_count - queries
        due_cases(55)
        read()
        queries = self.env.cr.sql_log_count
        self.assertEqual(read()["length"], 60)
        self.assertEqual(self.env.cr.sql_log_count - queries, small)

    def _clone_cases(self, case, count):
        """``count`` copies of ``case`` (its invoices, amounts and dates),
        each for a debtor of its own (one open case per debtor), written in
        SQL: a day of thousands of cases built in seconds."""
        partners = self.env["res.partner"].create(
            [
                {"name": f"Day Debtor {index}", "is_company": True}
                for index in range(count)
            ]
        )
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() "
            "AND table_name = 'debt_negotiation' "
            "AND column_name NOT IN ('id', 'name', 'partner_id', 'access_token')"
        )
        columns = [row[0] for row in cr.fetchall()]
        cr.execute(
            SQL(
                "INSERT INTO debt_negotiation (name, partner_id, %(columns)s) "
                "SELECT c.name || '-' || p.id, p.id, %(values)s "
                "FROM debt_negotiation c, res_partner p "
                "WHERE c.id = %(case)s AND p.id = ANY(%(partners)s) RETURNING id",
                columns=SQL(", ").join(SQL.identifier(col) for col in columns),
                values=SQL(", ").join(SQL.identifier("c", col) for col in columns),
                case=case.id,
                partners=partners.ids,
            )
        )
        ids = [row[0] for row in cr.fetchall()]
        cr.execute(
            "INSERT INTO debt_negotiation_account_move_rel (negotiation_id, move_id) "
            "SELECT new.id, rel.move_id FROM unnest(%s) AS new(id), "
            "debt_negotiation_account_move_rel rel WHERE rel.negotiation_id = %s",
            [ids, case.id],
        )
        self.env.invalidate_all()
        return self.env["debt.negotiation"].browse(ids)

    def test_a_day_of_2000_cases_in_a_fixed_number_of_queries(self):
        """My Day's first page as the web client reads it (the action's
        domain, its "My Cases" filter, the list view's fields, 80 rows): the
        same queries for a day of 100 cases and of 2,000; a day of 20 needs
        one query less (one page: the web client counts no further)."""
        view = self.env.ref("debt_negotiation.view_debt_negotiation_my_day_list")
        Case = self.env["debt.negotiation"].with_user(self.negotiation_user)
        spec = view_specification(Case, "list", view)
        domain = [("my_day", "=", True), ("user_id", "=", self.negotiation_user.id)]

        def read():
            Case.env.invalidate_all()
            return Case.web_search_read(
                domain, spec, order="priority_score desc, id", limit=80
            )

        def queries(count):
            read()  # warm-up: the new rows, the caches of the registry
            before = self.env.cr.sql_log_count
            result = read()
            self.assertEqual(result["length"], count)
            self.assertEqual(len(result["records"]), min(count, 80))
            return self.env.cr.sql_log_count - before

        case = self._case(amount=1500, days=40)
        case.sudo().next_action_date = self.today
        self._clone_cases(case, 19)
        small = queries(20)
        self._clone_cases(case, 80)
        page = queries(100)
        self.assertEqual(page, small + 1, "one query more: the count")
        self.assertLessEqual(page, 25)
        self._clone_cases(case, 1900)
        read()
        with self.assertQueryCount(page):
            result = read()
        self.assertEqual(result["length"], 2000)
        self.assertEqual(queries(2000), page)

    def test_the_results_by_why_unpaid(self):
        case = self._case(amount=700)
        case.write({"nonpayment_reason": "cash_flow", "ability_to_pay": "partial"})
        groups = (
            self.env["debt.negotiation.result"]
            .with_user(self.negotiation_manager)
            ._read_group(
                [("negotiation_id", "=", case.id)],
                ["nonpayment_reason", "ability_to_pay"],
                ["amount_outstanding:sum"],
            )
        )
        self.assertEqual(groups, [("cash_flow", "partial", 700.0)])
