# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Records that are proof: each test is an attack by a plain negotiation
user (or a manager) over the ORM as a JSON-RPC client reaches it
(``with_user``, public methods, values and context of its choosing), and
what must hold afterwards."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from ..models.workflow import workflow
from .common import SIGNATURE, DebtNegotiationCommon


@tagged("post_install", "-at_install")
class TestNoForgedLetter(DebtNegotiationCommon):
    """Letters come only from the addon's checked generation: a client's
    ``create`` is refused for users and managers alike."""

    def _signed_case(self):
        """A case under an agreement the debtor signed online (its drawn
        signature on the agreement)."""
        case = self._start_case(self._create_invoice(partner=self.debtor_2))
        offer = self._create_offer(case, first_due_date=self.today + timedelta(days=3))
        offer.action_propose()
        case.sudo()._portal_accept(offer.id, "Dora Debtor", SIGNATURE)
        return case

    def test_client_cannot_create_a_letter(self):
        signed = self._signed_case()
        agreement = signed.agreement_id
        case = self._start_case()
        forgeries = {
            "agreement letter with another debtor's signature": {
                "negotiation_id": case.id,
                "letter_type": "agreement",
                "offer_id": agreement.offer_id.id,
                "amount_due": 99.0,
                "signed_by": "Debtor One Ltd (owner)",
                "signed_on": self.today,
                "signature": agreement.signature,
            },
            "hand-over notice never handed over": {
                "negotiation_id": case.id,
                "letter_type": "handover",
            },
            "final notice of a made-up amount": {
                "negotiation_id": case.id,
                "letter_type": "final_notice",
                "amount_due": 5000.0,
            },
            "a plain reminder": {"negotiation_id": case.id, "letter_type": "reminder"},
        }
        for user in (self.negotiation_user, self.negotiation_manager):
            Letter = self.env["debt.negotiation.letter"].with_user(user)
            for label, vals in forgeries.items():
                with self.subTest(user=user.login, forgery=label):
                    with self.assertRaises(UserError):
                        Letter.create(vals)
            with self.subTest(user=user.login, forgery="copy"):
                with self.assertRaises(UserError):
                    signed.letter_ids[:1].with_user(user).copy()
        self.assertFalse(case.letter_ids)
        self.assertEqual(len(signed.letter_ids), 1)

    def test_letter_states_only_its_own_case(self):
        case = self._start_case()
        other = self._start_case(self._create_invoice(partner=self.debtor_2))
        foreign_offer = self._create_offer(other)
        Letter = workflow(self.env["debt.negotiation.letter"])
        with self.assertRaises(ValidationError):
            Letter.create(
                {
                    "negotiation_id": case.id,
                    "letter_type": "negotiation",
                    "offer_id": foreign_offer.id,
                }
            )
        # the generation takes the case's own offer, whatever it is given
        letter = case._generate_letter("negotiation", offer=foreign_offer)
        self.assertFalse(letter.offer_id)

    def test_signatures_only_from_the_cases_agreement(self):
        signed = self._signed_case()
        agreement = signed.agreement_id
        # the addon's own generation: the agreement's signature, never another
        Letter = workflow(self.env["debt.negotiation.letter"])
        with self.assertRaises(ValidationError):
            Letter.create(
                {
                    "negotiation_id": signed.id,
                    "letter_type": "agreement",
                    "offer_id": agreement.offer_id.id,
                    "signed_by": "Somebody Else",
                    "signature": SIGNATURE,
                }
            )
        case = self._start_case()
        with self.assertRaises(ValidationError):
            Letter.create(
                {
                    "negotiation_id": case.id,
                    "letter_type": "reminder",
                    "signed_by": "Dora Debtor",
                    "signature": agreement.signature,
                }
            )
        # the Print Letter wizard's agreement letter carries the agreement's
        wizard_model = (
            self.env["debt.negotiation.letter.wizard"]
            .with_user(self.negotiation_user)
            .with_context(default_negotiation_id=signed.id)
        )
        with Form(wizard_model) as wizard_form:
            wizard_form.letter_type = "agreement"
        wizard_form.record.action_confirm()
        letter = signed.letter_ids.sorted("id")[-1]
        self.assertEqual(letter.signed_by, "Dora Debtor")
        self.assertEqual(letter.signature, agreement.signature)


