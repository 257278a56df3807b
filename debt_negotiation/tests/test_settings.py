# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import DebtNegotiationCommon


@tagged("post_install", "-at_install")
class TestSettings(DebtNegotiationCommon):
    """The negotiation settings of the companies."""

    def test_settings_reject_negative_auto_open_days(self):
        with self.assertRaises(ValidationError):
            self.company.negotiation_auto_open_days = -1

    def test_settings_fields(self):
        expense = self.company_data["default_account_expense"]
        settings = self.env["res.config.settings"].create(
            {
                "negotiation_department": "Credit Desk",
                "negotiation_phone": "+1 555 0100",
                "negotiation_email": "credit@example.com",
                "negotiation_disclaimer": "This is a demand for payment.",
                "negotiation_response_days": 21,
                "negotiation_grace_days": 3,
                "negotiation_writeoff_account_id": expense.id,
            }
        )
        settings.execute()
        self.assertRecordValues(
            self.company,
            [
                {
                    "negotiation_department": "Credit Desk",
                    "negotiation_phone": "+1 555 0100",
                    "negotiation_email": "credit@example.com",
                    "negotiation_disclaimer": "This is a demand for payment.",
                    "negotiation_response_days": 21,
                    "negotiation_grace_days": 3,
                    "negotiation_writeoff_account_id": expense.id,
                }
            ],
        )

    def test_company_defaults_and_bad_settings(self):
        self.assertEqual(self.company.negotiation_response_days, 14)
        self.assertEqual(self.company.negotiation_grace_days, 5)
        with self.assertRaises(ValidationError):
            self.company.negotiation_response_days = 0
        with self.assertRaises(ValidationError):
            self.company.negotiation_grace_days = -1
        self.assertEqual(self.company.negotiation_response_days, 14)
        self.assertEqual(self.company.negotiation_grace_days, 5)

    def test_writeoff_account_is_an_expense_and_journal_is_used(self):
        income = self.company_data["default_account_revenue"]
        with self.assertRaises(ValidationError):
            self.company.negotiation_writeoff_account_id = income
        journal = self.env["account.journal"].create(
            {
                "name": "Bad Debts",
                "code": "BDBT",
                "type": "general",
                "company_id": self.company.id,
            }
        )
        self.company.negotiation_writeoff_journal_id = journal
        case, _offer = self._open_case_with_agreement(amount=600.0)
        agreement = case.agreement_id
        self.assertEqual(agreement._writeoff_journal_and_account()[0], journal)
        self._register_payment(case.invoice_ids, amount=600.0)
        self.env["debt.negotiation"]._cron_monitor_agreements()
        self.assertEqual(case.state, "settled")
        self.assertEqual(agreement.writeoff_move_id.journal_id, journal)

    def test_settings_name_another_follow_up_module(self):
        """Coexistence (issue 27, point 5): with Odoo's follow-ups or OCA
        credit control installed, the settings say so."""
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.negotiation_other_dunning)
        Module = self.env["ir.module.module"].sudo()
        module = Module.search([("name", "=", "account_credit_control")])
        if module:
            module.state = "installed"
        else:
            Module.create({"name": "account_credit_control", "state": "installed"})
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(
            settings.negotiation_other_dunning,
            "OCA Credit Control (account_credit_control)",
        )
