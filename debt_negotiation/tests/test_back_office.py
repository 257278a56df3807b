# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The back office as a credit controller uses it (issue 24): every button
works and every figure is right."""

from datetime import timedelta

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import DebtNegotiationCommon

CASE_HEADER_BUTTONS_MAX = 4


@tagged("post_install", "-at_install")
class TestBackOffice(DebtNegotiationCommon):
    # ------------------------------------------------------------------
    # Start Negotiation gathers the debtor's other overdue invoices
    # ------------------------------------------------------------------
    def test_start_negotiation_offers_the_other_overdue_invoices(self):
        one, two, three = self._create_overdue_invoices(amounts=(1200.0, 2300.0, 850.0))
        not_due = self._create_invoice(amount=500.0, days_overdue=-5)
        elsewhere = self._create_invoice(amount=90.0, company=self.company_2)
        action = one.action_open_start_negotiation()
        self.assertEqual(action["res_model"], "debt.negotiation.start.wizard")
        wizard = self.env[action["res_model"]].with_context(**action["context"])
        with Form(wizard) as form:
            self.assertTrue(form.include_others, "on by default")
            self.assertEqual(form.amount_others, 3150.0)
        wizard = form.record
        self.assertEqual(wizard.other_invoice_ids, two | three)
        self.assertNotIn(not_due, wizard.other_invoice_ids)
        self.assertNotIn(elsewhere, wizard.other_invoice_ids)
        result = wizard.action_confirm()
        case = self.env["debt.negotiation"].browse(result["res_id"])
        self.assertEqual(case.invoice_ids, one | two | three)
        self.assertEqual(case.amount_due, 4350.0)
        self.assertIn("other overdue invoices were added", self._message_bodies(case))
        # nothing else overdue: started at once
        lonely = self._create_invoice(partner=self.debtor_2)
        result = lonely.action_open_start_negotiation()
        self.assertEqual(result["res_model"], "debt.negotiation")

    def test_start_negotiation_on_the_selection_only(self):
        one, two = self._create_overdue_invoices(amounts=(1200.0, 2300.0))
        action = one.action_open_start_negotiation()
        wizard = self.env[action["res_model"]].with_context(**action["context"])
        with Form(wizard) as form:
            form.include_others = False
        result = form.record.action_confirm()
        case = self.env["debt.negotiation"].browse(result["res_id"])
        self.assertEqual(case.invoice_ids, one)

    def test_new_case_shows_its_next_follow_up(self):
        """Review F15: a new case shows what the follow-ups do next and when,
        as the run decides it: the first step on its date, or, for a debtor
        found late, the latest due step today (which the run then sends)."""
        steps = self.env["debt.negotiation.followup.step"].search(
            [("company_id", "=", self.company.id)]
        )
        case = self._start_case(self._create_invoice(days_overdue=3))
        self.assertEqual(case.next_step_id, steps[0])
        self.assertEqual(
            case.next_action_date,
            case.oldest_due_date + timedelta(days=steps[0].delay_days),
        )
        late = self._start_case(
            self._create_invoice(partner=self.debtor_2, days_overdue=50)
        )
        self.assertEqual(late.next_action_date, self.today)
        self.assertEqual(late.next_step_id.letter_type, "final_notice")

    # ------------------------------------------------------------------
    # Small but visible
    # ------------------------------------------------------------------
    def test_duplicate_a_case_gives_a_clean_message(self):
        case = self._start_case()
        with self.assertRaisesRegex(UserError, "cannot be duplicated"):
            case.copy()
        arch = etree.fromstring(
            self.env["debt.negotiation"].get_view(view_type="form")["arch"]
        )
        self.assertEqual(arch.get("duplicate"), "0")

    def test_print_menu_names_what_it_prints(self):
        report = self.env.ref("debt_negotiation.action_report_negotiation_letter")
        self.assertEqual(report.name, "Current Letter")

    def test_void_a_letter_generated_by_mistake(self):
        case = self._start_case()
        letter = case._generate_letter("final_notice")
        with self.assertRaises(UserError):
            letter.write({"state": "cancelled"})
        action = letter.action_open_void_wizard()
        with Form(
            self.env[action["res_model"]].with_context(**action["context"])
        ) as form:
            form.reason = "Printed to look at it"
        form.record.action_confirm()
        self.assertEqual(letter.state, "cancelled")
        self.assertEqual(letter.void_reason, "Printed to look at it")
        self.assertTrue(letter.attachment_id, "kept for the record")
        # Letters to Send: the "To Send" filter
        to_send = self.env["debt.negotiation.letter"].search(
            [("state", "=", "to_send")]
        )
        self.assertNotIn(letter, to_send)
        voided = case.interaction_ids.filtered(lambda i: "voided" in i.summary)
        self.assertEqual(len(voided), 1)
        self.assertTrue(voided.evidence_hash, "sealed in the evidence chain")
        self.assertTrue(case._evidence_check()["verified"])
        # never sent afterwards
        with self.assertRaises(UserError):
            letter.action_mark_sent()
        with self.assertRaises(UserError):
            letter.action_send_email()
        with self.assertRaises(UserError):
            letter.action_void("again")

    def test_manual_letter_when_credits_cover_what_is_due(self):
        """Review F10: a manual demand letter when the debtor's unapplied
        credits cover what is due warns, instead of "Total due 0.00" with an
        email saying the whole amount."""
        case = self._start_case(self._create_invoice(amount=1450.0))
        refund = self._create_invoice(amount=1450.0, move_type="out_refund")
        self.assertTrue(refund)
        case._refresh_unapplied()
        self.assertEqual(case.amount_unapplied, 1450.0)
        action = case.action_send_letter_email()
        wizard = self.env[action["res_model"]].with_context(**action["context"])
        with Form(wizard) as form:
            form.letter_type = "negotiation"
            self.assertIn("nothing is due", form.credits_warning)
        with self.assertRaisesRegex(UserError, "Nothing is due"):
            form.record.action_confirm()
        self.assertFalse(case.letter_ids)

    # ------------------------------------------------------------------
    # The case form's header
    # ------------------------------------------------------------------
    def _header_buttons(self, case):
        """The header buttons the case form shows for ``case`` (their
        ``invisible`` evaluated on the record)."""
        arch = etree.fromstring(
            self.env["debt.negotiation"].get_view(view_type="form")["arch"]
        )
        header = arch.find(".//header")
        shown = []
        for button in header.iter("button"):
            condition = button.get("invisible")
            if condition and self._evaluate(condition, case):
                continue
            shown.append((button.get("name"), "btn-primary" in button.get("class", "")))
        return shown

    def _evaluate(self, condition, case):
        names = {}
        for name, field in case._fields.items():
            if name not in condition:
                continue
            value = case[name]
            if field.type == "many2one":
                value = value.id
            elif field.type in ("one2many", "many2many"):
                value = value.ids
            names[name] = value
        return safe_eval(condition, names)

    def test_header_shows_the_few_actions_of_the_state(self):
        case = self._start_case(self._create_overdue_invoices(amounts=(600.0, 400.0)))
        case.action_dispute("Broken", invoices=case.invoice_ids[:1])
        shown = self._header_buttons(case)
        self.assertLessEqual(len(shown), CASE_HEADER_BUTTONS_MAX, shown)
        self.assertEqual(shown[0], ("action_new_offer", True), shown)
        self.assertEqual(sum(primary for _name, primary in shown), 1)
        offer = self._create_offer(case)
        offer.action_propose()
        case.invalidate_recordset()
        shown = self._header_buttons(case)
        self.assertEqual(shown[0], ("action_open_agreement_wizard", True), shown)
        self.assertLessEqual(len(shown), CASE_HEADER_BUTTONS_MAX, shown)
        # every action left out of the header is in the form's action menu
        bound = self.env["ir.actions.server"].search(
            [
                ("binding_model_id.model", "=", "debt.negotiation"),
                ("binding_view_types", "ilike", "form"),
            ]
        )
        codes = " ".join(bound.mapped("code"))
        for method in (
            "action_claim_interest",
            "action_send_letter_email",
            "action_open_dispute_wizard",
            "action_resolve_invoice_disputes",
            "action_credit_disputed_invoices",
            "action_open_escalate_wizard",
            "action_evidence_dossier",
            "action_reopen",
            "action_cancel",
        ):
            self.assertIn(method, codes)

    def test_escalated_case_shows_no_next_follow_up(self):
        case = self._start_case()
        self.assertTrue(case.next_step_id)
        case.action_escalate()
        self.assertFalse(case.next_step_id)
        self.assertFalse(case.next_action_date)
        shown = [name for name, _primary in self._header_buttons(case)]
        self.assertLessEqual(len(shown), CASE_HEADER_BUTTONS_MAX, shown)
        self.assertNotIn("action_new_offer", shown)
        self.assertNotIn("action_claim_interest", shown)
