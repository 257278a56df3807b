# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Bulk work from the case lists: each case done or refused on its own,
one summary with the reasons."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import DebtNegotiationCommon


@tagged("post_install", "-at_install")
class TestBulk(DebtNegotiationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.with_email, cls.without_email = cls._create_debtors(
            [
                {"name": "Bulk Mail Ltd", "email": "ap@bulk.example.com"},
                {"name": "Bulk Paper Ltd", "street": "1 Paper Street", "city": "Liège"},
            ]
        )

    def _cases(self):
        cases = self.env["debt.negotiation"]
        for partner in (self.with_email, self.without_email):
            cases |= self._start_case(
                self._create_invoice(partner=partner, days_overdue=30),
                user=self.negotiation_user,
            )
        return cases.with_user(self.negotiation_user)

    def test_email_current_letters_refusals_listed(self):
        cases = self._cases()
        result = cases.action_bulk_send_letter()
        params = result["params"]
        self.assertIn("Done: 1.", params["message"])
        self.assertIn("Bulk Paper Ltd has no email address", params["message"])
        mailed, refused = cases.sorted(lambda c: c.partner_id != self.with_email)
        letter = mailed.letter_ids
        self.assertEqual((letter.channel, letter.state), ("email", "sent"))
        self.assertFalse(refused.letter_ids, "nothing half-done on a refused case")

    def test_print_current_letters_as_one_pdf(self):
        cases = self._cases()
        result = cases.action_bulk_print_letter()
        self.assertIn("Done: 2.", result["params"]["message"])
        letters = cases.letter_ids
        self.assertEqual(set(letters.mapped("channel")), {"post"})
        self.assertEqual(set(letters.mapped("state")), {"to_send"})
        report = result["params"]["next"]
        self.assertEqual(report["type"], "ir.actions.report")
        self.assertEqual(sorted(report["context"]["active_ids"]), sorted(letters.ids))

    def test_escalate_refuses_a_case_with_a_disputed_invoice(self):
        cases = self._cases()
        disputed = cases[0]
        disputed.action_dispute("Wrong price", invoices=disputed.invoice_ids)
        result = cases.action_bulk_escalate()
        self.assertIn("Done: 1.", result["params"]["message"])
        self.assertIn(
            "disputed: escalate it from the case", result["params"]["message"]
        )
        self.assertEqual(disputed.state, "open")
        self.assertEqual(cases[1].state, "escalated")

    def test_give_to_a_negotiator_is_a_managers_action(self):
        cases = self._cases()
        with self.assertRaises(AccessError):
            cases._assign_negotiator(self.negotiation_manager)
        wizard = (
            self.env["debt.negotiation.assign.wizard"]
            .with_user(self.negotiation_manager)
            .with_context(active_model="debt.negotiation", active_ids=cases.ids)
            .create({"user_id": self.negotiation_manager.id})
        )
        result = wizard.action_confirm()
        self.assertIn("Done: 2.", result["params"]["message"])
        self.assertEqual(cases.user_id, self.negotiation_manager)
        # a user of another company cannot take them
        result = cases.with_user(self.negotiation_manager)._assign_negotiator(
            self.user_company_2
        )
        self.assertIn("Done: 0.", result["params"]["message"])
        self.assertEqual(cases.user_id, self.negotiation_manager)

    def test_email_statements(self):
        cases = self._cases()
        result = cases.action_bulk_email_statement()
        self.assertIn("Done: 1.", result["params"]["message"])
        self.assertIn("Bulk Paper Ltd: no email address", result["params"]["message"])
        self.assertTrue(self.with_email.message_ids.filtered("attachment_ids"))
