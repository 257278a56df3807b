# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Confirming an order of a customer on credit hold (issue 27, point 4)."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import SaleCreditHoldCommon


@tagged("post_install", "-at_install")
class TestSaleCreditHold(SaleCreditHoldCommon):
    def test_salesperson_refused_with_the_case_and_its_negotiator(self):
        order = self._quotation()
        case = self._escalated_case()
        self.assertTrue(order.negotiation_credit_hold)
        with self.assertRaises(UserError) as refusal:
            order.action_confirm()
        message = refusal.exception.args[0]
        self.assertIn(self.debtor.name, message)
        self.assertIn(case.name, message)
        self.assertIn("Ned Negotiator", message)
        self.assertIn("negotiation manager", message)
        self.assertEqual(order.state, "draft")
        # no way around it by writing the override on the order
        with self.assertRaises(AccessError):
            order.write({"negotiation_hold_override_reason": "I say so"})
        with self.assertRaises(AccessError):
            order.action_negotiation_override_credit_hold()
        with self.assertRaises(AccessError):
            self.env["debt.negotiation.sale.hold.wizard"].with_user(
                self.salesperson
            ).create({"order_id": order.id, "reason": "x"}).action_confirm()

    def test_manager_overrides_with_a_reason_logged_on_the_case(self):
        order = self._quotation()
        case = self._escalated_case()
        manager_order = order.with_user(self.negotiation_manager)
        # the plain button refuses a manager too: the override needs a reason
        with self.assertRaises(UserError):
            manager_order.action_confirm()
        action = manager_order.action_negotiation_override_credit_hold()
        Wizard = (
            self.env[action["res_model"]]
            .with_user(self.negotiation_manager)
            .with_context(**action["context"])
        )
        with self.assertRaises(UserError):
            Wizard.create({"reason": "  "}).action_confirm()
        self.assertEqual(order.state, "draft")
        with Form(Wizard) as wizard:
            self.assertIn(case.name, wizard.credit_hold_reason)
            wizard.reason = "Paid in advance by bank transfer"
        wizard.record.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(
            order.negotiation_hold_override_reason, "Paid in advance by bank transfer"
        )
        self.assertEqual(
            order.negotiation_hold_override_user_id, self.negotiation_manager
        )
        logged = case.interaction_ids.filtered(lambda i: order.name in i.summary)
        self.assertEqual(len(logged), 1)
        self.assertIn("Paid in advance by bank transfer", logged.summary)
        self.assertIn("Nora Manager", logged.summary)
        self.assertEqual(logged.user_id, self.negotiation_manager)
        # a copy of the order is held again
        copy = order.copy()
        self.assertFalse(copy.sudo().negotiation_hold_override_user_id)
        with self.assertRaises(UserError):
            copy.with_user(self.salesperson).action_confirm()

    def test_released_hold_confirms_and_other_customers_are_free(self):
        free = self._quotation(partner=self.debtor_2)
        free.action_confirm()
        self.assertEqual(free.state, "sale")
        self.assertFalse(free.negotiation_credit_hold)
        case = self._escalated_case()
        order = self._quotation()
        self._register_payment(case.invoice_ids)
        self.env["debt.negotiation"].sudo()._settle_paid_cases()
        self.assertEqual(case.state, "settled")
        self.assertFalse(order.negotiation_credit_hold)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_hold_set_by_hand_blocks_and_override_noted_on_the_customer(self):
        self.debtor_2.with_user(self.negotiation_manager)._negotiation_set_credit_hold(
            "Insolvency proceedings announced"
        )
        order = self._quotation(partner=self.debtor_2)
        with self.assertRaises(UserError) as refusal:
            order.action_confirm()
        self.assertIn("Insolvency proceedings announced", refusal.exception.args[0])
        self.env["debt.negotiation.sale.hold.wizard"].with_user(
            self.negotiation_manager
        ).create({"order_id": order.id, "reason": "Cash on delivery"}).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertIn(
            "Cash on delivery",
            self.debtor_2.message_ids[:1].body,
        )
