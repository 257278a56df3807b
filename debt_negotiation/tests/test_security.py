# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from ..models.workflow import without_pdf
from .common import SIGNATURE, DebtNegotiationCommon

NEGOTIATION_MODELS = (
    "debt.negotiation",
    "debt.negotiation.stage",
    "debt.negotiation.offer",
    "debt.negotiation.installment",
    "debt.negotiation.interaction",
    "debt.negotiation.letter",
    "debt.negotiation.followup.step",
    "debt.negotiation.agreement.wizard",
    "debt.negotiation.dispute.wizard",
    "debt.negotiation.dispute.period",
    "debt.negotiation.escalate.wizard",
    "debt.negotiation.start.wizard",
    "debt.negotiation.letter.void.wizard",
)


@tagged("post_install", "-at_install")
class TestSecurity(DebtNegotiationCommon):
    """Groups, the hidden minimum and multi-company isolation."""

    def test_groups(self):
        user_group = self.env.ref("debt_negotiation.group_negotiation_user")
        manager_group = self.env.ref("debt_negotiation.group_negotiation_manager")
        self.assertIn(
            user_group, self.env.ref("account.group_account_invoice").trans_implied_ids
        )
        # managing negotiations is given explicitly: Odoo's demo makes every
        # new user an invoicing administrator, not a negotiation manager
        self.assertNotIn(
            manager_group,
            self.env.ref("account.group_account_manager").trans_implied_ids,
        )
        newcomer = new_test_user(
            self.env,
            login="dn_newcomer",
            groups="base.group_user,account.group_account_manager",
        )
        self.assertTrue(newcomer.has_group("debt_negotiation.group_negotiation_user"))
        self.assertFalse(
            newcomer.has_group("debt_negotiation.group_negotiation_manager")
        )
        self.assertTrue(
            self.env.ref("base.user_admin").has_group(
                "debt_negotiation.group_negotiation_manager"
            )
        )
        self.assertTrue(
            self.negotiation_user.has_group("debt_negotiation.group_negotiation_user")
        )
        self.assertFalse(
            self.negotiation_user.has_group(
                "debt_negotiation.group_negotiation_manager"
            )
        )
        self.assertTrue(
            self.negotiation_manager.has_group(
                "debt_negotiation.group_negotiation_manager"
            )
        )

    def test_every_model_has_access_rules(self):
        for model in NEGOTIATION_MODELS:
            with self.subTest(model=model):
                self.assertTrue(
                    self.env[model].with_user(self.negotiation_user).has_access("read")
                )
                # the interaction log and the dispute periods are evidence:
                # nobody deletes them
                self.assertEqual(
                    self.env[model]
                    .with_user(self.negotiation_manager)
                    .has_access("unlink"),
                    model
                    not in (
                        "debt.negotiation.interaction",
                        "debt.negotiation.dispute.period",
                    ),
                )

    def test_internal_user_without_group_sees_nothing(self):
        case = self._start_case()
        employee = new_test_user(
            self.env,
            login="dn_employee",
            groups="base.group_user",
            company_id=self.company.id,
        )
        self.assertFalse(employee.has_group("debt_negotiation.group_negotiation_user"))
        with self.assertRaises(AccessError):
            case.with_user(employee).read(["name"])
        with self.assertRaises(AccessError):
            self.Negotiation.with_user(employee).search([])

    def test_user_cannot_configure(self):
        stage = self.env.ref("debt_negotiation.stage_negotiating")
        with self.assertRaises(AccessError):
            stage.with_user(self.negotiation_user).write({"name": "Talking"})
        self.assertEqual(stage.name, "Negotiating")
        with self.assertRaises(AccessError):
            self.env["debt.negotiation.stage"].with_user(self.negotiation_user).create(
                {"name": "Mine"}
            )
        new_stage = (
            self.env["debt.negotiation.stage"]
            .with_user(self.negotiation_manager)
            .create({"name": "Legal review", "sequence": 85})
        )
        self.assertTrue(new_stage.exists())

    def test_stage_in_use_cannot_be_deleted(self):
        stage = self.env.ref("debt_negotiation.stage_negotiating")
        new_stage = (
            self.env["debt.negotiation.stage"]
            .with_user(self.negotiation_manager)
            .create({"name": "Legal review", "sequence": 85})
        )
        case = self._start_case()
        case.stage_id = new_stage
        with self.assertRaises(UserError):
            new_stage.with_user(self.negotiation_manager).unlink()
        self.assertEqual(case.stage_id, new_stage)
        case.stage_id = stage
        new_stage.with_user(self.negotiation_manager).unlink()
        self.assertFalse(new_stage.exists())

    # ------------------------------------------------------------------
    # The creditor's minimum: managers only
    # ------------------------------------------------------------------
    def test_minimum_amount_hidden_from_plain_user(self):
        case = self._start_case()
        case.minimum_amount = 750.0
        user_case = case.with_user(self.negotiation_user)
        user_case.invalidate_recordset()
        with self.assertRaises(AccessError):
            user_case.read(["minimum_amount"])
        with self.assertRaises(AccessError):
            user_case.mapped("minimum_amount")
        with self.assertRaises(AccessError):
            user_case.write({"minimum_amount": 1.0})
        with self.assertRaises(AccessError):
            self.Negotiation.with_user(self.negotiation_user).search(
                [("minimum_amount", ">", 0)]
            )
        self.assertEqual(case.minimum_amount, 750.0)
        # the rest of the case stays readable
        self.assertEqual(user_case.read(["amount_due"])[0]["amount_due"], 1000.0)
        self.assertNotIn(
            "minimum_amount",
            self.Negotiation.with_user(self.negotiation_user).fields_get(),
        )
        arch = self.Negotiation.with_user(self.negotiation_user).get_view(
            self.env.ref("debt_negotiation.view_debt_negotiation_form").id
        )["arch"]
        self.assertNotIn("minimum_amount", arch)

    def test_minimum_amount_for_manager(self):
        case = self._start_case().with_user(self.negotiation_manager)
        case.minimum_amount = 600.0
        self.assertEqual(case.read(["minimum_amount"])[0]["minimum_amount"], 600.0)
        arch = self.Negotiation.with_user(self.negotiation_manager).get_view(
            self.env.ref("debt_negotiation.view_debt_negotiation_form").id
        )["arch"]
        self.assertIn("minimum_amount", arch)
        with self.assertRaises(ValidationError):
            case.minimum_amount = -1.0
        self.assertEqual(case.minimum_amount, 600.0)

    # ------------------------------------------------------------------
    # Multi-company
    # ------------------------------------------------------------------
    def test_user_of_another_company_sees_nothing(self):
        case = self._start_case()
        offer = self._create_offer(case)
        interaction = self.Interaction.create(
            {"negotiation_id": case.id, "summary": "Called"}
        )
        user_2 = self.user_company_2
        for model, record in (
            ("debt.negotiation", case),
            ("debt.negotiation.offer", offer),
            ("debt.negotiation.interaction", interaction),
        ):
            with self.subTest(model=model):
                self.assertFalse(
                    self.env[model].with_user(user_2).search([("id", "=", record.id)])
                )
                with self.assertRaises(AccessError):
                    record.with_user(user_2).read(["id"])
        with self.assertRaises(AccessError):
            self.Interaction.with_user(user_2).create(
                {"negotiation_id": case.id, "summary": "Sneaky"}
            )
        self.assertEqual(len(case.interaction_ids), 1)

    def test_each_company_sees_its_own_cases(self):
        case_1 = self._start_case()
        case_2 = self._start_case(
            self._create_invoice(company=self.company_2), user=self.user_company_2
        )
        self.assertEqual(case_2.company_id, self.company_2)
        self.assertEqual(
            self.Negotiation.with_user(self.user_company_2).search([]), case_2
        )
        self.assertNotIn(
            case_2, self.Negotiation.with_user(self.negotiation_user).search([])
        )
        self.assertIn(
            case_1, self.Negotiation.with_user(self.negotiation_user).search([])
        )
        self.assertEqual(
            self.debtor.with_user(self.user_company_2).negotiation_count,
            1,
            "the partner stats count only the cases the user may see",
        )

    def test_user_of_another_company_cannot_negotiate_its_invoices(self):
        invoice = self._create_invoice()
        with self.assertRaises(AccessError):
            invoice.with_user(self.user_company_2).action_start_negotiation()
        self.assertFalse(invoice.negotiation_id)

    # ------------------------------------------------------------------
    # Users without negotiation rights keep working on partners/invoices
    # ------------------------------------------------------------------
    def test_partner_and_invoice_readable_without_negotiation_rights(self):
        """An accounting auditor reads every partner and invoice field (as an
        export or an RPC client does) without negotiation rights."""
        case = self._start_case()
        auditor = new_test_user(
            self.env,
            login="dn_auditor",
            groups="base.group_user,account.group_account_readonly",
            company_id=self.company.id,
        )
        self.assertFalse(auditor.has_group("debt_negotiation.group_negotiation_user"))
        values = self.debtor.with_user(auditor).read()[0]
        self.assertEqual(values["name"], self.debtor.name)
        self.assertNotIn("negotiation_count", values)
        # whether and why a debtor gets no letters is the negotiators' business
        self.assertNotIn("negotiation_blocked", values)
        self.assertNotIn("negotiation_blocked_reason", values)
        invoice_values = case.invoice_ids.with_user(auditor).read()[0]
        self.assertEqual(invoice_values["negotiation_id"][0], case.id)
        with self.assertRaises(AccessError):
            case.with_user(auditor).read(["name"])

    def test_views_load_for_users_and_managers(self):
        modes = [
            "kanban",
            "list",
            "form",
            "search",
            "pivot",
            "graph",
            "calendar",
            "activity",
        ]
        for user in (
            self.negotiation_user,
            self.negotiation_manager,
            self.user_company_2,
        ):
            with self.subTest(user=user.login):
                result = self.Negotiation.with_user(user).get_views(
                    [(False, mode) for mode in modes]
                )
                self.assertEqual(set(result["views"]), set(modes))
                for model in (
                    "debt.negotiation.offer",
                    "debt.negotiation.interaction",
                    "debt.negotiation.installment",
                    "debt.negotiation.letter",
                ):
                    self.env[model].with_user(user).get_views(
                        [(False, "list"), (False, "form"), (False, "search")]
                    )


