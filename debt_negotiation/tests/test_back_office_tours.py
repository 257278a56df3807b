# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Chromium tours of the back office (issue 24): a credit controller's
flows, clicking every action button on the way. A button that raises fails
the tour. The tours are static/tests/tours/debt_negotiation_back_office_tour.js."""

from odoo.tests import HttpCase, tagged

from .common import DebtNegotiationCommon

CASE_URL = "/odoo/action-debt_negotiation.action_debt_negotiation/%s"


@tagged("post_install", "-at_install")
class TestBackOfficeTours(DebtNegotiationCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agency = cls.env["res.partner"].create(
            {
                "name": "Tour Collections",
                "is_company": True,
                "email": "claims@tour-collections.example.com",
                "street": "1 Recovery Road",
                "city": "Springfield",
            }
        )
        cls.company.write(
            {
                "negotiation_agency_id": cls.agency.id,
                "negotiation_interest_rate": 8.0,
                "negotiation_compensation_amount": 40.0,
            }
        )
        cls.debtor.write({"street": "1 Main Street", "city": "Brussels"})
        # the tours run as the admin, in the test company
        cls.env.ref("base.user_admin").write(
            {
                "company_ids": [(4, cls.company.id)],
                "company_id": cls.company.id,
            }
        )

    def _tour(self, url, name):
        self.start_tour(url, name, login="admin", timeout=180)

    def test_due_today_both_run_buttons(self):
        self._start_case(self._create_invoice(days_overdue=10))
        self._tour(
            "/odoo/action-debt_negotiation.action_debt_negotiation_followup_preview",
            "debt_negotiation_due_today",
        )

    def test_invoice_to_agreement(self):
        invoice, _other = self._create_overdue_invoices(amounts=(1200.0, 850.0))
        self._tour(
            f"/odoo/action-account.action_move_out_invoice_type/{invoice.id}",
            "debt_negotiation_invoice_to_agreement",
        )
        case = invoice.negotiation_id
        self.assertEqual(len(case.invoice_ids), 2, "the other overdue invoice added")
        self.assertEqual(case.state, "agreement")
        self.assertEqual(case.promise_ids.state, "superseded")
        self.assertTrue(case.agreement_id.letter_id)

    def test_dispute_to_escalation(self):
        case = self._start_case(self._create_overdue_invoices(amounts=(2150.0, 660.0)))
        self._tour(CASE_URL % case.id, "debt_negotiation_dispute_to_escalation")
        self.assertEqual(case.state, "escalated")
        self.assertTrue(case.handover_dossier_id)

    def test_esign_request(self):
        case = self._start_case()
        offer = self._create_offer(case, amount=900.0)
        offer.action_propose()
        self._tour(CASE_URL % case.id, "debt_negotiation_esign_request")
        self.assertEqual(case.agreement_ids.state, "cancelled")
        self.assertEqual(offer.state, "proposed")
