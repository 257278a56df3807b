# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Chromium: a salesperson opens a quotation of a customer on credit hold
and sees the banner naming the case and its negotiator
(static/tests/tours/debt_negotiation_sale_hold_tour.js)."""

from odoo.tests import HttpCase, tagged

from .common import SaleCreditHoldCommon


@tagged("post_install", "-at_install")
class TestSaleCreditHoldTour(SaleCreditHoldCommon, HttpCase):
    def test_the_quotation_shows_the_hold(self):
        case = self._escalated_case()
        order = self._quotation()
        self.start_tour(
            f"/odoo/sales/{order.id}",
            "debt_negotiation_sale_hold_banner",
            login=self.salesperson.login,
        )
        self.assertIn(case.name, order.negotiation_credit_hold_reason)
        self.assertEqual(order.state, "draft")

    def test_a_manager_confirms_with_a_reason(self):
        case = self._escalated_case()
        order = self._quotation()
        self.start_tour(
            f"/odoo/sales/{order.id}",
            "debt_negotiation_sale_hold_override",
            login=self.negotiation_manager.login,
        )
        self.assertEqual(order.state, "sale")
        self.assertTrue(
            case.interaction_ids.filtered(
                lambda i: "Paid in advance by bank transfer" in i.summary
            )
        )
