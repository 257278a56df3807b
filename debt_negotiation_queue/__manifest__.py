# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Debt Negotiation - Job Queue",
    "summary": "The scheduled follow-ups and agreement check split into "
    "jobs of OCA's queue_job, run by as many workers and servers as there are",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/debt-negotiation/debt_negotiation",
    "author": "Debt Negotiation Contributors",
    "maintainers": ["debt-negotiation"],
    "license": "AGPL-3",
    "development_status": "Beta",
    "installable": True,
    "auto_install": True,
    "depends": ["debt_negotiation", "queue_job"],
    "data": [
        "security/ir.model.access.csv",
        "data/queue_job_data.xml",
    ],
}
