# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

# Follow-up and credit control modules that also remind debtors: when one is
# installed, the settings say how to keep a debtor from getting two streams.
OTHER_DUNNING_MODULES = [
    ("account_followup", "Odoo Follow-ups"),
    ("account_credit_control", "OCA Credit Control"),
    ("account_invoice_overdue_reminder", "OCA Overdue Invoice Reminder"),
]


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    negotiation_department = fields.Char(
        related="company_id.negotiation_department", readonly=False
    )
    negotiation_phone = fields.Char(
        related="company_id.negotiation_phone", readonly=False
    )
    negotiation_email = fields.Char(
        related="company_id.negotiation_email", readonly=False
    )
    negotiation_disclaimer = fields.Text(
        related="company_id.negotiation_disclaimer", readonly=False
    )
    negotiation_default_ladder_id = fields.Many2one(
        related="company_id.negotiation_default_ladder_id", readonly=False
    )
    negotiation_response_days = fields.Integer(
        related="company_id.negotiation_response_days", readonly=False
    )
    negotiation_grace_days = fields.Integer(
        related="company_id.negotiation_grace_days", readonly=False
    )
    negotiation_reply_hold_days = fields.Integer(
        related="company_id.negotiation_reply_hold_days", readonly=False
    )
    negotiation_hold_final_notice = fields.Boolean(
        related="company_id.negotiation_hold_final_notice", readonly=False
    )
    negotiation_hold_days_overdue = fields.Integer(
        related="company_id.negotiation_hold_days_overdue", readonly=False
    )
    negotiation_interest_rate = fields.Float(
        related="company_id.negotiation_interest_rate", readonly=False
    )
    negotiation_compensation_amount = fields.Monetary(
        related="company_id.negotiation_compensation_amount",
        readonly=False,
        currency_field="currency_id",
    )
    negotiation_compensation_mode = fields.Selection(
        related="company_id.negotiation_compensation_mode", readonly=False
    )
    negotiation_consumer_interest_rate = fields.Float(
        related="company_id.negotiation_consumer_interest_rate", readonly=False
    )
    negotiation_max_installments = fields.Integer(
        related="company_id.negotiation_max_installments", readonly=False
    )
    negotiation_min_down_payment_percent = fields.Float(
        related="company_id.negotiation_min_down_payment_percent", readonly=False
    )
    negotiation_limitation_years = fields.Integer(
        related="company_id.negotiation_limitation_years", readonly=False
    )
    negotiation_limitation_warning_days = fields.Integer(
        related="company_id.negotiation_limitation_warning_days", readonly=False
    )
    negotiation_retention_years = fields.Integer(
        related="company_id.negotiation_retention_years", readonly=False
    )
    negotiation_interest_account_id = fields.Many2one(
        related="company_id.negotiation_interest_account_id", readonly=False
    )
    negotiation_agency_id = fields.Many2one(
        related="company_id.negotiation_agency_id", readonly=False
    )
    negotiation_writeoff_account_id = fields.Many2one(
        related="company_id.negotiation_writeoff_account_id", readonly=False
    )
    negotiation_settlement_method = fields.Selection(
        related="company_id.negotiation_settlement_method", readonly=False
    )
    negotiation_writeoff_journal_id = fields.Many2one(
        related="company_id.negotiation_writeoff_journal_id", readonly=False
    )
    negotiation_installment_reminder_days = fields.Integer(
        related="company_id.negotiation_installment_reminder_days", readonly=False
    )
    negotiation_auto_open_days = fields.Integer(
        related="company_id.negotiation_auto_open_days", readonly=False
    )
    negotiation_portal_upload_max_mb = fields.Integer(
        related="company_id.negotiation_portal_upload_max_mb", readonly=False
    )
    negotiation_ladder_missing = fields.Boolean(
        compute="_compute_negotiation_ladder_missing",
        help="The company has no active follow-up step: its cases get no "
        "automatic follow-up.",
    )

    negotiation_other_dunning = fields.Char(
        string="Other Dunning Modules",
        compute="_compute_negotiation_other_dunning",
        help="Other follow-up or credit control modules installed in this "
        "database: a debtor could get their reminders and ours.",
    )

    def _compute_negotiation_other_dunning(self):
        names = [name for name, _label in OTHER_DUNNING_MODULES]
        installed = set(
            self.env["ir.module.module"]
            .sudo()
            .search([("name", "in", names), ("state", "=", "installed")])
            .mapped("name")
        )
        labels = dict(OTHER_DUNNING_MODULES)
        text = ", ".join(
            f"{labels[name]} ({name})" for name in names if name in installed
        )
        for settings in self:
            settings.negotiation_other_dunning = text or False

    def _compute_negotiation_ladder_missing(self):
        for settings in self:
            settings.negotiation_ladder_missing = bool(
                settings.company_id._negotiation_ladder_missing()
            )

    def action_negotiation_default_disclaimer(self):
        """Fill the company's empty legal notice with the default one, in
        every installed language (its letters print it from now on)."""
        self.ensure_one()
        self.execute()
        company = self.company_id
        if not company.negotiation_disclaimer:
            for lang, _name in self.env["res.lang"].get_installed():
                company.with_context(
                    lang=lang
                ).negotiation_disclaimer = self.with_context(
                    lang=lang
                )._negotiation_default_disclaimer()
        return {"type": "ir.actions.client", "tag": "reload"}

    def _negotiation_default_disclaimer(self):
        """The default legal notice of the letters, in the language of the
        environment: only what holds for every case (a dispute suspends the
        collection of what it is about; the claim's data kept to manage
        it)."""
        return self.env._(
            "This letter concerns the invoices it lists. If you believe an "
            "amount is not owed, tell us in writing why: we suspend the "
            "collection of the disputed amount while we examine it. We keep "
            "the data of this claim to manage it, and for no other purpose."
        )
