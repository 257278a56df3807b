# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import DebtNegotiationCommon


@tagged("post_install", "-at_install")
class TestInteraction(DebtNegotiationCommon):
    """The communication log and its "Log a Call" button."""

    def setUp(self):
        super().setUp()
        self.case = self._start_case(user=self.negotiation_user).with_user(
            self.negotiation_user
        )

    def _log_call_form(self):
        action = self.case.action_log_call()
        self.assertEqual(action["res_model"], "debt.negotiation.interaction")
        self.assertEqual(action["target"], "new")
        model = (
            self.env[action["res_model"]]
            .with_user(self.negotiation_user)
            .with_context(**action["context"])
        )
        view_id = action["views"][0][0]
        return Form(model, view=view_id)

    @freeze_time("2026-07-01 09:30:00")
    def test_log_a_call(self):
        interaction_form = self._log_call_form()
        self.assertEqual(interaction_form.negotiation_id, self.case)
        self.assertEqual(interaction_form.channel, "phone")
        self.assertEqual(interaction_form.direction, "outbound")
        self.assertEqual(interaction_form.contact_name, self.debtor.name)
        interaction_form.contact_name = "Jane Accounts"
        interaction_form.outcome = "promise"
        interaction_form.summary = "Promised to pay 500 by Friday."
        interaction = interaction_form.save()
        self.assertRecordValues(
            interaction,
            [
                {
                    "negotiation_id": self.case.id,
                    "channel": "phone",
                    "direction": "outbound",
                    "contact_name": "Jane Accounts",
                    "outcome": "promise",
                    "user_id": self.negotiation_user.id,
                    "date": datetime(2026, 7, 1, 9, 30),
                    "partner_id": self.debtor.id,
                    "company_id": self.company.id,
                }
            ],
        )
        self.assertEqual(self.case.interaction_count, 1)
        self.assertEqual(self.case.last_interaction_date, datetime(2026, 7, 1, 9, 30))
        self.assertEqual(self.case.state, "open")

    def test_summary_is_required(self):
        interaction_form = self._log_call_form()
        interaction_form.outcome = "no_answer"
        with self.assertRaises(AssertionError):
            interaction_form.save()
        self.assertFalse(self.case.interaction_ids)

    def test_last_interaction_is_the_latest(self):
        now = datetime(2026, 2, 1, 12, 0)
        self.Interaction.create(
            [
                {"negotiation_id": self.case.id, "summary": "Old", "date": now},
                {
                    "negotiation_id": self.case.id,
                    "summary": "Older",
                    "date": now - timedelta(days=10),
                },
            ]
        )
        self.assertEqual(self.case.last_interaction_date, now)
        action = self.case.action_view_interactions()
        self.assertEqual(
            self.Interaction.search(action["domain"]), self.case.interaction_ids
        )

    def test_dispute_outcome_can_dispute_the_case(self):
        self.case.next_action_date = self.today
        interaction_form = self._log_call_form()
        interaction_form.outcome = "dispute"
        interaction_form.mark_case_disputed = True
        interaction_form.summary = "Says the invoice was already paid in cash."
        interaction_form.save()
        self.assertRecordValues(
            self.case,
            [
                {
                    "state": "disputed",
                    "next_action_date": False,
                    "dispute_reason": "Says the invoice was already paid in cash.",
                    "interaction_count": 1,
                }
            ],
        )
        self.assertEqual(
            self.case.stage_id, self.env.ref("debt_negotiation.stage_disputed")
        )
        self.assertIn("paid in cash", self._message_bodies(self.case))

    def test_dispute_outcome_alone_keeps_the_case_open(self):
        interaction_form = self._log_call_form()
        interaction_form.outcome = "dispute"
        interaction_form.summary = "Grumbles about the price, pays anyway."
        interaction_form.save()
        self.assertEqual(self.case.state, "open")

    def test_mark_disputed_needs_the_dispute_outcome(self):
        self.Interaction.create(
            {
                "negotiation_id": self.case.id,
                "summary": "Asked for a copy",
                "outcome": "clarification",
                "mark_case_disputed": True,
            }
        )
        self.assertEqual(self.case.state, "open")

    def test_mark_disputed_refused_on_cancelled_case(self):
        self.case.action_cancel()
        with self.assertRaises(UserError):
            self.Interaction.create(
                {
                    "negotiation_id": self.case.id,
                    "summary": "Disputes everything",
                    "outcome": "dispute",
                    "mark_case_disputed": True,
                }
            )
        self.assertFalse(self.case.interaction_ids)
        self.assertEqual(self.case.state, "cancelled")

    def test_log_is_kept_for_users(self):
        interaction = self.Interaction.with_user(self.negotiation_user).create(
            {"negotiation_id": self.case.id, "summary": "Left a voicemail"}
        )
        with self.assertRaises(AccessError):
            interaction.unlink()
        with self.assertRaises(AccessError):
            interaction.with_user(self.negotiation_manager).unlink()
        self.assertTrue(interaction.exists())
