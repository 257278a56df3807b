# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import DebtNegotiationCommon


@tagged("post_install", "-at_install")
class TestStartNegotiation(DebtNegotiationCommon):
    """Opening cases from invoices, and every invoice that must be refused."""

    def _assert_no_case(self, invoices):
        self.assertFalse(
            self.Negotiation.search_count([("invoice_ids", "in", invoices.ids)]),
            "no case may hold the refused invoices",
        )
        self.assertFalse(any(invoices.mapped("negotiation_id")))

    def _debtor_cases(self, partner=None):
        return self.Negotiation.search(
            [("partner_id", "=", (partner or self.debtor).id)]
        )

    # ------------------------------------------------------------------
    # Happy paths
    # ------------------------------------------------------------------
    def test_start_from_invoice_button(self):
        invoice = self._create_invoice(amount=1200.0, days_overdue=20)
        action = invoice.action_start_negotiation()
        self.assertEqual(action["type"], "ir.actions.act_window")
        self.assertEqual(action["res_model"], "debt.negotiation")
        self.assertEqual(action["view_mode"], "form")
        case = self.Negotiation.browse(action["res_id"])
        self.assertRecordValues(
            case,
            [
                {
                    "partner_id": self.debtor.id,
                    "company_id": self.company.id,
                    "currency_id": self.company.currency_id.id,
                    "state": "open",
                    "amount_total": 1200.0,
                    "amount_due": 1200.0,
                    "oldest_due_date": invoice.invoice_date_due,
                    "days_overdue": 20,
                    "user_id": self.env.user.id,
                    "invoice_count": 1,
                }
            ],
        )
        self.assertEqual(case.invoice_ids, invoice)
        self.assertEqual(case.stage_id, self.env.ref("debt_negotiation.stage_reminder"))
        self.assertEqual(invoice.negotiation_id, case)
        self.assertIn(invoice.name, self._message_bodies(case))

    def test_start_from_list_action_on_several_invoices(self):
        recent = self._create_overdue_invoices(amounts=(100.0, 250.5), days_overdue=10)
        older = self._create_invoice(amount=50.0, days_overdue=40)
        invoices = recent | older
        server_action = self.env.ref(
            "debt_negotiation.action_account_move_start_negotiation"
        )
        self.assertEqual(server_action.binding_model_id.model, "account.move")
        self.assertEqual(server_action.binding_view_types, "list")
        self.assertEqual(
            server_action.groups_id,
            self.env.ref("debt_negotiation.group_negotiation_user"),
        )
        action = server_action.with_context(
            active_model="account.move",
            active_ids=invoices.ids,
            active_id=invoices[0].id,
        ).run()
        case = self.Negotiation.browse(action["res_id"])
        self.assertEqual(case.invoice_ids, invoices)
        self.assertEqual(case.amount_due, 400.5)
        self.assertEqual(case.oldest_due_date, older.invoice_date_due)
        self.assertEqual(invoices.negotiation_id, case)

    def test_start_as_billing_user(self):
        invoice = self._create_invoice()
        case = self._start_case(invoice, user=self.negotiation_user)
        self.assertEqual(case.user_id, self.negotiation_user)
        self.assertIn(
            self.negotiation_user.partner_id,
            case.message_partner_ids,
            "the responsible negotiator follows the case",
        )

    def test_contact_invoice_opens_case_of_commercial_entity(self):
        invoice = self._create_invoice(partner=self.debtor_contact)
        company_invoice = self._create_invoice(partner=self.debtor)
        case = self._start_case(invoice | company_invoice)
        self.assertEqual(case.partner_id, self.debtor)
        self.assertEqual(case.invoice_ids, invoice | company_invoice)

    def test_new_invoices_join_the_open_case(self):
        first = self._create_invoice(amount=1000.0)
        case = self._start_case(first)
        second = self._create_invoice(amount=500.0, days_overdue=5)
        joined = self._start_case(second)
        self.assertEqual(joined, case)
        self.assertEqual(case.invoice_ids, first | second)
        self.assertEqual(case.amount_due, 1500.0)
        self.assertEqual(len(self._debtor_cases()), 1)
        self.assertIn("Invoices added", self._message_bodies(case))
        # starting again on invoices already in the case changes nothing
        again = self._start_case(first | second)
        self.assertEqual(again, case)
        self.assertEqual(len(case.invoice_ids), 2)

    def test_disputed_case_still_receives_new_invoices(self):
        case = self._start_case()
        case.action_dispute("Goods damaged")
        joined = self._start_case(self._create_invoice(amount=70.0))
        self.assertEqual(joined, case)
        self.assertEqual(case.state, "disputed")

    def test_closed_case_does_not_receive_new_invoices(self):
        case = self._start_case()
        case.action_cancel()
        new_case = self._start_case(self._create_invoice(amount=80.0))
        self.assertNotEqual(new_case, case)
        self.assertEqual(new_case.state, "open")
        self.assertEqual(new_case.amount_due, 80.0)
        self.assertEqual(len(self._debtor_cases()), 2)

    def test_one_case_per_company(self):
        case_1 = self._start_case()
        invoice_2 = self._create_invoice(company=self.company_2)
        case_2 = self._start_case(invoice_2)
        self.assertNotEqual(case_1, case_2)
        self.assertEqual(case_2.company_id, self.company_2)
        self.assertEqual(case_2.currency_id, self.company_2.currency_id)
        self.assertEqual(invoice_2.negotiation_id, case_2)

    def test_reference_from_sequence(self):
        case_1 = self._start_case()
        case_2 = self._start_case(self._create_invoice(partner=self.debtor_2))
        year = self.today.year
        self.assertRegex(case_1.name, rf"^NEG/{year}/\d{{5}}$")
        self.assertRegex(case_2.name, rf"^NEG/{year}/\d{{5}}$")
        self.assertNotEqual(case_1.name, case_2.name)
        self.assertGreater(case_2.name, case_1.name)

    def test_amount_due_follows_partial_and_full_payments(self):
        older = self._create_invoice(amount=1000.0, days_overdue=40)
        recent = self._create_invoice(amount=500.0, days_overdue=10)
        case = self._start_case(older | recent)
        self.assertEqual(case.amount_due, 1500.0)
        self.assertEqual(case.oldest_due_date, older.invoice_date_due)

        self._register_payment(older, amount=400.0)
        self.assertEqual(older.amount_residual, 600.0)
        self.assertEqual(case.amount_due, 1100.0)
        self.assertEqual(case.amount_total, 1500.0)

        self._register_payment(older)
        self.assertEqual(case.amount_due, 500.0)
        self.assertEqual(
            case.oldest_due_date,
            recent.invoice_date_due,
            "a paid invoice no longer counts for the oldest due date",
        )

        self._register_payment(recent)
        self.assertEqual(case.amount_due, 0.0)
        self.assertFalse(case.oldest_due_date)
        # the stored value is current in the database too
        self.env.flush_all()
        self.assertEqual(
            self.Negotiation.search([("id", "=", case.id), ("amount_due", "=", 0.0)]),
            case,
        )

    @freeze_time("2026-03-15")
    def test_days_overdue_counts_from_oldest_unpaid_invoice(self):
        case = self._start_case(
            self._create_invoice(days_overdue=12) | self._create_invoice(days_overdue=3)
        )
        self.assertEqual(str(case.oldest_due_date), "2026-03-03")
        self.assertEqual(case.days_overdue, 12)

    # ------------------------------------------------------------------
    # Invoices that cannot start a case: refused, and nothing written
    # ------------------------------------------------------------------
    def test_vendor_bill_refused(self):
        bill = self._create_invoice(move_type="in_invoice")
        with self.assertRaisesRegex(UserError, "only customer invoices"):
            bill.action_start_negotiation()
        self._assert_no_case(bill)
        self.assertFalse(self._debtor_cases())

    def test_credit_note_refused(self):
        refund = self._create_invoice(move_type="out_refund")
        with self.assertRaises(UserError):
            refund.action_start_negotiation()
        self._assert_no_case(refund)

    def test_draft_invoice_refused(self):
        draft = self._create_invoice(post=False)
        self.assertEqual(draft.state, "draft")
        with self.assertRaisesRegex(UserError, "draft"):
            draft.action_start_negotiation()
        self._assert_no_case(draft)
        self.assertFalse(self._debtor_cases())

    def test_invoice_due_today_refused(self):
        invoice = self._create_invoice(days_overdue=0)
        with self.assertRaisesRegex(UserError, "not overdue"):
            invoice.action_start_negotiation()
        self._assert_no_case(invoice)

    def test_invoice_not_yet_due_refused(self):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.debtor.id,
                "invoice_date": self._days_ago(10),
                "invoice_payment_term_id": self.env.ref(
                    "account.account_payment_term_30days"
                ).id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Service", "price_unit": 100.0, "tax_ids": []}
                    )
                ],
            }
        )
        invoice.action_post()
        self.assertGreater(invoice.invoice_date_due, self.today)
        with self.assertRaisesRegex(UserError, "not overdue"):
            invoice.action_start_negotiation()
        self._assert_no_case(invoice)

    def test_fully_paid_invoice_refused(self):
        invoice = self._create_invoice()
        self._register_payment(invoice)
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
        with self.assertRaisesRegex(UserError, "already paid"):
            invoice.action_start_negotiation()
        self._assert_no_case(invoice)

    def test_one_bad_invoice_refuses_the_whole_selection(self):
        good = self._create_invoice()
        draft = self._create_invoice(post=False)
        with self.assertRaises(UserError):
            (good | draft).action_start_negotiation()
        self._assert_no_case(good | draft)
        self.assertFalse(self._debtor_cases())

    def test_different_debtors_refused(self):
        invoices = self._create_invoice() | self._create_invoice(partner=self.debtor_2)
        with self.assertRaisesRegex(UserError, "different debtors"):
            invoices.action_start_negotiation()
        self._assert_no_case(invoices)
        self.assertFalse(self._debtor_cases() | self._debtor_cases(self.debtor_2))

    def test_different_companies_refused(self):
        invoices = self._create_invoice() | self._create_invoice(company=self.company_2)
        with self.assertRaisesRegex(UserError, "different companies"):
            invoices.action_start_negotiation()
        self._assert_no_case(invoices)
        self.assertFalse(self._debtor_cases())

    def test_empty_selection_refused(self):
        with self.assertRaises(UserError):
            self.env["account.move"].action_start_negotiation()

    def test_different_currencies_refused(self):
        currency = self._other_currency()
        invoices = self._create_invoice() | self._create_invoice(currency=currency)
        with self.assertRaisesRegex(UserError, "currencies"):
            invoices.action_start_negotiation()
        self._assert_no_case(invoices)

    def test_debtor_in_two_currencies_has_a_case_in_each(self):
        """A debtor owing in two currencies is negotiated in both: one open
        case per debtor, company and currency; totals never add them up."""
        case = self._start_case(self._create_invoice(amount=1000.0))
        currency = self._other_currency()
        foreign = self._create_invoice(amount=300.0, currency=currency)
        foreign_case = self._start_case(foreign)
        self.assertNotEqual(foreign_case, case)
        self.assertEqual(foreign_case.currency_id, currency)
        self.assertEqual(foreign_case.amount_due, 300.0)
        self.assertEqual(foreign.negotiation_id, foreign_case)
        self.assertEqual(len(case.invoice_ids), 1)
        # more debt in that currency joins that case
        more = self._create_invoice(amount=50.0, currency=currency)
        self.assertEqual(self._start_case(more), foreign_case)
        self.assertEqual(foreign_case.amount_due, 350.0)
        # a second open case in the same currency is still refused
        with self.assertRaises(ValidationError):
            self.env["debt.negotiation"].create(
                {
                    "partner_id": self.debtor.id,
                    "company_id": self.company.id,
                    "currency_id": currency.id,
                }
            )
        # the totals are in the company currency, at the invoices' rates
        cases = case | foreign_case
        self.assertEqual(
            foreign_case.amount_due_company,
            sum((foreign | more).mapped("amount_residual_signed")),
        )
        groups = self.env["debt.negotiation"]._read_group(
            [("id", "in", cases.ids)], [], ["amount_due_company:sum"]
        )
        self.assertAlmostEqual(
            groups[0][0], sum(cases.mapped("amount_due_company")), places=2
        )
        self.assertNotIn(
            "amount_due:sum",
            [
                f"{name}:{field.aggregator}"
                for name, field in self.env["debt.negotiation"]._fields.items()
            ],
            "amounts in different currencies are never summed",
        )

    def test_foreign_currency_case(self):
        currency = self._other_currency()
        invoice = self._create_invoice(amount=300.0, currency=currency)
        case = self._start_case(invoice)
        self.assertEqual(case.currency_id, currency)
        self.assertEqual(case.amount_due, 300.0, "amounts are in the case currency")

    def _other_currency(self):
        code = "EUR" if self.company.currency_id.name != "EUR" else "USD"
        return self.setup_other_currency(code)

    # ------------------------------------------------------------------
    # Direct writes are guarded by constraints too
    # ------------------------------------------------------------------
    def test_case_constraints_on_direct_create(self):
        own = self._create_invoice()
        other_debtor = self._create_invoice(partner=self.debtor_2)
        draft = self._create_invoice(post=False)
        other_company = self._create_invoice(company=self.company_2)
        for invoice in (other_debtor, draft, other_company):
            with self.subTest(invoice=invoice.display_name):
                with self.assertRaises(UserError):
                    self.Negotiation.create(
                        {
                            "partner_id": self.debtor.id,
                            "company_id": self.company.id,
                            "invoice_ids": [Command.set((own | invoice).ids)],
                        }
                    )
        self.assertFalse(self._debtor_cases())

    def test_invoice_reset_to_draft_does_not_block_the_case(self):
        first = self._create_invoice(amount=100.0)
        case = self._start_case(first)
        first.button_draft()
        self.assertFalse(case.invoice_ids, "a draft is no longer negotiated")
        self.assertFalse(first.negotiation_id)
        self.assertEqual(case.amount_due, 0.0)
        self.assertIn("no longer posted", self._message_bodies(case))
        second = self._create_invoice(amount=200.0)
        self.assertEqual(self._start_case(second), case)
        self.assertEqual(case.invoice_ids, second)
        self.assertEqual(case.amount_due, 200.0)
        third = self._create_invoice(amount=50.0)
        self._start_case(third)
        third.button_draft()
        third.button_cancel()
        self.assertEqual(case.invoice_ids, second)

    def test_case_keeps_its_debtor_and_company(self):
        case = self._start_case()
        with self.assertRaises(ValidationError):
            case.partner_id = self.debtor_2
        with self.assertRaises(UserError):
            case.company_id = self.company_2
        self.assertEqual(case.partner_id, self.debtor)
        self.assertEqual(case.company_id, self.company)

    def test_case_on_a_contact_goes_to_its_company(self):
        case = self.Negotiation.create({"partner_id": self.debtor_contact.id})
        self.assertEqual(case.partner_id, self.debtor)

    def test_second_open_case_for_same_debtor_refused(self):
        case = self._start_case()
        with self.assertRaisesRegex(ValidationError, "already has an open"):
            self.Negotiation.create(
                {"partner_id": self.debtor.id, "company_id": self.company.id}
            )
        self.assertEqual(self._debtor_cases(), case)


