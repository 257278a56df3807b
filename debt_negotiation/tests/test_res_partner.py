# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import Form, tagged

from .common import DebtNegotiationCommon


@tagged("post_install", "-at_install")
class TestResPartner(DebtNegotiationCommon):
    """What debtors show of their negotiations, and the letter block."""

    def test_partner_smart_button_stats(self):
        first = self._start_case(self._create_overdue_invoices(amounts=(300.0, 200.0)))
        self.assertEqual(self.debtor.negotiation_count, 1)
        self.assertEqual(self.debtor.negotiation_amount_due, 500.0)
        first.action_cancel()
        second = self._start_case(self._create_invoice(amount=120.0))
        self.assertEqual(self.debtor.negotiation_count, 2)
        self.assertEqual(
            self.debtor.negotiation_amount_due,
            120.0,
            "only open cases count as under negotiation",
        )
        self.assertEqual(self.debtor.negotiation_currency_id, self.company.currency_id)
        self.assertEqual(
            self.debtor_contact.negotiation_count,
            2,
            "a contact shows the cases of its company",
        )
        self.assertEqual(self.debtor_2.negotiation_count, 0)
        action = self.debtor_contact.action_view_negotiations()
        self.assertEqual(action["res_model"], "debt.negotiation")
        self.assertEqual(self.Negotiation.search(action["domain"]), first | second)

    def test_partner_stats_convert_foreign_currency_cases(self):
        code = "EUR" if self.company.currency_id.name != "EUR" else "USD"
        currency = self.setup_other_currency(code, rates=[("2000-01-01", 2.0)])
        self._start_case(self._create_invoice(amount=300.0, currency=currency))
        self.assertEqual(self.debtor.negotiation_count, 1)
        self.assertEqual(self.debtor.negotiation_currency_id, self.company.currency_id)
        self.assertAlmostEqual(
            self.debtor.negotiation_amount_due,
            150.0,
            msg="300 at a rate of 2 is 150 in the company currency",
        )

    def test_negotiation_blocked_flag(self):
        case = self._start_case()
        self.assertFalse(case.negotiation_blocked)
        with Form(self.debtor) as partner_form:
            partner_form.negotiation_blocked = True
            with self.assertRaises(AssertionError):
                partner_form.save()  # the reason is required
            partner_form.negotiation_blocked_reason = "Under legal guardianship"
        self.assertTrue(self.debtor.negotiation_blocked)
        self.assertEqual(
            self.debtor.negotiation_blocked_reason, "Under legal guardianship"
        )
        self.assertTrue(case.negotiation_blocked)