@tagged("post_install", "-at_install")
class TestNoTrustedContextKey(DebtNegotiationCommon):
    """``debt_negotiation_skip_pdf`` from a client is not heard."""

    def test_letter_wizard_ignores_a_forged_skip_pdf(self):
        case = self._start_case()
        wizard_model = (
            self.env["debt.negotiation.letter.wizard"]
            .with_user(self.negotiation_user)
            .with_context(
                default_negotiation_id=case.id, debt_negotiation_skip_pdf=True
            )
        )
        with Form(wizard_model) as wizard_form:
            wizard_form.letter_type = "reminder"
        wizard_form.record.action_confirm()
        letter = case.letter_ids
        self.assertEqual(len(letter), 1)
        self.assertTrue(letter.attachment_id, "the PDF is rendered and stored")
        self.assertTrue(letter.evidence_hash, "and sealed at once")

    def test_agreement_wizard_ignores_a_forged_skip_pdf(self):
        case = self._start_case()
        offer = self._create_offer(case)
        offer.action_propose()
        action = offer.with_user(self.negotiation_user).action_accept()
        wizard_model = (
            self.env[action["res_model"]]
            .with_user(self.negotiation_user)
            .with_context(**action["context"], debt_negotiation_skip_pdf=True)
        )
        with Form(wizard_model) as wizard_form:
            wizard_form.signed_by = "Jane Accounts"
        wizard_form.record.action_confirm()
        letter = case.agreement_id.letter_id
        self.assertTrue(letter.attachment_id, "the PDF is rendered and stored")
        self.assertTrue(letter.evidence_hash, "and sealed at once")


