# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..models.workflow import without_pdf
from .common import FollowupCommon, at, day


@tagged("post_install", "-at_install")
class TestInterest(FollowupCommon):
    """Late-payment interest and recovery compensation: accrual day by day,
    the claim invoice, claims that never overlap."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "negotiation_interest_rate": 10.0,
                "negotiation_compensation_amount": 40.0,
            }
        )

    def _case(self, amounts=(1000.0,)):
        """A case on invoices due on day 0, opened on day 1."""
        with at(0):
            invoices = self._create_overdue_invoices(amounts=amounts, days_overdue=0)
        with at(1):
            return self.env["debt.negotiation"]._open_case_for_invoices(invoices)

    def test_interest_accrues_day_by_day_on_the_open_amount(self):
        case = self._case(amounts=(1000.0, 500.0))
        with at(30):
            # (1000 + 500) * 10 % * 30 / 365 = 12.33, computed per invoice:
            # 8.22 + 4.11
            self.assertEqual(case.interest_amount, 12.33)
            self.assertEqual(case.compensation_amount, 80.0)
            self.assertEqual(case.interest_rate, 10.0)
        big = case.invoice_ids.filtered(lambda m: m.amount_total == 1000.0)
        with at(11):
            self._register_payment(big, amount=500.0)
        with at(30):
            # 1000 for days 1-10, 500 for days 11-30: 5.48; 500 for 30 days: 4.11
            self.assertEqual(case.interest_amount, 9.59)
        with at(40):
            self._register_payment(big)
        with at(60):
            # 1000 x 10 days + 500 x 29 days + nothing after day 40 on the
            # paid invoice: 6.71; the other for 60 days: 8.22
            self.assertEqual(case.interest_amount, 14.93)

    def test_claim_invoices_once_and_the_next_claim_starts_after_it(self):
        case = self._case()
        invoice = case.invoice_ids
        with at(30):
            case.action_claim_interest()
            claim = case.invoice_ids - invoice
            self.assertEqual(len(claim), 1)
            self.assertEqual(claim.state, "posted")
            self.assertEqual(claim.move_type, "out_invoice")
            self.assertEqual(claim.partner_id, case.partner_id)
            self.assertFalse(claim.invoice_line_ids.tax_ids, "no tax on interest")
            self.assertRecordValues(
                claim.invoice_line_ids.sorted("negotiation_claim_kind"),
                [
                    {
                        "negotiation_claim_move_id": invoice.id,
                        "negotiation_claim_kind": "compensation",
                        "negotiation_claim_date_from": False,
                        "negotiation_claim_date_to": False,
                        "price_subtotal": 40.0,
                    },
                    {
                        "negotiation_claim_move_id": invoice.id,
                        "negotiation_claim_kind": "interest",
                        "negotiation_claim_date_from": day(1),
                        "negotiation_claim_date_to": day(30),
                        "price_subtotal": 8.22,
                    },
                ],
            )
            self.assertIn(invoice.name, claim.invoice_line_ids[0].name)
            self.assertEqual(case.amount_due, 1048.22)
            self.assertEqual(case.interest_amount, 0.0)
            self.assertEqual(case.compensation_amount, 0.0)
            with self.assertRaisesRegex(UserError, "Nothing to claim"):
                case.action_claim_interest()
        with at(60):
            # computed when read (each request reads it afresh)
            case.invalidate_recordset(["interest_amount", "compensation_amount"])
            # no interest on the claim invoice itself, no second compensation
            self.assertEqual(case.interest_amount, 8.22)
            self.assertEqual(case.compensation_amount, 0.0)
            case.action_claim_interest()
            second = case.invoice_ids - invoice - claim
            self.assertRecordValues(
                second.invoice_line_ids,
                [
                    {
                        "negotiation_claim_kind": "interest",
                        "negotiation_claim_date_from": day(31),
                        "negotiation_claim_date_to": day(60),
                        "price_subtotal": 8.22,
                    }
                ],
            )

    def test_cancelled_claim_frees_its_days(self):
        case = self._case()
        with at(30):
            case.action_claim_interest()
            claim = case.invoice_ids.filtered(
                lambda m: m.line_ids.filtered("negotiation_claim_move_id")
            )
            claim.button_draft()
            claim.button_cancel()
            self.assertEqual(case.interest_amount, 8.22)
            self.assertEqual(case.compensation_amount, 40.0)

    def test_debtor_rate_and_turned_off(self):
        case = self._case()
        case.partner_id.write(
            {"negotiation_interest_custom": True, "negotiation_interest_rate": 0.0}
        )
        with at(30):
            self.assertEqual(case.interest_amount, 0.0)
            self.assertEqual(case.compensation_amount, 40.0)
        case.partner_id.negotiation_interest_rate = 5.0
        with at(30):
            case.invalidate_recordset(["interest_amount"])
            self.assertEqual(case.interest_amount, 4.11)
        self.company.negotiation_compensation_amount = 0.0
        case.partner_id.negotiation_interest_custom = False
        self.company.negotiation_interest_rate = 0.0
        with at(30):
            self.assertEqual(case.interest_amount, 0.0)
            self.assertEqual(case.compensation_amount, 0.0)
            with self.assertRaisesRegex(UserError, "Nothing to claim"):
                case.action_claim_interest()

    def test_absurd_rates_are_refused(self):
        for vals in (
            {"negotiation_interest_rate": -1.0},
            {"negotiation_interest_rate": 250.0},
            {"negotiation_compensation_amount": -40.0},
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaises(ValidationError),
                self.env.cr.savepoint(),
            ):
                self.company.write(vals)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.debtor.negotiation_interest_rate = 101.0

    def test_final_notice_states_interest_and_compensation(self):
        case = self._case()
        with at(50):
            letter = without_pdf(case)._generate_letter("final_notice")
            html = (
                self.env["ir.actions.report"]
                ._render_qweb_html(
                    "debt_negotiation.action_report_debt_negotiation_letter", letter.ids
                )[0]
                .decode()
            )
        self.assertIn("Late-payment interest accrued to date", html)
        self.assertIn("13.70", html)  # 1000 x 10 % x 50 / 365
        self.assertIn("Recovery compensation due", html)
        reminder_html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "debt_negotiation.action_report_debt_negotiation_letter",
                without_pdf(case)._generate_letter("reminder").ids,
            )[0]
            .decode()
        )
        self.assertNotIn("Late-payment interest accrued to date", reminder_html)

    def test_waiver_stops_interest_and_credits_the_claim_on_fulfilment(self):
        case = self._case()
        invoice = case.invoice_ids
        with at(30):
            case.action_claim_interest()
            claim = case.invoice_ids - invoice
            self.assertEqual(claim.amount_residual, 48.22)
            offer = self._create_offer(
                case, amount=900.0, first_due_date=day(35), waive_interest=True
            )
            offer.action_propose()
            self._confirm_agreement(offer)
            agreement = case.agreement_id
            self.assertEqual(agreement.amount_due, 1048.22)
            letter_html = (
                self.env["ir.actions.report"]
                ._render_qweb_html(
                    "debt_negotiation.action_report_debt_negotiation_letter",
                    agreement.letter_id.ids,
                )[0]
                .decode()
            )
            self.assertIn("we waive the late-payment interest", letter_html)
        with at(35):
            case.invalidate_recordset(["interest_amount", "compensation_amount"])
            self.assertEqual(case.interest_amount, 0.0, "waived while in force")
            self._register_payment(invoice, amount=900.0)
            self.env["debt.negotiation"].with_user(
                SUPERUSER_ID
            )._cron_monitor_agreements()
        self.assertEqual(agreement.state, "fulfilled")
        self.assertEqual(case.state, "settled")
        # the interest invoice is credited, only the invoice's balance is
        # written off
        self.assertEqual(claim.payment_state, "reversed")
        self.assertEqual(agreement.writeoff_amount, 100.0)
        self.assertEqual(case.amount_due, 0.0)
        # the results: 900 recovered, 100 written off and 48.22 waived
        Result = self.env["debt.negotiation.result"]
        Result.env.flush_all()
        self.assertRecordValues(
            Result.search([("negotiation_id", "=", case.id)]),
            [{"amount_recovered": 900.0, "discount_granted": 148.22}],
        )

    # ------------------------------------------------------------------
    # Issue 24: disputed and credited invoices
    # ------------------------------------------------------------------
    def _claim_lines(self, case):
        return case.invoice_ids.invoice_line_ids.filtered("negotiation_claim_move_id")

    def test_disputed_invoice_accrues_nothing_while_disputed(self):
        case = self._case(amounts=(1000.0, 500.0))
        small = case.invoice_ids.filtered(lambda m: m.amount_total == 500.0)
        big = case.invoice_ids - small
        with at(10):
            case.action_dispute("Never delivered", invoices=small)
        with at(30):
            # only the undisputed invoice: 1000 x 30 days; one compensation
            self.assertEqual(case.interest_amount, 8.22)
            self.assertEqual(case.compensation_amount, 40.0)
            case.action_claim_interest()
            self.assertEqual(self._claim_lines(case).negotiation_claim_move_id, big)
        with at(40):
            case.action_resolve_dispute(invoices=small)
        with at(60):
            # the small one: days 1-9 and 40-60 (30 days), never days 10-39
            # of the dispute: 4.11; the big one since the claim: 8.22
            self.assertEqual(case.interest_amount, 12.33)
            self.assertEqual(case.compensation_amount, 40.0)

    def test_whole_case_dispute_accrues_nothing_and_claims_nothing(self):
        case = self._case()
        with at(10):
            case.action_dispute("We contest everything")
        with at(30):
            self.assertEqual(case.interest_amount, 0.0)
            self.assertEqual(case.compensation_amount, 0.0)
            with self.assertRaises(UserError):
                case.action_claim_interest()
            case.action_resolve_dispute()
        with at(40):
            # days 1-9 and 30-40: 20 days on 1000
            self.assertEqual(case.interest_amount, 5.48)

    def test_credited_invoice_owes_neither_interest_nor_compensation(self):
        """The review's F5: an invoice disputed as wrong and credited in
        full gets no interest line and no 40 compensation from Claim
        Interest; one credited in part bears interest only on what was
        owed, from its due date."""
        case = self._case(amounts=(1000.0, 850.0, 600.0))
        wrong = case.invoice_ids.filtered(lambda m: m.amount_total == 850.0)
        partly = case.invoice_ids.filtered(lambda m: m.amount_total == 600.0)
        big = case.invoice_ids - wrong - partly
        with at(5):
            case.action_dispute(
                "Wrong amount", invoices=wrong, reason_code="wrong_amount"
            )
        with at(20):
            wrong._reverse_moves([{"ref": "Credit"}], cancel=True)
            refund = self.env["account.move"].create(
                {
                    "move_type": "out_refund",
                    "partner_id": case.partner_id.id,
                    "invoice_date": day(20),
                    "date": day(20),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Price error",
                                "quantity": 1.0,
                                "price_unit": 200.0,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            refund.action_post()
            (refund | partly).line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            ).reconcile()
            self.assertEqual(wrong.amount_residual, 0.0)
            # no longer disputed: credited, it still owes nothing
            case.action_resolve_dispute(invoices=wrong)
        with at(30):
            # big: 1000 x 30 days = 8.22; partly: 400 x 30 days = 3.29
            self.assertEqual(case.interest_amount, 11.51)
            self.assertEqual(case.compensation_amount, 80.0)
            case.action_claim_interest()
            lines = self._claim_lines(case)
            self.assertNotIn(wrong, lines.negotiation_claim_move_id)
            self.assertEqual(lines.negotiation_claim_move_id, big | partly)
