# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The credit hold (issue 27, point 4): a debtor with a case escalated or
broken is on credit hold (and, by company option, from the final notice or
from a number of days past due), released when the case is settled or its
agreement back in force; a manager may hold a customer by hand, with a
reason."""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import FollowupCommon, at, day


@tagged("post_install", "-at_install")
class TestCreditHold(FollowupCommon):
    def _monitor(self):
        return self._negotiation_root()._cron_monitor_agreements()

    def _refresh(self):
        self._negotiation_root()._cron_refresh_priorities()

    def test_escalated_case_holds_and_settlement_releases(self):
        with at(10):
            case = self._case_due(overdue=10)
            case.user_id = self.negotiation_user
            self.assertFalse(self.debtor.negotiation_credit_hold)
            case.action_escalate()
            self.assertTrue(case.credit_hold)
            self.assertTrue(self.debtor.negotiation_credit_hold)
            self.assertEqual(self.debtor.negotiation_credit_hold_case_id, case)
            reason = self.debtor.negotiation_credit_hold_reason
            self.assertIn(case.name, reason)
            self.assertIn("Escalated", reason)
            self.assertIn(self.negotiation_user.name, reason)
            # shown on its contacts and on the case
            self.assertEqual(self.debtor_contact.negotiation_credit_hold_reason, reason)
            self.assertTrue(case.partner_credit_hold)
            # paid: settled by the next run, the hold is released
            self._register_payment(case.invoice_ids)
            self._cron()
            self.assertEqual(case.state, "settled")
            self.assertFalse(self.debtor.negotiation_credit_hold)
            self.assertFalse(self.debtor.negotiation_credit_hold_reason)

    def test_broken_agreement_holds_until_back_in_force(self):
        with at(10):
            case = self._case_due(overdue=10)
            offer = self._plan(case, amount=900.0, count=2, first_due=day(20))
            self._confirm_agreement(offer)
            self.assertFalse(self.debtor.negotiation_credit_hold)
            first = case.installment_ids.sorted("due_date")[0]
        broken_on = (first.due_date - day(0)).days
        broken_on += self.company.negotiation_grace_days + 1
        with at(broken_on):
            self._monitor()
            self.assertEqual(case.state, "broken")
            self.assertTrue(self.debtor.negotiation_credit_hold)
        with at(broken_on + 2):
            self._register_payment(case.invoice_ids, amount=first.amount)
            self._monitor()
            self.assertEqual(case.state, "agreement")
            self.assertFalse(self.debtor.negotiation_credit_hold)

    def test_company_options_final_notice_and_days_past_due(self):
        with at(10):
            case = self._case_due(overdue=10)
            self.company.negotiation_hold_final_notice = True
        for offset in range(10, 80):
            with at(offset):
                self._cron()
            if "final_notice" in self._letters(case).mapped("letter_type"):
                break
        with at(offset):
            self.assertEqual(case.state, "open")
            self.assertTrue(self.debtor.negotiation_credit_hold)
            self.company.negotiation_hold_final_notice = False
            self.assertFalse(self.debtor.negotiation_credit_hold)
            # from 90 days past due: not yet
            self.company.negotiation_hold_days_overdue = 90
            self.assertFalse(self.debtor.negotiation_credit_hold)
        with at(90):
            # the nightly refresh counts the days
            self._refresh()
            self.assertTrue(self.debtor.negotiation_credit_hold)
        with self.assertRaises(ValidationError):
            self.company.negotiation_hold_days_overdue = -1
        self.env["res.config.settings"].create(
            {"negotiation_hold_days_overdue": 120}
        ).execute()
        self.assertEqual(self.company.negotiation_hold_days_overdue, 120)

    def test_manager_holds_by_hand_with_a_reason(self):
        debtor = self.debtor_2
        # a negotiator cannot, by the action or by writing the fields
        with self.assertRaises(AccessError):
            debtor.with_user(self.negotiation_user).action_negotiation_credit_hold()
        with self.assertRaises(AccessError):
            debtor.with_user(self.negotiation_user).write(
                {
                    "negotiation_credit_hold_manual": True,
                    "negotiation_credit_hold_manual_reason": "x",
                }
            )
        manager_debtor = debtor.with_user(self.negotiation_manager)
        action = manager_debtor.action_negotiation_credit_hold()
        Wizard = (
            self.env[action["res_model"]]
            .with_user(self.negotiation_manager)
            .with_context(**action["context"])
        )
        with self.assertRaises(UserError):
            Wizard.create({"reason": "   "}).action_confirm()
        with self.assertRaises(ValidationError):
            debtor.write({"negotiation_credit_hold_manual": True})
        self.assertFalse(debtor.negotiation_credit_hold)
        Wizard.create({"reason": "Insolvency proceedings announced"}).action_confirm()
        self.assertTrue(debtor.negotiation_credit_hold)
        self.assertIn(
            "Insolvency proceedings announced", debtor.negotiation_credit_hold_reason
        )
        manager_debtor.action_negotiation_release_credit_hold()
        self.assertFalse(debtor.negotiation_credit_hold)
