# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The legal layer: business or consumer debtors, statutory rates by
period, the limitation date, plan governance, retention, bad debt."""

import io
import json
import re
import zipfile
from contextlib import contextmanager
from datetime import date

from odoo import SUPERUSER_ID
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import html2plaintext

from ..models.workflow import internal
from .common import DebtNegotiationCommon, FollowupCommon, PdfRenderingMixin, at, day

LETTER_REPORT = "debt_negotiation.action_report_debt_negotiation_letter"


@tagged("post_install", "-at_install")
class TestLegal(FollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "negotiation_interest_rate": 10.0,
                "negotiation_compensation_amount": 40.0,
                "negotiation_agency_id": False,
            }
        )
        cls.consumer = cls.env["res.partner"].create(
            {
                "name": "Carl Consumer",
                "email": "carl@example.com",
                "street": "2 Rue Haute",
                "zip": "1000",
                "city": "Brussels",
                "country_id": cls.env.ref("base.be").id,
            }
        )

    @contextmanager
    def _refused(self, exception, text):
        """Refused with ``text`` in the message, and nothing written (the
        savepoint of ``assertRaises``)."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertIn(text, str(caught.exception))

    def _text(self, letter):
        html = self.env["ir.actions.report"]._render_qweb_html(
            LETTER_REPORT, letter.ids
        )[0]
        html = html.decode() if isinstance(html, bytes) else html
        return re.sub(r"\s+", " ", html2plaintext(html)).replace("*", "").strip()

    def _consumer_case(self, amounts=(1000.0,)):
        """A consumer's case on invoices due on day 0, opened on day 1."""
        with at(0):
            invoices = self._create_overdue_invoices(
                partner=self.consumer, amounts=amounts, days_overdue=0
            )
        with at(1):
            return self.env["debt.negotiation"]._open_case_for_invoices(invoices)

    # ------------------------------------------------------------------
    # 1. Business or consumer
    # ------------------------------------------------------------------
    def test_debtor_type_defaults_from_is_company(self):
        self.assertEqual(self.consumer.negotiation_debtor_type, "consumer")
        self.assertEqual(self.debtor.negotiation_debtor_type, "business")
        self.assertEqual(self.debtor_contact.negotiation_debtor_type, "business")
        self.consumer.negotiation_debtor_type = "business"
        self.assertEqual(self.consumer.negotiation_debtor_type, "business")

    def test_consumer_owes_no_compensation_and_its_own_rate(self):
        case = self._consumer_case()
        self.assertEqual(case.debtor_type, "consumer")
        with at(30):
            self.assertEqual(case.compensation_amount, 0.0)
            self.assertEqual(case.interest_amount, 0.0, "consumer rate 0 by default")
            self.company.negotiation_consumer_interest_rate = 3.65
            case.invalidate_recordset()
            # 1000 * 3.65 % * 30 / 365
            self.assertEqual(case.interest_amount, 3.0)
            self.assertEqual(case.compensation_amount, 0.0)
            self.consumer.negotiation_debtor_type = "business"
            case.invalidate_recordset()
            self.assertEqual(case.interest_amount, 8.22)
            self.assertEqual(case.compensation_amount, 40.0)

    def test_consumer_letters_state_rights_and_no_threat(self):
        """Day by day through the real crons: the consumer's final notice is
        a final reminder with its rights, and the escalation step asks a
        manager instead of handing the claim over."""
        case = self._consumer_case()
        for n in range(1, 76):
            with at(n):
                self._cron()
        final = self._letters(case).filtered(
            lambda lt: lt.letter_type == "final_notice"
        )[:1]
        text = self._text(final)
        self.assertIn("Final Reminder", text)
        self.assertIn(
            "a manager of our credit management department will decide whether "
            "to escalate the claim",
            text,
        )
        self.assertIn("Your rights.", text)
        self.assertIn("a payment plan that fits your means", text)
        self.assertNotIn("Collection Proceedings", text)
        self.assertNotIn("collection costs, interest and court fees", text)
        self.assertEqual(case.state, "open", "never handed over by the ladder")
        summaries = case.activity_ids.mapped("summary")
        self.assertIn("Consumer's claim: confirm the hand-over or not", summaries)
        managers = case.activity_ids.filtered(
            lambda a: a.summary == "Consumer's claim: confirm the hand-over or not"
        ).user_id
        self.assertIn(self.negotiation_manager, managers)
        with self._refused(UserError, "consumer"):
            case.with_user(self.negotiation_user).action_escalate()
        case.with_user(self.negotiation_manager).action_escalate()
        self.assertEqual(case.state, "escalated")

    def test_consumer_ladder_ships_with_longer_delays(self):
        """The consumer ladder (issue 26's ladders per segment): for the
        consumers of the main company, longer delays than the business
        one, its last step a hand-over a manager confirms."""
        Step = self.env["debt.negotiation.followup.step"].sudo()
        consumer = Step.browse(
            [
                self.env.ref(f"debt_negotiation.followup_step_consumer_{name}").id
                for name in ("reminder", "negotiation", "final_notice", "handover")
            ]
        )
        business = Step.browse(
            [
                self.env.ref(f"debt_negotiation.followup_step_{name}").id
                for name in ("reminder", "negotiation", "final_notice", "escalation")
            ]
        )
        self.assertTrue(all(consumer.mapped("active")))
        for mine, theirs in zip(consumer, business, strict=True):
            self.assertGreater(mine.delay_days, theirs.delay_days)
        ladder = self.env.ref("debt_negotiation.followup_ladder_consumer").sudo()
        self.assertEqual(ladder.debtor_type, "consumer")
        self.assertEqual(ladder.step_ids, consumer)
        main = self.env.ref("base.main_company").sudo()
        self.assertNotEqual(main.negotiation_default_ladder_id, ladder)
        # an individual of the main company follows it, a company does not
        person = self.env["res.partner"].create({"name": "Jane Consumer"})
        firm = self.env["res.partner"].create({"name": "Firm Ltd", "is_company": True})
        found = self.env["debt.negotiation.followup.ladder"]._for_debtors(
            [(person, main), (firm, main)]
        )
        self.assertEqual(found[person.id, main.id], ladder.id)
        self.assertEqual(found[firm.id, main.id], main.negotiation_default_ladder_id.id)

    def test_business_letters_keep_their_wording(self):
        with at(90):
            case = self._case_due(overdue=90)
            self._cron()
        text = self._text(self._letters(case)[:1])
        self.assertIn("Final Notice Before Collection Proceedings", text)
        self.assertNotIn("Your rights.", text)

    # ------------------------------------------------------------------
    # 2. Statutory rates by period, banded compensation
    # ------------------------------------------------------------------
    def _business_case(self, amounts=(1000.0,)):
        with at(0):
            invoices = self._create_overdue_invoices(amounts=amounts, days_overdue=0)
        with at(1):
            return self.env["debt.negotiation"]._open_case_for_invoices(invoices)

    def _rates(self, *rates):
        return self.env["debt.negotiation.interest.rate"].create(
            [
                {"company_id": self.company.id, "date_from": day(n), "rate": rate}
                for n, rate in rates
            ]
        )

    def test_each_day_at_the_rate_in_force_and_claims_keep_their_rate(self):
        case = self._business_case()
        invoice = case.invoice_ids
        rates = self._rates((-100, 8.0), (16, 12.0))
        with at(30):
            # days 1-15 at 8 %: 3.29; days 16-30 at 12 %: 4.93
            self.assertEqual(case.interest_amount, 8.22)
            self.assertEqual(case.interest_rate, 12.0)
            case.action_claim_interest()
        claim = case.invoice_ids - invoice
        self.assertRecordValues(
            claim.invoice_line_ids.filtered(
                lambda line: line.negotiation_claim_kind == "interest"
            ).sorted("negotiation_claim_date_from"),
            [
                {
                    "negotiation_claim_date_from": day(1),
                    "negotiation_claim_date_to": day(15),
                    "price_subtotal": 3.29,
                },
                {
                    "negotiation_claim_date_from": day(16),
                    "negotiation_claim_date_to": day(30),
                    "price_subtotal": 4.93,
                },
            ],
        )
        names = (
            claim.invoice_line_ids.filtered("negotiation_claim_date_from")
            .sorted("negotiation_claim_date_from")
            .mapped("name")
        )
        self.assertIn("at 8.00 % a year", names[0])
        self.assertIn("at 12.00 % a year", names[1])
        # a new rate never re-prices what was claimed
        rates[1].rate = 20.0
        self.assertEqual(claim.amount_total, 48.22)
        with at(40):
            # days 31-40 at 20 %: 5.48
            self.assertEqual(case.interest_amount, 5.48)

    def test_bad_rates_are_refused(self):
        self._rates((0, 8.0))
        with self._refused(ValidationError, "in force from"):
            self._rates((0, 9.0))
        with self._refused(ValidationError, "cannot be negative"):
            self._rates((5, -1.0))
        Rate = self.env["debt.negotiation.interest.rate"]
        with self._refused(ValidationError, "half-year"):
            Rate.create(
                {
                    "company_id": self.company.id,
                    "date_from": "2026-03-01",
                    "reference_rate": 2.5,
                    "margin": 8.0,
                }
            )
        half = Rate.create(
            {
                "company_id": self.company.id,
                "date_from": "2026-07-01",
                "reference_rate": 2.15,
                "margin": 8.0,
            }
        )
        self.assertEqual(half.rate, 10.15)
        self.assertEqual(Rate.search_count([("company_id", "=", self.company.id)]), 2)

    def test_banded_compensation(self):
        self.company.negotiation_compensation_mode = "banded"
        self.env["debt.negotiation.compensation.band"].create(
            [
                {
                    "company_id": self.company.id,
                    "amount_from": 0.0,
                    "compensation": 40.0,
                },
                {
                    "company_id": self.company.id,
                    "amount_from": 1000.0,
                    "compensation": 70.0,
                },
                {
                    "company_id": self.company.id,
                    "amount_from": 10000.0,
                    "compensation": 100.0,
                },
            ]
        )
        case = self._business_case(amounts=(500.0, 1000.0, 20000.0))
        with at(10):
            self.assertEqual(case.compensation_amount, 210.0)
        with self._refused(ValidationError, "negative"):
            self.env["debt.negotiation.compensation.band"].create(
                {"company_id": self.company.id, "amount_from": 5.0, "compensation": -1}
            )

    # ------------------------------------------------------------------
    # 3. Limitation date
    # ------------------------------------------------------------------
    def test_limitation_date_restarts_on_acknowledgement(self):
        self.company.negotiation_limitation_years = 3
        case = self._business_case(amounts=(1000.0, 500.0))
        self.assertEqual(case.limitation_date, date(day(0).year + 3, 1, 5))
        with at(40):
            self.Interaction.create(
                {
                    "negotiation_id": case.id,
                    "channel": "phone",
                    "contact_name": "Jane Accounts",
                    "summary": "Will pay next week.",
                    "outcome": "promise",
                    "promise_date": day(47),
                    "promise_amount": 200.0,
                }
            )
            case.flush_recordset()
        self.assertEqual(case.limitation_date, date(2029, 2, 14))  # day 40 + 3 y
        with at(50):
            self._register_payment(case.invoice_ids[:1], amount=100.0)
            case.invalidate_recordset()
        self.assertEqual(case.limitation_date, date(2029, 2, 24))  # day 50 + 3 y
        Case = self.env["debt.negotiation"]
        near = [("limitation_near", "=", True), ("id", "=", case.id)]
        with at(1050):  # 2029-02-24 is day 1146: near from day 1056
            self.assertFalse(case.limitation_near)
            self.assertFalse(Case.search(near))
        with at(1060):
            case.invalidate_recordset(["limitation_near"])
            self.assertTrue(case.limitation_near)
            self.assertEqual(Case.search(near), case)
        self.company.negotiation_limitation_years = 0
        self.assertFalse(case.limitation_date)

    def test_limitation_date_is_stated_in_the_handover_and_dossier(self):
        self.company.negotiation_limitation_years = 5
        agency = self.env["res.partner"].create(
            {"name": "Acme Collections", "email": "claims@acme.example.com"}
        )
        self.company.negotiation_agency_id = agency
        with at(90):
            case = self._case_due(overdue=90)
            case.action_escalate()
        mail = case.message_ids.filtered(lambda m: agency in m.partner_ids)
        self.assertIn("Limitation date:", html2plaintext(mail.body))
        with zipfile.ZipFile(io.BytesIO(case.handover_dossier_id.raw)) as archive:
            name = next(n for n in archive.namelist() if n.endswith(".json"))
            manifest = json.loads(archive.read(name))
        self.assertEqual(manifest["limitation_date"], "2031-01-05")

    # ------------------------------------------------------------------
    # 4. Plan governance
    # ------------------------------------------------------------------
    def test_plan_beyond_the_limits_needs_a_manager(self):
        self.company.write(
            {
                "negotiation_max_installments": 6,
                "negotiation_min_down_payment_percent": 10.0,
            }
        )
        with at(1):
            case = self._case_due()
            Offer = self.env["debt.negotiation.offer"].with_user(self.negotiation_user)

            def plan(count, down):
                return Offer.create(
                    {
                        "negotiation_id": case.id,
                        "offer_type": "payment_plan",
                        "amount": 1000.0,
                        "down_payment": down,
                        "installment_count": count,
                        "interval": "month",
                        "first_due_date": day(10),
                    }
                )

            within = plan(6, 100.0)
            self.assertIs(within.action_propose(), True)
            self.assertEqual(within.state, "proposed")
            within.action_withdraw()
            for count, down in ((7, 100.0), (6, 50.0)):
                offer = plan(count, down)
                result = offer.action_propose()
                # a request for a manager, with no word of the limits
                self.assertEqual(result["tag"], "display_notification")
                self.assertNotIn("6", result["params"]["message"])
                self.assertNotIn("10", result["params"]["message"])
                self.assertEqual(offer.state, "draft")
                self.assertEqual(offer.approval_ids.state, "pending")
                offer.with_user(self.negotiation_manager).action_approve_minimum()
                offer.action_propose()
                self.assertEqual(offer.state, "proposed")
                # an approval covers the terms it was given for
                offer.action_withdraw()
            longer = plan(6, 50.0)
            longer.installment_count = 12
            self.assertTrue(longer._needs_minimum_approval())
            # a manager needs nobody's approval
            manager_plan = plan(24, 0.0).with_user(self.negotiation_manager)
            self.assertIs(manager_plan.action_propose(), True)

    # ------------------------------------------------------------------
    # 6. Bad debt
    # ------------------------------------------------------------------
    def _writeoff_account(self):
        return self.env["account.account"].create(
            {
                "name": "Bad Debts",
                "code": "654100",
                "account_type": "expense",
                "company_ids": [(6, 0, self.company.ids)],
            }
        )

    def test_write_off_closes_the_case_as_uncollectible(self):
        account = self._writeoff_account()
        with at(30):
            case = self._case_due(overdue=30)
            invoice = case.invoice_ids
            self._register_payment(invoice, amount=200.0)
            offer = self._create_offer(case, amount=500.0)
            # a negotiator cannot
            with self.assertRaises(AccessError):
                case.with_user(self.negotiation_user).action_open_writeoff_wizard()
            manager_case = case.with_user(self.negotiation_manager)
            action = manager_case.action_open_writeoff_wizard()
            Wizard = (
                self.env[action["res_model"]]
                .with_user(self.negotiation_manager)
                .with_context(**action["context"])
            )
            # no reason: refused, nothing written
            wizard = Wizard.create({"account_id": account.id, "reason": "  "})
            with self._refused(UserError, "reason"):
                wizard.action_confirm()
            self.assertEqual(case.state, "open")
            self.assertEqual(invoice.payment_state, "partial")
            wizard = Wizard.create(
                {"account_id": account.id, "reason": "Debtor insolvent, no assets."}
            )
            wizard.action_confirm()
        self.assertEqual(case.state, "cancelled")
        self.assertEqual(case.writeoff_reason, "Debtor insolvent, no assets.")
        self.assertEqual(offer.state, "withdrawn")
        move = case.writeoff_move_id
        self.assertEqual(move.state, "posted")
        note = case.message_ids.filtered(
            lambda m: "Written off as uncollectible" in (m.body or "")
        )
        # the amount written off, read before the invoices were reconciled
        self.assertIn("800.00", note.body)
        self.assertEqual(
            move.line_ids.filtered(lambda line: line.account_id == account).balance,
            800.0,
        )
        self.assertEqual(invoice.payment_state, "paid")
        with self._refused(UserError, "uncollectible"):
            case.with_user(self.negotiation_manager).action_reopen()
        # never chased again: no follow-up, no case opened again for it
        self.company.negotiation_auto_open_days = 1
        with at(60):
            self._cron()
        self.assertEqual(invoice.negotiation_ids, case)
        self.assertFalse(self._logs(case))

    # ------------------------------------------------------------------
    # 5. Retention of personal data
    # ------------------------------------------------------------------
    def _retention_cron(self):
        self.env["debt.negotiation"].with_user(SUPERUSER_ID).with_context(
            debt_negotiation_followup_company_ids=self.company.ids
        )._cron_anonymise_closed_cases()

    def test_retention_refused_shorter_than_limitation(self):
        with self._refused(ValidationError, "shorter than the limitation"):
            self.company.write(
                {"negotiation_limitation_years": 5, "negotiation_retention_years": 4}
            )
        self.assertEqual(self.company.negotiation_retention_years, 10)
        with self._refused(ValidationError, "shorter than the limitation"):
            self.company.negotiation_limitation_years = 11

    def test_closed_consumer_case_anonymised_and_chain_still_verifies(self):
        self.company.write(
            {"negotiation_limitation_years": 1, "negotiation_retention_years": 1}
        )
        case = self._consumer_case()
        business = self._business_case()
        for n in range(1, 9):
            with at(n):
                self._cron()
        with at(8):
            self.Interaction.create(
                {
                    "negotiation_id": case.id,
                    "channel": "phone",
                    "contact_name": "Carl Consumer",
                    "summary": "Carl says he lost his job; his wife will pay.",
                    "outcome": "other",
                }
            )
        letter = self._letters(case)[:1]
        self.assertTrue(letter.attachment_id)
        with at(10):
            case.action_cancel()
            business.action_cancel()
            (case | business).flush_recordset()
        self.assertEqual(case.closed_date, day(10))
        self.assertTrue(case._evidence_check()["verified"])
        with at(374):  # 2027-01-14: one day short of a year
            self._retention_cron()
        self.assertFalse(case.anonymised_date)
        with at(375):
            self._retention_cron()
        self.assertEqual(case.anonymised_date, day(375))
        self.assertFalse(business.anonymised_date, "a business case is kept")
        interactions = case.interaction_ids
        self.assertFalse(any(interactions.mapped("contact_name")))
        for interaction in interactions:
            self.assertNotIn("Carl", interaction.summary)
            self.assertIn("Anonymised on", interaction.summary)
        tracked = (
            self.env["mail.tracking.value"]
            .sudo()
            .search([("mail_message_id.res_id", "in", interactions.ids)])
        )
        self.assertNotIn("lost his job", " ".join(tracked.mapped("old_value_char")))
        raw = letter.attachment_id.raw
        self.assertTrue(raw.startswith(b"%PDF"))
        self.assertNotIn(b"Carl", raw)
        # the chain records it, and still verifies
        check = case._evidence_check()
        self.assertTrue(check["verified"], check["status"])
        anonymisation = self.env["debt.negotiation.anonymisation"].search(
            [("negotiation_id", "=", case.id)]
        )
        self.assertEqual(len(anonymisation), 1)
        self.assertEqual(
            case.evidence_ids[-1:].res_model, "debt.negotiation.anonymisation"
        )
        removed = json.loads(anonymisation.removed)
        self.assertEqual(
            {item["reference"] for item in removed},
            {f"debt.negotiation.interaction,{i.id}" for i in interactions}
            | {f"debt.negotiation.letter,{letter.id}"},
        )
        # idempotent: a second run changes nothing
        with at(376):
            self._retention_cron()
        self.assertEqual(
            self.env["debt.negotiation.anonymisation"].search_count(
                [("negotiation_id", "=", case.id)]
            ),
            1,
        )
        # a change after the anonymisation is still caught
        internal(interactions[:1]).write({"summary": "Forged"})
        self.assertFalse(case._evidence_check()["verified"])


