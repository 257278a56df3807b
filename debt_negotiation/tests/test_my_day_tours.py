# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Chromium tours of issue 26: the negotiator's My Day, and the debtor
downloading its statement of account and its invoices from its case page.
The tours are static/tests/tours/debt_negotiation_my_day_tour.js and
debt_negotiation_statement_tour.js."""

import io
from datetime import timedelta

from odoo.tests import HttpCase, tagged
from odoo.tools.pdf import PdfFileReader

from .common import DebtNegotiationCommon, PdfRenderingMixin


@tagged("post_install", "-at_install")
class TestMyDayTour(DebtNegotiationCommon, HttpCase):
    def _case(self, name, amount, user):
        debtor = self._create_debtors([{"name": name}])
        invoice = self._create_invoice(partner=debtor, amount=amount, days_overdue=30)
        case = self._start_case(invoice, user=user)
        self.assertEqual(case.user_id, user)
        case.sudo().next_action_date = self.today
        return case

    def test_my_day_most_pressing_first_and_done_from_the_case(self):
        user = self.negotiation_user
        largest = self._case("Largest Debtor", 90000.0, user)
        # the debtor's counter-offer waits for an answer; no follow-up due
        largest.sudo().next_action_date = self.today + timedelta(days=20)
        counter = self.Offer.create(
            {
                "negotiation_id": largest.id,
                "origin": "debtor",
                "offer_type": "settlement",
                "amount": 60000.0,
                "first_due_date": self.today + timedelta(days=5),
            }
        )
        counter.sudo().action_propose()
        middle = self._case("Middle Debtor", 9000.0, user)
        smallest = self._case("Smallest Debtor", 900.0, user)
        # a colleague's case, more pressing, is not on my day
        self._case("Colleague Debtor", 500000.0, self.negotiation_manager)
        self.assertEqual(largest.my_day_reasons, "Counter-offer to answer")
        self.assertGreater(largest.priority_score, middle.priority_score)
        self.assertGreater(middle.priority_score, smallest.priority_score)

        self.start_tour("/odoo", "debt_negotiation_my_day", login=user.login)

        self.assertEqual(counter.state, "rejected")
        self.assertFalse(largest.my_day)
        self.assertTrue(middle.my_day and smallest.my_day)


@tagged("post_install", "-at_install")
class TestStatementTour(PdfRenderingMixin, DebtNegotiationCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = cls._create_portal_user(
            "debtor_portal", "Paula Portal", cls.debtor
        )
        cls.outsider = cls._create_portal_user(
            "other_portal", "Oscar Other", cls.debtor_2
        )
        cls.invoices = cls._create_overdue_invoices(amounts=(640.0, 360.0))
        cls.not_due = cls._create_invoice(amount=90.0, days_overdue=-20)
        cls.case = cls.env["debt.negotiation"]._open_case_for_invoices(cls.invoices)
        cls.other_case = cls.env["debt.negotiation"]._open_case_for_invoices(
            cls._create_invoice(partner=cls.debtor_2, amount=300.0)
        )

    def _statement_url(self, case=None, token=None):
        url = f"/my/negotiations/{(case or self.case).id}/statement"
        return f"{url}?access_token={token}" if token else url

    def _assert_refused(self, url):
        response = self.url_open(url, allow_redirects=False)
        self.assertIn(response.status_code, (303, 403, 404), response.text[:300])
        if response.status_code == 303:
            self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertNotIn(b"%PDF", response.content[:1024])

    def test_the_debtor_downloads_its_statement_and_invoices(self):
        """In Chromium: the debtor's case page links to the statement and to
        each invoice's PDF, and each link gives a PDF."""
        self.start_tour(
            f"/my/negotiations/{self.case.id}",
            "debt_negotiation_statement_download",
            login="debtor_portal",
        )
        # what the debtor gets: its statement, as a PDF file
        self.authenticate("debtor_portal", "debtor_portal")
        response = self.url_open(self._statement_url())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        disposition = response.headers["Content-Disposition"]
        self.assertTrue(disposition.startswith("attachment"))
        self.assertIn(self.case.name.replace("/", "_") + ".pdf", disposition)
        # Odoo renders reports as HTML in test mode: the same statement is
        # rendered by wkhtmltopdf here (a request rendering a real PDF would
        # wait forever for wkhtmltopdf, which loads the report's assets from
        # this test server while the request holds the test cursor)
        for move in self.invoices | self.not_due:
            self.assertIn(move.name, response.text)
        pdf, filename = (
            self.case.sudo().with_context(force_report_rendering=True)._statement_pdf()
        )
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertEqual(filename, f"Statement {self.case.name}.pdf".replace("/", "_"))
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        text = "".join(
            reader.getPage(index).extractText() for index in range(reader.getNumPages())
        )
        for move in self.invoices | self.not_due:
            self.assertIn(move.name, text)
        self.assertIn(self.case.name, text)
        self.assertIn("Statement of Account", text)

    def test_a_stranger_gets_no_statement(self):
        token = self.case._portal_ensure_token()
        # another debtor, logged in: not its case
        self.authenticate("other_portal", "other_portal")
        self._assert_refused(self._statement_url())
        # a wrong token, or another case's token
        self.authenticate(None, None)
        self._assert_refused(self._statement_url(token="not-the-token"))
        self._assert_refused(
            self._statement_url(token=self.other_case._portal_ensure_token())
        )
        self._assert_refused(self._statement_url(case=self.other_case, token=token))
        # no such case
        self._assert_refused(f"/my/negotiations/{self.other_case.id + 1000}/statement")
        # the right token works
        response = self.url_open(self._statement_url(token=token))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
