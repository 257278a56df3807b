# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import io
import logging
import re
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.tests import BaseCase, Form, HttpCase, tagged
from odoo.tools import html2plaintext
from odoo.tools.pdf import PdfFileReader

from ..models import debt_negotiation_letter_pdf as letter_pdf
from ..models.res_company import DEFAULT_DISCLAIMER
from ..models.workflow import internal, without_pdf
from .common import (
    DebtNegotiationCommon,
    PdfRenderingMixin,
    WkhtmltopdfBuildNoiseFilter,
)

LETTER_REPORT = "debt_negotiation.action_report_debt_negotiation_letter"
CASE_REPORT = "debt_negotiation.action_report_negotiation_letter"
INVOICE_REPORT = "debt_negotiation.action_report_invoice_negotiation_letter"
AGREEMENT_REPORT = "debt_negotiation.action_report_agreement_letter"
# wkhtmltopdf builds on unpatched Qt warn about the header/footer switches.


def page_count(pdf_content):
    return PdfFileReader(io.BytesIO(pdf_content), strict=False).getNumPages()


@tagged("post_install", "-at_install")
class TestLetters(PdfRenderingMixin, DebtNegotiationCommon, HttpCase):
    """Letters. An HttpCase: the PDF tests run wkhtmltopdf, which loads
    the report assets from the test server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # wkhtmltopdf loads the report assets from this test server.
        cls.env["ir.config_parameter"].set_param("report.url", cls.base_url())
        cls.company.write(
            {
                "negotiation_department": "Credit Control Unit",
                "negotiation_phone": "+32 2 555 01 23",
                "negotiation_email": "credit@company.example.com",
                "negotiation_disclaimer": "This letter is a formal notice under "
                "applicable law.",
                "negotiation_response_days": 10,
            }
        )
        cls.debtor.write(
            {"street": "7 Rue Haute", "city": "Namur", "zip": "5000", "ref": "CUST-042"}
        )
        cls.invoices = cls._create_invoice(
            amount=1234.56, days_overdue=40
        ) | cls._create_invoice(amount=800.0, days_overdue=20)
        cls.Letter = cls.env["debt.negotiation.letter"]
        cls.Report = cls.env["ir.actions.report"]

    def setUp(self):
        super().setUp()
        self.case = self._start_case(self.invoices)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _html(self, letters, report=LETTER_REPORT):
        html = self.Report._render_qweb_html(report, letters.ids)[0]
        return html.decode() if isinstance(html, bytes) else html

    def _text(self, html):
        return re.sub(r"\s+", " ", html2plaintext(html)).strip()

    def _generate(self, letter_type, case=None, **kwargs):
        case = case or self.case
        return without_pdf(case)._generate_letter(letter_type, **kwargs)

    def _format_money(self, amount, lang=None):
        currency = self.case.currency_id
        env = self.env(context=dict(self.env.context, lang=lang or "en_US"))
        return self._text(
            env["ir.qweb.field.monetary"].value_to_html(
                amount, {"display_currency": currency}
            )
        )

    def _assert_common(self, text, letter):
        """What every letter states."""
        case = letter.negotiation_id
        for expected in (
            case.name,  # reference
            "CUST-042",  # the debtor's account number
            "Debtor One Ltd",
            "Namur",  # address block
            "Credit Control Unit",  # department
            "+32 2 555 01 23",
            "credit@company.example.com",
            "This letter is a formal notice under applicable law.",
        ):
            self.assertIn(expected, text)
        for invoice in self.invoices:
            self.assertIn(invoice.name, text)

    def _assert_invoice_table(self, text):
        for invoice in self.invoices:
            self.assertIn(self._format_date(invoice.invoice_date), text)
            self.assertIn(self._format_date(invoice.invoice_date_due), text)
        self.assertIn(self._format_money(1234.56), text)
        self.assertIn(self._format_money(800.0), text)
        self.assertIn(self._format_money(2034.56), text)  # the total in question

    def _format_date(self, value):
        return fields.Date.to_date(value).strftime("%m/%d/%Y")

    def _agreement_case(self):
        offer = self._create_offer(
            self.case,
            offer_type="payment_plan",
            amount=2034.56,
            down_payment=234.56,
            installment_count=3,
            interval="month",
            first_due_date=self.today + timedelta(days=5),
        )
        offer.action_propose()
        self._confirm_agreement(offer, signed_by="Jane Accounts")
        return offer

    # ------------------------------------------------------------------
    # Content of each letter type
    # ------------------------------------------------------------------
    def test_reminder_content(self):
        letter = self._generate("reminder")
        self.assertEqual(letter.response_deadline, self.today + timedelta(days=10))
        text = self._text(self._html(letter))
        self._assert_common(text, letter)
        self._assert_invoice_table(text)
        self.assertIn("Payment Reminder", text)
        self.assertIn("oversight", text)
        self.assertIn("Payment reference", text)  # how to pay
        self.assertIn(self._format_date(letter.response_deadline), text)

    def test_negotiation_content_settlement(self):
        offer = self._create_offer(
            self.case,
            amount=1800.0,
            first_due_date=self.today + timedelta(days=7),
            expiry_date=self.today + timedelta(days=12),
        )
        offer.action_propose()
        self.case.next_action_date = self.today + timedelta(days=20)
        letter = self._generate("negotiation")
        self.assertEqual(letter.offer_id, offer)
        self.assertEqual(letter.response_deadline, offer.expiry_date)
        self.assertEqual(letter.next_date, self.today + timedelta(days=20))
        text = self._text(self._html(letter))
        self._assert_common(text, letter)
        self._assert_invoice_table(text)
        # the proposed terms: settlement amount and discount
        self.assertIn(self._format_money(1800.0), text)
        self.assertIn(self._format_money(234.56), text)
        self.assertIn("11.53 %", text)
        # the response deadline, how to respond and what happens next
        self.assertIn("Please respond by", text)
        self.assertIn(self._format_date(offer.expiry_date), text)
        for option in (
            "Accept our proposal",
            "Make a counter-offer",
            "Ask for clarification",
            "Dispute the claim",
        ):
            self.assertIn(option, text)
        self.assertIn("What happens next", text)
        self.assertIn(self._format_date(self.today + timedelta(days=20)), text)

    def test_negotiation_content_payment_plan(self):
        offer = self._create_offer(
            self.case,
            offer_type="payment_plan",
            amount=2034.56,
            down_payment=200.0,
            installment_count=4,
            interval="month",
            first_due_date=self.today + timedelta(days=3),
        )
        offer.action_propose()
        letter = self._generate("negotiation")
        text = self._text(self._html(letter))
        self.assertIn("Payment plan", text)
        self.assertIn("Down payment", text)
        self.assertIn(self._format_money(200.0), text)
        # 1834.56 / 4: three of 458.64, the remainder on the last
        self.assertIn(self._format_money(458.64), text)
        for due, _amount in offer._get_schedule():
            self.assertIn(self._format_date(due), text)
        # without an answer, the next step comes on the deadline
        self.assertEqual(letter.next_date, letter.response_deadline)

    def test_letters_mention_only_the_letters_that_went_out(self):
        """ "Despite our reminders" only when reminders went out: the
        negotiation letter quotes the dates of the earlier letters sent."""
        first = self._generate("negotiation")
        text = self._text(self._html(first))
        self.assertIn("The invoices below remain unpaid.", text)
        self.assertNotIn("already wrote", text)
        self.assertNotIn("Despite our reminders", text)
        earlier = self.today - timedelta(days=12)
        with freeze_time(earlier):
            reminder = self._generate("reminder")
        reminder.write({"state": "sent"})
        # an unsent letter is not one the debtor got
        with freeze_time(earlier + timedelta(days=1)):
            self._generate("reminder")
        letter = self._generate("negotiation")
        text = self._text(self._html(letter))
        self.assertIn(
            f"We already wrote to you about them on {self._format_date(earlier)}.",
            text,
        )

    def test_final_notice_content(self):
        self.case.next_action_date = self.today + timedelta(days=15)
        letter = self._generate("final_notice")
        text = self._text(self._html(letter))
        self._assert_common(text, letter)
        self._assert_invoice_table(text)
        self.assertIn("Final Notice", text)
        # what the ladder plans, and no threat it does not plan
        self.assertIn(letter._next_step_clause(), text)
        self.assertNotIn("legal proceedings", text)
        self.assertIn(self._format_date(self.today + timedelta(days=15)), text)
        self.assertIn("You can still avoid this", text)  # a last chance

    def test_agreement_content(self):
        offer = self._agreement_case()
        letter = self.case.letter_ids.filtered(lambda lt: lt.letter_type == "agreement")
        if not letter:  # the agreement wizard generates it
            letter = self._generate("agreement", offer=offer)
        letter = letter[:1]
        self.assertEqual(letter.offer_id, offer)
        self.assertEqual(letter.signed_by, "Jane Accounts")
        text = self._text(self._html(letter))
        self._assert_common(text, letter)
        self.assertIn("Agreed terms", text)
        self.assertIn("Payment schedule", text)
        for installment in self.case.installment_ids:
            self.assertIn(self._format_date(installment.due_date), text)
        self.assertIn(self._format_money(600.0), text)
        self.assertIn("If a payment is missed", text)
        self.assertIn("For the creditor", text)
        self.assertIn("For the debtor", text)
        # confirmed in writing: nobody signed, nothing to sign (issue 24)
        self.assertIn(
            f"Agreed by phone with Jane Accounts on {self._format_date(self.today)}.",
            text,
        )
        self.assertNotIn("Signed by", text)
        self.assertNotIn("Please sign", text)
        # printable from the case
        html = self._html(self.case, report=AGREEMENT_REPORT)
        self.assertIn("Jane Accounts", html)

    def test_agreement_letter_asks_a_signature_only_when_one_is_expected(self):
        """Issue 24 (review F6): the debtor's block of the agreement letter
        per confirmation mode: asked to sign and return (a blank signature,
        never "Signed by"), or signed on paper (who and when, no "please
        sign")."""
        offer = self._agreement_case()
        agreement = self.case.agreement_id
        internal(agreement).write({"ask_signature": True})
        # the signatures come from the case's agreement (issue 22)
        letter = self._generate("agreement", offer=offer)
        text = self._text(self._html(letter))
        self.assertIn("Please sign this confirmation below and return a copy", text)
        self.assertNotIn("Signed by", text)
        self.assertNotIn("Agreed by phone", text)
        internal(agreement).write(
            {"signature_mode": "countersigned", "ask_signature": False}
        )
        # the signatures come from the case's agreement (issue 22)
        letter = self._generate("agreement", offer=offer)
        text = self._text(self._html(letter))
        self.assertNotIn("Please sign", text)
        self.assertIn("Signed by: Jane Accounts", text)
        self.assertIn("Signed copy on file.", text)

    def test_agreement_wizard_says_agreed_not_signed(self):
        offer = self._create_offer(self.case, amount=2034.56)
        offer.action_propose()
        action = offer.action_accept()
        wizard = self.env[action["res_model"]].with_context(**action["context"])
        with Form(wizard) as form:
            form.agreed_channel = "meeting"
            form.signed_by = "Jane Smith, AP Manager"
        form.record.action_confirm()
        agreement = self.case.agreement_id
        self.assertRecordValues(
            agreement, [{"signature_mode": "written", "agreed_channel": "meeting"}]
        )
        summary = " ".join(self.case.interaction_ids.mapped("summary"))
        self.assertIn("Agreed in a meeting with Jane Smith, AP Manager", summary)
        self.assertNotIn("signed by Jane Smith", summary)

    def test_french_letter_has_no_english_pieces(self):
        """Issue 24 (review F17): a French debtor's letters and claim
        invoice: the suggested legal notice in French, the installments
        named in French, the interest lines in French."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["debt_negotiation"], ["fr_FR"], overwrite=True
        )
        self.company.negotiation_disclaimer = DEFAULT_DISCLAIMER
        self.debtor.lang = "fr_FR"
        text = self._text(self._html(self._generate("reminder")))
        self.assertNotIn(DEFAULT_DISCLAIMER, text)
        self.assertIn(
            self.company.with_context(lang="fr_FR")._negotiation_disclaimer_for(
                "fr_FR"
            ),
            text,
        )
        self.assertIn("Cette lettre", text)
        # an English debtor keeps the English notice
        self.assertEqual(
            self.company._negotiation_disclaimer_for("en_US"), DEFAULT_DISCLAIMER
        )
        # the installments are named in the debtor's language
        self._agreement_case()
        self.assertEqual(
            self.case.installment_ids.sorted("sequence").mapped("name"),
            ["Acompte", "Versement 1", "Versement 2", "Versement 3"],
        )
        # interest lines in the debtor's language
        self.company.write(
            {"negotiation_interest_rate": 8.0, "negotiation_compensation_amount": 40.0}
        )
        other = self._create_invoice(partner=self.debtor_2, days_overdue=30)
        self.debtor_2.lang = "fr_FR"
        case = self._start_case(other)
        case.action_claim_interest()
        lines = (case.invoice_ids - other).invoice_line_ids.mapped("name")
        self.assertTrue(lines)
        for name in lines:
            self.assertNotIn("Late-payment interest", name)
            self.assertNotIn("Recovery compensation", name)
        self.assertTrue(any("8,00" in name for name in lines), lines)

    def test_no_letter_spills_onto_a_second_page(self):
        """Issue 24 (review F18): each letter of a typical case (three
        invoices, interest and compensation, a down payment and five monthly
        installments, the suggested legal notice) fits on one page: none
        spills its closing, signatures or legal notice onto a second."""
        self.company.write(
            {
                "negotiation_disclaimer": DEFAULT_DISCLAIMER,
                "negotiation_interest_rate": 8.0,
                "negotiation_compensation_amount": 40.0,
            }
        )
        agency = self.env["res.partner"].create(
            {
                "name": "Acme Collections",
                "is_company": True,
                "email": "claims@acme.example.com",
                "street": "1 Recovery Road",
                "city": "Springfield",
                "phone": "+1 555 0199",
            }
        )
        third = self._create_invoice(amount=850.0, days_overdue=10)
        self.case.write({"invoice_ids": [(4, third.id)]})
        case = self.case.with_context(force_report_rendering=True)
        pages = {}
        for letter_type in ("reminder", "final_notice"):
            letter = case._generate_letter(letter_type)
            pages[letter_type] = page_count(letter.attachment_id.raw)
        offer = self._create_offer(
            self.case,
            offer_type="payment_plan",
            amount=self.case.amount_due,
            down_payment=400.0,
            installment_count=5,
            interval="month",
            first_due_date=self.today + timedelta(days=5),
        )
        offer.action_propose()
        letter = case._generate_letter("negotiation", offer=offer)
        pages["negotiation"] = page_count(letter.attachment_id.raw)
        self._confirm_agreement(offer)
        letter = case._generate_letter("agreement", offer=offer)
        pages["agreement"] = page_count(letter.attachment_id.raw)
        missed = self.case.installment_ids.sorted("due_date")[0]
        with freeze_time(missed.due_date + timedelta(days=2)):
            letter = case._generate_letter("broken_promise", installment=missed)
            pages["broken_promise"] = page_count(letter.attachment_id.raw)
        other = self._start_case(self._create_invoice(partner=self.debtor_2))
        other.agency_id = agency
        other.with_context(force_report_rendering=True).action_escalate()
        notice = other.letter_ids.filtered(lambda lt: lt.letter_type == "handover")
        pages["handover"] = page_count(notice.attachment_id.raw)
        self.assertEqual(pages, dict.fromkeys(pages, 1))

    def test_agreement_report_without_agreement(self):
        with self.assertRaises(UserError):
            self.Report._render_qweb_pdf(AGREEMENT_REPORT, self.case.ids)

    def test_broken_promise_content(self):
        self._agreement_case()
        missed = self.case.installment_ids.sorted("due_date")[0]
        with freeze_time(missed.due_date + timedelta(days=2)):
            letter = self._generate("broken_promise", installment=missed)
        text = self._text(self._html(letter))
        self._assert_common(text, letter)
        self.assertIn("Missed payment", text)
        self.assertIn(self._format_money(missed.amount), text)
        self.assertIn(self._format_date(missed.due_date), text)
        self.assertIn("Still due under the agreement", text)
        self.assertIn(self._format_money(2034.56), text)
        self.assertIn("Deadline to pay the missed amount", text)
        self.assertIn(self._format_date(letter.response_deadline), text)

    def test_editable_wording(self):
        wording = self.env["debt.negotiation.letter.template"]._get_for(
            "reminder", self.company
        )
        wording.write(
            {
                "title": "Friendly Nudge",
                "intro": "<p>Hello {{debtor}}, {{amount_due}} is still open "
                "on {{reference}}.</p>",
            }
        )
        text = self._text(self._html(self._generate("reminder")))
        self.assertIn("Friendly Nudge", text)
        self.assertIn(
            f"Hello Debtor One Ltd, {self._format_money(2034.56)} is still open on "
            f"{self.case.name}.",
            text,
        )
        # a company-specific wording wins over the shared one
        own = wording.copy({"company_id": self.company.id, "title": "Our Own Reminder"})
        self.assertEqual(
            self.env["debt.negotiation.letter.template"]._get_for(
                "reminder", self.company
            ),
            own,
        )

    # ------------------------------------------------------------------
    # Generating, printing from the case and from the invoice
    # ------------------------------------------------------------------
    def test_generate_letter_api(self):
        other_case = self._start_case(self._create_invoice(partner=self.debtor_2))
        cases = self.case | other_case
        letters = cases._generate_letter("reminder")
        self.assertEqual(len(letters), 2)
        self.assertEqual(letters.negotiation_id, cases)
        self.assertEqual(set(letters.mapped("state")), {"to_send"})
        self.assertEqual(set(letters.mapped("channel")), {"post"})
        for letter in letters:
            self.assertTrue(letter.attachment_id)
            self.assertEqual(letter.attachment_id.res_model, "debt.negotiation.letter")
            self.assertEqual(letter.attachment_id.res_id, letter.id)
            case = letter.negotiation_id
            self._assert_letter_noted(letter)
            interaction = case.interaction_ids.filtered(lambda i: i.channel == "letter")
            self.assertEqual(interaction.direction, "outbound")
            self.assertEqual(case.response_deadline, letter.response_deadline)
        # skipping the rendering still creates the letter; the PDF comes on
        # first print
        email_letter = without_pdf(self.case)._generate_letter(
            "negotiation", channel="email"
        )
        self.assertFalse(email_letter.attachment_id)
        self.assertEqual(
            self.case.interaction_ids.filtered(lambda i: i.channel == "email").summary,
            email_letter.name,
        )
        email_letter.action_print()
        self.assertTrue(email_letter.attachment_id)

    def test_print_from_case(self):
        self.assertEqual(self.case._get_default_letter_type(), "negotiation")
        # the explicit action (Print menu: Current Letter) generates it
        action = self.case.action_print_current_letter()
        letter = self.case.letter_ids
        self.assertEqual(action["context"]["active_ids"], letter.ids)
        content, _type = self.Report._render_qweb_pdf(CASE_REPORT, self.case.ids)
        self.assertEqual(len(letter), 1)
        self.assertEqual(letter.letter_type, "negotiation")
        self.assertIn(self.case.name, content.decode())
        # printing again the same day shows the same stored letter
        self.case.action_print_current_letter()
        again, _type = self.Report._render_qweb_pdf(CASE_REPORT, self.case.ids)
        self.assertEqual(again, content)
        self.assertEqual(self.case.letter_ids, letter)
        # the request never chooses the type (report data and context are
        # the client's): another type is the wizard's explicit action
        for data, context in (
            ({"letter_type": "agreement"}, {}),
            ({}, {"letter_type": "final_notice"}),
        ):
            self.case.with_context(**context).action_print_current_letter()
            again, _type = self.Report.with_context(**context)._render_qweb_pdf(
                CASE_REPORT, self.case.ids, data=data
            )
            self.assertEqual(again, content)
        self.assertEqual(self.case.letter_ids, letter)
        # the HTML preview does not store anything
        self.assertIn(self.case.name, self._html(self.case, report=CASE_REPORT))
        self.assertEqual(self.case.letter_ids, letter)

    def test_print_wizard(self):
        action = self.case.action_open_letter_wizard()
        wizard_form = Form(
            self.env[action["res_model"]].with_context(**action["context"])
        )
        self.assertEqual(wizard_form.letter_type, "negotiation")
        wizard_form.letter_type = "reminder"
        result = wizard_form.save().action_confirm()
        letter = self.case.letter_ids
        self.assertEqual(letter.letter_type, "reminder")
        self.assertEqual(result["type"], "ir.actions.report")
        self.assertEqual(result["context"]["active_ids"], letter.ids)

    def test_print_from_invoice(self):
        invoice = self.invoices[0]
        invoice.action_print_negotiation_letter()
        content, _type = self.Report._render_qweb_pdf(INVOICE_REPORT, invoice.ids)
        self.assertEqual(len(self.case.letter_ids), 1)
        self.assertIn(self.case.name, content.decode())
        self.assertIn(self.invoices[1].name, content.decode())
        self.assertIn(self.case.name, self._html(invoice, report=INVOICE_REPORT))
        # an invoice without a case: a clear message offering to open one
        lonely = self._create_invoice(partner=self.debtor_2)
        with self.assertRaises(RedirectWarning) as caught:
            lonely.action_print_negotiation_letter()
        self.assertIn("not under negotiation", str(caught.exception.args[0]))
        self.assertEqual(
            caught.exception.args[1],
            self.env.ref("debt_negotiation.action_account_move_start_negotiation").id,
        )

    # ------------------------------------------------------------------
    # Language
    # ------------------------------------------------------------------
    def test_french_amounts(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.debtor.lang = "fr_FR"
        letter = self._generate("reminder")
        html = self._html(letter)
        text = self._text(html)
        lang = self.env["res.lang"]._lang_get("fr_FR")
        amount = self._format_money(1234.56, lang="fr_FR")
        self.assertIn(",56", amount)  # French decimal comma
        self.assertIn(amount, text)
        self.assertNotIn(self._format_money(1234.56), text)  # not 1,234.56
        self.assertIn(self._format_money(2034.56, lang="fr_FR"), text)
        due = self.invoices[0].invoice_date_due.strftime(lang.date_format)
        self.assertIn(due, text)
        self.assertIn('data-oe-lang="fr_FR"', html)

    # ------------------------------------------------------------------
    # Stored PDF, batch print, email
    # ------------------------------------------------------------------
    def test_stored_pdf_is_immutable(self):
        case = self.case.with_context(force_report_rendering=True)
        letter = case._generate_letter("negotiation")
        attachment = letter.attachment_id
        pdf = attachment.raw
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertEqual(attachment.mimetype, "application/pdf")
        # the case changes: a payment, new wording
        self._register_payment(self.invoices[0], amount=100.0)
        self.env["debt.negotiation.letter.template"]._get_for(
            "negotiation", self.company
        ).title = "Changed Title"
        # re-printing returns the stored PDF, byte for byte
        Report = self.Report.with_context(force_report_rendering=True)
        content, report_type = Report._render_qweb_pdf(LETTER_REPORT, letter.ids)
        self.assertEqual(report_type, "pdf")
        self.assertEqual(content, pdf)
        content, _type = Report._render_qweb_pdf(CASE_REPORT, self.case.ids)
        self.assertEqual(content, pdf)
        self.assertEqual(letter.attachment_id, attachment)
        # and nothing can replace or alter it
        other = self.env["ir.attachment"].create({"name": "x.pdf", "raw": b"%PDF-1.4"})
        with self.assertRaises(UserError):
            letter.attachment_id = other
        with self.assertRaises(UserError):
            attachment.raw = b"%PDF-1.4 forged"
        with self.assertRaises(UserError):
            attachment.unlink()
        with self.assertRaises(UserError):
            letter.unlink()
        self.assertEqual(letter.attachment_id.raw, pdf)

    def test_batch_print_letters_to_send(self):
        # rendered in wkhtmltopdf runs of two letters at most
        self.env["ir.config_parameter"].set_param(
            "debt_negotiation.letter_pdf_batch_size", "2"
        )
        other_case = self._start_case(self._create_invoice(partner=self.debtor_2))
        cases = without_pdf(self.case | other_case).with_context(
            force_report_rendering=True
        )
        letters = cases._generate_letter("reminder")
        letters |= (
            without_pdf(self.case)
            .with_context(force_report_rendering=True)
            ._generate_letter("final_notice")
        )
        self.assertFalse(letters.attachment_id)
        # the HTML of each run under the test lock, as in the test below: the
        # test server, from which wkhtmltopdf loads the assets of the runs
        # already started, shares the test's cursor
        Letter = self.Letter.with_context(force_report_rendering=True)
        prepare_job = type(Letter)._pdf_job

        def pdf_job(letters, *args):
            with self.registry.test_lock:
                return prepare_job(letters, *args)

        with patch.object(type(Letter), "_pdf_job", pdf_job):
            Letter.browse(letters.ids)._ensure_pdf()
        self.assertTrue(
            all(letter.attachment_id.raw.startswith(b"%PDF") for letter in letters)
        )
        self.assertEqual(len(letters), 3)
        pages = sum(page_count(letter.attachment_id.raw) for letter in letters)
        to_send = self.Letter.search(
            [
                ("state", "=", "to_send"),
                ("channel", "=", "post"),
                ("id", "in", letters.ids),
            ]
        )
        action = to_send.action_print_and_mark_sent()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(
            action["report_name"], "debt_negotiation.report_negotiation_letter"
        )
        self.assertEqual(set(letters.mapped("state")), {"sent"})
        content, report_type = self.Report.with_context(
            force_report_rendering=True
        )._render_qweb_pdf(action["report_name"], action["context"]["active_ids"])
        self.assertEqual(report_type, "pdf")
        self.assertEqual(page_count(content), pages)

    def test_letters_rendered_by_parallel_runs(self):
        """Several wkhtmltopdf runs at once (one letter each here, which
        any build renders): each letter stores its own one-page PDF."""
        parameters = self.env["ir.config_parameter"]
        parameters.set_param("debt_negotiation.letter_pdf_batch_size", "1")
        parameters.set_param("debt_negotiation.letter_pdf_workers", "2")
        other_case = self._start_case(self._create_invoice(partner=self.debtor_2))
        cases = without_pdf(self.case | other_case).with_context(
            force_report_rendering=True
        )
        letters = cases._generate_letter("reminder") | cases[:1]._generate_letter(
            "negotiation"
        )
        Letter = self.Letter.with_context(force_report_rendering=True)
        self.assertEqual(Letter._pdf_workers(), 2)
        self.assertEqual(len(Letter.browse(letters.ids)._pdf_chunks()), 3)
        runs = {}  # letter id: the PDF of the run that got its HTML
        run_wkhtmltopdf = letter_pdf._run_wkhtmltopdf

        def run(command, bodies, header, footer):
            result = run_wkhtmltopdf(command, bodies, header, footer)
            [body] = bodies
            letter_id = int(re.search(r'data-oe-id="(\d+)"', body).group(1))
            runs[letter_id] = result
            return result

        # In a test, the HTTP server that wkhtmltopdf loads the assets from
        # shares the test's cursor: the next chunk's HTML is rendered while
        # holding the test lock, so a request waits instead of using the
        # cursor at the same time (a server has a cursor per request).
        prepare_job = type(Letter)._pdf_job

        def pdf_job(letters, *args):
            with self.registry.test_lock:
                return prepare_job(letters, *args)

        with (
            patch.object(letter_pdf, "_wkhtmltopdf_renders_batches", return_value=True),
            patch.object(letter_pdf, "_run_wkhtmltopdf", side_effect=run),
            patch.object(type(Letter), "_pdf_job", pdf_job),
        ):
            Letter.browse(letters.ids)._ensure_pdf()
        self.assertEqual(set(runs), set(letters.ids))
        self.assertEqual(len(set(letters.mapped("attachment_id.raw"))), 3)
        for letter in letters:
            attachment = letter.attachment_id
            self.assertEqual(attachment.mimetype, "application/pdf")
            self.assertEqual(
                (attachment.res_model, attachment.res_id), (letter._name, letter.id)
            )
            self.assertEqual(page_count(attachment.raw), 1)
            # the PDF of the run that rendered this very letter
            returncode, _errors, content = runs[letter.id]
            self.assertEqual(
                attachment.raw, letter_pdf._split_pages(content, 1, returncode)[0]
            )

    def test_several_letters_per_wkhtmltopdf_run(self):
        """The production path: several letters rendered by one wkhtmltopdf
        run (``letter_pdf_batch_size`` > 1), its pages split per letter.
        Each letter's page carries its own letter, and its own footer once
        with its own page numbers: Odoo's header/footer script picks them by
        the body's file name (``web.minimal_layout``), so a change of that
        convention shows here."""
        parameters = self.env["ir.config_parameter"]
        parameters.set_param("debt_negotiation.letter_pdf_batch_size", "3")
        parameters.set_param("debt_negotiation.letter_pdf_workers", "1")
        self.company.report_footer = "Creditor Footer Line"
        other_case = self._start_case(self._create_invoice(partner=self.debtor_2))
        cases = without_pdf(self.case | other_case).with_context(
            force_report_rendering=True
        )
        letters = cases._generate_letter("reminder") | cases[:1]._generate_letter(
            "negotiation"
        )
        Letter = self.Letter.with_context(force_report_rendering=True)
        self.assertEqual(len(Letter.browse(letters.ids)._pdf_chunks()), 1)
        runs = []  # the letters of each wkhtmltopdf run
        run_wkhtmltopdf = letter_pdf._run_wkhtmltopdf

        def run(command, bodies, header, footer):
            ids = [re.search(r'data-oe-id="(\d+)"', body).group(1) for body in bodies]
            runs.append([int(letter_id) for letter_id in ids])
            return run_wkhtmltopdf(command, bodies, header, footer)

        prepare_job = type(Letter)._pdf_job

        def pdf_job(letters, *args):
            # see test_letters_rendered_by_parallel_runs
            with self.registry.test_lock:
                return prepare_job(letters, *args)

        with (
            patch.object(letter_pdf, "_wkhtmltopdf_renders_batches", return_value=True),
            patch.object(letter_pdf, "_run_wkhtmltopdf", side_effect=run),
            patch.object(type(Letter), "_pdf_job", pdf_job),
        ):
            Letter.browse(letters.ids)._ensure_pdf()
        self.assertEqual(runs, [letters.ids], "the three letters in one run")
        for letter in letters:
            raw = letter.attachment_id.raw
            self.assertEqual(page_count(raw), 1)
            page = PdfFileReader(io.BytesIO(raw), strict=False).getPage(0)
            text = " ".join(page.extractText().split())
            self.assertIn(letter.negotiation_id.name, text)
            for other in (letters - letter).negotiation_id - letter.negotiation_id:
                self.assertNotIn(other.name, text, "another letter's case")
            self.assertEqual(text.count("Creditor Footer Line"), 1, "its own footer")
            self.assertRegex(text, r"Page ?1 ?/ ?1", "its own page numbers")

    def test_minimal_layout_picks_headers_by_file_name(self):
        """The parallel runner names each body ``report.body.tmp.<index>.html``
        in a folder without dots because Odoo's header/footer script reads
        the index as the fourth dot-separated part of the body's path: the
        installed ``web.minimal_layout`` still does."""
        layout = self.env.ref("web.minimal_layout").sudo()
        arch = etree.tostring(layout._get_combined_arch(), encoding="unicode")
        self.assertIn("vars['webpage'].split('.', 4)[3]", arch)
        self.assertIn("header.children[index]", arch)
        self.assertIn("footer.children[index]", arch)

    def test_one_page_letters_fit_on_one_page(self):
        """A reminder or a negotiation letter on a usual case (a few
        invoices, no schedule) is one sheet of paper."""
        case = self.case.with_context(force_report_rendering=True)
        for letter_type in ("reminder", "negotiation"):
            with self.subTest(letter_type=letter_type):
                letter = case._generate_letter(letter_type)
                self.assertEqual(page_count(letter.attachment_id.raw), 1)

    def test_mail_composer_attachment(self):
        letter = self.case._generate_letter("negotiation", channel="email")
        action = letter.action_send_email()
        self.assertEqual(action["res_model"], "mail.compose.message")
        composer_form = Form(
            self.env["mail.compose.message"].with_context(**action["context"])
        )
        self.assertEqual(
            composer_form.template_id,
            self.env.ref("debt_negotiation.mail_template_letter_negotiation"),
        )
        self.assertIn(self.case.name, composer_form.subject)
        composer = composer_form.save()
        # the email carries a copy of the stored PDF, never the PDF itself
        self.assertEqual(composer.attachment_ids.raw, letter.attachment_id.raw)
        self.assertNotEqual(composer.attachment_ids, letter.attachment_id)
        self.assertIn(self.debtor, composer.partner_ids)
        composer.action_send_mail()
        self.assertEqual(letter.state, "sent")
        message = self.case.message_ids.filtered(
            lambda m: m.message_type == "comment" and self.debtor in m.partner_ids
        )[:1]
        self.assertEqual(message.attachment_ids.raw, letter.attachment_id.raw)
        self.assertEqual(letter.attachment_id.res_model, "debt.negotiation.letter")
        # deleting the email from the chatter keeps the letter's PDF
        pdf = letter.attachment_id.raw
        self.case._message_update_content(message, "", attachment_ids=[])
        self.assertEqual(letter.attachment_id.raw, pdf)

    def test_send_email_without_composer(self):
        letter = self.case._generate_letter("reminder", channel="email")
        letter._send_email()
        self.assertEqual(letter.state, "sent")
        message = self.case.message_ids.filtered(
            lambda m: (
                letter.attachment_id.checksum in m.attachment_ids.mapped("checksum")
                and m.subtype_id == self.env.ref("mail.mt_comment")
            )
        )
        self.assertTrue(message)
        self.assertIn(self.debtor, message.partner_ids)

    def test_letter_security(self):
        case = self.case.with_user(self.negotiation_user)
        letter = case._generate_letter("reminder")
        self.assertTrue(letter.attachment_id)
        letter.action_mark_sent()
        self.assertEqual(letter.state, "sent")
        wording = self.env["debt.negotiation.letter.template"].with_user(
            self.negotiation_user
        )
        self.assertTrue(wording.search([]))
        with self.assertRaises(AccessError):
            wording.search([], limit=1).write({"title": "Nope"})


@tagged("post_install", "-at_install")
class TestWkhtmltopdfNoiseFilter(BaseCase):
    """The test-only log filter drops build noise, never a real problem."""

    def _record(self, message):
        return logging.LogRecord(
            "odoo.addons.base.models.ir_actions_report",
            logging.WARNING,
            __file__,
            1,
            message,
            None,
            None,
        )

    def test_build_noise_is_dropped(self):
        noise_filter = WkhtmltopdfBuildNoiseFilter()
        for message in (
            "wkhtmltopdf: QSslSocket: cannot resolve CRYPTO_num_locks\n"
            "QSslSocket: cannot resolve CRYPTO_set_id_callback\n"
            "QSslSocket: cannot call unresolved function SSL_library_init\n",
            "wkhtmltopdf: The switch --header-spacing, is not support using "
            "unpatched qt, and will be ignored.",
        ):
            self.assertFalse(noise_filter.filter(self._record(message)))

    def test_real_problems_still_logged(self):
        noise_filter = WkhtmltopdfBuildNoiseFilter()
        for message in (
            "wkhtmltopdf: Exit with code 1 due to network error: ContentNotFoundError",
            "wkhtmltopdf: QSslSocket: cannot resolve CRYPTO_num_locks\n"
            "Warning: Failed to load http://127.0.0.1/web/assets/x.css",
            "Wkhtmltopdf failed (error code: -11).",
        ):
            self.assertTrue(noise_filter.filter(self._record(message)))
