# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import DebtNegotiationCommon


@tagged("post_install", "-at_install")
class TestDemoData(DebtNegotiationCommon):
    def test_demo_cases_are_consistent(self):
        case = self.env.ref(
            "debt_negotiation.demo_case_northwind", raise_if_not_found=False
        )
        if not case:
            self.skipTest("installed without demo data")
        cases = (
            self.env["debt.negotiation"]
            .sudo()
            .search(
                [("partner_id.name", "!=", False), ("id", "in", self._demo_case_ids())]
            )
        )
        self.assertGreaterEqual(len(cases), 3)
        self.assertGreaterEqual(len(set(cases.mapped("state"))), 2)
        for case in cases:
            with self.subTest(case=case.name):
                self.assertTrue(case.invoice_ids)
                self.assertEqual(
                    case.invoice_ids.commercial_partner_id, case.partner_id
                )
                self.assertTrue(
                    case.currency_id.is_zero(
                        case.amount_due
                        - sum(case.invoice_ids.mapped("amount_residual"))
                    )
                )
                if case.stage_id.state:
                    self.assertEqual(case.stage_id.state, case.state)
        agreed = self.env.ref("debt_negotiation.demo_case_bluebistro").sudo()
        self.assertEqual(agreed.state, "agreement")
        self.assertRecordValues(
            agreed.agreement_id,
            [{"state": "active", "signed_by": "Tom Blake", "installment_count": 6}],
        )
        self.assertEqual(agreed.installment_ids, agreed.agreement_id.installment_ids)
        # the lifecycle's showcases: paid and settled, a partial dispute, an
        # unapplied payment
        Case = self.env["debt.negotiation"].sudo()

        def case_of(xmlid):
            invoice = self.env.ref(f"debt_negotiation.{xmlid}")
            return Case.search([("invoice_ids", "in", invoice.ids)], limit=1)

        paid = case_of("demo_invoice_cedar_1")
        self.assertEqual(paid.state, "settled")
        self.assertEqual(paid.amount_due, 0.0)
        # the debtor was thanked, once, for its records
        self.assertEqual(paid.letter_ids.mapped("letter_type").count("closure"), 1)
        disputed = case_of("demo_invoice_harbor_2")
        self.assertEqual(disputed.state, "open")
        self.assertEqual(
            disputed.invoice_ids.filtered("negotiation_disputed"),
            self.env.ref("debt_negotiation.demo_invoice_harbor_2"),
        )
        # 860 claimed, 200 of it paid as promised
        self.assertEqual(disputed.amount_claimed, 660.0)
        unapplied = case_of("demo_invoice_pine_1")
        self.assertEqual(unapplied.amount_unapplied, 1450.0)
        self.assertTrue(unapplied._credits_cover_claim())
        # promises to pay: one kept, one broken
        self.assertEqual(
            self.env.ref("debt_negotiation.demo_promise_harbor").sudo().state, "kept"
        )
        self.assertEqual(
            self.env.ref("debt_negotiation.demo_promise_northwind").sudo().state,
            "broken",
        )
        # interest and compensation accrue on the overdue demo invoices
        northwind = self.env.ref("debt_negotiation.demo_case_northwind").sudo()
        self.assertGreater(northwind.interest_amount, 0.0)
        self.assertEqual(northwind.compensation_amount, 80.0)
        # the portal debtor (login portal) has a plan to sign online
        joel = case_of("demo_invoice_joel_1")
        self.assertEqual(joel.partner_id, self.env.ref("base.partner_demo_portal"))
        self.assertEqual(joel.agreement_id.state, "pending_signature")
        self.assertEqual(joel.sudo()._portal_open_offers(), joel.agreement_id.offer_id)
        # an escalated claim handed over to the agency with its dossier,
        # every document of it in a verified evidence chain
        granite = case_of("demo_invoice_granite_1")
        agency = self.env.ref("debt_negotiation.demo_partner_agency")
        self.assertEqual(granite.state, "escalated")
        self.assertEqual(granite.agency_id, agency)
        self.assertTrue(granite.handover_date)
        self.assertTrue(granite.handover_dossier_id)
        self.assertEqual(granite.letter_ids.mapped("letter_type"), ["handover"])
        self.assertTrue(granite._evidence_check()["verified"])
        self.assertFalse(granite._evidence_check()["unsealed"])

    def _demo_case_ids(self):
        return (
            self.env["ir.model.data"]
            .sudo()
            .search(
                [
                    ("module", "=", "debt_negotiation"),
                    ("model", "=", "debt.negotiation"),
                ]
            )
            .mapped("res_id")
        )