@tagged("post_install", "-at_install")
class TestLegalLetterPdf(PdfRenderingMixin, DebtNegotiationCommon, HttpCase):
    """A consumer's letters rendered as real PDFs (an HttpCase: wkhtmltopdf
    loads the report assets from the running server)."""

    def test_consumer_letters_pdf(self):
        consumer = self.env["res.partner"].create(
            {
                "name": "Carl Consumer",
                "email": "carl@example.com",
                "street": "2 Rue Haute",
                "zip": "1000",
                "city": "Brussels",
                "country_id": self.env.ref("base.be").id,
            }
        )
        self.assertEqual(consumer.negotiation_debtor_type, "consumer")
        # through the real scheduled follow-ups: a debtor found 90 days late
        # gets the final notice, whose next step is the escalation
        case = self._start_case(self._create_invoice(partner=consumer, days_overdue=90))
        self.env["debt.negotiation"].with_user(SUPERUSER_ID).with_context(
            debt_negotiation_followup_company_ids=self.company.ids,
            force_report_rendering=True,
        )._cron_process_followups()
        letters = case.letter_ids.filtered(lambda lt: lt.letter_type == "final_notice")
        self.assertEqual(len(letters), 2, "post and email")
        for letter in letters:
            self.assertTrue(letter.attachment_id.raw.startswith(b"%PDF"))
            self.assertTrue(letter.next_step_id.escalate)
            self.assertIn(
                "a manager of our credit management department will decide",
                letter._next_step_clause(),
            )
        reminder = case.with_context(force_report_rendering=True)._generate_letter(
            "reminder", channel="post"
        )
        self.assertTrue(reminder.attachment_id.raw.startswith(b"%PDF"))
