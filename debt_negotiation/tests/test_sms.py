# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""SMS as a ladder channel (issue 27, point 1), with Odoo's own SMS test
helpers: no IAP call is made."""

from odoo.tests import tagged

from odoo.addons.sms.tests.common import SMSCase

from .common import FollowupCommon, at, day


@tagged("post_install", "-at_install")
class TestSmsChannel(FollowupCommon, SMSCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.steps["reminder"].sudo().channel = "sms"

    def test_the_step_texts_the_debtor_with_its_case_link(self):
        self.debtor.mobile = "+32 470 12 34 56"
        with at(10):
            case = self._case_due(overdue=10)
            with self.mockSMSGateway():
                self._cron()
            self.assertFalse(case.followup_error)
            self.assertFalse(self._letters(case), "a text, not a letter")
            self.assertSMSOutgoing(self.debtor, "+32470123456", content=case.name)
            sms = self._find_sms_sms(self.debtor, "+32470123456", "outgoing")
            self.assertIn(case._portal_link(), sms.body)
            self.assertIn("overdue", sms.body)
            logged = case.interaction_ids.filtered(lambda i: i.channel == "sms")
            self.assertEqual(logged.direction, "outbound")
            self.assertEqual(logged.summary, sms.body)
            self.assertTrue(
                case.message_ids.filtered(
                    lambda m: m.message_type == "sms" and case.name in m.body
                )
            )
            # Odoo's SMS queue sends it (IAP mocked)
            with self.mockSMSGateway():
                self.env["sms.sms"].sudo()._process_queue()
            self.assertSMSIapSent(["+32470123456"], content=case.name)

    def test_no_mobile_or_an_invalid_one_is_a_problem_on_the_case(self):
        self.debtor.write({"mobile": False, "phone": False})
        with at(10):
            case = self._case_due(overdue=10)
            with self.mockSMSGateway():
                self._cron()
            self.assertIn("has no mobile number", case.followup_error)
            self.assertFalse(
                case.interaction_ids.filtered(lambda i: i.channel == "sms")
            )
        self.debtor.mobile = "12"
        with at(11):
            with self.mockSMSGateway():
                self._cron()
            self.assertIn("is not valid", case.followup_error)
            self.assertIn("12", case.followup_error)
        self.debtor.mobile = "+32 470 12 34 56"
        with at(12):
            with self.mockSMSGateway():
                self._cron()
            self.assertFalse(case.followup_error)
            self.assertSMSOutgoing(self.debtor, "+32470123456", content=case.name)

    def test_installment_reminder_and_late_notice_by_sms_too(self):
        """A debtor with a mobile number gets the installment reminder and
        the late notice by SMS alongside the email."""
        self.company.negotiation_installment_reminder_days = 3
        self.debtor.mobile = "+32 470 12 34 56"
        with at(10):
            case = self._case_due(overdue=10)
            offer = self._plan(case, amount=1000.0, count=2, first_due=day(20))
            self._confirm_agreement(offer)
        monitor = self._negotiation_root()._cron_monitor_agreements
        with at(17), self.mockSMSGateway():
            monitor()
            self.assertSMSOutgoing(self.debtor, "+32470123456", content="is due on")
        with at(21), self.mockSMSGateway():
            monitor()
            self.assertSMSOutgoing(self.debtor, "+32470123456", content="is late")
        texts = case.interaction_ids.filtered(lambda i: i.channel == "sms")
        self.assertEqual(len(texts), 2)