@tagged("post_install", "-at_install")
class TestRightsNotSelfGiven(DebtNegotiationCommon):
    """Rights that cannot be given to oneself, and letters that a GET never
    makes."""

    CASE_REPORT = "debt_negotiation.action_report_negotiation_letter"
    INVOICE_REPORT = "debt_negotiation.action_report_invoice_negotiation_letter"
    AGREEMENT_REPORT = "debt_negotiation.action_report_agreement_letter"

    def test_negotiator_is_reassigned_by_a_manager_only(self):
        case = self._start_case(user=self.negotiation_manager)
        self.assertEqual(case.user_id, self.negotiation_manager)
        mine = case.with_user(self.negotiation_user)
        with self.assertRaises(AccessError):
            mine.write({"user_id": self.negotiation_user.id})
        with self.assertRaises(AccessError):
            mine.write({"user_id": False})
        self.assertEqual(case.user_id, self.negotiation_manager)
        # so the dossier, for managers and the case's negotiator, stays theirs
        with self.assertRaises(AccessError):
            mine.action_evidence_dossier()
        self.assertFalse(mine.can_reassign)
        # a manager hands the case over
        case.with_user(self.negotiation_manager).user_id = self.negotiation_user
        self.assertEqual(case.user_id, self.negotiation_user)
        self.assertTrue(mine.action_evidence_dossier())

    def test_promise_stays_on_its_case(self):
        case = self._start_case()
        other = self._start_case(self._create_invoice(partner=self.debtor_2))
        interaction = self.env["debt.negotiation.interaction"].create(
            {
                "negotiation_id": case.id,
                "summary": "Will pay on Friday.",
                "outcome": "promise",
                "promise_date": self.today + timedelta(days=3),
                "promise_amount": 100.0,
            }
        )
        promise = interaction.promise_ids
        for user in (self.negotiation_user, self.negotiation_manager):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                promise.with_user(user).write({"negotiation_id": other.id})
        self.assertEqual(promise.negotiation_id, case)
        self.assertFalse(other.promise_ids)

    def test_reports_print_stored_letters_only(self):
        case = self._start_case()
        invoice = case.invoice_ids
        Report = self.env["ir.actions.report"].with_user(self.negotiation_user)
        # GET /report/pdf/<report>/<id>: nothing to print yet, nothing made
        for report, records in (
            (self.CASE_REPORT, case),
            (self.INVOICE_REPORT, invoice),
            (self.AGREEMENT_REPORT, case),
        ):
            with self.subTest(report=report), self.assertRaises(UserError):
                Report._render_qweb_pdf(report, records.ids)
        self.assertFalse(case.letter_ids)
        self.assertFalse(case.interaction_ids.filtered(lambda i: i.channel == "letter"))
        # the explicit, checked action (Print menu: Current Letter) makes it
        action = case.with_user(self.negotiation_user).action_print_current_letter()
        letter = case.letter_ids
        self.assertEqual(letter.letter_type, case._get_default_letter_type())
        self.assertEqual(action["context"]["active_ids"], letter.ids)
        # then every report prints that stored letter, byte for byte
        for report, records in (
            (self.CASE_REPORT, case),
            (self.INVOICE_REPORT, invoice),
        ):
            with self.subTest(report=report):
                content, _type = Report._render_qweb_pdf(report, records.ids)
                self.assertEqual(content, letter.attachment_id.raw)
        # the same action again the same day: the same letter
        invoice.with_user(self.negotiation_user).action_print_negotiation_letter()
        self.assertEqual(case.letter_ids, letter)

    def test_no_demand_letter_on_an_escalated_case(self):
        case = self._start_case()
        case.action_escalate()
        self.assertEqual(case.state, "escalated")
        for letter_type in ("reminder", "negotiation", "final_notice"):
            with self.subTest(letter_type=letter_type), self.assertRaises(UserError):
                case.with_user(self.negotiation_user)._generate_letter(letter_type)
        with self.assertRaises(UserError):
            case.with_user(self.negotiation_user).action_print_current_letter()
        self.assertFalse(
            case.letter_ids.filtered(
                lambda lt: lt.letter_type in ("reminder", "negotiation", "final_notice")
            )
        )


