# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Debt Negotiation - Sales Credit Hold",
    "summary": "Sales cannot confirm orders of a customer on credit hold "
    "(a negotiation case escalated or broken) without a manager's reason",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "website": "https://github.com/debt-negotiation/debt_negotiation",
    "author": "Debt Negotiation Contributors",
    "maintainers": ["debt-negotiation"],
    "license": "AGPL-3",
    "development_status": "Beta",
    "installable": True,
    "auto_install": True,
    "depends": ["debt_negotiation", "sale"],
    "data": [
        "security/ir.model.access.csv",
        "views/sale_order_views.xml",
        "wizards/debt_negotiation_sale_hold_wizard_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "debt_negotiation_sale/static/tests/tours/*.js",
        ],
    },
}
