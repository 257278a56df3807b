# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The right people, by role (issue 27, point 3): a step writes to the
debtor's contact of a role and copies others; the check before the step
reads the recipients actually used; the letter records them."""

from odoo.tests import tagged

from .common import FollowupCommon, at


@tagged("post_install", "-at_install")
class TestRecipients(FollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a debtor whose company record has no email address
        cls.firm = cls.partners[0]
        cls.firm.email = False
        Partner = cls.env["res.partner"]
        cls.payable = Partner.create(
            {
                "name": "Alice Payable",
                "parent_id": cls.firm.id,
                "type": "contact",
                "email": "alice.ap@example.com",
                "negotiation_contact_role": "accounts_payable",
            }
        )
        cls.owner = Partner.create(
            {
                "name": "Oscar Owner",
                "parent_id": cls.firm.id,
                "type": "contact",
                "email": "oscar@example.com",
                "negotiation_contact_role": "owner",
            }
        )
        cls.negotiation_user.email = "ned.sales@example.com"

    def _reminder_step(self, **vals):
        step = self.steps["reminder"].sudo()
        step.write(vals)
        return step

    def _case(self):
        invoice = self._create_invoice(partner=self.firm, days_overdue=10)
        invoice.invoice_user_id = self.negotiation_user
        return self._start_case(invoice)

    def test_step_writes_to_the_role_and_copies_owner_and_salesperson(self):
        self._reminder_step(
            recipient_role="accounts_payable", cc_role="owner", cc_salesperson=True
        )
        with at(10):
            case = self._case()
            self.assertEqual(
                case._letter_recipients(self.steps["reminder"])[0], self.payable
            )
            self._cron()
            letters = self._letters(case)
            self.assertEqual(letters.mapped("channel"), ["email"])
            self.assertFalse(case.followup_error)
            self.assertEqual(
                letters.recipient_ids,
                self.payable | self.owner | self.negotiation_user.partner_id,
            )
            message = case.message_ids.filtered(
                lambda m: (
                    letters.attachment_id.name in m.attachment_ids.mapped("name")
                    and m.message_type == "comment"
                )
            )[:1]
            self.assertTrue(message)
            self.assertEqual(
                message.partner_ids,
                self.payable | self.owner | self.negotiation_user.partner_id,
            )

    def test_without_the_role_the_check_names_the_contact_used(self):
        # nobody of that role: the invoicing contact, here the firm itself
        # without an email address, so the letter goes by post (the firm
        # has an address) and the shortfall names who it would email
        self.payable.negotiation_contact_role = False
        self._reminder_step(recipient_role="accounts_payable")
        with at(10):
            case = self._case()
            self._cron()
            letters = self._letters(case)
            self.assertEqual(letters.mapped("channel"), ["post"])
            self.assertFalse(letters.recipient_ids)
            notes = " ".join(case.message_ids.mapped("body"))
            self.assertIn(self.firm.name, notes)
            self.assertIn("no valid email address", notes)

    def test_default_step_keeps_the_invoicing_contact(self):
        invoicing = self.env["res.partner"].create(
            {
                "name": "Ivy Invoices",
                "parent_id": self.firm.id,
                "type": "invoice",
                "email": "ivy@example.com",
            }
        )
        with at(10):
            case = self._case()
            self._cron()
            letters = self._letters(case)
            self.assertEqual(letters.mapped("channel"), ["email"])
            self.assertFalse(letters.recipient_ids)
            self.assertEqual(
                case._letter_recipients(self.steps["reminder"]),
                (invoicing, self.env["res.partner"]),
            )

    def test_bouncing_address_is_a_problem_and_the_letter_goes_by_post(self):
        self._reminder_step(recipient_role="accounts_payable", channel="both")
        self.payable.message_bounce = 3
        with at(10):
            case = self._case()
            self._cron()
            letters = self._letters(case)
            self.assertEqual(letters.mapped("channel"), ["post"])
            notes = " ".join(case.message_ids.mapped("body"))
            self.assertIn("alice.ap@example.com", notes)
            self.assertIn("bounce", notes)
