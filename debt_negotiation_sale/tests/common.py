# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.debt_negotiation.tests.common import DebtNegotiationCommon


class SaleCreditHoldCommon(DebtNegotiationCommon):
    """A debtor with an escalated case, a salesperson (no negotiation
    rights) and a sales manager who is also a negotiation manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = cls._create_sales_user(
            "dn_salesperson", "sales_team.group_sale_salesman"
        )
        cls.negotiation_manager.write(
            {
                "groups_id": [
                    Command.link(cls.env.ref("sales_team.group_sale_manager").id)
                ]
            }
        )
        cls.negotiation_manager.name = "Nora Manager"
        cls.negotiation_user.name = "Ned Negotiator"
        cls.product = cls.env["product.product"].create(
            {"name": "Widget", "list_price": 100.0, "type": "consu"}
        )

    @classmethod
    def _create_sales_user(cls, login, groups):
        return new_test_user(
            cls.env,
            login=login,
            password=login,
            name="Sam Sales",
            groups="base.group_user," + groups,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def _escalated_case(self, partner=None):
        case = self._start_case(
            self._create_invoice(partner=partner or self.debtor, days_overdue=70)
        )
        case.user_id = self.negotiation_user
        case.action_escalate()
        return case

    def _quotation(self, partner=None, user=None):
        order = (
            self.env["sale.order"]
            .with_user(user or self.salesperson)
            .create(
                {
                    "partner_id": (partner or self.debtor_contact).id,
                    "company_id": self.company.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product.id, "product_uom_qty": 2}
                        )
                    ],
                }
            )
        )
        return order