@tagged("post_install", "-at_install")
class TestSecurityAttacks(DebtNegotiationCommon):
    """Each test is an attack through the ORM, as an RPC client would make
    it, that a user clicking the buttons would never try."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env,
            login="dn_attack_portal",
            groups="base.group_portal",
            name="Petra Portal",
        )
        cls.portal_user.partner_id.parent_id = cls.debtor

    def test_portal_debtor_cannot_read_internal_case_fields(self):
        case = self._start_case()
        case.write(
            {
                "note": "<p>Bluffing, sue on the 30th</p>",
                "dispute_reason": "Internal doubts",
            }
        )
        portal_case = case.with_user(self.portal_user)
        # the debtor still reads its own case...
        self.assertEqual(portal_case.read(["name"])[0]["name"], case.name)
        # ...but not the creditor's internal fields
        for field in ("note", "dispute_reason", "dispute_previous_state"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                portal_case.read([field])

    def test_portal_debtor_cannot_read_why_it_is_blocked(self):
        self.debtor.write(
            {"negotiation_blocked": True, "negotiation_blocked_reason": "Vulnerable"}
        )
        partner = self.debtor.with_user(self.portal_user)
        self.assertEqual(partner.read(["name"])[0]["name"], self.debtor.name)
        for field in ("negotiation_blocked", "negotiation_blocked_reason"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                partner.read([field])

    def test_only_negotiation_users_switch_the_letter_block(self):
        contact_manager = new_test_user(
            self.env,
            login="dn_contact_manager",
            groups="base.group_user,base.group_partner_manager",
            company_id=self.company.id,
        )
        with self.assertRaises(AccessError):
            self.debtor.with_user(contact_manager).write({"negotiation_blocked": True})
        self.assertFalse(self.debtor.negotiation_blocked)
        negotiator = new_test_user(
            self.env,
            login="dn_contact_negotiator",
            groups="base.group_partner_manager,debt_negotiation.group_negotiation_user",
            company_id=self.company.id,
        )
        self.debtor.with_user(negotiator).write(
            {"negotiation_blocked": True, "negotiation_blocked_reason": "Lawyer"}
        )
        self.assertTrue(self.debtor.negotiation_blocked)

    def test_letter_wording_is_company_bound(self):
        wording = self.env["debt.negotiation.letter.template"].create(
            {
                "letter_type": "reminder",
                "company_id": self.company_2.id,
                "title": "Company 2 reminder",
            }
        )
        manager = self.negotiation_manager.with_context(
            allowed_company_ids=self.company.ids
        )
        Wording = self.env["debt.negotiation.letter.template"].with_user(manager)
        self.assertNotIn(wording, Wording.search([]))
        with self.assertRaises(AccessError):
            wording.with_user(manager).write({"title": "Pay now"})
        self.assertEqual(wording.title, "Company 2 reminder")

    def test_wizards_belong_to_who_opened_them(self):
        case = self._start_case()
        colleague = new_test_user(
            self.env,
            login="dn_colleague",
            groups="debt_negotiation.group_negotiation_user",
            company_id=self.company.id,
        )
        wizard = (
            self.env["debt.negotiation.dispute.wizard"]
            .with_user(self.negotiation_user)
            .create({"negotiation_id": case.id, "reason": "Goods never arrived"})
        )
        with self.assertRaises(AccessError):
            wizard.with_user(colleague).read(["reason"])
        self.assertEqual(wizard.with_user(self.negotiation_user).reason, wizard.reason)

    def test_second_open_case_does_not_reveal_another_companys_case(self):
        other = self._create_invoice(company=self.company_2)
        hidden = self.env["debt.negotiation"]._open_case_for_invoices(other)
        intruder = self.negotiation_user.with_context(
            allowed_company_ids=self.company.ids
        )
        with self.assertRaises(ValidationError) as caught:
            self.Negotiation.with_user(intruder).create(
                {
                    "partner_id": self.debtor.id,
                    "company_id": self.company_2.id,
                    "currency_id": self.company_2.currency_id.id,
                }
            )
        self.assertNotIn(hidden.name, str(caught.exception))

    def test_absurd_installment_count_is_a_clear_error(self):
        case = self._start_case()
        offer = self._create_offer(
            case,
            offer_type="payment_plan",
            installment_count=3,
            interval="month",
        )
        with self.assertRaises(ValidationError) as caught:
            offer.write({"installment_count": 10**8})
        self.assertIn("at most 360 installments", str(caught.exception))
        self.assertEqual(offer.installment_count, 3)

    def test_interactions_are_kept_and_their_edits_tracked(self):
        case = self._start_case()
        interaction = self.Interaction.with_user(self.negotiation_user).create(
            {"negotiation_id": case.id, "summary": "Promised to pay on Friday"}
        )
        for user in (self.negotiation_user, self.negotiation_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                interaction.with_user(user).unlink()
        self.assertTrue(interaction.exists())
        # (the test classes disable tracking for speed: enable it here)
        interaction.with_user(self.negotiation_user).with_context(
            tracking_disable=False, mail_notrack=False
        ).write({"summary": "Promised to pay on Monday"})
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking is written at commit time
        tracked = interaction.sudo().message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "summary"
        )
        self.assertEqual(tracked.old_value_text, "Promised to pay on Friday")
        self.assertEqual(tracked.new_value_text, "Promised to pay on Monday")
        self.assertEqual(
            tracked.mail_message_id.author_id, self.negotiation_user.partner_id
        )


@tagged("post_install", "-at_install")
class TestLetterIntegrity(DebtNegotiationCommon):
    """A letter is kept as generated: its PDF is its own, set by the addon
    only, and it stays on its case."""

    def test_letter_cannot_point_at_another_file(self):
        case = self._start_case()
        payroll = self.env["ir.attachment"].create(
            {"name": "payroll.pdf", "raw": b"%PDF-1.4 salaries"}
        )
        Letter = self.env["debt.negotiation.letter"].with_user(self.negotiation_user)
        with self.assertRaises(UserError):
            Letter.create(
                {
                    "negotiation_id": case.id,
                    "letter_type": "reminder",
                    "attachment_id": payroll.id,
                }
            )
        letter = without_pdf(case)._generate_letter("reminder")
        letter = letter.with_user(self.negotiation_user)
        with self.assertRaises(UserError):
            letter.write({"attachment_id": payroll.id})
        self.assertFalse(letter.attachment_id)
        # not even the addon's own method links a file made for something else
        with self.assertRaises(UserError):
            letter._store_pdf(payroll)

    def test_letter_stays_on_its_case_as_generated(self):
        case = self._start_case()
        other = self._start_case(self._create_invoice(partner=self.debtor_2))
        letter = case._generate_letter("reminder").with_user(self.negotiation_user)
        for vals in (
            {"negotiation_id": other.id},
            {"letter_type": "final_notice"},
            {"amount_due": 1.0},
            {"response_deadline": "2030-01-01"},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                letter.write(vals)
        self.assertEqual(letter.negotiation_id, case)
        # recording how and when it went out stays possible
        letter.write({"state": "sent", "channel": "email"})
        self.assertEqual(letter.state, "sent")

    def test_letter_pdf_survives_superuser_deletion(self):
        letter = self._start_case()._generate_letter("reminder")
        pdf = letter.attachment_id
        with self.assertRaises(UserError):
            pdf.sudo().unlink()
        self.assertTrue(pdf.exists())

    def test_forged_context_does_not_mark_letters_sent(self):
        case = self._start_case()
        letter = case._generate_letter("reminder")
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.negotiation_user)
            .with_context(debt_negotiation_letter_ids=letter.ids)
            .create(
                {
                    "model": "debt.negotiation",
                    "res_ids": str(case.ids),
                    "composition_mode": "comment",
                    "body": "Just a question about your address.",
                    "partner_ids": [Command.link(self.debtor.id)],
                }
            )
        )
        composer.action_send_mail()
        self.assertEqual(letter.state, "to_send", "its PDF was not sent")

    def test_forged_context_cannot_suppress_chatter_logs(self):
        case = self._start_case()
        forged = case.with_user(self.negotiation_user).with_context(
            mail_batch_tracking=[], mail_batch_capture=[]
        )
        before = len(case.message_ids)
        forged.action_escalate()
        case.invalidate_recordset(["message_ids"])
        self.assertGreater(len(case.message_ids), before)

    # ------------------------------------------------------------------
    # Letters come from explicit, checked actions (a report URL's data and
    # context are the client's)
    # ------------------------------------------------------------------
    def test_report_url_cannot_choose_the_letter(self):
        case = self._start_case()
        Report = self.env["ir.actions.report"].with_user(self.negotiation_user)
        # /report/pdf/<report>/<id>?options={"letter_type": ...}&context=...
        # prints the stored letter of the case's step (none yet: refused),
        # and the explicit action ignores them too
        for data, context in (
            ({"letter_type": "agreement"}, {}),
            ({}, {"letter_type": "broken_promise"}),
        ):
            with self.subTest(data=data, context=context):
                if not case.letter_ids:
                    with self.assertRaises(UserError):
                        Report.with_context(**context)._render_qweb_pdf(
                            "debt_negotiation.action_report_negotiation_letter",
                            case.ids,
                            data=data,
                        )
                case.with_user(self.negotiation_user).with_context(
                    **context
                ).action_print_current_letter()
                Report.with_context(**context)._render_qweb_pdf(
                    "debt_negotiation.action_report_negotiation_letter",
                    case.ids,
                    data=data,
                )
        self.assertEqual(
            case.letter_ids.mapped("letter_type"),
            [case._get_default_letter_type()],
            "one letter, of the type the case is at",
        )
        # the agreement confirmation of a case without agreement
        with self.assertRaises(UserError):
            Report._render_qweb_pdf(
                "debt_negotiation.action_report_agreement_letter", case.ids
            )
        self.assertNotIn("agreement", case.letter_ids.mapped("letter_type"))

    def test_letter_type_checked_against_the_case(self):
        case = self._start_case().with_user(self.negotiation_user)
        for letter_type in ("agreement", "broken_promise"):
            with self.subTest(letter_type=letter_type), self.assertRaises(UserError):
                case._generate_letter(letter_type)
        # under agreement: no demand letter, no broken promise before a due
        # date has passed
        case, _offer = self._open_case_with_agreement(
            amount=600.0,
            offer_type="payment_plan",
            installment_count=2,
            interval="month",
            first_due_date=self.today + timedelta(days=10),
        )
        case = case.with_user(self.negotiation_user)
        for letter_type in ("reminder", "final_notice", "broken_promise"):
            with self.subTest(letter_type=letter_type), self.assertRaises(UserError):
                case._generate_letter(letter_type)
        first = case.installment_ids.sorted("due_date")[:1]
        with freeze_time(first.due_date + timedelta(days=1)):
            letter = case._generate_letter("broken_promise")
        self.assertEqual(letter.installment_id, first)
        # nothing once the case is closed
        case.with_user(self.negotiation_manager).action_cancel()
        with self.assertRaises(UserError):
            case._generate_letter("reminder")

    def test_signature_never_lands_on_another_offer(self):
        case = self._start_case()
        offer = self._create_offer(case, amount=700.0)
        offer.action_propose()
        action = offer.action_accept()
        with Form(
            self.env[action["res_model"]].with_context(**action["context"])
        ) as wizard_form:
            wizard_form.signed_by = "Jane Accounts"
            wizard_form.creditor_signature = SIGNATURE
        wizard_form.record.action_confirm()
        agreement = case.agreement_id
        self.assertTrue(agreement.creditor_signature)
        other = self._create_offer(case, amount=1.0)
        wizard = (
            self.env["debt.negotiation.letter.wizard"]
            .with_user(self.negotiation_user)
            .create(
                {
                    "negotiation_id": case.id,
                    "letter_type": "agreement",
                    "offer_id": other.id,
                }
            )
        )
        letters = case.letter_ids
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(case.letter_ids, letters)
        # the agreement's own confirmation carries its own signature
        printed = self.env["debt.negotiation.letter"]._letters_to_print(
            "agreement", case
        )
        self.assertEqual(printed, agreement.letter_id)
        self.assertEqual(printed.offer_id, offer)

    def test_agreement_report_prints_the_agreement_in_force(self):
        case = self._start_case()
        first = self._create_offer(case, amount=700.0)
        first.action_propose()
        self._confirm_agreement(first, signed_by="Jane Accounts")
        old_letter = case.agreement_id.letter_id
        later = self.today + timedelta(days=40)
        with freeze_time(later):
            self.env["debt.negotiation"]._cron_monitor_agreements()
            self.assertEqual(case.state, "broken")
            second = self._create_offer(
                case, amount=800.0, first_due_date=later + timedelta(days=1)
            )
            second.action_propose()
            self._confirm_agreement(second, signed_by="John Director")
        new_letter = case.agreement_id.letter_id
        self.assertNotEqual(new_letter, old_letter)
        printed = self.env["debt.negotiation.letter"]._letters_to_print(
            "agreement", case
        )
        self.assertEqual(printed, new_letter)
        self.assertEqual(printed.signed_by, "John Director")


@tagged("post_install", "-at_install")
class TestWorkflowIntegrity(DebtNegotiationCommon):
    """The workflow fields (states, the minimum flag, agreement data,
    installments) change only through the action methods: each test is an
    attack as an RPC client would make it, with a plain ``write`` or
    ``create`` and, where relevant, a forged context."""

    # what a client may send: any JSON value under any key
    FORGED_CONTEXT = {
        "debt_negotiation_workflow": True,
        "debt_negotiation_agreement_internal": True,
        "debt_negotiation_agreement_write": True,
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Agreement = cls.env["debt.negotiation.agreement"]
        cls.Installment = cls.env["debt.negotiation.installment"]
        cls.debtors = cls._create_debtors(
            [{"name": f"Workflow Debtor {index}"} for index in range(3)]
        )

    def _agreed(self, partner=None, amount=600.0, **offer_vals):
        """A case of ``partner`` (default ``debtor``) on an invoice of 1000
        under agreement on ``amount`` (a settlement payable today)."""
        case = self._start_case(self._create_invoice(partner=partner))
        offer = self._create_offer(case, amount=amount, **offer_vals)
        offer.action_propose()
        self._confirm_agreement(offer)
        return case, offer

    def test_minimum_flag_cannot_be_forced(self):
        case = self._start_case()
        case.with_user(self.negotiation_manager).minimum_amount = 800.0
        offer = self._create_offer(case, amount=100.0).with_user(self.negotiation_user)
        # the debtor may accept a proposed offer online: below the minimum,
        # only a manager proposes it (the user's proposal asks one)
        offer.action_propose()
        self.assertEqual(offer.state, "draft")
        offer.with_user(self.negotiation_manager).action_propose()
        # today: the write sticks and the confirmation trusts it
        with self.assertRaises(UserError):  # an AccessError is a UserError
            offer.write({"below_minimum": False})
        with self.assertRaises(UserError):
            offer.with_user(self.negotiation_manager).write({"below_minimum": False})
        # not approved: the user's confirmation waits for a manager
        result = self._confirm_agreement(offer, user=self.negotiation_user)
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(offer.sudo().state, "proposed")
        self.assertTrue(offer.sudo().below_minimum)
        self.assertEqual(case.state, "open")
        self.assertFalse(case.agreement_id)

    def test_minimum_cannot_be_bisected_by_a_user(self):
        case = self._start_case()
        case.with_user(self.negotiation_manager).minimum_amount = 737.42
        offer = self._create_offer(case, amount=1.0).with_user(self.negotiation_user)
        Offer = self.Offer.with_user(self.negotiation_user)
        for amount in (500.0, 737.41, 737.42, 900.0):
            offer.amount = amount
            # today: the flag follows each draft write and is readable
            with self.assertRaises(AccessError):
                offer.read(["below_minimum"])
            with self.assertRaises(AccessError):
                Offer.search_count([("below_minimum", "=", True)])
            # no refusal before the acceptance itself
            action = offer.action_accept()
            self.assertEqual(action["res_model"], "debt.negotiation.agreement.wizard")
            wizard = (
                self.env[action["res_model"]]
                .with_user(self.negotiation_user)
                .with_context(**action["context"])
                .create({"signed_by": "Jane"})
            )
            with self.assertRaises(AccessError):
                wizard.read(["below_minimum"])
        self.assertNotIn("below_minimum", Offer.fields_get())

    def test_offer_workflow_only_through_actions(self):
        case = self._start_case()
        Offer = self.Offer.with_user(self.negotiation_user)
        offer = self._create_offer(case).with_user(self.negotiation_user)
        for vals in (
            {"state": "accepted"},
            {"state": "proposed"},
            {"proposed_date": self.today},
            {"answered_date": self.today},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                offer.write(vals)
        for vals in ({"state": "accepted"}, {"state": "expired"}):
            with self.subTest(create=vals), self.assertRaises(UserError):
                Offer.create(
                    {
                        "negotiation_id": case.id,
                        "amount": 50.0,
                        "first_due_date": self.today,
                        **vals,
                    }
                )
        self.assertEqual(offer.state, "draft")
        offer.action_propose()
        # the debtor's letter states these terms: they stay as proposed
        with self.assertRaises(UserError):
            offer.write({"amount": 1.0})
        with self.assertRaises(UserError):
            offer.write({"state": "draft"})
        self.assertRecordValues(offer, [{"state": "proposed", "amount": 1000.0}])

    def test_case_state_only_through_actions(self):
        case = self._start_case().with_user(self.negotiation_user)
        case.action_dispute("The goods never arrived")
        # dispute bypass: back to open without resolving the dispute
        for vals in (
            {"state": "open"},
            {"state": "settled"},
            {"state": "cancelled"},
            {"dispute_previous_state": "agreement"},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                case.write(vals)
        self.assertEqual(case.state, "disputed")
        case.action_resolve_dispute()
        self.assertEqual(case.state, "open")
        agreed, _offer = self._agreed(self.debtors[0])
        agreed = agreed.with_user(self.negotiation_user)
        for vals in (
            {"state": "cancelled"},
            {"state": "settled"},
            {"agreement_id": False},
            {"amount_due": 0.0},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                agreed.write(vals)
        self.assertEqual(agreed.state, "agreement")
        self.assertTrue(agreed.agreement_id)
        with self.assertRaises(UserError):
            self.Negotiation.with_user(self.negotiation_user).create(
                {"partner_id": self.debtors[1].id, "state": "settled"}
            )

    def test_forged_context_unlocks_nothing(self):
        case, offer = self._agreed()
        user_case = case.with_user(self.negotiation_user)
        agreement = user_case.agreement_id.with_context(**self.FORGED_CONTEXT)
        installment = agreement.installment_ids[:1]
        forged = (
            (user_case.with_context(**self.FORGED_CONTEXT), {"state": "settled"}),
            (
                offer.with_user(self.negotiation_user).with_context(
                    **self.FORGED_CONTEXT
                ),
                {"state": "proposed"},
            ),
            (agreement, {"amount_due": 1600.0}),
            (installment, {"amount": 1.0}),
        )
        for record, vals in forged:
            with self.subTest(model=record._name), self.assertRaises(UserError):
                record.write(vals)
        with self.assertRaises(UserError):
            self.Installment.with_user(self.negotiation_user).with_context(
                **self.FORGED_CONTEXT
            ).create(
                {
                    "negotiation_id": case.id,
                    "agreement_id": agreement.id,
                    "due_date": self.today,
                    "amount": 1.0,
                }
            )
        self.assertEqual(case.state, "agreement")
        self.assertEqual(offer.state, "accepted")
        self.assertEqual(agreement.amount_due, 1000.0)

    def test_stage_bound_to_another_state_is_refused(self):
        case = self._start_case().with_user(self.negotiation_user)
        reminder = self.env.ref("debt_negotiation.stage_reminder")
        for xmlid in ("stage_settled", "stage_agreement", "stage_cancelled"):
            with self.subTest(stage=xmlid), self.assertRaises(UserError):
                case.write({"stage_id": self.env.ref(f"debt_negotiation.{xmlid}").id})
        self.assertEqual(case.stage_id, reminder)
        self.assertEqual(case.state, "open")
        # free pipeline stages and the stages of the case's state stay open
        case.stage_id = self.env.ref("debt_negotiation.stage_negotiating")
        case.stage_id = reminder
        self.assertEqual(case.stage_id, reminder)

    def test_monitor_never_writes_off_fabricated_data(self):
        case, _offer = self._agreed()
        agreement = case.agreement_id
        # fabricated "paid" agreement (exploit B): 1600 due on a 1000 invoice
        self.env.cr.execute(
            "UPDATE debt_negotiation_agreement SET amount_due = 1600 WHERE id = %s",
            [agreement.id],
        )
        agreement.invalidate_recordset(["amount_due"])
        agreement.modified(["amount_due"])
        self.env.flush_all()
        self.assertEqual(set(agreement.installment_ids.mapped("state")), {"paid"})
        self.Negotiation._cron_monitor_agreements()
        self.assertEqual(case.state, "agreement")
        self.assertEqual(agreement.state, "active")
        self.assertFalse(agreement.writeoff_move_id)
        self.assertEqual(case.invoice_ids.payment_state, "not_paid")
        self.assertIn("not fulfilled", agreement.monitor_error)
        self.assertIn("not fulfilled", self._message_bodies(case))

    @freeze_time("2026-03-02")
    def test_monitor_isolates_a_failing_case(self):
        good, _offer = self._agreed(self.debtors[0])
        bad, _offer = self._agreed(self.debtors[1])
        late, _offer = self._agreed(
            self.debtors[2],
            amount=1000.0,
            offer_type="payment_plan",
            installment_count=2,
            interval="month",
            first_due_date=self.today + timedelta(days=10),
        )
        late.partner_id.negotiation_blocked = True  # no letter to render
        for case in good | bad:
            self._register_payment(case.invoice_ids, amount=600.0)
        Agreement = self.env.registry["debt.negotiation.agreement"]
        settle = Agreement._settle_cases

        def settle_or_fail(agreements):
            if bad in agreements.negotiation_id:
                raise RuntimeError("an unexpected error on this case only")
            return settle(agreements)

        with (
            freeze_time("2026-03-18"),
            patch.object(Agreement, "_settle_cases", settle_or_fail),
        ):
            self.Negotiation._cron_monitor_agreements()
        self.assertEqual(good.state, "settled")
        self.assertEqual(good.agreement_id.state, "fulfilled")
        self.assertEqual(late.state, "broken")
        # the failing case is rolled back alone, and says why
        self.assertEqual(bad.state, "agreement")
        self.assertEqual(bad.agreement_id.state, "active")
        self.assertFalse(bad.agreement_id.writeoff_move_id)
        self.assertIn("unexpected error", bad.agreement_id.monitor_error)
        self.assertIn("unexpected error", self._message_bodies(bad))
        # and goes through on the next run
        with freeze_time("2026-03-19"):
            self.Negotiation._cron_monitor_agreements()
        self.assertEqual(bad.state, "settled")
        self.assertFalse(bad.agreement_id.monitor_error)
