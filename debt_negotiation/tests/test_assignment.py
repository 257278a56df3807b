# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Assignment rules: who negotiates a new case."""

from odoo import SUPERUSER_ID
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common import DebtNegotiationCommon


@tagged("post_install", "-at_install")
class TestAssignmentRules(DebtNegotiationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["debt.negotiation.assignment.rule"]
        cls.key_accounts = cls.env["res.partner.category"].create(
            {"name": "Key Account"}
        )
        cls.belgium = cls.env.ref("base.be")
        cls.alice = cls._create_negotiation_user(
            "dn_alice", "account.group_account_invoice"
        )
        cls.bob = cls._create_negotiation_user(
            "dn_bob", "account.group_account_invoice"
        )
        cls.carol = cls._create_negotiation_user(
            "dn_carol", "account.group_account_invoice"
        )

    def _debtor(self, name, **vals):
        return self._create_debtors([{"name": name, **vals}])

    def _open(self, partner, amount=1000.0, user=None):
        return self._start_case(
            self._create_invoice(partner=partner, amount=amount), user=user
        )

    def test_a_rule_needs_criteria_and_a_negotiator(self):
        with self.assertRaises(ValidationError) as caught:
            self.Rule.create({"user_id": self.alice.id})
        self.assertIn("at least one criterion", str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            self.Rule.create({"min_amount": 100})
        self.assertIn("negotiator or a team", str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            self.Rule.create(
                {
                    "min_amount": -5,
                    "country_ids": [Command.link(self.belgium.id)],
                    "user_id": self.alice.id,
                }
            )
        self.assertFalse(self.Rule.search([]))

    def test_the_first_rule_whose_criteria_all_match(self):
        self.Rule.create(
            [
                {
                    "sequence": 1,
                    "partner_category_ids": [Command.link(self.key_accounts.id)],
                    "min_amount": 5000,
                    "user_id": self.alice.id,
                },
                {
                    "sequence": 2,
                    "country_ids": [Command.link(self.belgium.id)],
                    "user_id": self.bob.id,
                },
            ]
        )
        key_be = self._debtor(
            "Key BE",
            category_id=[Command.link(self.key_accounts.id)],
            country_id=self.belgium.id,
        )
        self.assertEqual(self._open(key_be, amount=6000).user_id, self.alice)
        small_key_be = self._debtor(
            "Small Key BE",
            category_id=[Command.link(self.key_accounts.id)],
            country_id=self.belgium.id,
        )
        self.assertEqual(
            self._open(small_key_be, amount=100).user_id,
            self.bob,
            "below the minimum: the next rule",
        )
        # no rule matches: whoever opens it keeps it
        other = self._debtor("Elsewhere Ltd", country_id=self.env.ref("base.fr").id)
        self.assertEqual(self._open(other, user=self.carol).user_id, self.carol)

    def test_the_scheduler_follows_the_rules_else_the_salesperson(self):
        self.Rule.create(
            {"country_ids": [Command.link(self.belgium.id)], "user_id": self.bob.id}
        )
        belgian = self._debtor("Belgian Ltd", country_id=self.belgium.id)
        invoice = self._create_invoice(partner=belgian)
        # as the scheduler opens cases (superuser)
        Scheduler = self.env["debt.negotiation"].with_user(SUPERUSER_ID)
        case = Scheduler._open_case_for_invoices(invoice)
        self.assertEqual(case.user_id, self.bob)
        french = self._debtor("French Ltd", country_id=self.env.ref("base.fr").id)
        invoice = self._create_invoice(partner=french)
        invoice.invoice_user_id = self.carol
        case = Scheduler._open_case_for_invoices(invoice)
        self.assertEqual(case.user_id, self.carol, "the invoices' salesperson")

    def test_a_team_in_turn(self):
        rule = self.Rule.create(
            {
                "country_ids": [Command.link(self.belgium.id)],
                "team_user_ids": [
                    Command.set((self.alice | self.bob | self.carol).ids)
                ],
            }
        )
        given = [
            self._open(self._debtor(f"BE {i}", country_id=self.belgium.id)).user_id
            for i in range(4)
        ]
        team = (self.alice | self.bob | self.carol).sorted("id")
        self.assertEqual(given, [team[0], team[1], team[2], team[0]])
        self.assertEqual(rule.last_user_id, team[0])

    def test_other_companies_rules_do_not_apply(self):
        self.Rule.create(
            {
                "company_id": self.company_2.id,
                "country_ids": [Command.link(self.belgium.id)],
                "user_id": self.user_company_2.id,
            }
        )
        belgian = self._debtor("Belgian Two Ltd", country_id=self.belgium.id)
        self.assertEqual(self._open(belgian, user=self.alice).user_id, self.alice)

    def test_only_managers_write_rules(self):
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.negotiation_user).create(
                {
                    "country_ids": [Command.link(self.belgium.id)],
                    "user_id": self.alice.id,
                }
            )
