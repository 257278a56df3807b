# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import DebtNegotiationCommon


@tagged("post_install", "-at_install")
class TestOffer(DebtNegotiationCommon):
    """Offers and counter-offers, and the agreement they end in."""

    def setUp(self):
        super().setUp()
        self.case = self._start_case(self._create_invoice(amount=1000.0))

    def _installment_units(self, case):
        rounding = case.currency_id.rounding
        return [
            round(amount / rounding) for amount in case.installment_ids.mapped("amount")
        ]

    # ------------------------------------------------------------------
    # Creating offers
    # ------------------------------------------------------------------
    def test_create_payment_plan_via_form(self):
        action = self.case.action_new_offer()
        self.assertEqual(action["res_model"], "debt.negotiation.offer")
        offer_form = Form(
            self.env[action["res_model"]].with_context(**action["context"])
        )
        self.assertEqual(offer_form.negotiation_id, self.case)
        self.assertEqual(offer_form.amount, 1000.0, "defaults to the amount due")
        self.assertEqual(offer_form.origin, "creditor")
        offer_form.offer_type = "payment_plan"
        offer_form.amount = 900.0
        offer_form.down_payment = 100.0
        offer_form.installment_count = 4
        offer_form.interval = "month"
        offer_form.first_due_date = self.today + timedelta(days=1)
        self.assertEqual(offer_form.discount_amount, 100.0)
        self.assertEqual(offer_form.discount_percent, 10.0)
        self.assertEqual(offer_form.installment_amount, 200.0)
        self.assertIn("Down payment", offer_form.schedule_preview)
        offer = offer_form.save()
        self.assertRecordValues(
            offer,
            [
                {
                    "state": "draft",
                    "negotiation_id": self.case.id,
                    "partner_id": self.debtor.id,
                    "currency_id": self.case.currency_id.id,
                    "company_id": self.company.id,
                    "amount": 900.0,
                    "installment_count": 4,
                    "last_due_date": offer.first_due_date + relativedelta(months=4),
                }
            ],
        )
        self.assertEqual(self.case.offer_count, 1)

    def test_full_payment_and_extension_take_the_amount_due(self):
        offer_form = Form(self.Offer.with_context(default_negotiation_id=self.case.id))
        offer_form.offer_type = "payment_plan"
        offer_form.installment_count = 3
        offer_form.offer_type = "full_payment"
        self.assertEqual(offer_form.amount, 1000.0)
        self.assertEqual(offer_form.installment_count, 1)
        offer_form.amount = 10.0
        offer_form.offer_type = "extension"
        self.assertEqual(offer_form.amount, 1000.0)
        offer = offer_form.save()
        self.assertEqual(offer.offer_type, "extension")

    # ------------------------------------------------------------------
    # Propose, reject, withdraw, counter
    # ------------------------------------------------------------------
    @freeze_time("2026-04-10")
    def test_propose(self):
        self.case = self._start_case(self._create_invoice(partner=self.debtor_2))
        self.company.negotiation_response_days = 7
        offer = self._create_offer(self.case, amount=800.0)
        self.assertTrue(offer.action_propose())
        self.assertRecordValues(
            offer,
            [
                {
                    "state": "proposed",
                    "proposed_date": date(2026, 4, 10),
                    "expiry_date": date(2026, 4, 17),
                }
            ],
        )
        self.assertEqual(self.case.response_deadline, date(2026, 4, 17))
        self.assertEqual(self.case.current_offer_id, offer)
        self.assertIn("proposed", self._message_bodies(self.case))
        with self.assertRaises(UserError):
            offer.action_propose()

    def test_propose_keeps_an_explicit_expiry(self):
        expiry = self.today + timedelta(days=3)
        offer = self._create_offer(self.case, expiry_date=expiry)
        offer.action_propose()
        self.assertEqual(offer.expiry_date, expiry)
        self.assertEqual(self.case.response_deadline, expiry)

    def test_reject(self):
        offer = self._create_offer(self.case, amount=700.0)
        with self.assertRaises(UserError):
            offer.action_reject()  # a draft cannot be rejected
        offer.action_propose()
        self.assertTrue(offer.action_reject())
        self.assertEqual(offer.state, "rejected")
        self.assertEqual(offer.answered_date, self.today)
        self.assertFalse(self.case.current_offer_id)
        self.assertIn("Offer rejected", self._message_bodies(self.case))

    def test_withdraw_and_reset(self):
        offer = self._create_offer(self.case, amount=700.0)
        offer.action_propose()
        self.assertTrue(offer.action_withdraw())
        self.assertEqual(offer.state, "withdrawn")
        self.assertIn("Offer withdrawn", self._message_bodies(self.case))
        with self.assertRaises(UserError):
            offer.action_withdraw()
        offer.action_reset_to_draft()
        self.assertEqual(offer.state, "draft")
        self.assertFalse(offer.proposed_date)

    def test_counter_offer_marks_creditor_offer_countered(self):
        ours = self._create_offer(self.case, amount=900.0)
        ours.action_propose()
        theirs = self._create_offer(self.case, amount=600.0, origin="debtor")
        self.assertIn("Counter-offer", theirs.display_name)
        theirs.action_propose()
        self.assertEqual(ours.state, "countered")
        self.assertEqual(ours.answered_date, self.today)
        self.assertEqual(theirs.state, "proposed")
        self.assertEqual(self.case.current_offer_id, theirs)
        self.assertIn("The debtor proposed", self._message_bodies(self.case))

    def test_creditor_offer_does_not_counter(self):
        first = self._create_offer(self.case, amount=900.0)
        first.action_propose()
        second = self._create_offer(self.case, amount=950.0)
        second.action_propose()
        self.assertEqual(first.state, "proposed")

    @freeze_time("2026-06-01")
    def test_expired_offer(self):
        self.case = self._start_case(self._create_invoice(partner=self.debtor_2))
        offer = self._create_offer(self.case, expiry_date=date(2026, 6, 5))
        offer.action_propose()
        with freeze_time("2026-06-06"):
            with self.assertRaisesRegex(UserError, "expired"):
                offer.action_accept()
            self.Offer._expire_offers()
            self.assertEqual(offer.state, "expired")
            self.assertIn("expired", self._message_bodies(self.case))

    # ------------------------------------------------------------------
    # Accepting: the agreement wizard
    # ------------------------------------------------------------------
    def test_accept_returns_the_wizard_action(self):
        offer = self._create_offer(self.case, amount=900.0)
        offer.action_propose()
        action = offer.action_accept()
        self.assertEqual(action["type"], "ir.actions.act_window")
        self.assertEqual(action["res_model"], "debt.negotiation.agreement.wizard")
        self.assertEqual(action["target"], "new")
        self.assertEqual(action["context"]["default_offer_id"], offer.id)
        self.assertEqual(action["context"]["default_negotiation_id"], self.case.id)
        self.assertEqual(offer.state, "proposed", "accepted only once confirmed")
        self.assertEqual(self.case.state, "open")
        self.assertFalse(self.case.installment_ids)

    def test_wizard_confirm_accepts_and_closes_rival_offers(self):
        ours_draft = self._create_offer(self.case, amount=950.0)
        ours = self._create_offer(self.case, amount=900.0)
        ours.action_propose()
        theirs_draft = self._create_offer(self.case, amount=500.0, origin="debtor")
        theirs = self._create_offer(self.case, amount=700.0, origin="debtor")
        theirs.action_propose()
        self.assertEqual(ours.state, "countered")

        action = theirs.action_accept()
        wizard_form = Form(
            self.env[action["res_model"]].with_context(**action["context"])
        )
        self.assertEqual(wizard_form.offer_id, theirs)
        self.assertEqual(wizard_form.negotiation_id, self.case)
        self.assertEqual(wizard_form.signed_by, self.debtor.name)
        self.assertEqual(wizard_form.amount, 700.0)
        wizard_form.signed_by = "Jane Accounts"
        wizard = wizard_form.save()
        wizard.action_confirm()

        self.assertEqual(theirs.state, "accepted")
        self.assertEqual(theirs.answered_date, self.today)
        self.assertEqual(ours_draft.state, "withdrawn")
        self.assertEqual(ours.state, "countered")
        self.assertEqual(theirs_draft.state, "rejected")
        self.assertRecordValues(
            self.case,
            [
                {
                    "state": "agreement",
                    "stage_id": self.env.ref("debt_negotiation.stage_agreement").id,
                    "agreement_id": theirs.agreement_id.id,
                    "current_offer_id": False,
                    "response_deadline": False,
                }
            ],
        )
        self.assertEqual(self.case.installment_ids.offer_id, theirs)
        self.assertEqual(self.case.agreement_id.offer_id, theirs)
        self.assertIn("agreement", self.case.interaction_ids.mapped("outcome"))
        self.assertIn("Jane Accounts", self._message_bodies(self.case))

    @freeze_time("2026-01-31")
    def test_installments_sum_exactly_to_the_amount(self):
        self.case = self._start_case(self._create_invoice(partner=self.debtor_2))
        offer = self._create_offer(
            self.case,
            offer_type="payment_plan",
            amount=1000.0,
            installment_count=3,
            interval="month",
            first_due_date=date(2026, 1, 31),
        )
        offer.action_propose()
        self._confirm_agreement(offer)
        installments = self.case.installment_ids.sorted("sequence")
        self.assertEqual(installments.mapped("amount"), [333.33, 333.33, 333.34])
        self.assertEqual(sum(self._installment_units(self.case)), 100000)
        self.assertEqual(
            installments.mapped("due_date"),
            [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)],
        )
        self.assertEqual(installments.mapped("sequence"), [1, 2, 3])
        self.assertEqual(set(installments.mapped("state")), {"pending"})
        self.assertEqual(installments.offer_id, offer)

    @freeze_time("2026-02-02")
    def test_installments_with_down_payment_weekly(self):
        self.case = self._start_case(
            self._create_invoice(partner=self.debtor_2, amount=2000.0)
        )
        offer = self._create_offer(
            self.case,
            offer_type="payment_plan",
            amount=1000.01,
            down_payment=100.0,
            installment_count=4,
            interval="week",
            first_due_date=date(2026, 2, 3),
        )
        offer.action_propose()
        self._confirm_agreement(offer)
        installments = self.case.installment_ids.sorted("sequence")
        self.assertEqual(
            installments.mapped("amount"), [100.0, 225.0, 225.0, 225.0, 225.01]
        )
        self.assertEqual(sum(self._installment_units(self.case)), 100001)
        self.assertEqual(
            installments.mapped("due_date"),
            [
                date(2026, 2, 3),
                date(2026, 2, 10),
                date(2026, 2, 17),
                date(2026, 2, 24),
                date(2026, 3, 3),
            ],
        )

    def _agreed_plan(self, interval, amount, down_payment, count, first_due):
        """A payment plan of ``interval`` agreed on a new case; return its
        installments and the agreement letter's terms, as text."""
        self.case = self._start_case(
            self._create_invoice(partner=self.debtor_2, amount=amount)
        )
        offer = self._create_offer(
            self.case,
            offer_type="payment_plan",
            amount=amount,
            down_payment=down_payment,
            installment_count=count,
            interval=interval,
            first_due_date=first_due,
        )
        offer.action_propose()
        self._confirm_agreement(offer)
        letter = self.case.letter_ids.filtered(lambda lt: lt.letter_type == "agreement")
        terms = " ".join(str(line) for line in letter._get_terms_lines())
        return self.case.installment_ids.sorted("sequence"), terms

    @freeze_time("2026-01-30")
    def test_installments_every_two_weeks(self):
        installments, terms = self._agreed_plan(
            "biweek", 1000.0, 100.0, 3, date(2026, 1, 30)
        )
        self.assertEqual(installments.mapped("amount"), [100.0, 300.0, 300.0, 300.0])
        self.assertEqual(
            installments.mapped("due_date"),
            [
                date(2026, 1, 30),
                date(2026, 2, 13),
                date(2026, 2, 27),
                date(2026, 3, 13),
            ],
        )
        self.assertIn("3 installments, one every two weeks", terms)
        self.assertNotIn("monthly", terms)
        self.assertNotIn("weekly", terms)

    @freeze_time("2026-11-30")
    def test_installments_every_three_months(self):
        """Every three months from the first date, month ends kept."""
        installments, terms = self._agreed_plan(
            "quarter", 1200.0, 0.0, 4, date(2026, 11, 30)
        )
        self.assertEqual(installments.mapped("amount"), [300.0] * 4)
        self.assertEqual(
            installments.mapped("due_date"),
            [
                date(2026, 11, 30),
                date(2027, 2, 28),
                date(2027, 5, 30),
                date(2027, 8, 30),
            ],
        )
        self.assertIn("4 installments, one every three months", terms)
        self.assertNotIn("monthly", terms)

    def test_settlement_is_one_installment(self):
        offer = self._create_offer(self.case, amount=650.0)
        offer.action_propose()
        self._confirm_agreement(offer)
        self.assertRecordValues(
            self.case.installment_ids,
            [{"amount": 650.0, "due_date": offer.first_due_date}],
        )

    def test_accept_a_draft_offer_directly(self):
        offer = self._create_offer(self.case, amount=1000.0, offer_type="full_payment")
        self._confirm_agreement(offer, user=self.negotiation_user)
        self.assertEqual(offer.state, "accepted")
        self.assertEqual(self.case.state, "agreement")

    def test_wizard_needs_signatory_and_past_signature(self):
        offer = self._create_offer(self.case)
        offer.action_propose()
        action = offer.action_accept()
        Wizard = self.env[action["res_model"]].with_context(**action["context"])
        for vals in (
            {"signed_by": "  "},
            {"signed_by": "Jane", "signed_on": self.today + timedelta(days=1)},
        ):
            wizard = Wizard.create(vals)
            with self.assertRaises(UserError):
                wizard.action_confirm()
        self.assertEqual(offer.state, "proposed")
        self.assertEqual(self.case.state, "open")
        self.assertFalse(self.case.installment_ids)

    # ------------------------------------------------------------------
    # The creditor's minimum
    # ------------------------------------------------------------------
    def test_below_minimum_flag(self):
        """Stored when the offer is proposed (and accepted), from its amount
        and the minimum of that moment; searchable by managers."""
        self.case.with_user(self.negotiation_manager).minimum_amount = 800.0
        low = self._create_offer(self.case, amount=799.99)
        exact = self._create_offer(self.case, amount=800.0)
        self.assertFalse(low.below_minimum, "a draft is not checked")
        (low | exact).action_propose()
        self.assertTrue(low.below_minimum)
        self.assertFalse(exact.below_minimum)
        self.assertEqual(
            self.Offer.search(
                [("negotiation_id", "=", self.case.id), ("below_minimum", "=", True)]
            ),
            low,
            "the flag is stored and searchable",
        )
        low.action_withdraw()
        low.action_reset_to_draft()
        self.assertFalse(low.below_minimum)
        self.case.with_user(self.negotiation_manager).minimum_amount = 0.0
        low.action_propose()
        self.assertFalse(low.below_minimum, "no minimum, no flag")

    def test_below_minimum_flag_hidden_from_plain_user(self):
        self.case.with_user(self.negotiation_manager).minimum_amount = 800.0
        offer = self._create_offer(self.case, amount=500.0)
        offer.action_propose()
        self.assertTrue(offer.below_minimum)
        offer.invalidate_recordset()
        with self.assertRaises(AccessError):
            offer.with_user(self.negotiation_user).read(["below_minimum"])
        self.assertNotIn(
            "below_minimum", self.Offer.with_user(self.negotiation_user).fields_get()
        )

    def test_below_minimum_needs_a_manager_to_accept(self):
        self.case.with_user(self.negotiation_manager).minimum_amount = 800.0
        offer = self._create_offer(self.case, amount=500.0)
        offer.action_propose()
        # the user may open the wizard: only the confirmation answers
        action = offer.with_user(self.negotiation_user).action_accept()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.negotiation_user)
            .with_context(**action["context"])
            .create({"signed_by": "Jane"})
        )
        # not a refusal that tells the minimum: a manager's approval request
        result = wizard.action_confirm()
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(offer.approval_ids.state, "pending")
        # a wizard opened by someone else cannot be confirmed by the user either
        action = offer.action_accept()
        wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"])
            .create({"signed_by": "Jane"})
        )
        with self.assertRaises(AccessError):
            wizard.with_user(self.negotiation_user).action_confirm()
        self.assertEqual(offer.state, "proposed")
        self.assertEqual(self.case.state, "open")
        self.assertFalse(self.case.installment_ids)
        self._confirm_agreement(offer, user=self.negotiation_manager)
        self.assertEqual(offer.state, "accepted")
        self.assertEqual(self.case.state, "agreement")

    def test_user_accepts_offer_at_or_above_minimum(self):
        self.case.with_user(self.negotiation_manager).minimum_amount = 800.0
        offer = self._create_offer(self.case, amount=800.0)
        offer.action_propose()
        self._confirm_agreement(offer, user=self.negotiation_user)
        self.assertEqual(offer.state, "accepted")

    # ------------------------------------------------------------------
    # Bad input: refused, nothing written
    # ------------------------------------------------------------------
    def _assert_offer_refused(self, vals, exception=ValidationError):
        with self.assertRaises(exception):
            self._create_offer(self.case, **vals)
        self.assertFalse(self.case.offer_ids)
        self.assertFalse(
            self.Offer.search_count([("negotiation_id", "=", self.case.id)])
        )

    def test_amount_must_be_positive(self):
        self._assert_offer_refused({"amount": 0.0})
        self._assert_offer_refused({"amount": -50.0})

    def test_down_payment_must_be_valid(self):
        self._assert_offer_refused({"amount": 500.0, "down_payment": -1.0})
        self._assert_offer_refused(
            {"offer_type": "payment_plan", "amount": 500.0, "down_payment": 500.0}
        )

    def test_payment_plan_needs_installments(self):
        self._assert_offer_refused(
            {"offer_type": "payment_plan", "installment_count": 0}
        )

    def test_payment_plan_needs_an_interval(self):
        self._assert_offer_refused(
            {"offer_type": "payment_plan", "installment_count": 3, "interval": False}
        )

    def test_bad_terms_refused_on_write(self):
        offer = self._create_offer(
            self.case, offer_type="payment_plan", installment_count=3
        )
        for vals in ({"installment_count": 0}, {"interval": False}, {"amount": 0.0}):
            with self.assertRaises(ValidationError):
                offer.write(vals)
        self.assertRecordValues(
            offer, [{"installment_count": 3, "interval": "month", "amount": 1000.0}]
        )

    def test_expiry_in_the_past_refused_when_proposing(self):
        offer = self._create_offer(
            self.case, expiry_date=self.today - timedelta(days=1)
        )
        with self.assertRaisesRegex(ValidationError, "expiry"):
            offer.action_propose()
        self.assertRecordValues(offer, [{"state": "draft", "proposed_date": False}])
        self.assertFalse(self.case.response_deadline)

    def test_first_payment_in_the_past_refused_when_proposing(self):
        offer = self._create_offer(
            self.case, first_due_date=self.today - timedelta(days=1)
        )
        with self.assertRaises(ValidationError):
            offer.action_propose()
        self.assertRecordValues(
            offer, [{"state": "draft", "proposed_date": False, "expiry_date": False}]
        )
        self.assertFalse(self.case.response_deadline)

    def test_amount_above_due_refused_when_proposing(self):
        offer = self._create_offer(self.case, amount=1000.01)
        with self.assertRaises(ValidationError):
            offer.action_propose()
        self.assertEqual(offer.state, "draft")

    def test_second_acceptance_under_agreement_refused(self):
        first = self._create_offer(self.case, amount=900.0)
        first.action_propose()
        second = self._create_offer(self.case, amount=950.0)
        action = second.action_accept()  # wizard opened before the agreement
        self._confirm_agreement(first)
        self.assertEqual(second.state, "withdrawn")
        late = self._create_offer(self.case, amount=980.0)
        with self.assertRaisesRegex(UserError, "already under an agreement"):
            late.action_accept()
        stale_wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"])
            .create({"signed_by": "Jane"})
        )
        stale_wizard.offer_id = late
        with self.assertRaises(UserError):
            stale_wizard.action_confirm()
        self.assertEqual(late.state, "draft")
        self.assertEqual(self.case.installment_ids.offer_id, first)
        self.assertEqual(self.case.agreement_id.offer_id, first)

    def test_no_new_proposal_under_agreement(self):
        self._confirm_agreement(self._create_offer(self.case, amount=900.0))
        late = self._create_offer(self.case, amount=950.0)
        with self.assertRaises(UserError):
            late.action_propose()
        self.assertEqual(late.state, "draft")

    def test_accepted_terms_are_frozen(self):
        offer = self._create_offer(self.case, amount=900.0)
        self._confirm_agreement(offer)
        with self.assertRaises(UserError):
            offer.amount = 100.0
        self.assertEqual(offer.amount, 900.0)
        offer.note = "Paid by bank transfer"  # remarks stay editable
        with self.assertRaises(UserError):
            offer.unlink()

    def test_only_draft_offers_can_be_deleted(self):
        draft = self._create_offer(self.case, amount=900.0)
        proposed = self._create_offer(self.case, amount=950.0)
        proposed.action_propose()
        with self.assertRaises(UserError):
            proposed.unlink()
        self.assertTrue(proposed.exists())
        draft.unlink()
        self.assertFalse(draft.exists())
