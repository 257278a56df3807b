# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Ageing, the receivable's health and the statement of account."""

import io

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools.pdf import PdfFileReader

from .common import DebtNegotiationCommon, PdfRenderingMixin


@tagged("post_install", "-at_install")
class TestAging(DebtNegotiationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.aged_debtor = cls._create_debtors([{"name": "Aged Debtor Ltd"}])
        for amount, days in ((100, -5), (200, 10), (300, 45), (400, 75), (500, 120)):
            cls._create_invoice(
                partner=cls.aged_debtor, amount=amount, days_overdue=days
            )
        # a credit note, 20 days old, and a payment on account not applied
        cls._create_invoice(
            partner=cls.aged_debtor, amount=50, days_overdue=20, move_type="out_refund"
        )

    def _row(self, partner, user=None):
        Aging = self.env["debt.negotiation.aging"]
        if user:
            Aging = Aging.with_user(user)
        return Aging.search([("partner_id", "=", partner.id)])

    def test_open_items_by_days_past_due(self):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.aged_debtor.id,
                "amount": 30.0,
                "journal_id": self.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        row = self._row(self.aged_debtor)
        self.assertRecordValues(
            row,
            [
                {
                    "company_id": self.company.id,
                    "amount_not_due": 100.0,
                    "amount_1_30": 200.0 - 50.0,
                    "amount_31_60": 300.0,
                    "amount_61_90": 400.0,
                    "amount_over_90": 500.0,
                    "amount_total": 1450.0,
                    "amount_overdue": 1350.0,
                    "amount_unapplied": -30.0,
                    "negotiation_id": False,
                }
            ],
        )

    def test_paid_items_leave_and_the_case_shows(self):
        invoice = self._create_invoice(
            partner=self.debtor_2, amount=700, days_overdue=40
        )
        self._create_invoice(partner=self.debtor_2, amount=300, days_overdue=40)
        case = self._start_case(invoice)
        case.user_id = self.negotiation_user
        self._register_payment(invoice)
        self.assertRecordValues(
            self._row(self.debtor_2),
            [
                {
                    "amount_31_60": 300.0,
                    "amount_total": 300.0,
                    "negotiation_id": case.id,
                    "user_id": self.negotiation_user.id,
                    "stage_id": case.stage_id.id,
                }
            ],
        )

    def test_pivot_by_negotiator_and_bucket(self):
        groups = self.env["debt.negotiation.aging"]._read_group(
            [("partner_id", "=", self.aged_debtor.id)],
            ["user_id"],
            ["amount_over_90:sum", "amount_total:sum"],
        )
        self.assertEqual(groups, [(self.env["res.users"], 500.0, 1450.0)])

    def test_other_companies_stay_hidden(self):
        self._create_invoice(
            partner=self.aged_debtor, amount=999, company=self.company_2
        )
        rows = self._row(self.aged_debtor, user=self.negotiation_user)
        self.assertEqual(rows.company_id, self.company)
        rows_2 = self._row(self.aged_debtor, user=self.user_company_2)
        self.assertEqual(rows_2.mapped("amount_total"), [999.0])

    def test_from_the_partner(self):
        action = self.aged_debtor.with_user(
            self.negotiation_user
        ).action_view_negotiation_aging()
        rows = self.env["debt.negotiation.aging"].search(action["domain"])
        self.assertEqual(rows.partner_id, self.aged_debtor)


@tagged("post_install", "-at_install")
class TestReceivableHealth(DebtNegotiationCommon):
    def _health(self, month, level="company", user=False):
        return self.env["debt.negotiation.health"].search(
            [
                ("company_id", "=", self.company.id),
                ("month", "=", month),
                ("level", "=", level),
                ("user_id", "=", user),
            ]
        )

    def test_month_by_month(self):
        Health = self.env["debt.negotiation.health"]
        debtor = self._create_debtors([{"name": "Health Debtor Ltd"}])
        with freeze_time("2026-01-15"):
            jan = self._create_invoice(partner=debtor, amount=3100, days_overdue=0)
        with freeze_time("2026-02-10"):
            self._create_invoice(partner=debtor, amount=2800, days_overdue=0)
            self._register_payment(jan, amount=1000.0)
        with freeze_time("2026-03-20"):
            self._create_invoice(partner=debtor, amount=620, days_overdue=0)
            case = self._start_case(jan)
            case.user_id = self.negotiation_manager
            Health._update(self.company)
        # other debtors of the test company exist: compare the negotiator's
        # rows (only this debtor's case) against figures worked out by hand
        jan_row = self._health(
            fields_date("2026-01-01"), "negotiator", self.negotiation_manager.id
        )
        feb_row = self._health(
            fields_date("2026-02-01"), "negotiator", self.negotiation_manager.id
        )
        mar_row = self._health(
            fields_date("2026-03-01"), "negotiator", self.negotiation_manager.id
        )
        # January 31: 3,100 owed, invoiced 3,100 in 31 days -> DSO 31
        self.assertRecordValues(
            jan_row,
            [
                {
                    "date": fields_date("2026-01-31"),
                    "receivable": 3100.0,
                    "sales": 3100.0,
                    "dso": 31.0,
                }
            ],
        )
        # February 28: 2,100 + 2,800 owed; 2,800 invoiced in February (28 days)
        # and 3,100 in January: 28 + 31 * 2,100 / 3,100 = 49.0 days;
        # collected 1,000 of 3,100 + 2,800 - 0 (nothing owed is due later)
        self.assertRecordValues(
            feb_row,
            [
                {
                    "receivable": 4900.0,
                    "sales": 2800.0,
                    "dso": 49.0,
                    "cei": round(100 * (3100 + 2800 - 4900) / (3100 + 2800 - 0), 2),
                    "receivable_over_90": 0.0,
                }
            ],
        )
        # March 20 (today): 5,520 owed; 620 invoiced in the 20 days of March
        self.assertRecordValues(
            mar_row,
            [{"date": fields_date("2026-03-20"), "receivable": 5520.0, "sales": 620.0}],
        )
        self.assertAlmostEqual(
            mar_row.dso, 20 + 28 + 31 * (5520 - 620 - 2800) / 3100, places=1
        )
        # the company row holds at least this debtor
        self.assertGreaterEqual(
            self._health(fields_date("2026-03-01")).receivable, 5520.0
        )

    def test_update_is_idempotent_and_past_months_are_kept(self):
        Health = self.env["debt.negotiation.health"]
        with freeze_time("2026-05-10"):
            Health._update(self.company)
            count = Health.search_count([("company_id", "=", self.company.id)])
            Health._update(self.company)
            self.assertEqual(
                Health.search_count([("company_id", "=", self.company.id)]), count
            )
            april = self._health(fields_date("2026-04-01"))
            self.assertEqual(april.date, fields_date("2026-04-30"))
        with freeze_time("2026-05-11"):
            Health._update(self.company)
            self.assertEqual(
                self._health(fields_date("2026-04-01")),
                april,
                "April is not taken again",
            )
            self.assertEqual(
                self._health(fields_date("2026-05-01")).date, fields_date("2026-05-11")
            )

    def test_promise_kept_rate_and_the_cron(self):
        case = self._start_case(self._create_invoice(amount=400, days_overdue=20))
        promises = self.env["debt.negotiation.promise"].create(
            [
                {"negotiation_id": case.id, "date": self.today, "amount": 100},
                {"negotiation_id": case.id, "date": self.today, "amount": 100},
            ]
        )
        self.env["debt.negotiation.promise"].browse(promises[0].id).sudo()._write(
            {"state": "kept"}
        )
        self.env["debt.negotiation.promise"].browse(promises[1].id).sudo()._write(
            {"state": "broken"}
        )
        self.env.ref(
            "debt_negotiation.ir_cron_receivable_health"
        ).method_direct_trigger()
        row = self._health(self.today.replace(day=1))
        self.assertRecordValues(
            row, [{"promises_kept": 1, "promises_broken": 1, "promise_kept_rate": 50.0}]
        )

    def test_only_managers_read_it(self):
        self.env["debt.negotiation.health"]._update(self.company)
        with self.assertRaises(AccessError):
            self.env["debt.negotiation.health"].with_user(self.negotiation_user).search(
                []
            )
        self.assertTrue(
            self.env["debt.negotiation.health"]
            .with_user(self.negotiation_manager)
            .search([])
        )


def fields_date(text):
    return fields.Date.to_date(text)


@tagged("post_install", "-at_install")
class TestStatement(DebtNegotiationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.st_debtor = cls._create_debtors(
            [
                {
                    "name": "Statement Debtor Ltd",
                    "email": "ap@statement.example.com",
                    "ref": "C-77",
                }
            ]
        )
        cls.overdue = cls._create_invoice(
            partner=cls.st_debtor, amount=1200, days_overdue=40
        )
        cls.not_due = cls._create_invoice(
            partner=cls.st_debtor, amount=300, days_overdue=-10
        )
        cls.refund = cls._create_invoice(
            partner=cls.st_debtor, amount=100, days_overdue=5, move_type="out_refund"
        )

    def _statement(self, partner, company=None):
        report = self.env["report.debt_negotiation.report_statement"]
        return report._statement(partner, company or self.company)

    def test_every_open_item_with_totals_and_buckets(self):
        statement = self._statement(self.st_debtor)
        (section,) = statement["currencies"]
        self.assertEqual(
            [(i["move"], i["kind"], i["open"]) for i in section["documents"]],
            [
                (self.overdue, "invoice", 1200.0),
                (self.refund, "credit_note", -100.0),
                (self.not_due, "invoice", 300.0),
            ],
        )
        self.assertEqual(section["balance"], 1400.0)
        self.assertEqual(section["overdue"], 1100.0)
        self.assertEqual(
            section["buckets"],
            {
                "not_due": 300.0,
                "1_30": -100.0,
                "31_60": 1200.0,
                "61_90": 0.0,
                "over_90": 0.0,
            },
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "debt_negotiation.action_report_statement", self.st_debtor.ids
            )[0]
            .decode()
        )
        for text in (
            "Statement of Account",
            "C-77",
            self.overdue.name,
            self.not_due.name,
            "Not yet due",
            "40 days late",
            "(credit note)",
        ):
            self.assertIn(text, html)

    def test_unapplied_payments_other_currencies_and_the_case(self):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.st_debtor.id,
                "amount": 50.0,
                "journal_id": self.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        other_currency = self.setup_other_currency(
            "EUR" if self.company.currency_id.name != "EUR" else "USD"
        )
        foreign = self._create_invoice(
            partner=self.st_debtor, amount=80, currency=other_currency, days_overdue=3
        )
        case = self._start_case(self.overdue)
        statement = self._statement(self.st_debtor)
        by_currency = {s["currency"]: s for s in statement["currencies"]}
        self.assertEqual(set(by_currency), {self.company.currency_id, other_currency})
        self.assertEqual(by_currency[self.company.currency_id]["total_payments"], -50.0)
        self.assertEqual(by_currency[self.company.currency_id]["balance"], 1350.0)
        self.assertEqual(
            [i["move"] for i in by_currency[other_currency]["documents"]], [foreign]
        )
        self.assertEqual(statement["cases"], case)

    def test_nothing_open_is_a_statement_too(self):
        clean = self._create_debtors([{"name": "Clean Ltd"}])
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("debt_negotiation.action_report_statement", clean.ids)[0]
            .decode()
        )
        self.assertIn("Nothing is open on your account", html)

    def test_print_from_the_partner_and_the_case(self):
        action = self.st_debtor.with_user(
            self.negotiation_user
        ).action_print_negotiation_statement()
        self.assertEqual(action["report_name"], "debt_negotiation.report_statement")
        case = self._start_case(self.overdue)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "debt_negotiation.action_report_case_statement", case.ids
            )[0]
            .decode()
        )
        self.assertIn(case.name, html)
        self.assertIn(
            self.not_due.name, html, "not yet due invoices are on the statement"
        )

    def test_email_to_many_with_the_refusals_listed(self):
        no_email = self._create_debtors([{"name": "No Email Ltd"}])
        partners = (self.st_debtor | no_email).with_user(self.negotiation_user)
        result = partners.action_send_negotiation_statement()
        self.assertIn("No Email Ltd: no email address", result["params"]["message"])
        message = self.st_debtor.message_ids[:1]
        self.assertEqual(message.partner_ids, self.st_debtor)
        self.assertEqual(message.author_id, self.negotiation_user.partner_id)
        # the statement report attached (tests render reports as HTML)
        self.assertEqual(len(message.attachment_ids), 1)
        self.assertTrue(
            message.attachment_ids.name.startswith("Statement - Statement Debtor Ltd")
        )
        mail = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        self.assertTrue(mail, "the statement is emailed")
        self.assertFalse(no_email.message_ids.filtered(lambda m: m.attachment_ids))


