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
