# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import DebtNegotiationCommon


@tagged("post_install", "-at_install")
class TestNegotiationLifecycle(DebtNegotiationCommon):
    """States, stages and the lifecycle actions of a case."""

    def _stage(self, name):
        return self.env.ref(f"debt_negotiation.{name}")

    def test_default_stages_shipped(self):
        stages = self.env["debt.negotiation.stage"].search([])
        self.assertGreaterEqual(len(stages), 5)
        bound = {stage.state for stage in stages if stage.state}
        for state in (
            "open",
            "disputed",
            "agreement",
            "broken",
            "escalated",
            "settled",
            "cancelled",
        ):
            self.assertIn(state, bound, f"no default stage for {state}")
        for name in ("stage_settled", "stage_cancelled"):
            self.assertTrue(self._stage(name).fold, "closed stages are folded")
        self.assertFalse(self._stage("stage_reminder").fold)

    def test_kanban_shows_every_stage(self):
        self._start_case()
        groups = self.Negotiation.read_group([], ["stage_id"], ["stage_id"])
        shown = {group["stage_id"][0] for group in groups if group["stage_id"]}
        self.assertEqual(shown, set(self.env["debt.negotiation.stage"].search([]).ids))

    def test_schedule_activity(self):
        case = self._start_case()
        activity = case.activity_schedule(
            "mail.mail_activity_data_call",
            summary="Call the debtor",
            user_id=self.negotiation_user.id,
        )
        self.assertEqual(case.activity_ids, activity)
        self.assertIn(
            case,
            self.Negotiation.with_user(self.negotiation_user).search(
                [("activity_ids.user_id", "=", self.negotiation_user.id)]
            ),
        )

    def test_dispute_logs_interaction_chatter_and_pauses(self):
        case = self._start_case()
        case.write(
            {
                "next_action_date": self.today + timedelta(days=3),
                "response_deadline": self.today + timedelta(days=5),
            }
        )
        reason = "The goods were never delivered."
        self.assertTrue(case.action_dispute(reason))
        self.assertRecordValues(
            case,
            [
                {
                    "state": "disputed",
                    "stage_id": self._stage("stage_disputed").id,
                    "next_action_date": False,
                    "dispute_reason": reason,
                    "dispute_previous_state": "open",
                }
            ],
        )
        interaction = case.interaction_ids
        self.assertEqual(len(interaction), 1)
        self.assertRecordValues(
            interaction,
            [
                {
                    "summary": reason,
                    "outcome": "dispute",
                    "direction": "inbound",
                    "user_id": self.env.user.id,
                }
            ],
        )
        self.assertIn(reason, self._message_bodies(case))

    def test_dispute_needs_a_reason(self):
        case = self._start_case()
        for reason in ("", "   ", False):
            with self.assertRaises(UserError):
                case.action_dispute(reason)
        self.assertEqual(case.state, "open")
        self.assertFalse(case.interaction_ids)
        self.assertFalse(case.dispute_reason)

    def test_dispute_refused_on_closed_case(self):
        case = self._start_case()
        case.action_cancel()
        with self.assertRaises(UserError):
            case.action_dispute("Too late")
        self.assertEqual(case.state, "cancelled")
        self.assertFalse(case.interaction_ids)

    def test_dispute_wizard_form(self):
        case = self._start_case(user=self.negotiation_user)
        case = case.with_user(self.negotiation_user)
        action = case.action_open_dispute_wizard()
        self.assertEqual(action["res_model"], "debt.negotiation.dispute.wizard")
        wizard_model = (
            self.env[action["res_model"]]
            .with_user(self.negotiation_user)
            .with_context(**action["context"])
        )
        wizard_form = Form(wizard_model)
        self.assertEqual(wizard_form.negotiation_id, case)
        with self.assertRaises(AssertionError):
            wizard_form.save()  # the reason is required
        wizard_form.reason = "Price differs from the quotation"
        wizard = wizard_form.save()
        wizard.action_confirm()
        self.assertEqual(case.state, "disputed")
        self.assertEqual(case.dispute_reason, "Price differs from the quotation")
        self.assertEqual(case.interaction_ids.outcome, "dispute")

    def test_resolve_dispute_restores_previous_state(self):
        case = self._start_case()
        case.action_dispute("Wrong address")
        self.assertTrue(case.action_resolve_dispute())
        self.assertEqual(case.state, "open")
        self.assertEqual(case.stage_id, self._stage("stage_reminder"))
        self.assertFalse(case.dispute_previous_state)
        self.assertIn("Dispute resolved", self._message_bodies(case))

    def test_resolve_dispute_of_agreement_returns_to_agreement(self):
        case, _offer = self._open_case_with_agreement()
        case.action_dispute("Installment amount wrong")
        self.assertEqual(case.state, "disputed")
        case.action_resolve_dispute()
        self.assertEqual(case.state, "agreement")
        self.assertEqual(case.stage_id, self._stage("stage_agreement"))

    def test_resolve_dispute_only_when_disputed(self):
        case = self._start_case()
        with self.assertRaises(UserError):
            case.action_resolve_dispute()
        self.assertEqual(case.state, "open")

    def test_escalate(self):
        case = self._start_case()
        case.next_action_date = self.today
        self.assertTrue(case.action_escalate())
        self.assertRecordValues(
            case,
            [
                {
                    "state": "escalated",
                    "stage_id": self._stage("stage_escalated").id,
                    "next_action_date": False,
                }
            ],
        )
        self.assertIn("escalated", self._message_bodies(case))
        with self.assertRaises(UserError):
            case.action_escalate()

    def test_escalate_refused_under_agreement(self):
        case, _offer = self._open_case_with_agreement()
        with self.assertRaises(UserError):
            case.action_escalate()
        self.assertEqual(case.state, "agreement")

    def test_cancel_withdraws_open_offers(self):
        case = self._start_case()
        draft = self._create_offer(case, amount=800.0)
        proposed = self._create_offer(case, amount=900.0)
        proposed.action_propose()
        rejected = self._create_offer(case, amount=500.0)
        rejected.action_propose()
        rejected.action_reject()
        case.next_action_date = self.today
        self.assertTrue(case.action_cancel())
        self.assertRecordValues(
            case,
            [
                {
                    "state": "cancelled",
                    "stage_id": self._stage("stage_cancelled").id,
                    "next_action_date": False,
                }
            ],
        )
        self.assertEqual(draft.state, "withdrawn")
        self.assertEqual(proposed.state, "withdrawn")
        self.assertEqual(rejected.state, "rejected")
        self.assertIn("cancelled", self._message_bodies(case))
        with self.assertRaises(UserError):
            case.action_cancel()

    def test_cancel_under_agreement_needs_manager(self):
        case, offer = self._open_case_with_agreement()
        with self.assertRaises(UserError):
            case.with_user(self.negotiation_user).action_cancel()
        self.assertEqual(case.state, "agreement")
        case.with_user(self.negotiation_manager).action_cancel()
        self.assertEqual(case.state, "cancelled")
        self.assertEqual(offer.state, "accepted", "the agreement stays on record")

    def test_reopen(self):
        case = self._start_case()
        with self.assertRaises(UserError):
            case.action_reopen()
        case.action_cancel()
        self.assertTrue(case.action_reopen())
        self.assertEqual(case.state, "open")
        self.assertEqual(case.stage_id, self._stage("stage_reminder"))
        self.assertEqual(case.invoice_ids.negotiation_id, case)
        case.action_escalate()
        case.action_reopen()
        self.assertEqual(case.state, "open")

    def test_reopen_refused_when_debtor_has_another_open_case(self):
        case = self._start_case()
        case.action_cancel()
        newer = self._start_case(self._create_invoice(amount=60.0))
        with self.assertRaises(ValidationError):
            case.action_reopen()
        self.assertEqual(case.state, "cancelled")
        self.assertEqual(newer.state, "open")

    def test_stage_follows_state_but_not_the_reverse(self):
        case = self._start_case()
        negotiating = self._stage("stage_negotiating")
        case.stage_id = negotiating
        self.assertEqual(case.state, "open", "a free pipeline stage keeps the state")
        # the state changes only through the actions (or server code)
        case.sudo().write({"state": "broken"})
        self.assertEqual(case.stage_id, self._stage("stage_broken"))
        case.sudo().write({"state": "open"})
        self.assertEqual(case.stage_id, self._stage("stage_reminder"))
        # an explicit stage given together with the state wins
        case.sudo().write({"state": "escalated", "stage_id": negotiating.id})
        self.assertEqual(case.stage_id, negotiating)

    def test_tracking_of_stage_state_responsible_and_deadline(self):
        case = self._start_case().with_context(
            tracking_disable=False, mail_notrack=False
        )
        # end of the creating transaction: what follows is tracked
        self.env.flush_all()
        self.env.cr.precommit.run()
        case.write(
            {
                "user_id": self.negotiation_user.id,
                "response_deadline": self.today + timedelta(days=7),
            }
        )
        case.action_escalate()
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = case.message_ids.tracking_value_ids.field_id.mapped("name")
        for field_name in ("state", "stage_id", "user_id", "response_deadline"):
            self.assertIn(field_name, tracked)
        self.assertIn(self.negotiation_user.partner_id, case.message_partner_ids)

    def test_responsible_defaults_to_creator(self):
        case = self.Negotiation.with_user(self.negotiation_user).create(
            {"partner_id": self.debtor.id}
        )
        self.assertEqual(case.user_id, self.negotiation_user)
        self.assertEqual(case.company_id, self.company)
        self.assertEqual(case.state, "open")
        self.assertEqual(case.stage_id, self._stage("stage_reminder"))
        self.assertTrue(case.name.startswith("NEG/"))

    @freeze_time("2026-05-20")
    def test_response_overdue(self):
        case = self._start_case()
        case.response_deadline = self.today - timedelta(days=1)
        self.assertTrue(case.response_overdue)
        self.assertIn(case, self.Negotiation.search([("response_overdue", "=", True)]))
        self.assertNotIn(
            case, self.Negotiation.search([("response_overdue", "=", False)])
        )
        case.action_dispute("Paused")
        self.assertFalse(case.response_overdue, "a disputed case is not chased")
        self.assertNotIn(
            case, self.Negotiation.search([("response_overdue", "=", True)])
        )
        self.assertIn(case, self.Negotiation.search([("response_overdue", "=", False)]))

    # ------------------------------------------------------------------
    # Deletion
    # ------------------------------------------------------------------
    def test_plain_case_can_be_deleted_by_manager(self):
        case = self._start_case()
        invoice = case.invoice_ids
        case.with_user(self.negotiation_manager).unlink()
        self.assertFalse(case.exists())
        self.assertFalse(invoice.negotiation_id)

    def test_deletion_refused_with_letters(self):
        case = self._start_case()
        case._generate_letter("reminder")
        with self.assertRaisesRegex(UserError, "letters"):
            case.with_user(self.negotiation_manager).unlink()
        self.assertTrue(case.exists())
        self.assertTrue(case.letter_ids)

    def test_deletion_refused_with_agreement(self):
        case, offer = self._open_case_with_agreement()
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            case.with_user(self.negotiation_manager).unlink()
        self.assertTrue(case.exists())
        self.assertEqual(offer.state, "accepted")
        self.assertTrue(case.installment_ids)

    def test_deletion_refused_with_accepted_offer_even_without_letter(self):
        case = self._start_case()
        offer = self._create_offer(case)
        offer.sudo().write({"state": "accepted"})
        self.assertFalse(case.letter_ids)
        with self.assertRaisesRegex(UserError, "agreement"):
            case.with_user(self.negotiation_manager).unlink()
        self.assertTrue(case.exists())

    def test_user_cannot_delete_cases(self):
        case = self._start_case()
        with self.assertRaises(AccessError):
            case.with_user(self.negotiation_user).unlink()
        self.assertTrue(case.exists())