@tagged("post_install", "-at_install")
class TestStatementPortal(PdfRenderingMixin, DebtNegotiationCommon, HttpCase):
    def test_many_statements_in_parallel_runs_in_order(self):
        """Statements of several debtors printed at once: chunks converted by
        several wkhtmltopdf runs, merged in the debtors' order."""
        debtors = self._create_debtors(
            [{"name": f"Parallel Debtor {index}"} for index in range(3)]
        )
        for debtor in debtors:
            self._create_invoice(partner=debtor, amount=100, days_overdue=10)
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("debt_negotiation.letter_pdf_batch_size", "1")
        params.set_param("debt_negotiation.letter_pdf_workers", "2")
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        content, kind = Report._render_qweb_pdf(
            "debt_negotiation.action_report_statement", debtors.ids
        )
        self.assertEqual(kind, "pdf")
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        self.assertEqual(reader.getNumPages(), 3)
        for index in range(3):
            text = reader.getPage(index).extractText()
            self.assertIn(f"Parallel Debtor {index}", text)

    def test_the_debtor_downloads_its_statement_and_invoices(self):
        invoice = self._create_invoice(amount=640, days_overdue=15)
        not_due = self._create_invoice(amount=90, days_overdue=-20)
        case = self._start_case(invoice)
        token = case._portal_ensure_token()
        response = self.url_open(
            f"/my/negotiations/{case.id}/statement?access_token={token}"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF") or response.content)
        # without the token: refused
        response = self.url_open(
            f"/my/negotiations/{case.id}/statement", allow_redirects=False
        )
        self.assertIn(response.status_code, (302, 303))
        # the case page links to the statement and to each invoice's PDF
        page = self.url_open(f"/my/negotiations/{case.id}?access_token={token}").text
        self.assertIn(
            f"/my/negotiations/{case.id}/statement?access_token={token}", page
        )
        self.assertIn(f"/my/invoices/{invoice.id}?access_token=", page)
        self.assertIn("report_type=pdf", page)
        pdf = self.url_open(invoice.get_portal_url(report_type="pdf", download=True))
        self.assertEqual(pdf.status_code, 200)
        self.assertNotIn(
            not_due.name, page, "the case page lists the case's invoices only"
        )
