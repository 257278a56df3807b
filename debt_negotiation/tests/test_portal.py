# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged

from .common import DebtNegotiationCommon


@tagged("post_install", "-at_install")
class TestPortal(DebtNegotiationCommon, HttpCase):
    """The debtor's portal pages: its own cases only, never the creditor's
    minimum, and what it writes there lands in the interaction log."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = cls._create_portal_user(
            "debtor_portal", "Paula Portal", cls.debtor
        )
        cls.other_portal_user = cls._create_portal_user(
            "other_portal", "Oscar Other", cls.debtor_2
        )
        cls.invoice = cls._create_overdue_invoices(amounts=(1234.5,))
        cls.case = cls.env["debt.negotiation"]._open_case_for_invoices(cls.invoice)
        cls.case.sudo().minimum_amount = 987.65

    def test_debtor_lists_and_reads_its_case(self):
        self.authenticate("debtor_portal", "debtor_portal")
        listing = self.url_open("/my/negotiations")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(self.case.name, listing.text)
        page = self.url_open(f"/my/negotiations/{self.case.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.case.name, page.text)
        self.assertIn(self.invoice.name, page.text)
        self.assertIn("1,234.50", page.text)
        self.assertNotIn("987.65", page.text, "the minimum must never be shown")

    def test_other_debtor_is_turned_away(self):
        self.authenticate("other_portal", "other_portal")
        listing = self.url_open("/my/negotiations")
        self.assertNotIn(self.case.name, listing.text)
        page = self.url_open(f"/my/negotiations/{self.case.id}")
        self.assertNotIn(self.case.name, page.text)
        self.assertTrue(page.url.endswith("/my"), page.url)

    def test_access_token_link(self):
        self.case._portal_ensure_token()
        anonymous = self.url_open(f"/my/negotiations/{self.case.id}")
        self.assertNotIn(self.invoice.name, anonymous.text)
        page = self.url_open(
            f"/my/negotiations/{self.case.id}?access_token={self.case.access_token}"
        )
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.invoice.name, page.text)

    def test_access_url(self):
        self.assertEqual(self.case.access_url, f"/my/negotiations/{self.case.id}")

    def test_debtor_message_is_logged_as_interaction(self):
        self.case.message_post(
            body="We can pay half now and the rest next month.",
            author_id=self.portal_user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        interaction = self.case.interaction_ids.filtered(
            lambda i: i.channel == "portal"
        )
        self.assertEqual(len(interaction), 1)
        self.assertEqual(interaction.direction, "inbound")
        self.assertEqual(interaction.contact_name, "Paula Portal")
        self.assertIn("half now", interaction.summary)

    def test_internal_note_is_not_logged_as_debtor_contact(self):
        self.case.message_post(
            body="Called the bank.",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.assertFalse(
            self.case.interaction_ids.filtered(lambda i: i.channel == "portal")
        )

    def test_debtor_sees_only_sent_letters(self):
        letter = self.case._generate_letter("reminder")
        self.assertEqual(letter.state, "to_send")
        self.assertTrue(letter.attachment_id)
        url = f"/my/negotiations/{self.case.id}/letter/{letter.id}"
        self.authenticate("debtor_portal", "debtor_portal")
        page = self.url_open(f"/my/negotiations/{self.case.id}")
        self.assertNotIn(url, page.text, "a letter not sent yet is not shown")
        self.assertEqual(self.url_open(url).status_code, 404)
        letter.action_mark_sent()
        page = self.url_open(f"/my/negotiations/{self.case.id}")
        self.assertIn(url, page.text)
        download = self.url_open(url)
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.content, letter.attachment_id.raw)
        self.assertIn("attachment", download.headers["Content-Disposition"])

    def test_debtor_counter_offer_is_shown_as_its_own(self):
        counter = self.env["debt.negotiation.offer"].create(
            {
                "negotiation_id": self.case.id,
                "origin": "debtor",
                "offer_type": "settlement",
                "amount": 432.1,
                "first_due_date": self.today,
            }
        )
        counter.action_propose()
        self.authenticate("debtor_portal", "debtor_portal")
        page = self.url_open(f"/my/negotiations/{self.case.id}")
        self.assertEqual(page.status_code, 200)
        # as the debtor's own, never as our proposal to accept
        self.assertIn("Your counter-offer", page.text)
        self.assertIn("432.10", page.text)
        self.assertNotIn(f"/offer/{counter.id}/accept", page.text)
        self.assertNotIn("Our proposal", page.text)
