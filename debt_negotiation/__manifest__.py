# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Debt Negotiation",
    "summary": "Negotiate overdue customer invoices: cases, offers, "
    "interaction log, formal letters, payment plans and follow-ups",
    "version": "18.0.1.2.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/debt-negotiation/debt_negotiation",
    "author": "Debt Negotiation Contributors",
    "maintainers": ["debt-negotiation"],
    "license": "AGPL-3",
    "development_status": "Beta",
    "application": True,
    "installable": True,
    "depends": ["account", "account_payment", "mail", "portal"],
    "external_dependencies": {"python": ["qrcode"]},
    "data": [
        # security
        "security/debt_negotiation_security.xml",
        "security/ir.model.access.csv",
        # data
        "data/ir_sequence_data.xml",
        "data/debt_negotiation_stage_data.xml",
        "data/mail_activity_type_data.xml",
        "data/debt_negotiation_followup_step_data.xml",
        "data/debt_negotiation_followup_consumer_ladder_data.xml",
        "data/ir_cron_data.xml",
        "data/mail_template_data.xml",
        "data/debt_negotiation_letter_template_data.xml",
        # reports
        "reports/report_negotiation_letter.xml",
        "reports/report_negotiation_letter_templates.xml",
        "reports/report_evidence_summary.xml",
        # views, one file per model
        "views/debt_negotiation_stage_views.xml",
        "views/debt_negotiation_offer_views.xml",
        "views/debt_negotiation_approval_views.xml",
        "views/debt_negotiation_interaction_views.xml",
        "views/debt_negotiation_evidence_views.xml",
        "views/debt_negotiation_promise_views.xml",
        "views/debt_negotiation_forecast_views.xml",
        "views/debt_negotiation_result_views.xml",
        "views/debt_negotiation_installment_views.xml",
        "views/debt_negotiation_letter_views.xml",
        "views/debt_negotiation_letter_template_views.xml",
        "views/debt_negotiation_interest_rate_views.xml",
        "views/debt_negotiation_followup_step_views.xml",
        "views/debt_negotiation_followup_log_views.xml",
        "views/debt_negotiation_followup_preview_views.xml",
        "views/debt_negotiation_run_views.xml",
        "views/debt_negotiation_agreement_views.xml",
        "views/debt_negotiation_views.xml",
        "views/debt_negotiation_case_actions.xml",
        "views/account_move_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/debt_negotiation_portal_templates.xml",
        # wizards
        "wizards/debt_negotiation_agreement_wizard_views.xml",
        "wizards/debt_negotiation_agreement_cancel_wizard_views.xml",
        "wizards/debt_negotiation_dispute_wizard_views.xml",
        "wizards/debt_negotiation_escalate_wizard_views.xml",
        "wizards/debt_negotiation_start_wizard_views.xml",
        "wizards/debt_negotiation_letter_void_wizard_views.xml",
        "wizards/debt_negotiation_letter_wizard_views.xml",
        "wizards/debt_negotiation_writeoff_wizard_views.xml",
        # menus, last
        "views/debt_negotiation_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "debt_negotiation/static/tests/tours/*.js",
        ],
    },
    "demo": [
        "demo/debt_negotiation_demo.xml",
    ],
}
