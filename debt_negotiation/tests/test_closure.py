# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The closure letter: a settled case thanks its debtor, once, for its
records; played through the real crons and real payments."""

import re

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import html2plaintext

from ..controllers.portal import DebtNegotiationPortal
from .common import FollowupCommon, at, day

LETTER_REPORT = "debt_negotiation.action_report_debt_negotiation_letter"
# What a closure letter never says: no demand, no deadline, no threat.
DEMANDS = (
    "respond by",
    "Please pay",
    "How to respond",
    "Amount claimed",
    "What happens next",
    "deadline",
    "collection",
    "escalat",
    "Legal notice",
)


@tagged("post_install", "-at_install")
class TestClosureLetter(FollowupCommon):
    def _monitor(self):
        return self._negotiation_root()._cron_monitor_agreements()

    def _closure(self, case):
        return self._letters(case).filtered(lambda lt: lt.letter_type == "closure")

    def _text(self, letter):
        html = self.env["ir.actions.report"]._render_qweb_html(
            LETTER_REPORT, letter.ids
        )[0]
        html = html.decode() if isinstance(html, bytes) else html
        html = re.sub(r"<style.*?</style>", "", html, flags=re.S)
        text = re.sub(r"\s+", " ", html2plaintext(html)).strip()
        return re.sub(r" ([,.:])", r"\1", text)

    def _money(self, amount):
        html = self.env["ir.qweb.field.monetary"].value_to_html(
            amount, {"display_currency": self.company.currency_id}
        )
        return re.sub(r"\s+", " ", html2plaintext(html)).strip()

    def _assert_no_demand(self, text):
        for words in DEMANDS:
            self.assertNotIn(words.lower(), text.lower(), words)

    # ------------------------------------------------------------------
    # Paid in full
    # ------------------------------------------------------------------
    def test_paid_in_full_thanked_once_by_email(self):
        with at(7):
            case = self._case_due(overdue=7)
            self._cron()
            self.assertEqual(self._letters(case).letter_type, "reminder")
        with at(15):
            self._register_payment(case.invoice_ids)
        with at(16):
            self._cron()
            self.assertEqual(case.state, "settled")
            letter = self._closure(case)
            self.assertRecordValues(
                letter,
                [
                    {
                        "channel": "email",
                        "state": "sent",
                        "amount_due": 0.0,
                        "response_deadline": False,
                        "next_date": False,
                        "offer_id": False,
                    }
                ],
            )
            self.assertTrue(letter.attachment_id)
            emails = case.message_ids.filtered(
                lambda m: "Your account is settled" in (m.subject or "")
            )
            self.assertEqual(len(emails), 1)
            self.assertIn(case.letter_recipient_id, emails.partner_ids)
            self.assertEqual(len(emails.attachment_ids), 1)
            self.assertEqual(emails.attachment_ids.raw, letter.attachment_id.raw)
            text = self._text(letter)
            self.assertIn("Your Account Is Settled: Thank You", text)
            self.assertIn(
                "Thank you. We have received payment in full of your invoices: "
                f"{self._money(1000.0)} in total.",
                text,
            )
            self.assertIn(self._money(1000.0), text)
            self.assertIn("Invoices settled", text)
            self.assertIn(case.invoice_ids.name, text)
            self.assertIn("Received", text)
            self.assertNotIn("Credited or Written Off", text)
            self.assertNotIn("agreement", text.lower())
            self._assert_no_demand(text)
        with at(17):
            # both crons again: never a second closure letter
            self._cron()
            self._monitor()
            self.assertEqual(len(self._closure(case)), 1)
            with self.assertRaisesRegex(UserError, "already has its closure letter"):
                case._generate_letter("closure")
            # the current letter of a settled case is its closure letter
            self.assertEqual(self.Letter._current_letters(case), self._closure(case))
        # the debtor finds it among the letters of its page
        self.assertIn(letter, DebtNegotiationPortal._sent_letters(case.sudo()))

    def test_paid_partly_by_credit_note(self):
        """A credit note settled part of the debt: the letter says what was
        received and what was credited, never "paid in full"."""
        with at(10):
            case = self._case_due(overdue=10)
            credit_note = self._create_invoice(
                amount=300.0, days_overdue=0, move_type="out_refund"
            )
            (case.invoice_ids.line_ids | credit_note.line_ids).filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            ).reconcile()
            self._register_payment(case.invoice_ids)
            self._cron()
            self.assertEqual(case.state, "settled")
            letter = self._closure(case)
            text = self._text(letter)
            self.assertIn(
                "Your invoices are settled: we have received "
                f"{self._money(700.0)}, and {self._money(300.0)} "
                "was credited to your account or written off.",
                text,
            )
            self.assertIn("Credited or Written Off", text)
            self.assertNotIn("payment in full", text)
            self._assert_no_demand(text)

    # ------------------------------------------------------------------
    # Agreement kept
    # ------------------------------------------------------------------
    def test_settlement_fulfilled_states_amount_and_write_off(self):
        with at(10):
            case = self._case_due(overdue=10)
            offer = self._create_offer(case, amount=800.0, first_due_date=day(20))
            offer.action_propose()
            self._confirm_agreement(offer)
        with at(20):
            self._register_payment(case.invoice_ids, amount=800.0)
            self._monitor()
            self.assertEqual(case.state, "settled")
            agreement = case.agreement_ids
            self.assertEqual(agreement.state, "fulfilled")
            self.assertEqual(agreement.writeoff_amount, 200.0)
            letter = self._closure(case)
            self.assertRecordValues(
                letter,
                [{"channel": "email", "state": "sent", "offer_id": offer.id}],
            )
            text = self._text(letter)
            self.assertIn("You have kept our payment agreement of", text)
            self.assertIn(f"we have received the {self._money(800.0)} agreed", text)
            self.assertIn(
                f"as agreed, written off the remaining {self._money(200.0)}", text
            )
            self.assertNotIn("payment in full", text)
            # the terms and the schedule of the agreement are not repeated
            self.assertNotIn("Payment schedule", text)
            self.assertNotIn("Our proposal", text)
            self._assert_no_demand(text)
            self._monitor()
            self._cron()
            self.assertEqual(len(self._closure(case)), 1)

    def test_plan_fulfilled_without_write_off(self):
        """A plan for the whole amount, kept: the amount agreed received,
        nothing written off, nothing said about a write-off."""
        with at(10):
            case = self._case_due(overdue=10)
            offer = self._plan(case, amount=1000.0, count=2, first_due=day(20))
            self._confirm_agreement(offer)
        with at(20):
            self._register_payment(case.invoice_ids, amount=500.0)
            self._monitor()
            self.assertFalse(self._closure(case))
        with at(50):
            self._register_payment(case.invoice_ids)
            self._monitor()
            self.assertEqual(case.state, "settled")
            text = self._text(self._closure(case))
            self.assertIn(f"we have received the {self._money(1000.0)} agreed.", text)
            self.assertNotIn("written off", text)
            self.assertNotIn("credited", text)
            self._assert_no_demand(text)

    # ------------------------------------------------------------------
    # Who gets it, and how
    # ------------------------------------------------------------------
    def test_blocked_debtor_letter_kept_not_sent(self):
        partner = self.partners[0]
        partner.negotiation_blocked = True
        with at(10):
            case = self._case_due(partner=partner, overdue=10)
            self._register_payment(case.invoice_ids)
            self._cron()
            self.assertEqual(case.state, "settled")
            self.assertRecordValues(
                self._closure(case), [{"channel": "post", "state": "to_send"}]
            )
            self.assertFalse(
                case.message_ids.filtered(
                    lambda m: "Your account is settled" in (m.subject or "")
                )
            )
            self.assertTrue(
                case.message_ids.filtered(
                    lambda m: "Closure letter not sent" in (m.body or "")
                )
            )

    def test_debtor_without_email_gets_it_by_post(self):
        partner = self.partners[1]
        partner.email = False
        with at(10):
            case = self._case_due(partner=partner, overdue=10)
            self._register_payment(case.invoice_ids)
            self._monitor()
            self.assertEqual(case.state, "settled")
            self.assertRecordValues(
                self._closure(case), [{"channel": "post", "state": "to_send"}]
            )

    # ------------------------------------------------------------------
    # Checked like every letter
    # ------------------------------------------------------------------
    def test_closure_letter_only_for_a_settled_case(self):
        with at(10):
            case = self._case_due(overdue=10)
            with self.assertRaisesRegex(UserError, "is not settled"):
                case._generate_letter("closure")
            self._register_payment(case.invoice_ids, amount=999.0)
            with self.assertRaisesRegex(UserError, "is not settled"):
                case._generate_letter("closure")
            self.assertFalse(self._closure(case))
            # nor can it be written by hand or made a follow-up step
            with self.assertRaises(UserError):
                self.Letter.create(
                    {"negotiation_id": case.id, "letter_type": "closure"}
                )
            with self.assertRaisesRegex(ValidationError, "closure letter"):
                self.steps["reminder"].sudo().letter_type = "closure"
