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