@tagged("post_install", "-at_install")
class TestInteractionsInTheirAuthorsName(DebtNegotiationCommon):
    """An interaction is logged by the user who records it; the debtor's
    own channel and its agreement come only from the addon."""

    def setUp(self):
        super().setUp()
        self.case = self._start_case()
        self.Interaction = self.env["debt.negotiation.interaction"]

    def _vals(self, **vals):
        return {
            "negotiation_id": self.case.id,
            "summary": "Debtor accepted to pay 2810 (logged by the manager)",
            **vals,
        }

    def test_logged_in_another_users_name_is_refused(self):
        for user in (self.negotiation_user, self.negotiation_manager):
            other = (self.negotiation_user | self.negotiation_manager) - user
            Interaction = self.Interaction.with_user(user)
            with self.subTest(user=user.login), self.assertRaises(UserError):
                Interaction.create(self._vals(user_id=other.id))
            with self.subTest(user=user.login, what="nobody"):
                with self.assertRaises(UserError):
                    Interaction.create(self._vals(user_id=False))
            mine = Interaction.create(self._vals(summary="Called, no answer."))
            self.assertEqual(mine.user_id, user)
            with self.subTest(user=user.login, what="write"):
                with self.assertRaises(UserError):
                    mine.write({"user_id": other.id})
            self.assertEqual(mine.user_id, user)
        self.assertFalse(
            self.case.interaction_ids.filtered(
                lambda i: "logged by the manager" in i.summary
            )
        )

    def test_portal_channel_and_agreements_come_from_the_addon(self):
        Interaction = self.Interaction.with_user(self.negotiation_user)
        for vals in (
            {"channel": "portal", "direction": "inbound", "outcome": "agreement"},
            {"channel": "portal", "direction": "inbound", "outcome": "refusal"},
            {"channel": "phone", "direction": "inbound", "outcome": "agreement"},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                Interaction.create(self._vals(**vals))
        logged = Interaction.create(
            self._vals(channel="phone", direction="inbound", outcome="other")
        )
        for vals in (
            {"channel": "portal"},
            {"outcome": "agreement"},
        ):
            with self.subTest(write=vals), self.assertRaises(UserError):
                logged.write(vals)
        self.assertEqual((logged.channel, logged.outcome), ("phone", "other"))
        # the debtor's own answers still come in, from the portal routes
        self.case.sudo()._portal_promise(
            self.today + timedelta(days=2), 10.0, contact_name="Jane Accounts"
        )
        self.assertTrue(
            self.case.interaction_ids.filtered(lambda i: i.channel == "portal")
        )

    def test_who_logged_it_is_sealed(self):
        logged = self.Interaction.with_user(self.negotiation_user).create(
            self._vals(summary="Called, promised an answer.")
        )
        self.assertTrue(self.case._evidence_check()["verified"])
        # who recorded it is part of what the seal covers
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE debt_negotiation_interaction SET create_uid = %s WHERE id = %s",
            [self.negotiation_manager.id, logged.id],
        )
        self.env.invalidate_all()
        check = self.case._evidence_check()
        self.assertFalse(check["verified"])
        self.assertEqual(check["break"].res_id, logged.id)

    def test_backdated_contact_shows_when_it_was_logged(self):
        happened = fields.Datetime.now() - timedelta(days=30)
        logged = self.Interaction.with_user(self.negotiation_user).create(
            self._vals(date=happened, summary="Met at the fair last month.")
        )
        self.assertEqual(logged.date, happened.replace(microsecond=0))
        self.assertGreater(logged.create_date, logged.date)
        self.assertEqual(logged._fields["date"].string, "Happened On")
        arch = self.env.ref(
            "debt_negotiation.view_debt_negotiation_interaction_list"
        ).arch
        self.assertIn('name="create_date"', arch)
        summary = self.env["debt.negotiation.dossier"]._timeline(self.case)
        line = next(e for e in summary if "Met at the fair" in e["what"])
        self.assertIn("logged on", line["what"])


@tagged("post_install", "-at_install")
class TestSealsSurviveUpgrades(DebtNegotiationCommon):
    """Each entry records the version of the content it hashed."""

    def test_entries_sealed_before_an_upgrade_still_verify(self):
        case = self._start_case()
        Evidence = type(self.env["debt.negotiation.evidence"])
        version = self.env["debt.negotiation.evidence"]._current_hash_version()
        self.assertGreaterEqual(version, 2)
        # sealed by the previous version (an interaction's seal did not
        # cover who logged it)
        with patch.object(Evidence, "_current_hash_version", lambda self: 1):
            old = self.env["debt.negotiation.interaction"].create(
                {"negotiation_id": case.id, "summary": "Sealed under version 1."}
            )
        new = self.env["debt.negotiation.interaction"].create(
            {"negotiation_id": case.id, "summary": "Sealed under the current one."}
        )
        entries = case.evidence_ids.sorted("sequence")
        by_document = {entry.res_id: entry for entry in entries}
        self.assertEqual(by_document[old.id].hash_version, 1)
        self.assertEqual(by_document[new.id].hash_version, version)
        check = case._evidence_check()
        self.assertTrue(check["verified"], check["status"])
        # an entry passed off as another version no longer verifies
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE debt_negotiation_evidence SET hash_version = %s WHERE id = %s",
            [version, by_document[old.id].id],
        )
        self.env.invalidate_all()
        check = case._evidence_check()
        self.assertFalse(check["verified"])
        self.assertEqual(check["break"], by_document[old.id])


