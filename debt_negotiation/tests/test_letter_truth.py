# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Every sentence of the letters and of their covering emails is true for
the case at hand, read as the debtor who receives it: one test per sentence
that can be false. And the channels: the letters reach every debtor who can
be reached, by the contact details they really go to."""

import importlib.util
import re
from datetime import timedelta

from odoo import SUPERUSER_ID
from odoo.tests import Form, tagged
from odoo.tools import file_path, html2plaintext

from .common import SIGNATURE, FollowupCommon, at, day

LETTER_REPORT = "debt_negotiation.action_report_debt_negotiation_letter"


@tagged("post_install", "-at_install")
class TestLetterTruth(FollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["ir.actions.report"]
        cls.company.write(
            {"negotiation_agency_id": False, "email": "accounts@company.example.com"}
        )
        cls.negotiation_user.email = "nina.negotiator@company.example.com"

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _plain(self, html):
        """The text a reader sees (no markup, the bold marks dropped)."""
        return re.sub(r"\s+", " ", html2plaintext(html or "")).replace("*", "").strip()

    def _text(self, letter):
        html = self.Report._render_qweb_html(LETTER_REPORT, letter.ids)[0]
        return self._plain(html.decode() if isinstance(html, bytes) else html)

    def _money(self, amount):
        html = self.env["ir.qweb.field.monetary"].value_to_html(
            amount, {"display_currency": self.company.currency_id}
        )
        return re.sub(r"\s+", " ", html2plaintext(html)).strip()

    def _date(self, value):
        return value.strftime("%m/%d/%Y")

    def _emails(self, case):
        """The emails sent to the debtor on ``case`` (its comments)."""
        return case.message_ids.filtered(
            lambda m: m.message_type == "comment" and m.partner_ids
        ).sorted("id")

    def _email_text(self, message):
        return self._plain(message.body)

    def _letter(self, case, letter_type):
        return self._letters(case).filtered(lambda lt: lt.letter_type == letter_type)

    # ------------------------------------------------------------------
    # Previous letters, next step
    # ------------------------------------------------------------------
    def test_final_notice_as_first_letter_claims_no_earlier_letters(self):
        with at(90):
            case = self._case_due(overdue=90)
            self._cron()
        final = self._letter(case, "final_notice")
        self.assertEqual(len(self._letters(case)), len(final), "its first letters")
        text = self._text(final[:1])
        self.assertIn("This is our final notice.", text)
        self.assertNotIn("several times", text)
        self.assertNotIn("already wrote", text)

    def test_final_notice_quotes_the_letters_that_went_out(self):
        with at(7):
            case = self._case_due(overdue=7)
            self._cron()  # the reminder, by email: sent
        with at(21):
            self._cron()
        with at(45):
            self._cron()
        final = self._letter(case, "final_notice")[:1]
        text = self._text(final)
        self.assertIn(
            f"We already wrote to you about them on {self._date(day(7))}", text
        )

    def test_final_notice_names_what_the_ladder_plans(self):
        """Without an agency, the final notice threatens neither an agency
        nor legal proceedings: it says what the ladder does, on its date."""
        with at(50):
            case = self._case_due(overdue=50)
            self._cron()
        final = self._letter(case, "final_notice")[:1]
        text = self._text(final)
        self.assertNotIn("collection agency", text)
        self.assertNotIn("legal proceedings", text)
        self.assertNotIn("court fees", text)
        self.assertIn(
            f"by {self._date(day(64))}, we will end our amicable collection and "
            "escalate the claim.",
            text,
        )
        # and on that date, it does
        with at(64):
            self._cron()
        self.assertEqual(case.state, "escalated")

    def test_final_notice_names_the_agency_only_when_there_is_one(self):
        self.company.negotiation_agency_id = self.env["res.partner"].create(
            {"name": "Acme Collections", "email": "claims@acme.example.com"}
        )
        with at(50):
            case = self._case_due(overdue=50)
            self._cron()
        text = self._text(self._letter(case, "final_notice")[:1])
        self.assertIn("we will hand the claim over to Acme Collections", text)
        self.assertNotIn("legal proceedings", text)

    def test_reminder_next_step_announced_on_its_real_date(self):
        """A letter never announces its next step before its own deadline:
        the follow-ups do not act before it."""
        with at(7):
            case = self._case_due(overdue=7)
            case.next_action_date = day(9)  # planned before the deadline
            letter = case._generate_letter("reminder")
        self.assertEqual(letter.response_deadline, day(21))
        self.assertEqual(letter.next_date, day(21))

    # ------------------------------------------------------------------
    # Amounts
    # ------------------------------------------------------------------
    def test_covering_email_states_the_amount_of_its_letter(self):
        with at(7):
            kept = self._create_invoice(amount=800.0, days_overdue=7)
            contested = self._create_invoice(amount=1000.0, days_overdue=7)
            case = self._start_case(kept | contested)
            case.action_dispute("Damaged", contested, reason_code="quality")
            self._cron()
        letter = self._letter(case, "reminder")
        self.assertEqual(letter.amount_due, 800.0)
        self.assertEqual(case.amount_due, 1800.0)
        body = self._email_text(self._emails(case)[-1:])
        self.assertIn(f"Amount due: {self._money(800.0)}", body)
        self.assertNotIn(self._money(1800.0), body)

    def test_total_row_is_not_called_due_and_the_claim_has_its_own(self):
        with at(7):
            kept = self._create_invoice(amount=800.0, days_overdue=7)
            contested = self._create_invoice(amount=1000.0, days_overdue=7)
            case = self._start_case(kept | contested)
            case.action_dispute("Damaged", contested, reason_code="quality")
            letter = case._generate_letter("reminder")
        text = self._text(letter)
        self.assertNotIn("Total amount due", text)
        self.assertIn(f"Total {self._money(1800.0)} {self._money(1800.0)}", text)
        self.assertIn(
            f"Disputed, not claimed in this letter {self._money(-1000.0)}", text
        )
        self.assertIn(f"Amount claimed {self._money(800.0)}", text)

    # ------------------------------------------------------------------
    # One last chance, stated the same way everywhere
    # ------------------------------------------------------------------
    def test_one_last_chance_and_it_is_the_real_one(self):
        cure = "Until the claim is escalated"
        grace = self.company.negotiation_grace_days
        with at(10):
            case = self._case_due(overdue=10)
            offer = self._plan(case, amount=1000.0, count=2, first_due=day(20))
            self._confirm_agreement(offer)
        agreement_text = self._text(case.agreement_id.letter_id)
        self.assertIn(
            f"within {grace} days of its due date, the agreement is broken and we "
            "will write to you. Until the claim is escalated, paying the missed "
            "amount puts the agreement back in force",
            agreement_text,
        )
        with at(21):
            self._negotiation_root()._cron_monitor_agreements()
        late = self._emails(case).filtered(
            lambda m: "has not arrived" in (m.subject or "")
        )
        self.assertEqual(len(late), 1)
        late_text = self._email_text(late)
        self.assertIn("the agreement is broken and we will write to you", late_text)
        self.assertIn(cure, late_text)
        self.assertNotIn("the full remaining balance becomes due.", late_text)
        broken_on = 20 + grace + 1
        with at(broken_on):
            self._negotiation_root()._cron_monitor_agreements()
            self.assertEqual(case.state, "broken")
            broken = self._letter(case, "broken_promise")
            escalation = broken._escalation_date()
            self.assertTrue(escalation)
            text = self._text(broken)
        self.assertIn(
            f"{cure}, planned on {self._date(escalation)}, paying the missed amount "
            "puts the agreement back in force",
            text,
        )
        # the date stated is the day the claim is really escalated: until
        # then it could still be cured; that day, it is escalated
        n = broken_on
        while case.state != "escalated":
            n += 1
            self.assertLessEqual(day(n), escalation, "escalated late")
            with at(n):
                self._cron()
                self._negotiation_root()._cron_monitor_agreements()
        self.assertEqual(day(n), escalation)

    # ------------------------------------------------------------------
    # Payment references
    # ------------------------------------------------------------------
    def test_payment_references_are_the_invoices(self):
        with at(7):
            first = self._create_invoice(amount=600.0, days_overdue=9)
            second = self._create_invoice(amount=400.0, days_overdue=7)
            case = self._start_case(first | second)
            letter = case._generate_letter("reminder")
        text = self._text(letter)
        references = f"{first.payment_reference}, {second.payment_reference}"
        self.assertIn(f"Payment reference: {references}", text)
        self.assertNotIn(f"Payment reference: {case.name}", text)
        self.assertNotIn("quoting our reference", text)
        # a plan: the oldest open invoice's, in the letter and the reminders
        with at(7):
            offer = self._plan(case, amount=1000.0, count=2, first_due=day(12))
            self._confirm_agreement(offer)
            self.company.negotiation_installment_reminder_days = 5
            self._negotiation_root()._cron_monitor_agreements()
        agreement_text = self._text(case.agreement_id.letter_id)
        self.assertIn(f"Payment reference: {first.payment_reference}", agreement_text)
        self.assertNotIn(f"Payment reference: {case.name}", agreement_text)
        reminder = self._emails(case).filtered(lambda m: "due on" in (m.subject or ""))
        self.assertIn(
            f"quote the payment reference {first.payment_reference}",
            self._email_text(reminder[:1]),
        )

    # ------------------------------------------------------------------
    # Who is greeted
    # ------------------------------------------------------------------
    def test_salutation_and_attention(self):
        self.env["res.partner"].create(
            {
                "name": "Jane Accounts",
                "type": "invoice",
                "parent_id": self.partners[0].id,
                "email": "jane.accounts@example.com",
            }
        )
        person = self._create_debtors(
            [
                {
                    "name": "John Smith",
                    "is_company": False,
                    "email": "john@example.com",
                    "street": "2 Side Street",
                    "city": "Brussels",
                }
            ]
        )
        with at(7):
            to_contact = self._case_due(self.partners[0], overdue=7)
            to_company = self._case_due(self.partners[1], overdue=7)
            to_person = self._case_due(person, overdue=7)
            self._cron()
        text = self._text(self._letters(to_contact))
        self.assertIn("Dear Jane Accounts,", text)
        self.assertIn("For the attention of Jane Accounts", text)
        self.assertIn("Dear Jane Accounts,", self._email_text(self._emails(to_contact)))
        text = self._text(self._letters(to_company))
        self.assertIn("Dear Sir or Madam,", text)
        self.assertNotIn("For the attention of", text)
        self.assertNotIn("Dear Debtor 1 Ltd", text)
        text = self._text(self._letters(to_person))
        self.assertIn("Dear John Smith,", text)
        self.assertNotIn("For the attention of", text)

    # ------------------------------------------------------------------
    # Who writes
    # ------------------------------------------------------------------
    def test_emails_come_from_the_negotiator_or_the_company(self):
        with at(7):
            mine = self._case_due(self.partners[0], overdue=7)
            mine.user_id = self.negotiation_user
            nobodys = self._case_due(self.partners[1], overdue=7)
            nobodys.user_id = False
            self._cron()
        bot = self.env["res.users"].browse(SUPERUSER_ID).partner_id
        self.assertEqual(self._emails(mine).author_id, self.negotiation_user.partner_id)
        self.assertEqual(self._emails(nobodys).author_id, self.company.partner_id)
        for case in (mine, nobodys):
            self.assertNotIn(bot, self._emails(case).author_id)

    # ------------------------------------------------------------------
    # Our proposal, if any
    # ------------------------------------------------------------------
    def test_negotiation_letter_with_and_without_a_proposal(self):
        with at(21):
            case = self._case_due(overdue=21)
            without = case._generate_letter("negotiation")
            offer = self._create_offer(
                case, expiry_date=day(30), first_due_date=day(31)
            )
            offer.action_propose()
            with_offer = case._generate_letter("negotiation")
        text = self._text(without)
        self.assertNotIn("our proposal, if any", text)
        self.assertIn(
            f"Please tell us by {self._date(without.response_deadline)} what you "
            "can pay and when.",
            text,
        )
        text = self._text(with_offer)
        self.assertNotIn("our proposal, if any", text)
        self.assertIn(
            "This letter sets out the amount in question and our proposal.", text
        )

    # ------------------------------------------------------------------
    # Signed online, and what the emails invite
    # ------------------------------------------------------------------
    def test_agreement_signed_online_is_sealed_as_signed_online(self):
        with at(10):
            case = self._case_due(overdue=10)
            offer = self._plan(case, amount=1000.0, count=2, first_due=day(20))
            action = offer.action_accept()
            with Form(
                self.env[action["res_model"]].with_context(**action["context"])
            ) as wizard_form:
                wizard_form.signature_mode = "esign"
            wizard_form.record.action_confirm()
            agreement = case.agreement_ids
            agreement.sudo()._sign_online("Jane Accounts", SIGNATURE)
        self.assertEqual(agreement.state, "active")
        logged = case.interaction_ids.filtered(lambda i: i.outcome == "agreement")
        self.assertIn("Agreement signed online", logged.summary)
        self.assertNotIn("confirmed in writing", logged.summary)

    def test_emails_invite_only_what_the_debtor_can_still_do(self):
        with at(7):
            case = self._case_due(overdue=7)
            self._cron()
        reminder = self._email_text(self._emails(case)[-1:])
        self.assertNotIn("accept and sign our proposal", reminder)
        self.assertIn("make a counter-offer", reminder)
        with at(8):
            offer = self._plan(case, amount=1000.0, count=2, first_due=day(20))
            self._confirm_agreement(offer)
            case.agreement_id.letter_id._send_email()
        agreement_email = self._email_text(self._emails(case)[-1:])
        self.assertIn("payment agreement", agreement_email)
        self.assertNotIn("counter-offer", agreement_email)
        self.assertNotIn("accept and sign", agreement_email)

    def test_dispute_of_everything_leaves_nothing_payable(self):
        with at(7):
            case = self._case_due(overdue=7)
            case.sudo()._portal_dispute(
                "wrong_amount", "Not ours", case.invoice_ids.ids
            )
        ack = self._emails(case).filtered(lambda m: "dispute" in (m.subject or ""))
        text = self._email_text(ack)
        self.assertNotIn("remains payable", text)
        self.assertIn("we send no reminders about this claim", text)
        self.assertNotEqual(
            ack.author_id, self.env["res.users"].browse(SUPERUSER_ID).partner_id
        )

    def test_empty_legal_notice_is_flagged_and_filled(self):
        self.company.negotiation_disclaimer = False
        settings = self.env["res.config.settings"].create({})
        view = self.env.ref("debt_negotiation.res_config_settings_view_form")
        self.assertIn('name="negotiation_disclaimer_missing"', view.arch_db)
        self.assertFalse(settings.negotiation_disclaimer)
        settings.action_negotiation_default_disclaimer()
        self.assertIn("we suspend the collection", self.company.negotiation_disclaimer)
        with at(7):
            letter = self._case_due(overdue=7)._generate_letter("reminder")
        self.assertIn(
            "Legal notice: This letter concerns the invoices", self._text(letter)
        )

    # ------------------------------------------------------------------
    # 3. Channels: the contact details really used, every debtor reached
    # ------------------------------------------------------------------
    def test_channel_check_reads_the_invoicing_contact(self):
        """The company record has no email, its accounts payable contact
        has one: the email step goes to the contact."""
        self.partners[0].email = False
        contact = self.env["res.partner"].create(
            {
                "name": "Accounts Payable",
                "type": "invoice",
                "parent_id": self.partners[0].id,
                "email": "ap@example.com",
            }
        )
        with at(7):
            case = self._case_due(self.partners[0], overdue=7)
            self._cron()
        self.assertFalse(case.followup_error)
        letter = self._letters(case)
        self.assertEqual((letter.channel, letter.state), ("email", "sent"))
        self.assertIn(contact, self._emails(case).partner_ids)

    def test_post_and_email_sends_what_it_can_and_says_what_not(self):
        self.partners[0].email = False
        with at(21):
            case = self._case_due(self.partners[0], overdue=21)
            self._cron()
        letters = self._letters(case)
        self.assertEqual(
            [(lt.letter_type, lt.channel, lt.state) for lt in letters],
            [("negotiation", "post", "to_send")],
        )
        self.assertFalse(case.followup_error)
        note = case.message_ids.filtered(lambda m: "by post only" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("no valid email address", note.body)
        line = self.env["debt.negotiation.run"].search([], limit=1).line_ids
        self.assertEqual((line.negotiation_id, line.outcome), (case, "partial"))

    def test_postal_only_debtor_goes_through_the_whole_ladder_by_post(self):
        self.partners[0].email = False
        with at(1):
            case = self._case_due(self.partners[0], overdue=1)
        for n in range(1, 76):
            with at(n):
                self._cron()
        self.assertEqual(case.state, "escalated")
        self.assertFalse(case.followup_error)
        letters = self._letters(case)
        self.assertEqual(
            [(lt.letter_type, lt.channel) for lt in letters],
            [("reminder", "post"), ("negotiation", "post"), ("final_notice", "post")],
        )
        to_send = self.env["debt.negotiation.letter"].search(
            [("state", "=", "to_send"), ("negotiation_id", "=", case.id)]
        )
        self.assertEqual(to_send, letters, "all waiting in Letters to Send")

    def test_nobody_reachable_is_skipped_with_why(self):
        self.partners[0].write({"email": False, "street": False})
        with at(7):
            case = self._case_due(self.partners[0], overdue=7)
            self._cron()
        self.assertFalse(self._letters(case))
        self.assertIn("no valid email address", case.followup_error)
        self.assertIn("no postal address", case.followup_error)


@tagged("post_install", "-at_install")
class TestPortalDates(FollowupCommon):
    """The debtor's page shows no past date as a future step, and asks for
    no answer about nothing."""

    def test_what_happens_next_never_in_the_past(self):
        case = self._case_due(overdue=10)
        today = self.today
        case.write(
            {
                "next_step_id": self.steps["negotiation"].id,
                "next_action_date": today - timedelta(days=20),
                "response_deadline": today - timedelta(days=25),
            }
        )
        self.assertFalse(case._portal_next_step())
        self.assertFalse(case._portal_respond_by())
        case.write(
            {
                "next_action_date": today + timedelta(days=3),
                "response_deadline": today + timedelta(days=3),
            }
        )
        self.assertTrue(case._portal_next_step())
        self.assertTrue(case._portal_respond_by())
        # everything disputed: nothing to answer by a date
        case.action_dispute("Not ours", case.invoice_ids, reason_code="not_ordered")
        self.assertEqual(case.state, "open")
        self.assertFalse(case._portal_respond_by())


@tagged("post_install", "-at_install")
class TestWordingMigration(FollowupCommon):
    """An existing database gets the new wording on the records nobody
    edited; an edited one keeps its own."""

    def _migration(self):
        path = file_path("debt_negotiation/migrations/18.0.1.2.0/post-migration.py")
        spec = importlib.util.spec_from_file_location("dn_migration_18_0_1_2_0", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    def test_untouched_wording_updated_edited_kept(self):
        migration = self._migration()
        previous = migration.previous_wording()
        final = self.env.ref("debt_negotiation.letter_template_final_notice")
        edited = self.env.ref("debt_negotiation.letter_template_reminder")
        reminder_mail = self.env.ref("debt_negotiation.mail_template_letter_reminder")
        shipped = {
            "final": (final.intro, final.next_steps),
            "mail": reminder_mail.body_html,
        }
        # the database as 18.0.1.1.0 left it, one wording edited since
        for xmlid in (
            "debt_negotiation.letter_template_final_notice",
            "debt_negotiation.letter_template_reminder",
            "debt_negotiation.mail_template_letter_reminder",
        ):
            self.env.ref(xmlid).write(previous[xmlid])
        edited.intro = "<p>Hello {{debtor}}, our own words.</p>"
        self.assertIn("several times", final.intro)
        updated = migration.update_wording(self.env)
        self.assertIn("debt_negotiation.letter_template_final_notice", updated)
        self.assertIn("debt_negotiation.mail_template_letter_reminder", updated)
        self.assertNotIn("debt_negotiation.letter_template_reminder", updated)
        self.assertEqual((final.intro, final.next_steps), shipped["final"])
        self.assertNotIn("several times", final.intro)
        self.assertIn("{{previous_letters}}", final.intro)
        self.assertEqual(reminder_mail.body_html, shipped["mail"])
        self.assertEqual(edited.intro, "<p>Hello {{debtor}}, our own words.</p>")
        # run again: nothing left to update
        self.assertFalse(migration.update_wording(self.env))
