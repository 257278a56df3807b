# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from .common import SIGNATURE, DebtNegotiationCommon, PdfRenderingMixin

TODAY = "2026-03-02"


@tagged("post_install", "-at_install")
class TestAgreement(DebtNegotiationCommon):
    """Agreements in writing: the wizard, the agreement model and its
    installments, payment tracking, broken promises, settlement accounting
    and safety."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Installment = cls.env["debt.negotiation.installment"]
        cls.Agreement = cls.env["debt.negotiation.agreement"]
        cls.writeoff_account = cls.company.negotiation_writeoff_account_id
        cls.eur = cls.setup_other_currency(
            "EUR", rates=[("2016-01-01", 2.0), ("2026-03-01", 2.5)]
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _agreed_plan(self, amount=1000.0, count=4, first_due=None, **vals):
        """A case under agreement on a monthly payment plan (first payment
        in 10 days), its offer and its invoice of 1000."""
        case, offer = self._open_case_with_agreement(
            amount=amount,
            offer_type="payment_plan",
            installment_count=count,
            interval="month",
            first_due_date=first_due or self.today + timedelta(days=10),
            **vals,
        )
        return case, offer, case.invoice_ids

    def _open_wizard(self, offer, user=None):
        action = (offer.with_user(user) if user else offer).action_accept()
        model = self.env[action["res_model"]].with_context(**action["context"])
        return Form(model.with_user(user) if user else model)

    def _installments(self, case):
        return case.installment_ids.sorted(lambda i: (i.due_date, i.sequence))

    def _assert_nothing_written(self, case, offer, offer_state="proposed"):
        self.assertEqual(offer.state, offer_state)
        self.assertFalse(offer.agreement_id)
        self.assertFalse(case.agreement_id)
        self.assertFalse(
            self.Installment.with_context(active_test=False).search(
                [("offer_id", "=", offer.id)]
            )
        )
        self.assertFalse(
            case.letter_ids.filtered(lambda letter: letter.letter_type == "agreement")
        )
        self.assertNotIn("agreement", case.interaction_ids.mapped("outcome"))
        self.assertNotEqual(case.state, "agreement")

    def _monitor(self, day=None):
        if day:
            with freeze_time(day):
                self.Negotiation._cron_monitor_agreements()
        else:
            self.Negotiation._cron_monitor_agreements()

    def _receivable_lines(self, moves):
        return moves.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    # ------------------------------------------------------------------
    # The wizard
    # ------------------------------------------------------------------
    @freeze_time(TODAY)
    def test_wizard_prefills_the_schedule_and_confirms_with_edits(self):
        invoice = self._create_invoice(amount=1000.0)
        case = self._start_case(invoice)
        offer = self._plan(case, amount=900.0, count=3, down_payment=150.0)
        wizard_form = self._open_wizard(offer)
        self.assertEqual(wizard_form.offer_id, offer)
        self.assertEqual(wizard_form.negotiation_id, case)
        self.assertEqual(len(wizard_form.line_ids), 4)
        self.assertEqual(
            [wizard_form.line_ids.edit(i).amount for i in range(4)],
            [150.0, 250.0, 250.0, 250.0],
        )
        with wizard_form.line_ids.edit(0) as line:
            self.assertEqual(line.name, "Down payment")
            self.assertEqual(line.due_date, date(2026, 3, 12))
        # the debtor asked for a smaller second payment and a bigger last one
        with wizard_form.line_ids.edit(1) as line:
            line.amount = 200.0
            line.due_date = date(2026, 4, 15)
        with wizard_form.line_ids.edit(3) as line:
            line.amount = 300.0
        wizard_form.signed_by = "Jane Accounts"
        wizard_form.signed_on = date(2026, 3, 1)
        wizard_form.creditor_signature = SIGNATURE
        wizard_form.signed_copy = "UERGIHNjYW4="  # "PDF scan"
        wizard_form.note = "Pays by standing order."
        wizard = wizard_form.save()
        wizard.signed_copy_name = "signed.pdf"  # set by the upload widget
        wizard.action_confirm()

        self.assertEqual(case.state, "agreement")
        self.assertEqual(offer.state, "accepted")
        agreement = case.agreement_id
        self.assertEqual(offer.agreement_id, agreement)
        self.assertRecordValues(
            agreement,
            [
                {
                    "negotiation_id": case.id,
                    "offer_id": offer.id,
                    "state": "active",
                    "date": date(2026, 3, 2),
                    "signed_by": "Jane Accounts",
                    "signed_on": date(2026, 3, 1),
                    "amount": 900.0,
                    "amount_due": 1000.0,
                    "amount_paid": 0.0,
                    "note": "Pays by standing order.",
                }
            ],
        )
        self.assertTrue(agreement.creditor_signature)
        self.assertFalse(agreement.signature, "staff never draw the debtor's")
        self.assertEqual(agreement.invoice_ids, invoice)
        self.assertEqual(agreement.installment_ids, case.installment_ids)
        self.assertRecordValues(
            self._installments(case),
            [
                {
                    "name": "Down payment",
                    "sequence": 1,
                    "due_date": date(2026, 3, 12),
                    "amount": 150.0,
                    "amount_paid": 0.0,
                    "state": "pending",
                },
                {
                    "name": "Installment 1",
                    "sequence": 2,
                    "due_date": date(2026, 4, 15),
                    "amount": 200.0,
                    "amount_paid": 0.0,
                    "state": "pending",
                },
                {
                    "name": "Installment 2",
                    "sequence": 3,
                    "due_date": date(2026, 5, 12),
                    "amount": 250.0,
                    "amount_paid": 0.0,
                    "state": "pending",
                },
                {
                    "name": "Installment 3",
                    "sequence": 4,
                    "due_date": date(2026, 6, 12),
                    "amount": 300.0,
                    "amount_paid": 0.0,
                    "state": "pending",
                },
            ],
        )
        # the agreement letter, with the signature
        letter = case.letter_ids.filtered(lambda x: x.letter_type == "agreement")
        self.assertEqual(len(letter), 1)
        self.assertEqual(agreement.letter_id, letter)
        self.assertRecordValues(
            letter,
            [
                {
                    "offer_id": offer.id,
                    "signed_by": "Jane Accounts",
                    "signed_on": date(2026, 3, 1),
                    "channel": "post",
                    "state": "to_send",
                }
            ],
        )
        self.assertTrue(letter.creditor_signature)
        self.assertTrue(letter.attachment_id)
        content = letter.attachment_id.raw
        self.assertIn(b"Jane Accounts", content)
        self.assertIn(b"data:image/png;base64", content)
        # noted in the chatter (the letter keeps its PDF), the signed copy
        # posted there, agreement interaction
        self._assert_letter_noted(letter)
        attachments = case.message_ids.attachment_ids
        # a copy of the agreement letter is posted in the chatter; deleting
        # that post leaves the letter's own stored PDF as it was
        copy = attachments.filtered(lambda a: a.name == letter.attachment_id.name)
        self.assertEqual(len(copy), 1)
        self.assertEqual(copy.raw, content)
        self.assertNotEqual(copy, letter.attachment_id)
        copy_post = case.message_ids.filtered(lambda m: copy in m.attachment_ids)
        case._message_update_content(copy_post, "", attachment_ids=[])  # "Delete"
        self.assertFalse(copy.exists())
        self.assertEqual(letter.attachment_id.raw, content)
        attachments = attachments.exists()
        signed_copy = attachments.filtered(lambda a: a.name == "signed.pdf")
        self.assertEqual(signed_copy.raw, b"PDF scan")
        self.assertEqual(
            (signed_copy.res_model, signed_copy.res_id), (case._name, case.id)
        )
        self.assertEqual(agreement.signed_copy_id, signed_copy)
        agreement_log = case.interaction_ids.filtered(
            lambda i: i.outcome == "agreement"
        )
        self.assertEqual(len(agreement_log), 1)
        self.assertEqual(agreement_log.contact_name, "Jane Accounts")
        self.assertIn("standing order", agreement_log.summary)
        # case form: progress and next payment
        self.assertRecordValues(
            case,
            [
                {
                    "next_installment_id": self._installments(case)[0].id,
                    "next_installment_date": date(2026, 3, 12),
                    "next_installment_amount": 150.0,
                    "installment_total_count": 4,
                    "installment_paid_count": 0,
                    "agreement_amount": 900.0,
                    "agreement_progress": 0.0,
                    "agreement_date": date(2026, 3, 2),
                }
            ],
        )
        self.assertEqual(invoice.negotiation_state, "agreement")

    @freeze_time(TODAY)
    def test_wizard_from_the_case_and_by_email(self):
        case = self._start_case()
        offer = self._create_offer(case, offer_type="full_payment")
        offer.action_propose()
        action = case.action_open_agreement_wizard()
        self.assertEqual(action["context"]["default_offer_id"], offer.id)
        wizard_form = Form(
            self.env[action["res_model"]].with_context(**action["context"])
        )
        wizard_form.signed_by = "Jane Accounts"
        wizard_form.letter_channel = "email"
        result = wizard_form.save().action_confirm()
        self.assertEqual(result["res_model"], "mail.compose.message")
        letter = case.letter_ids
        self.assertEqual(letter.letter_type, "agreement")
        self.assertEqual(letter.channel, "email")
        self.assertEqual(case.state, "agreement")

    @freeze_time(TODAY)
    def test_schedule_must_sum_exactly_to_the_offer(self):
        case = self._start_case()
        offer = self._plan(case, amount=1000.0, count=3)
        wizard_form = self._open_wizard(offer)
        with wizard_form.line_ids.edit(2) as line:
            line.amount = 333.35  # 0.01 too much
        wizard_form.signed_by = "Jane Accounts"
        wizard = wizard_form.save()
        self.assertEqual(wizard.schedule_difference, -0.01)
        with self.assertRaisesRegex(ValidationError, "exactly"):
            wizard.action_confirm()
        self._assert_nothing_written(case, offer)
        # an extra line fixing the total is fine... but not a zero one
        wizard.line_ids[2].amount = 333.34
        wizard.line_ids = [Command.create({"due_date": self.today, "amount": 0.0})]
        with self.assertRaisesRegex(ValidationError, "greater than zero"):
            wizard.action_confirm()
        self._assert_nothing_written(case, offer)

    @freeze_time(TODAY)
    def test_schedule_dates_cannot_be_in_the_past(self):
        case = self._start_case()
        offer = self._plan(case, amount=1000.0, count=2)
        wizard_form = self._open_wizard(offer)
        with wizard_form.line_ids.edit(0) as line:
            line.due_date = date(2026, 3, 1)
        wizard_form.signed_by = "Jane Accounts"
        wizard = wizard_form.save()
        with self.assertRaisesRegex(ValidationError, "past"):
            wizard.action_confirm()
        self._assert_nothing_written(case, offer)
        wizard.line_ids[0].due_date = self.today  # due today is fine
        wizard.action_confirm()
        self.assertEqual(case.state, "agreement")

    @freeze_time(TODAY)
    def test_signature_must_be_given_and_not_in_the_future(self):
        case = self._start_case()
        offer = self._plan(case)
        wizard = self._open_wizard(offer).save()
        wizard.signed_by = "  "
        with self.assertRaises(UserError):
            wizard.action_confirm()
        wizard.signed_by = "Jane"
        wizard.signed_on = date(2026, 3, 3)
        with self.assertRaisesRegex(UserError, "future"):
            wizard.action_confirm()
        self._assert_nothing_written(case, offer)

    @freeze_time(TODAY)
    def test_refused_on_cancelled_case_and_closed_offers(self):
        case = self._start_case()
        offer = self._plan(case)
        wizard = self._open_wizard(offer).save()
        offer.action_withdraw()
        with self.assertRaisesRegex(UserError, "(?i)withdrawn"):
            wizard.action_confirm()
        self._assert_nothing_written(case, offer, "withdrawn")
        # expired: past its expiry date, before and after the cron noticed it
        expiring = self._plan(case, expiry_date=date(2026, 3, 5))
        wizard = self._open_wizard(expiring).save()
        with freeze_time("2026-03-06"):
            with self.assertRaisesRegex(UserError, "(?i)expired"):
                wizard.action_confirm()
            self.Offer._expire_offers()
            self.assertEqual(expiring.state, "expired")
            with self.assertRaisesRegex(UserError, "(?i)expired"):
                wizard.action_confirm()
        self._assert_nothing_written(case, expiring, "expired")
        # cancelled case
        draft = self._create_offer(case, amount=900.0)
        wizard = self._open_wizard(draft).save()
        case.action_cancel()
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(case.state, "cancelled")
        self.assertFalse(case.with_context(active_test=False).installment_ids)
        self.assertFalse(case.letter_ids)

    @freeze_time(TODAY)
    def test_refused_when_already_under_agreement(self):
        case = self._start_case()
        first = self._create_offer(case, amount=900.0)
        second = self._create_offer(case, amount=950.0)
        wizard = self._open_wizard(second).save()
        self._confirm_agreement(first)
        with self.assertRaisesRegex(
            UserError, "(?i)withdrawn|already under an agreement"
        ):
            wizard.action_confirm()
        self.assertEqual(case.installment_ids.offer_id, first)
        self.assertEqual(case.agreement_id.offer_id, first)
        self.assertEqual(len(case.agreement_ids), 1)
        self.assertEqual(len(case.letter_ids), 1)

    @freeze_time(TODAY)
    def test_settlement_needs_a_writeoff_account(self):
        self.company.negotiation_writeoff_account_id = False
        case = self._start_case()
        settlement = self._create_offer(case, amount=600.0)
        settlement.action_propose()
        wizard_form = self._open_wizard(settlement)
        wizard_form.signed_by = "Jane Accounts"
        wizard = wizard_form.save()
        self.assertTrue(wizard.writeoff_account_missing)
        with self.assertRaisesRegex(UserError, "write-off account"):
            wizard.action_confirm()
        self._assert_nothing_written(case, settlement)
        # a discounted plan forgives part of the debt too
        plan = self._plan(case, amount=900.0)
        with self.assertRaisesRegex(UserError, "write-off account"):
            self._confirm_agreement(plan)
        self._assert_nothing_written(case, plan)
        # paying everything needs none
        full = self._create_offer(case, offer_type="full_payment", amount=1000.0)
        self._confirm_agreement(full)
        self.assertEqual(case.state, "agreement")

    @freeze_time(TODAY)
    def test_minimum_rule(self):
        case = self._start_case()
        case.with_user(self.negotiation_manager).minimum_amount = 800.0
        below = self._create_offer(case, amount=700.0)
        below.action_propose()
        self.assertTrue(below.below_minimum)
        # the user's confirmation goes to a manager's approval
        result = self._confirm_agreement(below, user=self.negotiation_user)
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(below.approval_ids.state, "pending")
        # a wizard opened by a manager cannot be confirmed by a user either
        wizard = self._open_wizard(below).save()
        with self.assertRaises(AccessError):
            wizard.with_user(self.negotiation_user).action_confirm()
        self._assert_nothing_written(case, below)
        self._confirm_agreement(below, user=self.negotiation_manager)
        self.assertEqual(below.state, "accepted")
        self.assertEqual(case.state, "agreement")

    # ------------------------------------------------------------------
    # The agreement model
    # ------------------------------------------------------------------
    @freeze_time(TODAY)
    def test_agreement_states_and_the_case_agreement(self):
        case = self._start_case()
        self.assertFalse(case.agreement_id)
        self.assertIn(
            "pending_signature", self.Agreement._fields["state"].get_values(self.env)
        )
        offer = self._plan(case, amount=1000.0, count=2)
        self._confirm_agreement(offer)
        first = case.agreement_id
        self.assertRecordValues(
            first,
            [
                {
                    "state": "active",
                    "offer_id": offer.id,
                    "negotiation_id": case.id,
                    "company_id": self.company.id,
                    "partner_id": self.debtor.id,
                    "installment_count": 2,
                    "installment_paid_count": 0,
                    "progress": 0.0,
                }
            ],
        )
        self.assertEqual(case.agreement_ids, first)
        self.assertEqual(first.installment_ids.agreement_id, first)
        self.assertEqual(first.installment_ids.offer_id, offer)
        self.assertEqual(first.display_name, f"{case.name} - {offer.display_name}")
        # broken: still the case's agreement
        self._monitor("2026-04-01")
        self.assertEqual(case.state, "broken")
        self.assertEqual(first.state, "broken")
        self.assertEqual(case.agreement_id, first)
        # renegotiated: the new agreement takes over, the broken one stays
        with freeze_time("2026-04-02"):
            second_offer = self._create_offer(
                case, offer_type="full_payment", first_due_date=date(2026, 4, 20)
            )
            self._confirm_agreement(second_offer)
        second = case.agreement_id
        self.assertNotEqual(second, first)
        self.assertEqual(second.state, "active")
        self.assertEqual(first.state, "broken")
        self.assertEqual(case.agreement_ids, first | second)
        self.assertEqual(case.installment_ids, second.installment_ids)
        # cancelled: the case has no agreement in force any more
        second.action_cancel("Agreed by mistake")
        self.assertEqual(second.state, "cancelled")
        self.assertFalse(case.agreement_id)
        self.assertEqual(first.state, "broken")
        self.assertFalse(case.installment_ids)

    @freeze_time(TODAY)
    def test_agreement_menu_and_views(self):
        case, _offer, _invoice = self._agreed_plan(count=2)
        action = self.env.ref("debt_negotiation.action_debt_negotiation_agreement")
        self.assertEqual(action.res_model, "debt.negotiation.agreement")
        menu = self.env.ref("debt_negotiation.menu_debt_negotiation_agreement")
        self.assertEqual(
            menu.parent_id, self.env.ref("debt_negotiation.menu_debt_negotiation_root")
        )
        for user in (self.negotiation_user, self.negotiation_manager):
            agreements = self.Agreement.with_user(user)
            agreements.get_views([(False, "list"), (False, "form"), (False, "search")])
            self.assertEqual(agreements.search([]), case.agreement_id)
            self.assertFalse(agreements.has_access("create"))
            self.assertFalse(agreements.has_access("write"))
        # the other company does not see it
        self.assertFalse(self.Agreement.with_user(self.user_company_2).search([]))

    # ------------------------------------------------------------------
    # Payment tracking
    # ------------------------------------------------------------------
    @freeze_time(TODAY)
    def test_partial_payments_allocated_oldest_first(self):
        case, _offer, invoice = self._agreed_plan()
        installments = self._installments(case)

        self._register_payment(invoice, amount=300.0)
        self.assertEqual(case.agreement_id.amount_paid, 300.0)
        self.assertEqual(installments.mapped("amount_paid"), [250.0, 50.0, 0.0, 0.0])
        self.assertEqual(
            installments.mapped("state"), ["paid", "pending", "pending", "pending"]
        )
        self.assertEqual(
            installments.mapped("amount_residual"), [0.0, 200.0, 250.0, 250.0]
        )
        self.assertRecordValues(
            case,
            [
                {
                    "installment_paid_count": 1,
                    "agreement_amount_paid": 300.0,
                    "agreement_progress": 30.0,
                    "next_installment_id": installments[1].id,
                    "next_installment_date": date(2026, 4, 12),
                    "next_installment_amount": 200.0,
                    "amount_due": 700.0,
                }
            ],
        )
        # one payment covering several installments
        self._register_payment(invoice, amount=450.0)
        self.assertEqual(installments.mapped("amount_paid"), [250.0, 250.0, 250.0, 0.0])
        self.assertEqual(
            installments.mapped("state"), ["paid", "paid", "paid", "pending"]
        )
        # paying more than is due: the invoice is paid, the excess stays
        # as the debtor's credit and the installments are never overpaid
        self._register_payment(invoice, amount=400.0)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(case.agreement_id.amount_paid, 1000.0)
        self.assertEqual(installments.mapped("amount_paid"), [250.0] * 4)
        self.assertEqual(set(installments.mapped("state")), {"paid"})
        self.assertEqual(case.agreement_progress, 100.0)
        self.assertFalse(case.next_installment_id)

    @freeze_time(TODAY)
    def test_only_payments_after_the_agreement_count(self):
        invoice = self._create_invoice(amount=1000.0)
        case = self._start_case(invoice)
        self._register_payment(invoice, amount=200.0, payment_date=date(2026, 2, 20))
        offer = self._plan(case, amount=800.0, count=2)
        self._confirm_agreement(offer)
        self.assertEqual(offer.agreement_id.amount_due, 800.0)
        self.assertEqual(self._installments(case).mapped("amount_paid"), [0.0, 0.0])
        self._register_payment(invoice, amount=100.0)
        self.assertEqual(self._installments(case).mapped("amount_paid"), [100.0, 0.0])

    @freeze_time(TODAY)
    def test_credit_notes_count_and_unreconciled_payments_stop_counting(self):
        case, _offer, invoice = self._agreed_plan()
        installments = self._installments(case)
        refund = self._create_invoice(
            move_type="out_refund", amount=100.0, days_overdue=0
        )
        self._receivable_lines(invoice | refund).reconcile()
        self.assertEqual(installments.mapped("amount_paid"), [100.0, 0.0, 0.0, 0.0])

        payment = self._register_payment(invoice, amount=300.0)
        self.assertEqual(installments.mapped("amount_paid"), [250.0, 150.0, 0.0, 0.0])
        # the payment is refunded (unreconciled): it no longer counts
        payment.move_id.line_ids.remove_move_reconcile()
        self.assertEqual(installments.mapped("amount_paid"), [100.0, 0.0, 0.0, 0.0])
        self.assertEqual(installments.mapped("state"), ["pending"] * 4)

    @freeze_time(TODAY)
    def test_payment_in_another_currency(self):
        case, _offer, invoice = self._agreed_plan()
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "payment_date": self.today,
                    "currency_id": self.eur.id,
                    "amount": 1000.0,  # 400.00 USD at 2.5
                    "payment_difference_handling": "open",
                }
            )
        )
        wizard._create_payments()
        self.assertEqual(invoice.amount_residual, 600.0)
        self.assertEqual(
            self._installments(case).mapped("amount_paid"), [250.0, 150.0, 0.0, 0.0]
        )

    @freeze_time(TODAY)
    def test_states_follow_the_date_and_payments(self):
        case, _offer, invoice = self._agreed_plan()  # first due 2026-03-12
        first = self._installments(case)[0]
        self._monitor("2026-03-12")
        self.assertEqual(first.state, "pending", "due today is not late")
        self._monitor("2026-03-13")
        self.assertEqual(first.state, "late")
        self.assertEqual(case.state, "agreement")
        self._monitor("2026-03-17")  # last grace day (5 days)
        self.assertEqual(first.state, "late")
        with freeze_time("2026-03-17"):
            self._register_payment(invoice, amount=250.0)
        self.assertEqual(first.state, "paid", "updated as soon as the payment arrives")
        self._monitor("2026-03-30")
        self.assertEqual(case.state, "agreement")
        self.assertEqual(first.state, "paid")

    # ------------------------------------------------------------------
    # Broken promise and renegotiation
    # ------------------------------------------------------------------
    @freeze_time(TODAY)
    def test_missed_installment_breaks_the_agreement(self):
        case, _offer, invoice = self._agreed_plan()
        case.user_id = self.negotiation_user
        installments = self._installments(case)
        self._register_payment(invoice, amount=100.0)
        self._monitor("2026-03-17")
        self.assertEqual(case.state, "agreement")
        self._monitor("2026-03-18")
        self.assertEqual(installments[0].state, "missed")
        self.assertEqual(case.state, "broken")
        self.assertEqual(case.agreement_id.state, "broken")
        letter = case.letter_ids.filtered(lambda x: x.letter_type == "broken_promise")
        self.assertEqual(len(letter), 1)
        self.assertEqual(letter.installment_id, installments[0])
        self.assertTrue(letter.attachment_id)
        activity = case.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.negotiation_user)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("debt_negotiation.mail_activity_type_negotiation_call"),
        )
        self.assertIn("Agreement broken", self._message_bodies(case))
        # the negotiator is told once, in the run's digest
        told = self._user_notifications(self.negotiation_user)
        self.assertEqual(len(told), 1)
        self.assertIn("Agreement check: 1 activities for you", told.subject)
        self.assertIn(case.name, told.body)
        # idempotent
        self._monitor("2026-03-18")
        self._monitor("2026-03-19")
        self.assertEqual(
            len(case.letter_ids.filtered(lambda x: x.letter_type == "broken_promise")),
            1,
        )
        self.assertEqual(len(case.activity_ids), 1)
        self.assertEqual(invoice.negotiation_state, "broken")

    @freeze_time(TODAY)
    def test_broken_promise_without_letter_for_blocked_debtor(self):
        case, _offer, _invoice = self._agreed_plan(count=2)
        self.debtor.negotiation_blocked = True
        self._monitor("2026-04-01")
        self.assertEqual(case.state, "broken")
        self.assertFalse(
            case.letter_ids.filtered(lambda x: x.letter_type == "broken_promise")
        )
        self.assertEqual(len(case.activity_ids), 1)
        self.assertIn("never receives automatic letters", self._message_bodies(case))

    @freeze_time(TODAY)
    def test_renegotiation_after_a_break(self):
        case, old_offer, invoice = self._agreed_plan()
        old_agreement = case.agreement_id
        old = self._installments(case)
        self._register_payment(invoice, amount=250.0)
        self._monitor("2026-04-18")  # the 2nd installment (04-12) is missed
        self.assertEqual(case.state, "broken")
        self.assertEqual(old.mapped("state"), ["paid", "missed", "pending", "pending"])

        with freeze_time("2026-04-20"):
            new_offer = self._plan(
                case, amount=750.0, count=3, first_due=date(2026, 4, 25)
            )
            self._confirm_agreement(new_offer)
        self.assertEqual(case.state, "agreement")
        self.assertEqual(case.agreement_id.offer_id, new_offer)
        self.assertEqual(case.agreement_id.state, "active")
        self.assertEqual(
            old_offer.state, "accepted", "the broken agreement stays on record"
        )
        self.assertEqual(old_agreement.state, "broken")
        self.assertEqual(old_agreement.installment_ids, old)
        new = self._installments(case)
        self.assertEqual(new.offer_id, new_offer)
        self.assertEqual(new.mapped("amount"), [250.0, 250.0, 250.0])
        self.assertEqual(new_offer.agreement_id.amount_due, 750.0)
        # the old installments no longer count and keep their values
        self.assertFalse(any(old.mapped("active")))
        self.assertEqual(old_offer.installment_ids, old)
        with freeze_time("2026-04-22"):
            self._register_payment(invoice, amount=300.0)
        self.assertEqual(new.mapped("amount_paid"), [250.0, 50.0, 0.0])
        self.assertEqual(old.mapped("amount_paid"), [250.0, 0.0, 0.0, 0.0])
        self.assertEqual(old.mapped("state"), ["paid", "missed", "pending", "pending"])
        self._monitor("2026-07-01")
        self.assertEqual(old.mapped("state"), ["paid", "missed", "pending", "pending"])
        self.assertEqual(case.state, "broken", "the new agreement was missed in turn")
        self.assertEqual(case.letter_ids.mapped("letter_type").count("agreement"), 2)

    # ------------------------------------------------------------------
    # Fulfilment and settlement accounting
    # ------------------------------------------------------------------
    @freeze_time(TODAY)
    def test_fulfilled_settlement_writes_the_balance_off(self):
        case, offer = self._open_case_with_agreement(
            amount=600.0, first_due_date=date(2026, 3, 10)
        )
        agreement = case.agreement_id
        invoice = case.invoice_ids
        self._register_payment(invoice, amount=600.0)
        self.assertEqual(case.installment_ids.state, "paid")
        self.assertEqual(invoice.amount_residual, 400.0)
        self._monitor()

        move = agreement.writeoff_move_id
        self.assertTrue(move)
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.move_type, "entry")
        self.assertEqual(move.journal_id.type, "general")
        receivable = self._receivable_lines(invoice)
        self.assertRecordValues(
            move.line_ids.sorted("balance"),
            [
                {
                    "account_id": receivable.account_id.id,
                    "partner_id": self.debtor.id,
                    "balance": -400.0,
                    "amount_currency": -400.0,
                    "reconciled": True,
                },
                {
                    "account_id": self.writeoff_account.id,
                    "partner_id": self.debtor.id,
                    "balance": 400.0,
                    "amount_currency": 400.0,
                    "reconciled": False,
                },
            ],
        )
        self.assertTrue(receivable.full_reconcile_id)
        self.assertIn(
            move.line_ids.filtered("reconciled"),
            receivable.full_reconcile_id.reconciled_line_ids,
        )
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(case.state, "settled")
        self.assertEqual(case.amount_due, 0.0)
        self.assertEqual(agreement.writeoff_amount, 400.0)
        self.assertEqual(agreement.amount_paid, 600.0, "the write-off is no payment")
        self.assertEqual(agreement.state, "fulfilled")
        self.assertEqual(case.agreement_id, agreement)
        self.assertEqual(offer.state, "accepted")
        self.assertEqual(case.installment_ids.amount_paid, 600.0)
        self.assertIn("written off", self._message_bodies(case))
        self.assertFalse(invoice.negotiation_id)
        # idempotent
        self._monitor()
        self.assertEqual(
            self.env["account.move"].search_count(
                [("move_type", "=", "entry"), ("ref", "=", move.ref)]
            ),
            1,
        )

    @freeze_time(TODAY)
    def test_settlement_over_several_invoices_in_a_plan(self):
        invoices = self._create_overdue_invoices(amounts=(600.0, 400.0))
        case = self._start_case(invoices)
        offer = self._plan(case, amount=700.0, count=2)
        self._confirm_agreement(offer)
        # the debtor pays the first invoice in full, then the rest on the second
        self._register_payment(invoices[0], amount=600.0)
        self._monitor()
        self.assertEqual(case.state, "agreement", "not everything is paid yet")
        self._register_payment(invoices[1], amount=100.0)
        self.assertEqual(set(case.installment_ids.mapped("state")), {"paid"})
        self._monitor()
        move = offer.agreement_id.writeoff_move_id
        self.assertEqual(sorted(move.line_ids.mapped("balance")), [-300.0, 300.0])
        self.assertEqual(set(invoices.mapped("payment_state")), {"paid"})
        self.assertEqual(case.state, "settled")

    @freeze_time(TODAY)
    def test_foreign_currency_settlement(self):
        # 1000 EUR invoiced at 2.0 (500 USD); paid at 2.5 with 240 USD
        invoice = self._create_invoice(amount=1000.0, currency=self.eur)
        case = self._start_case(invoice)
        self.assertEqual(case.currency_id, self.eur)
        offer = self._create_offer(case, amount=600.0, first_due_date=date(2026, 3, 10))
        offer.action_propose()
        self._confirm_agreement(offer)
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "payment_date": self.today,
                    "currency_id": self.company.currency_id.id,
                    "amount": 240.0,
                    "payment_difference_handling": "open",
                }
            )
        )
        wizard._create_payments()
        self.assertEqual(invoice.amount_residual, 400.0)
        self.assertEqual(case.installment_ids.amount_paid, 600.0)
        receivable = self._receivable_lines(invoice)
        residual_balance = receivable.amount_residual
        self._monitor()
        move = offer.agreement_id.writeoff_move_id
        self.assertRecordValues(
            move.line_ids.sorted("balance"),
            [
                {
                    "account_id": receivable.account_id.id,
                    "currency_id": self.eur.id,
                    "amount_currency": -400.0,
                    "balance": -residual_balance,
                },
                {
                    "account_id": self.writeoff_account.id,
                    "currency_id": self.eur.id,
                    "amount_currency": 400.0,
                    "balance": residual_balance,
                },
            ],
        )
        self.assertTrue(receivable.full_reconcile_id)
        self.assertEqual(receivable.amount_residual, 0.0)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(case.state, "settled")

    @freeze_time(TODAY)
    def test_full_payment_and_extension_settle_when_invoices_are_paid(self):
        case, offer = self._open_case_with_agreement(
            offer_type="extension", amount=1000.0, first_due_date=date(2026, 4, 30)
        )
        invoice = case.invoice_ids
        self._register_payment(invoice, amount=999.99)
        self._monitor()
        self.assertEqual(case.state, "agreement")
        self.assertEqual(case.agreement_id.state, "active", "not fulfilled yet")
        self._register_payment(invoice, amount=0.01)
        self._monitor()
        self.assertEqual(case.state, "settled")
        self.assertEqual(offer.agreement_id.state, "fulfilled")
        self.assertFalse(offer.agreement_id.writeoff_move_id)
        self.assertIn("settled", self._message_bodies(case))

    @freeze_time(TODAY)
    def test_invoices_added_after_the_agreement_keep_the_case_open(self):
        case, offer = self._open_case_with_agreement(offer_type="full_payment")
        invoice = case.invoice_ids
        later = self._create_invoice(amount=300.0, days_overdue=15)
        self.assertEqual(self._start_case(later), case)
        self.assertEqual(offer.agreement_id.invoice_ids, invoice)
        self._register_payment(later, amount=100.0)
        self.assertEqual(
            case.installment_ids.amount_paid, 0.0, "not an agreement invoice"
        )
        self._register_payment(invoice)
        self._monitor()
        self.assertEqual(case.state, "open")
        self.assertEqual(case.agreement_id.state, "fulfilled")
        self.assertIn("still due", self._message_bodies(case))
        self.assertEqual(later.negotiation_id, case)

    @freeze_time(TODAY)
    def test_monitoring_covers_every_company(self):
        invoice = self._create_invoice(amount=500.0, company=self.company_2)
        case = self._start_case(invoice, user=self.user_company_2)
        offer = self._create_offer(
            case.with_user(self.user_company_2),
            offer_type="full_payment",
            amount=500.0,
            first_due_date=date(2026, 3, 10),
        )
        self._confirm_agreement(offer, user=self.user_company_2)
        self.assertEqual(case.state, "agreement")
        with freeze_time("2026-04-01"):
            self.Negotiation.with_user(self.negotiation_user)._cron_monitor_agreements()
        self.assertEqual(case.state, "broken")
        self.assertEqual(case.installment_ids.state, "missed")

    @freeze_time(TODAY)
    def test_cron_record(self):
        cron = self.env.ref("debt_negotiation.ir_cron_monitor_agreements")
        self.assertEqual(cron.model_id.model, "debt.negotiation")
        self.assertIn("_cron_monitor_agreements", cron.code)
        case, _offer = self._open_case_with_agreement(offer_type="full_payment")
        self._register_payment(case.invoice_ids)
        cron.method_direct_trigger()
        self.assertEqual(case.state, "settled")

    # ------------------------------------------------------------------
    # Safety
    # ------------------------------------------------------------------
    @freeze_time(TODAY)
    def test_agreement_records_cannot_be_changed(self):
        case, _offer, _invoice = self._agreed_plan(count=2)
        agreement = case.agreement_id
        installment = case.installment_ids[0]
        letter = case.letter_ids
        for user in (self.negotiation_user, self.negotiation_manager):
            with self.assertRaises(UserError):
                installment.with_user(user).amount = 1.0
            with self.assertRaises(UserError):
                installment.with_user(user).due_date = date(2026, 12, 31)
            with self.assertRaises(UserError):
                installment.with_user(user).active = False
            with self.assertRaises(UserError):
                installment.with_user(user).unlink()
            with self.assertRaises(UserError):
                agreement.with_user(user).signed_by = "Someone else"
            with self.assertRaises(UserError):
                agreement.with_user(user).unlink()
            with self.assertRaises(UserError):
                letter.with_user(user).unlink()
            with self.assertRaises(UserError):
                letter.attachment_id.with_user(user).unlink()
        self.assertEqual(installment.amount, 500.0)
        self.assertEqual(agreement.signed_by, "Jane Accounts")
        self.assertTrue(letter.exists())

    @freeze_time(TODAY)
    def test_signed_data_cannot_be_written_even_as_superuser(self):
        case, offer, _invoice = self._agreed_plan(count=2)
        agreement = case.agreement_id.sudo()
        installment = agreement.installment_ids[0]
        # a client may send the context key, but not what it must carry
        spoofed = {"debt_negotiation_workflow": True}
        for env_agreement in (agreement, agreement.with_context(**spoofed)):
            for vals in (
                {"signed_by": "Someone else"},
                {"signed_on": date(2026, 1, 1)},
                {"amount_due": 1.0},
                {"note": "Changed"},
                {"state": "fulfilled"},
                {"invoice_ids": [Command.clear()]},
            ):
                with self.subTest(vals=vals), self.assertRaises(UserError):
                    env_agreement.write(vals)
            with self.assertRaises(UserError):
                env_agreement.installment_ids[0].write({"amount": 1.0})
            with self.assertRaises(UserError):
                env_agreement.unlink()
            with self.assertRaises(UserError):
                env_agreement.installment_ids.unlink()
        with self.assertRaises(UserError):
            self.Agreement.sudo().with_context(**spoofed).create(
                {"negotiation_id": case.id, "offer_id": offer.id}
            )
        with self.assertRaises(UserError):
            self.Installment.sudo().create(
                {
                    "negotiation_id": case.id,
                    "agreement_id": agreement.id,
                    "due_date": self.today,
                    "amount": 1.0,
                }
            )
        self.assertRecordValues(
            agreement,
            [
                {
                    "signed_by": "Jane Accounts",
                    "signed_on": self.today,
                    "amount_due": 1000.0,
                    "state": "active",
                }
            ],
        )
        self.assertEqual(installment.amount, 500.0)
        self.assertEqual(len(agreement.installment_ids), 2)

    @freeze_time(TODAY)
    def test_only_a_manager_cancels_an_agreement_with_a_reason(self):
        case, offer, invoice = self._agreed_plan(count=2)
        agreement = case.agreement_id
        installments = case.installment_ids
        with self.assertRaises(AccessError):
            agreement.with_user(self.negotiation_user).action_cancel("Changed my mind")
        with self.assertRaises(AccessError):
            case.with_user(self.negotiation_user).action_open_cancel_agreement_wizard()
        with self.assertRaises(UserError):
            agreement.with_user(self.negotiation_manager).action_cancel(" ")
        self.assertEqual(case.state, "agreement")

        action = case.with_user(
            self.negotiation_manager
        ).action_open_cancel_agreement_wizard()
        wizard_model = self.env[action["res_model"]].with_user(self.negotiation_manager)
        with Form(wizard_model.with_context(**action["context"])) as wizard_form:
            wizard_form.reason = "Signed by someone without authority"
        wizard_form.record.action_confirm()
        self.assertEqual(case.state, "open")
        self.assertEqual(offer.state, "withdrawn")
        self.assertRecordValues(
            agreement,
            [
                {
                    "state": "cancelled",
                    "cancel_reason": "Signed by someone without authority",
                    "signed_by": "Jane Accounts",
                }
            ],
        )
        self.assertFalse(case.agreement_id)
        self.assertEqual(agreement.installment_ids, installments)
        self.assertFalse(case.installment_ids)
        self.assertFalse(
            any(installments.with_context(active_test=False).mapped("active"))
        )
        self.assertTrue(case.letter_ids.attachment_id, "the signed letter stays")
        self.assertIn(
            "Signed by someone without authority",
            " ".join(case.interaction_ids.mapped("summary")),
        )
        self.assertIn("Signed by someone without authority", self._message_bodies(case))
        # payments no longer move the cancelled schedule
        self._register_payment(invoice, amount=500.0)
        self.assertEqual(installments.mapped("amount_paid"), [0.0, 0.0])
        self._monitor("2026-06-01")
        self.assertEqual(case.state, "open")
        # a new agreement can be made
        self._confirm_agreement(
            self._create_offer(case, offer_type="full_payment", amount=500.0)
        )
        self.assertEqual(case.state, "agreement")
        self.assertNotEqual(case.agreement_id, agreement)
        self.assertEqual(case.agreement_id.state, "active")

    @freeze_time(TODAY)
    def test_cancel_agreement_and_case(self):
        case, _offer, _invoice = self._agreed_plan(count=2)
        agreement = case.agreement_id
        agreement.action_cancel("Debtor went bankrupt", cancel_case=True)
        self.assertEqual(case.state, "cancelled")
        self.assertEqual(agreement.state, "cancelled")
        # only an agreement in force can be cancelled
        with self.assertRaises(UserError):
            agreement.action_cancel("Again")


@tagged("post_install", "-at_install")
class TestAgreementLetterPdf(PdfRenderingMixin, DebtNegotiationCommon, HttpCase):
    """The agreement letter rendered as a real PDF. An HttpCase, because
    wkhtmltopdf loads the report assets from the running server (and
    without freezegun, which would stall the server's socket timeouts)."""

    def test_agreement_letter_pdf(self):
        case = self._start_case()
        offer = self._create_offer(
            case,
            offer_type="payment_plan",
            amount=1000.0,
            installment_count=2,
            interval="month",
            first_due_date=self.today + timedelta(days=10),
        )
        offer.action_propose()
        action = offer.action_accept()
        wizard_form = Form(
            self.env[action["res_model"]].with_context(**action["context"])
        )
        wizard_form.signed_by = "Jane Accounts"
        wizard_form.creditor_signature = SIGNATURE
        wizard = wizard_form.save()
        wizard.with_context(force_report_rendering=True).action_confirm()
        letter = case.letter_ids
        self.assertEqual(letter.letter_type, "agreement")
        self.assertEqual(letter.attachment_id.mimetype, "application/pdf")
        self.assertTrue(letter.attachment_id.raw.startswith(b"%PDF"))
        self._assert_letter_noted(letter)