@tagged("post_install", "-at_install")
class TestMinimumIsNotAnOracle(DebtNegotiationCommon):
    """Below the hidden minimum, a negotiator's proposal or agreement goes
    to a manager's approval (requested, logged, decided): no refusal that
    answers "below" or "not below"."""

    def setUp(self):
        super().setUp()
        self.case = self._start_case()
        self.case.minimum_amount = 800.0
        self.Approval = self.env["debt.negotiation.approval"]

    def _offer(self, amount, **vals):
        return self._create_offer(
            self.case,
            amount=amount,
            first_due_date=self.today + timedelta(days=5),
            **vals,
        )

    def test_proposing_below_the_minimum_asks_a_manager(self):
        offer = self._offer(500.0)
        mine = offer.with_user(self.negotiation_user)
        result = mine.action_propose()
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(offer.state, "draft")
        approval = offer.approval_ids
        self.assertRecordValues(
            approval,
            [
                {
                    "state": "pending",
                    "kind": "propose",
                    "requested_by": self.negotiation_user.id,
                    "amount": 500.0,
                }
            ],
        )
        # logged, and the managers see it
        self.assertIn("approval", self._message_bodies(self.case))
        self.assertIn(
            self.negotiation_manager,
            self.case.activity_ids.user_id,
            "the managers get an activity to decide",
        )
        pending = self.Approval.with_user(self.negotiation_manager).search(
            [("state", "=", "pending")]
        )
        self.assertIn(approval, pending)
        # a probe leaves its trace: neither the offer nor the request goes
        with self.assertRaises(UserError):
            mine.unlink()
        with self.assertRaises(AccessError):
            approval.with_user(self.negotiation_user).unlink()
        with self.assertRaises(AccessError):
            approval.with_user(self.negotiation_user).write({"state": "approved"})
        # asking again waits for the same request
        mine.action_propose()
        self.assertEqual(len(offer.approval_ids), 1)
        # only a manager decides
        with self.assertRaises(AccessError):
            mine.action_approve_minimum()
        offer.with_user(self.negotiation_manager).action_approve_minimum()
        self.assertRecordValues(
            approval,
            [{"state": "approved", "decided_by": self.negotiation_manager.id}],
        )
        self.assertIn(
            self.negotiation_user,
            self.case.activity_ids.user_id,
            "the negotiator is told",
        )
        # then the negotiator proposes it
        mine.action_propose()
        self.assertEqual(offer.state, "proposed")

    def test_a_refused_request_proposes_nothing(self):
        offer = self._offer(500.0)
        mine = offer.with_user(self.negotiation_user)
        mine.action_propose()
        offer.with_user(self.negotiation_manager).action_refuse_minimum()
        self.assertEqual(offer.approval_ids.state, "refused")
        self.assertEqual(offer.state, "draft")
        # an approval covers the amount it was given for, nothing else
        approved = self._offer(600.0)
        approved.with_user(self.negotiation_user).action_propose()
        approved.with_user(self.negotiation_manager).action_approve_minimum()
        approved.with_user(self.negotiation_user).write({"amount": 550.0})
        approved.with_user(self.negotiation_user).action_propose()
        self.assertEqual(approved.state, "draft")
        self.assertEqual(
            approved.approval_ids.sorted("id").mapped("state"), ["approved", "pending"]
        )

    def test_at_or_above_the_minimum_nothing_to_ask(self):
        offer = self._offer(800.0)
        offer.with_user(self.negotiation_user).action_propose()
        self.assertEqual(offer.state, "proposed")
        self.assertFalse(offer.approval_ids)

    def test_agreeing_below_the_minimum_asks_a_manager(self):
        counter = self._offer(500.0, origin="debtor")
        counter.action_propose()
        action = counter.with_user(self.negotiation_user).action_accept()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.negotiation_user)
            .with_context(**action["context"])
            .create({"signed_by": "Jane"})
        )
        result = wizard.action_confirm()
        self.assertEqual(result["tag"], "display_notification")
        self.assertFalse(self.case.agreement_ids)
        self.assertEqual(counter.state, "proposed")
        self.assertRecordValues(
            counter.approval_ids, [{"kind": "accept", "state": "pending"}]
        )
        counter.with_user(self.negotiation_manager).action_approve_minimum()
        self._confirm_agreement(counter, user=self.negotiation_user)
        self.assertEqual(self.case.state, "agreement")
