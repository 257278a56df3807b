# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The case's lifecycle played day by day through the real crons and real
payments: no wrong letter, no stuck case, no skipped step."""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import html2plaintext

from .common import FollowupCommon, at, day


@tagged("post_install", "-at_install")
class TestLifecycle(FollowupCommon):
    def _monitor(self):
        return self._negotiation_root()._cron_monitor_agreements()

    # ------------------------------------------------------------------
    # Every company has a ladder
    # ------------------------------------------------------------------
    def test_every_company_has_a_ladder(self):
        Step = self.env["debt.negotiation.followup.step"].sudo()
        # the test company was created after the install: it has the ladder
        self.assertEqual(
            [step.delay_days for step in self.steps.values()], [7, 21, 45, 60]
        )
        self.assertTrue(self.steps["escalation"].escalate)
        company = self.env["res.company"].create({"name": "Founded Later Ltd"})
        ladder = Step.search([("company_id", "=", company.id)])
        self.assertEqual(ladder.mapped("delay_days"), [7, 21, 45, 60])
        self.assertEqual(
            ladder.mapped("letter_type"),
            ["reminder", "negotiation", "final_notice", False],
        )
        # the shipped steps gone, the same ladder is built from the defaults
        self.env.ref("debt_negotiation.followup_step_reminder").sudo().unlink()
        other = self.env["res.company"].create({"name": "Founded Even Later Ltd"})
        rebuilt = Step.search([("company_id", "=", other.id)])
        self.assertEqual(
            [(s.name, s.delay_days, s.channel) for s in rebuilt],
            [(s.name, s.delay_days, s.channel) for s in ladder],
        )
        self.assertEqual(rebuilt.stage_id, ladder.stage_id)
        # a company that archived its ladder turned it off: it stays off
        ladder.action_archive()
        self.assertFalse(
            self.env["res.company"]._negotiation_ensure_all_ladders(),
            "every company has steps already",
        )
        self.assertFalse(Step.search([("company_id", "=", company.id)]))

    def test_company_without_steps_is_warned(self):
        with at(10):
            self._case_due(overdue=10)
            Preview = self.env["debt.negotiation.followup.preview"]
            self.assertFalse(
                [line for line in Preview._prepare_lines() if not line.get("step_id")]
            )
            self.assertFalse(
                self.env["res.config.settings"].create({}).negotiation_ladder_missing
            )
            self.env["debt.negotiation.followup.step"].search(
                [("company_id", "=", self.company.id)]
            ).action_archive()
            warnings = [
                line for line in Preview._prepare_lines() if not line.get("step_id")
            ]
            self.assertEqual(len(warnings), 1)
            self.assertEqual(warnings[0]["action"], "skip")
            self.assertIn("no active follow-up step", warnings[0]["problem"])
            self.assertIn(self.company.name, warnings[0]["problem"])
            self.assertTrue(
                self.env["res.config.settings"].create({}).negotiation_ladder_missing
            )

    # ------------------------------------------------------------------
    # Paid means closed
    # ------------------------------------------------------------------
    def test_paid_case_is_settled_and_new_debt_starts_a_new_case(self):
        with at(7):
            case = self._case_due(overdue=7)
            self._cron()
            self.assertEqual(
                set(self._letters(case).mapped("letter_type")), {"reminder"}
            )
        with at(12):
            offer = self._create_offer(case, amount=900.0, first_due_date=day(20))
            offer.action_propose()
            # part paid: still chased
            self._register_payment(case.invoice_ids, amount=400.0)
            self._cron()
            self.assertEqual(case.state, "open")
        with at(15):
            self._register_payment(case.invoice_ids)
            self.assertTrue(case.currency_id.is_zero(case.amount_due))
        with at(16):
            self._cron()
            self.assertEqual(case.state, "settled")
            self.assertEqual(case.stage_id.state, "settled")
            self.assertFalse(case.next_action_date)
            self.assertFalse(case.response_deadline)
            self.assertEqual(offer.state, "withdrawn", "nothing left to accept")
            self.assertTrue(case.message_ids.filtered(lambda m: "is settled" in m.body))
        with at(21):
            # the day the negotiation letter was due: nothing goes out
            self._cron()
            self._monitor()
            # no demand letter: only the closure letter came after the reminder
            self.assertEqual(
                self._letters(case).mapped("letter_type"), ["reminder", "closure"]
            )
            self.assertEqual(case.state, "settled")
        with at(40):
            # new debt opens a new case, which starts at the first step
            invoice = self._create_invoice(days_overdue=7)
            new_case = self._start_case(invoice)
            self.assertNotEqual(new_case, case)
            self.assertNotIn(invoice, case.invoice_ids)
            self._cron()
            self.assertEqual(
                set(self._letters(new_case).mapped("letter_type")), {"reminder"}
            )
            self.assertEqual(self._logs(new_case).step_id, self.steps["reminder"])

    def test_paid_case_is_settled_by_the_agreement_monitor(self):
        with at(30):
            case = self._case_due(overdue=30)
            case.action_escalate()
        with at(31):
            self._register_payment(case.invoice_ids)
            self._monitor()
            self.assertEqual(case.state, "settled")
            self._monitor()  # idempotent
            self.assertEqual(
                len(case.message_ids.filtered(lambda m: "is settled" in m.body)), 1
            )

    def test_paid_disputed_case_is_settled(self):
        with at(10):
            case = self._case_due(overdue=10)
            case.action_dispute("We never received the goods.")
        with at(11):
            self._register_payment(case.invoice_ids)
            self._cron()
            self.assertEqual(case.state, "settled")

    # ------------------------------------------------------------------
    # A broken promise can be cured
    # ------------------------------------------------------------------
    def _agree_plan(self, case, amount, first_due, count=2):
        """``case`` under agreement on a monthly plan of ``count`` payments."""
        offer = self._plan(case, amount=amount, count=count, first_due=first_due)
        self._confirm_agreement(offer)
        return offer

    def test_broken_promise_cured_then_fulfilled(self):
        """The broken-promise letter says: pay the missing amount by D to keep
        the agreement in force. Paid by then, the agreement is in force
        again; paid in full later, the case settles with its write-off."""
        with at(10):
            case = self._case_due(overdue=10)
            offer = self._agree_plan(case, 900.0, day(20))
            first, second = case.installment_ids.sorted("due_date")
        grace = self.company.negotiation_grace_days
        broken_on = (first.due_date - day(0)).days + grace + 1
        with at(broken_on):
            self._monitor()
            self.assertEqual(case.state, "broken")
            letter = self._letters(case).filtered(
                lambda lt: lt.letter_type == "broken_promise"
            )
            self.assertEqual(letter.installment_id, first)
            # it announces what the ladder has really planned on its date
            self.assertEqual(letter.next_step_id, case.next_step_id)
            self.assertTrue(letter.next_step_id)
            self.assertIn(
                letter._next_step_clause(), letter._get_letter_texts()["next_steps"]
            )
            deadline = letter.response_deadline
            self.assertGreater(deadline, day(broken_on))
        with at(broken_on + 2):
            self._register_payment(case.invoice_ids, amount=first.amount)
            self._monitor()
            self.assertEqual(first.state, "paid")
            self.assertEqual(case.state, "agreement")
            self.assertEqual(case.agreement_id.state, "active")
            self.assertFalse(case.response_deadline)
            self.assertTrue(
                case.message_ids.filtered(lambda m: "back in force" in m.body)
            )
            self._cron()  # the follow-ups leave an agreement alone
            self.assertEqual(len(self._letters(case)), 2)
        with at((second.due_date - day(0)).days):
            self._register_payment(case.invoice_ids, amount=second.amount)
            self._monitor()
            self.assertEqual(case.state, "settled")
            self.assertEqual(case.agreement_id.state, "fulfilled")
            self.assertTrue(case.agreement_id.writeoff_move_id, "100 forgiven")
            self.assertEqual(set(case.invoice_ids.mapped("payment_state")), {"paid"})
        self.assertEqual(offer.state, "accepted")

    def test_broken_promise_not_cured_stays_broken(self):
        with at(10):
            case = self._case_due(overdue=10)
            self._agree_plan(case, 1000.0, day(20))
            first = case.installment_ids.sorted("due_date")[0]
        broken_on = (first.due_date - day(0)).days + 6
        with at(broken_on):
            self._monitor()
            self.assertEqual(case.state, "broken")
        with at(broken_on + 3):
            # a part of the missed amount is not a cure
            self._register_payment(case.invoice_ids, amount=first.amount / 2)
            self._monitor()
            self.assertEqual(case.state, "broken")
            self.assertEqual(case.agreement_id.state, "broken")

    # ------------------------------------------------------------------
    # Disputing one invoice
    # ------------------------------------------------------------------
    def test_partial_dispute_chases_the_rest(self):
        with at(7):
            kept = self._create_invoice(amount=1000.0, days_overdue=7)
            contested = self._create_invoice(amount=500.0, days_overdue=7)
            case = self._start_case(kept | contested)
            self._cron()
            self.assertEqual(self._letters(case).amount_due, 1500.0)
        with at(10):
            with self.assertRaises(UserError):
                case.action_dispute("Broken goods", contested, reason_code="bogus")
            with self.assertRaises(UserError):
                contested.with_user(self.negotiation_user).write(
                    {"negotiation_disputed": True}
                )
            other = self._create_invoice(partner=self.debtor_2, days_overdue=7)
            with self.assertRaises(UserError):
                case.action_dispute("Not ours", other)
            case.action_dispute(
                "The second delivery arrived broken.", contested, reason_code="quality"
            )
            self.assertEqual(case.state, "open", "the rest is still chased")
            self.assertTrue(contested.negotiation_disputed)
            self.assertEqual(contested.negotiation_dispute_code, "quality")
            self.assertFalse(kept.negotiation_disputed)
            self.assertEqual(case.amount_disputed, 500.0)
            self.assertEqual(case.amount_claimed, 1000.0)
            self.assertEqual(case.interaction_ids[:1].outcome, "dispute")
        with at(21):
            self._cron()
            letter = self._letters(case).filtered(
                lambda lt: lt.letter_type == "negotiation"
            )[:1]
            self.assertEqual(letter.amount_due, 1000.0, "disputed: not claimed")
            html = self.env["ir.actions.report"]._render_qweb_html(
                "debt_negotiation.action_report_debt_negotiation_letter", letter.ids
            )[0]
            html = html.decode() if isinstance(html, bytes) else html
            self.assertIn("disputed: not claimed in this letter", html)
            self.assertIn(kept.payment_reference or kept.name, html)
        with at(25):
            # the rest is paid: nothing is claimed, nothing chased, the
            # disputed invoice keeps the case open
            self._register_payment(kept)
            self._cron()
            self._monitor()
            self.assertEqual(case.state, "open")
            self.assertEqual(case.amount_claimed, 0.0)
            self.assertFalse(case.oldest_due_date)
            letters = len(self._letters(case))
        with at(60):
            self._cron()
            self.assertEqual(len(self._letters(case)), letters)
            self.assertEqual(case.state, "open", "no escalation of a disputed debt")
        with at(61):
            # resolved in the debtor's favour: a credit note settles it
            action = case.action_credit_disputed_invoices()
            self.assertEqual(action["res_model"], "account.move.reversal")
            reversal = (
                self.env["account.move.reversal"]
                .with_context(**action["context"])
                .create({"journal_id": contested.journal_id.id})
            )
            reversal.refund_moves()
            credit_note = reversal.new_move_ids
            credit_note.action_post()
            # (Odoo may have matched them on posting already)
            (contested.line_ids | credit_note.line_ids).filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable"
                    and not line.reconciled
                )
            ).reconcile()
            self.assertEqual(contested.payment_state, "reversed")
            self._cron()
            self.assertEqual(case.state, "settled")

    def test_auto_open_does_not_put_back_a_removed_invoice(self):
        self.company.negotiation_auto_open_days = 10
        with at(20):
            kept = self._create_invoice(days_overdue=15)
            removed = self._create_invoice(amount=300.0, days_overdue=15)
            self._cron()
            case = kept.negotiation_id
            self.assertEqual(case.invoice_ids, kept | removed)
            # the negotiator takes one out (e.g. it is settled another way)
            case.write({"invoice_ids": [Command.unlink(removed.id)]})
            self.assertTrue(removed.negotiation_excluded)
        with at(21):
            self._cron()
            self.assertNotIn(removed, case.invoice_ids)
            self.assertFalse(removed.negotiation_id)
            # starting a negotiation on it again is the user's explicit choice
            self.assertEqual(self._start_case(removed), case)
            self.assertFalse(removed.negotiation_excluded)

    def test_resolved_invoice_dispute_is_claimed_again(self):
        with at(10):
            kept = self._create_invoice(amount=1000.0, days_overdue=10)
            contested = self._create_invoice(amount=500.0, days_overdue=10)
            case = self._start_case(kept | contested)
            case.action_dispute("Not ordered.", contested, reason_code="not_ordered")
            self.assertEqual(case.amount_claimed, 1000.0)
            with self.assertRaises(UserError):
                case.action_resolve_dispute(invoices=kept)
            case.action_resolve_dispute(invoices=contested)
            self.assertFalse(contested.negotiation_disputed)
            self.assertEqual(case.amount_claimed, 1500.0)
            # the whole claim disputed: the chasing pauses
            case.action_dispute("We contest everything.", reason_code="already_paid")
            self.assertEqual(case.state, "disputed")
            self.assertEqual(case.dispute_reason_code, "already_paid")
            case.action_resolve_dispute()
            self.assertEqual(case.state, "open")
            self.assertFalse(case.dispute_reason_code)

    # ------------------------------------------------------------------
    # Unapplied money stops dunning
    # ------------------------------------------------------------------
    def _apply_activities(self, case):
        return case.activity_ids.filtered(
            lambda a: a.summary == "Apply the debtor's outstanding credits"
        )

    def test_unapplied_credit_note_stops_dunning(self):
        with at(5):
            case = self._case_due(overdue=5)
            credit_note = self._create_invoice(
                amount=1000.0, days_overdue=5, move_type="out_refund"
            )
            self.assertEqual(case.amount_unapplied, 1000.0)
        for offset in (7, 8):
            with at(offset):
                self._cron()
                self.assertFalse(self._letters(case), "no letter: the money is there")
                self.assertIn("unapplied", case.followup_error)
                self.assertEqual(len(self._apply_activities(case)), 1)
        with at(9):
            # the negotiator applies the credit note: the case is paid
            invoice = case.invoice_ids
            (invoice.line_ids | credit_note.line_ids).filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            ).reconcile()
            self.assertEqual(case.amount_unapplied, 0.0)
            self._cron()
            self.assertEqual(case.state, "settled")

    def test_unapplied_payment_is_netted_in_letters(self):
        with at(7):
            case = self._case_due(overdue=7)
            payment = self.env["account.payment"].create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.debtor.id,
                    "amount": 300.0,
                    "journal_id": self.company_data["default_journal_bank"].id,
                }
            )
            payment.action_post()
            self.assertTrue(payment.move_id, "the payment is an outstanding credit")
            self.assertEqual(case.amount_unapplied, 300.0)
            self._cron()
            letters = self._letters(case)
            self.assertTrue(letters, "300 does not cover 1000: the reminder goes out")
            self.assertEqual(set(letters.mapped("amount_due")), {700.0})
            html = self.env["ir.actions.report"]._render_qweb_html(
                "debt_negotiation.action_report_debt_negotiation_letter",
                letters[:1].ids,
            )[0]
            html = html.decode() if isinstance(html, bytes) else html
            self.assertIn("not yet applied", html)

    def test_unapplied_credit_keeps_the_agreement(self):
        with at(10):
            case = self._case_due(overdue=10)
            self._agree_plan(case, 1000.0, day(20))
            first = case.installment_ids.sorted("due_date")[0]
        with at(21):
            # the debtor pays the installment, but the payment is not matched
            self._create_invoice(
                amount=first.amount, days_overdue=0, move_type="out_refund"
            )
        broken_on = (first.due_date - day(0)).days + 6
        with at(broken_on):
            self._monitor()
            self.assertEqual(case.state, "agreement", "no broken promise")
            self.assertEqual(len(self._apply_activities(case)), 1)

    # ------------------------------------------------------------------
    # Nobody waits in silence
    # ------------------------------------------------------------------
    def _answer_activities(self, case):
        answer = self.env.ref("debt_negotiation.mail_activity_type_counter_offer")
        return case.activity_ids.filtered(lambda a: a.activity_type_id == answer)

    def test_counter_offer_is_answered_or_followed_up(self):
        with at(10):
            case = self._case_due(overdue=10)
            counter = self._create_offer(
                case, origin="debtor", amount=800.0, expiry_date=day(15)
            )
            counter.action_propose()
            activity = self._answer_activities(case)
            self.assertEqual(len(activity), 1)
            self.assertEqual(activity.date_deadline, day(15))
            self.assertIn("Answer the counter-offer by", activity.summary)
            counter.action_reject()
            self.assertFalse(self._answer_activities(case), "answered: done")
            again = self._create_offer(
                case, origin="debtor", amount=850.0, expiry_date=day(18)
            )
            again.action_propose()
            self.assertEqual(len(self._answer_activities(case)), 1)
        with at(19):
            # left unanswered: it expires, and the negotiator is told to call
            self._cron()
            self.assertEqual(again.state, "expired")
            self.assertFalse(self._answer_activities(case))
            self.assertIn(
                "Counter-offer expired unanswered: call the debtor",
                case.activity_ids.mapped("summary"),
            )

    # ------------------------------------------------------------------
    # Letters tell the truth
    # ------------------------------------------------------------------
    def test_letters_name_the_negotiator_never_the_bot(self):
        self.company.negotiation_auto_open_days = 10
        with at(20):
            invoice = self._create_invoice(days_overdue=15)
            self._cron()
            case = invoice.negotiation_id
            # opened by the scheduler: the invoice's salesperson negotiates
            self.assertEqual(case.user_id, invoice.invoice_user_id)
            letter = self._letters(case)[:1]
            self.assertEqual(letter._negotiator(), case.user_id)
            case.sudo().user_id = self.env.ref("base.user_root")
            self.assertFalse(letter._negotiator(), "OdooBot is nobody's contact")
            html = self.env["ir.actions.report"]._render_qweb_html(
                "debt_negotiation.action_report_debt_negotiation_letter", letter.ids
            )[0]
            html = html.decode() if isinstance(html, bytes) else html
            self.assertNotIn("OdooBot", html)
            self.assertIn(self.company.negotiation_department, html)

    def test_emails_go_to_the_invoicing_contact(self):
        payable = self.env["res.partner"].create(
            {
                "name": "Accounts Payable",
                "type": "invoice",
                "parent_id": self.debtor.id,
                "email": "ap@debtor.example.com",
            }
        )
        with at(7):
            case = self._case_due(overdue=7)
            self.assertEqual(case.letter_recipient_id, payable)
            self._cron()
            letter = self._letters(case).filtered(lambda lt: lt.channel == "email")
            self.assertEqual(letter.state, "sent")
            message = case.message_ids.filtered(
                lambda m: letter.name in (m.subject or "") or m.attachment_ids
            ).filtered(lambda m: m.message_type == "comment")[:1]
            self.assertIn(payable, message.partner_ids)

    def test_agreement_email_states_the_agreed_terms(self):
        with at(10):
            case = self._case_due(overdue=10)
            self._agree_plan(case, 900.0, day(20))
            body = self.env.ref(
                "debt_negotiation.mail_template_letter_agreement"
            )._render_field("body_html", case.ids)[case.id]
        self.assertIn("Agreed amount", body)
        self.assertIn("Next payment", body)
        amount = case.currency_id.format(450.0).replace("\xa0", " ")
        self.assertIn(amount, str(body).replace("\xa0", " "))
        self.assertNotIn("Amount due", body)

    def _letter_text(self, letter):
        html = self.env["ir.actions.report"]._render_qweb_html(
            "debt_negotiation.action_report_debt_negotiation_letter", letter.ids
        )[0]
        html = html.decode() if isinstance(html, bytes) else html
        return " ".join(html2plaintext(html).split())

    def test_what_happens_next_is_the_planned_step(self):
        """ "What happens next" comes from the step the ladder has planned,
        on its date, not from fixed text per letter type."""
        with at(7):
            case = self._case_due(overdue=7)
            self._cron()
            reminder = self._letters(case)
            self.assertEqual(reminder.next_step_id, self.steps["negotiation"])
            text = self._letter_text(reminder)
            self.assertIn(
                "we will send you a formal letter to agree on a solution", text
            )
        with at(8):
            # the company drops the formal letter from its ladder: the next
            # letters announce what really comes
            self.steps["negotiation"].sudo().action_archive()
            other = self._case_due(self.debtor_2, overdue=7)
            self._cron()
            letter = self._letters(other)
            self.assertEqual(letter.next_step_id, self.steps["final_notice"])
            self.assertIn("we will send you a final notice", self._letter_text(letter))
        with at(46):
            self._cron()
            final = self._letters(other).filtered(
                lambda lt: lt.letter_type == "final_notice"
            )[:1]
            self.assertEqual(final.next_step_id, self.steps["escalation"])

    def test_installment_reminder_and_late_notice(self):
        """Seed tip 19: the debtor is reminded before each payment and told
        at once when one is late, while the grace period still lets them
        keep the agreement."""
        self.company.negotiation_installment_reminder_days = 3
        with at(10):
            case = self._case_due(overdue=10)
            self._agree_plan(case, 1000.0, day(20))
            first = case.installment_ids.sorted("due_date")[0]

        def notices(subject_part):
            return case.message_ids.filtered(
                lambda m: subject_part in (m.subject or "")
            )

        with at(16):
            self._monitor()
            self.assertFalse(notices("due on"), "4 days before: not yet")
        with at(17):
            self._monitor()
            reminder = notices("payment of")
            self.assertEqual(len(reminder), 1)
            self.assertIn(case.letter_recipient_id, reminder.partner_ids)
            self.assertEqual(first.reminder_date, day(17))
        with at(18):
            self._monitor()
            self.assertEqual(len(notices("payment of")), 1, "once")
        with at(21):
            self._monitor()
            self.assertEqual(first.state, "late")
            late = notices("has not arrived")
            self.assertEqual(len(late), 1)
            self.assertIn("to keep the agreement in force", late.body)
            self.assertIn(
                self.env["ir.qweb.field.date"].value_to_html(first.grace_end_date, {}),
                late.body,
            )
            self.assertEqual(case.state, "agreement")
        with at(22):
            self._monitor()
            self.assertEqual(len(notices("has not arrived")), 1, "once")
        # turned off: no reminder for the next one
        self.company.negotiation_installment_reminder_days = 0
        second = case.installment_ids.sorted("due_date")[1]
        with at((second.due_date - day(0)).days - 1):
            self._register_payment(case.invoice_ids, amount=first.amount)
            self._monitor()
            self.assertFalse(second.reminder_date)

    def test_agreement_letter_says_how_to_pay_and_to_sign(self):
        bank = self.env["res.bank"].create({"name": "Creditor Bank", "bic": "CRDTBEBB"})
        self.env["res.partner.bank"].create(
            {
                "acc_number": "BE71096123456769",
                "partner_id": self.company.partner_id.id,
                "bank_id": bank.id,
                "acc_holder_name": "Creditor Holder Ltd",
            }
        )
        with at(10):
            case = self._case_due(overdue=10)
            self._agree_plan(case, 900.0, day(20))
            text = self._letter_text(case.agreement_id.letter_id)
        for expected in (
            "BE71096123456769",
            "CRDTBEBB",
            "Creditor Holder Ltd",
            # the reference bank matching uses: the oldest open invoice's
            f"Payment reference: *{case.invoice_ids.payment_reference}*",
            # confirmed in writing (issue 24): how the debtor agreed, and no
            # signature asked unless the wizard asks for one
            "Agreed by phone with",
        ):
            self.assertIn(expected, text)
        self.assertNotIn("Please sign this confirmation", text)

    # ------------------------------------------------------------------
    # New debt during an agreement
    # ------------------------------------------------------------------
    def test_new_debt_during_an_agreement_is_chased_from_the_start(self):
        with at(60):
            case = self._case_due(overdue=60)
            old = case.invoice_ids
            self._cron()
            self.assertEqual(self._logs(case).step_id, self.steps["final_notice"])
        with at(61):
            self._agree_plan(case, 1000.0, day(70))
            self.assertEqual(case.state, "agreement")
            self.assertEqual(case.amount_claimed, 0.0, "the agreement covers it all")
            self.assertFalse(case.next_action_date)
            stage = case.stage_id
        with at(66):
            new = self._create_invoice(amount=300.0, days_overdue=1)
            self.assertEqual(self._start_case(new), case, "it joins the case")
            self.assertEqual(case.amount_claimed, 300.0)
            self.assertEqual(case.oldest_due_date, day(65))
            self._cron()
            self.assertFalse(
                self._letters(case).filtered(lambda lt: lt.letter_type == "reminder"),
                "not due yet by its own date",
            )
        with at(70):
            self._register_payment(old, amount=500.0)
            self._monitor()
        with at(72):
            # chased from the reminder on, on its own due date (65 + 7)
            self._cron()
            reminder = self._letters(case).filtered(
                lambda lt: lt.letter_type == "reminder"
            )
            self.assertEqual(len(reminder), 1)
            self.assertEqual(reminder.amount_due, 300.0)
            self.assertEqual(reminder._get_open_invoices(), new)
            self.assertEqual(case.state, "agreement", "the agreement goes on")
            self.assertEqual(case.stage_id, stage)
            self.assertEqual(case.agreement_id.state, "active")
            self.assertEqual(case.next_step_id, self.steps["negotiation"])
        second = case.installment_ids.sorted("due_date")[-1]
        with at((second.due_date - day(0)).days):
            self._register_payment(old, amount=500.0)
            self._monitor()
            # fulfilled; the new debt goes on where its own ladder is, no
            # jump to the escalation the old debt had reached
            self.assertEqual(case.agreement_id.state, "fulfilled")
            self.assertEqual(case.state, "open")
            self.assertEqual(case.amount_due, 300.0)
            self.assertNotEqual(case.next_step_id, self.steps["escalation"])
            self._cron()
            self.assertNotEqual(case.state, "escalated")

    # ------------------------------------------------------------------
    # Agreements always end
    # ------------------------------------------------------------------
    def test_cancelled_invoice_leaves_the_agreement(self):
        with at(10):
            kept = self._create_invoice(amount=1000.0, days_overdue=10)
            wrong = self._create_invoice(amount=500.0, days_overdue=10)
            case = self._start_case(kept | wrong)
            offer = self._create_offer(
                case,
                offer_type="full_payment",
                amount=1500.0,
                first_due_date=day(20),
            )
            offer.action_propose()
            self._confirm_agreement(offer)
            agreement = case.agreement_id
        with at(12):
            # the second invoice was wrong: reset and cancelled
            wrong.button_draft()
            wrong.button_cancel()
            self.assertEqual(agreement.invoice_ids, kept)
            self.assertEqual(agreement.amount_due, 1000.0)
            self.assertNotIn(wrong, case.invoice_ids)
            self._monitor()
            installment = agreement.installment_ids
            self.assertEqual(
                installment.amount_paid, 0.0, "a cancelled balance is no payment"
            )
            self.assertTrue(
                case.message_ids.filtered(
                    lambda m: "removed from the agreement" in m.body
                )
            )
        with at(18):
            # what is left is paid: the agreement ends, the case is settled
            self._register_payment(kept)
            self._monitor()
            self.assertEqual(agreement.state, "fulfilled")
            self.assertEqual(case.state, "settled")
            self.assertFalse(agreement.writeoff_move_id)

    # ------------------------------------------------------------------
    # Settlement accounting
    # ------------------------------------------------------------------
    def test_settlement_forgiven_by_credit_note(self):
        """By company setting, what a settlement forgives is a credit note on
        the invoice: a price concession reducing the revenue and the VAT."""
        self.company.negotiation_settlement_method = "credit_note"
        tax = self.env["account.tax"].create(
            {
                "name": "VAT 10%",
                "amount": 10.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": self.company.id,
            }
        )
        with at(10):
            invoice = self._create_invoice(amount=1000.0, days_overdue=10, post=False)
            invoice.invoice_line_ids.tax_ids = tax
            invoice.action_post()
            self.assertEqual(invoice.amount_total, 1100.0)
            case = self._start_case(invoice)
            offer = self._create_offer(case, amount=660.0, first_due_date=day(20))
            offer.action_propose()
            self._confirm_agreement(offer)
            agreement = case.agreement_id
        with at(20):
            self._register_payment(invoice, amount=660.0)
            self._monitor()
            self.assertEqual(case.state, "settled")
            note = agreement.credit_note_ids
            self.assertEqual(len(note), 1)
            self.assertRecordValues(
                note,
                [
                    {
                        "move_type": "out_refund",
                        "state": "posted",
                        "reversed_entry_id": invoice.id,
                        "amount_untaxed": 400.0,
                        "amount_tax": 40.0,
                        "amount_total": 440.0,
                    }
                ],
            )
            self.assertFalse(agreement.writeoff_move_id, "no rounding left")
            self.assertEqual(agreement.writeoff_amount, 440.0)
            self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