@tagged("post_install", "-at_install")
@tagged("post_install", "-at_install")
class TestInvoiceNegotiation(DebtNegotiationCommon):
    """What invoices show of their negotiation."""

    def test_invoice_shows_case_and_stage(self):
        invoice = self._create_invoice()
        self.assertFalse(invoice.negotiation_id)
        case = self._start_case(invoice)
        self.assertEqual(invoice.negotiation_id, case)
        self.assertEqual(
            invoice.negotiation_stage_id,
            self.env.ref("debt_negotiation.stage_reminder"),
        )
        self.assertEqual(invoice.negotiation_state, "open")
        case.action_dispute("Wrong quantity")
        self.assertEqual(
            invoice.negotiation_stage_id,
            self.env.ref("debt_negotiation.stage_disputed"),
        )
        self.assertEqual(
            self.env["account.move"].search([("negotiation_id", "=", case.id)]),
            invoice,
            "negotiation_id is stored and searchable (Under Negotiation filter)",
        )
        case.action_cancel()
        self.assertFalse(invoice.negotiation_id, "a closed case no longer holds it")
        self.assertIn(case, invoice.negotiation_ids)
        case.action_reopen()
        self.assertEqual(invoice.negotiation_id, case)

    def test_invoice_views_show_negotiation(self):
        """What a negotiator sees on invoices, as the web client shows it:
        *Start Negotiation* on a posted overdue invoice outside any case
        only, then the case's stage in the form and the list."""
        Move = self.env["account.move"].with_user(self.negotiation_user)
        views = Move.get_views(
            [
                (self.env.ref("account.view_move_form").id, "form"),
                (self.env.ref("account.view_invoice_tree").id, "list"),
            ]
        )["views"]
        form = etree.fromstring(views["form"]["arch"])
        listing = etree.fromstring(views["list"]["arch"])

        def shown(view, xpath, invoice):
            """Whether the node is in ``view`` and visible for ``invoice``:
            the ``invisible`` expressions of the node and of what holds it
            evaluated on the invoice's values, as the client does."""
            nodes = view.xpath(xpath)
            if not nodes:
                return False
            expressions = [
                node.get("invisible")
                for node in (nodes[0], *nodes[0].iterancestors())
                if node.get("invisible")
            ]
            names = set(Move._fields) & set(re.findall(r"\w+", " ".join(expressions)))
            values = {
                name: value[0] if isinstance(value, tuple) else value
                for name, value in Move.browse(invoice.id)
                .read(sorted(names))[0]
                .items()
            }
            return not any(
                safe_eval(expression, {"context": {}, **values})
                for expression in expressions
            )

        start = "//button[@name='action_open_start_negotiation']"
        stage = "//field[@name='negotiation_stage_id']"
        invoice = self._create_invoice()
        self.assertTrue(shown(form, start, invoice))
        self.assertFalse(shown(form, stage, invoice))
        case = self._start_case(invoice)
        self.assertFalse(shown(form, start, invoice), "in a case: no second start")
        self.assertTrue(shown(form, stage, invoice))
        self.assertTrue(shown(listing, stage, invoice))
        spec = {"negotiation_stage_id": {"fields": {"display_name": {}}}}
        row = Move.browse(invoice.id).web_read(spec)[0]
        self.assertEqual(
            row["negotiation_stage_id"]["display_name"], case.stage_id.display_name
        )
        paid = self._create_invoice(partner=self.debtor_2)
        self._register_payment(paid)
        self.assertFalse(shown(form, start, paid), "nothing to negotiate when paid")

    def test_open_negotiation_from_invoice(self):
        invoice = self._create_invoice()
        case = self._start_case(invoice)
        action = invoice.action_open_negotiation()
        self.assertEqual(action["res_model"], "debt.negotiation")
        self.assertEqual(action["res_id"], case.id)
