# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import legal as legal_rules

# The suggested legal notice, in English as the demo data sets it; a company
# using it prints it in each debtor's language (see _negotiation_disclaimer_for).
DEFAULT_DISCLAIMER = (
    "This letter concerns a debt owed to us. Any payment should be made to "
    "the account shown on the invoices. If you believe the amount is not "
    "owed, please tell us in writing before the response deadline."
)

# What forgiving part of a debt costs: an expense.
WRITEOFF_ACCOUNT_TYPES = ("expense", "expense_direct_cost")


class ResCompany(models.Model):
    _inherit = "res.company"

    negotiation_department = fields.Char(
        translate=True,
        default="Credit Management Department",
        help="Department named as the sender of negotiation letters.",
    )
    negotiation_phone = fields.Char(help="Phone number debtors call about their case.")
    negotiation_email = fields.Char(
        help="Email address debtors write to about their case."
    )
    negotiation_disclaimer = fields.Text(
        string="Legal Notice",
        translate=True,
        help="Legal notice printed at the end of every negotiation letter.",
    )
    negotiation_response_days = fields.Integer(
        string="Response Days",
        default=14,
        help="Days the debtor has to answer a letter or an offer.",
    )
    negotiation_grace_days = fields.Integer(
        string="Grace Days",
        default=5,
        help="Days after an installment's due date before it counts as missed "
        "and the agreement as broken.",
    )
    negotiation_installment_reminder_days = fields.Integer(
        string="Installment Reminder Days",
        default=3,
        help="Days before each installment of an agreement the debtor is "
        "reminded of it by email (0 turns the reminders off). A late payment "
        "is always notified at once, within the grace period.",
    )
    negotiation_portal_upload_max_mb = fields.Integer(
        string="Debtor Upload Limit (MB)",
        default=10,
        help="Largest document (PDF or image) a debtor may send from its "
        "page, e.g. with a dispute.",
    )
    negotiation_agency_id = fields.Many2one(
        "res.partner",
        string="Collection Agency or Law Firm",
        check_company=True,
        help="Who escalated claims are handed over to: escalating a case "
        "sends its evidence dossier there and tells the debtor. Each case "
        "may name another.",
    )
    negotiation_writeoff_account_id = fields.Many2one(
        "account.account",
        string="Settlement Write-off Account",
        check_company=True,
        domain=f"[('account_type', 'in', {WRITEOFF_ACCOUNT_TYPES})]",
        help="Expense account (bad debts, settlement discounts) receiving the "
        "amount forgiven by a fulfilled settlement.",
    )
    negotiation_settlement_method = fields.Selection(
        [
            ("writeoff", "Write-off (bad debt)"),
            ("credit_note", "Credit note (price concession, VAT reduced)"),
        ],
        string="Settlement Accounting",
        default="writeoff",
        required=True,
        help="How the part of the debt a fulfilled settlement forgives is "
        "booked: written off to the write-off account, or credited on the "
        "invoices by credit notes that reduce the revenue and the VAT (a "
        "rounding difference left is written off).",
    )
    negotiation_writeoff_journal_id = fields.Many2one(
        "account.journal",
        string="Settlement Write-off Journal",
        check_company=True,
        domain="[('type', '=', 'general')]",
        help="Journal of the settlement write-off entries; when empty, the "
        "first miscellaneous journal of the company.",
    )
    negotiation_auto_open_days = fields.Integer(
        string="Auto-open Cases After",
        default=0,
        help="The daily follow-ups put posted customer invoices unpaid more "
        "than this many days after their due date under negotiation (they "
        "open the debtor's case or add the invoices to it). 0 turns it off.",
    )

    negotiation_reply_hold_days = fields.Integer(
        string="Reply Hold Days",
        default=5,
        help="An email from the debtor on a case holds its automatic "
        "follow-ups this many days and gives the negotiator an activity to "
        "read it. 0 turns it off.",
    )
    negotiation_hold_final_notice = fields.Boolean(
        string="Credit Hold from the Final Notice",
        help="A debtor goes on credit hold as soon as the final notice of "
        "an open case went out, not only when the case is escalated or "
        "its agreement broken.",
    )
    negotiation_hold_days_overdue = fields.Integer(
        string="Credit Hold After",
        help="A debtor goes on credit hold when the oldest invoice of an "
        "open case is this many days past due (cases escalated or broken "
        "always hold). 0 turns it off.",
    )

    negotiation_default_ladder_id = fields.Many2one(
        "debt.negotiation.followup.ladder",
        string="Default Follow-up Ladder",
        check_company=True,
        help="The ladder of the debtors that have no ladder of their own and "
        "belong to no other ladder's segment.",
    )
    negotiation_interest_rate = fields.Float(
        string="Late-payment Interest (% a year)",
        digits=(16, 2),
        help="Simple interest claimed on overdue invoices, day by day on each "
        "invoice's open amount past its due date (365-day year). 0 turns it "
        "off. A debtor may have its own rate.",
    )
    negotiation_compensation_amount = fields.Monetary(
        string="Recovery Compensation",
        currency_field="currency_id",
        help="Fixed compensation for recovery costs claimed once per overdue "
        "invoice (e.g. 40 EUR under EU Directive 2011/7/EU for business "
        "debtors). 0 turns it off.",
    )
    negotiation_interest_rate_ids = fields.One2many(
        "debt.negotiation.interest.rate",
        "company_id",
        string="Statutory Rates by Period",
        help="When set, each day's interest (business debtors) uses the rate "
        "in force that day; before the first of them, the rate above.",
    )
    negotiation_compensation_mode = fields.Selection(
        [("fixed", "Fixed amount"), ("banded", "By invoice amount (bands)")],
        string="Compensation",
        default="fixed",
        required=True,
        help="Fixed: the same recovery compensation on each overdue invoice. "
        "By invoice amount: the amount of the band the invoice reaches (e.g. "
        "UK: 40, 70, 100 GBP), see Compensation Bands.",
    )
    negotiation_compensation_band_ids = fields.One2many(
        "debt.negotiation.compensation.band",
        "company_id",
        string="Compensation Bands",
    )
    negotiation_consumer_interest_rate = fields.Float(
        string="Consumer Interest (% a year)",
        digits=(16, 2),
        help="Late-payment interest claimed from consumers instead of the "
        "business rate (statutory rates by period apply to businesses only); "
        "0: none, as where the law gives no contractual interest to claim.",
    )
    negotiation_max_installments = fields.Integer(
        string="Maximum Installments",
        default=0,
        help="A payment plan with more installments needs a negotiation "
        "manager's approval (never told to the debtor). 0: no limit.",
    )
    negotiation_min_down_payment_percent = fields.Float(
        string="Minimum Down Payment (%)",
        digits=(16, 2),
        default=0.0,
        help="A payment plan whose down payment is a smaller share of its "
        "total needs a negotiation manager's approval (never told to the "
        "debtor). 0: none required.",
    )
    negotiation_limitation_years = fields.Integer(
        string="Limitation Period (years)",
        default=3,
        help="Years after the due date of a case's oldest open invoice, or "
        "after the debtor's last acknowledgement of the debt (a signed "
        "agreement, a promise, a payment), when the claim becomes "
        "time-barred (e.g. 3 in Germany, 5 in France between businesses, 6 "
        "in England). 0: not tracked.",
    )
    negotiation_limitation_warning_days = fields.Integer(
        string="Limitation Warning (days)",
        default=90,
        help="A case shows as near its limitation date this many days before.",
    )
    negotiation_retention_years = fields.Integer(
        string="Retention Period (years)",
        default=10,
        help="Years after a consumer's case is settled or cancelled when the "
        "personal details of its interactions and letters are anonymised "
        "(GDPR storage limitation); never shorter than the limitation "
        "period. The evidence chain records the anonymisation.",
    )
    negotiation_interest_account_id = fields.Many2one(
        "account.account",
        string="Interest Income Account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Income account of the lines of the interest and compensation "
        "invoices; when empty, the sales journal's default account.",
    )

    @api.constrains(
        "negotiation_interest_rate",
        "negotiation_consumer_interest_rate",
        "negotiation_compensation_amount",
    )
    def _check_negotiation_interest(self):
        for company in self:
            if not (
                0 <= company.negotiation_interest_rate <= 100
                and 0 <= company.negotiation_consumer_interest_rate <= 100
            ):
                raise ValidationError(
                    self.env._(
                        "The late-payment interest rate must be between 0 and "
                        "100 % a year."
                    )
                )
            if company.negotiation_compensation_amount < 0:
                raise ValidationError(
                    self.env._("The recovery compensation cannot be negative.")
                )

    @api.constrains("negotiation_response_days", "negotiation_grace_days")
    def _check_negotiation_days(self):
        for company in self:
            if company.negotiation_response_days < 1:
                raise ValidationError(
                    self.env._("The debtor needs at least one day to respond.")
                )
            if company.negotiation_grace_days < 0:
                raise ValidationError(self.env._("Grace days cannot be negative."))

    @api.constrains("negotiation_portal_upload_max_mb")
    def _check_negotiation_portal_upload_max_mb(self):
        for company in self:
            if not 1 <= company.negotiation_portal_upload_max_mb <= 100:
                raise ValidationError(
                    self.env._("The debtor upload limit is between 1 and 100 MB.")
                )

    @api.constrains("negotiation_writeoff_account_id")
    def _check_negotiation_writeoff_account(self):
        for company in self:
            account = company.negotiation_writeoff_account_id
            if account and account.account_type not in WRITEOFF_ACCOUNT_TYPES:
                raise ValidationError(
                    self.env._(
                        "The settlement write-off account must be an expense "
                        "account (bad debts, settlement discounts), not "
                        "%(account)s.",
                        account=account.display_name,
                    )
                )

    @api.constrains("negotiation_installment_reminder_days")
    def _check_negotiation_installment_reminder_days(self):
        if any(c.negotiation_installment_reminder_days < 0 for c in self):
            raise ValidationError(
                self.env._(
                    "The days before an installment its reminder is sent cannot "
                    "be negative (0 turns the reminders off)."
                )
            )

    @api.constrains(
        "negotiation_max_installments", "negotiation_min_down_payment_percent"
    )
    def _check_negotiation_plan_limits(self):
        for company in self:
            if (
                company.negotiation_max_installments < 0
                or not 0 <= company.negotiation_min_down_payment_percent <= 100
            ):
                raise ValidationError(
                    self.env._(
                        "The maximum installments cannot be negative (0: no "
                        "limit) and the minimum down payment is between 0 and "
                        "100 %."
                    )
                )

    @api.constrains(
        "negotiation_limitation_years",
        "negotiation_limitation_warning_days",
        "negotiation_retention_years",
    )
    def _check_negotiation_limitation(self):
        for company in self:
            problem = legal_rules.retention_problem(
                company.negotiation_retention_years,
                company.negotiation_limitation_years,
            )
            if problem == "shorter_than_limitation":
                raise ValidationError(
                    self.env._(
                        "The retention period (%(retention)s years) cannot be "
                        "shorter than the limitation period (%(limitation)s "
                        "years): the evidence must outlive the claim.",
                        retention=company.negotiation_retention_years,
                        limitation=company.negotiation_limitation_years,
                    )
                )
            if problem:
                raise ValidationError(
                    self.env._("The retention period is at least one year.")
                )
        if any(
            c.negotiation_limitation_years < 0
            or c.negotiation_limitation_warning_days < 0
            for c in self
        ):
            raise ValidationError(
                self.env._(
                    "The limitation period and its warning cannot be negative "
                    "(0 years: not tracked)."
                )
            )

    @api.constrains("negotiation_hold_days_overdue", "negotiation_reply_hold_days")
    def _check_negotiation_hold_days_overdue(self):
        for company in self:
            if company.negotiation_reply_hold_days < 0:
                raise ValidationError(
                    self.env._("The reply hold days cannot be negative.")
                )
            if company.negotiation_hold_days_overdue < 0:
                raise ValidationError(
                    self.env._(
                        "The days past due before a credit hold cannot be "
                        "negative (0 turns the rule off)."
                    )
                )

    @api.constrains("negotiation_auto_open_days")
    def _check_negotiation_auto_open_days(self):
        if any(company.negotiation_auto_open_days < 0 for company in self):
            raise ValidationError(
                self.env._(
                    "The days before a case is opened automatically cannot be "
                    "negative (0 turns it off)."
                )
            )

    # ------------------------------------------------------------------
    # CRUD methods
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._negotiation_ensure_ladder()
        return companies

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _negotiation_ensure_all_ladders(self):
        """Give every company without follow-up steps the default ladder
        (at install and on every update, for companies created before)."""
        return self.sudo().search([])._negotiation_ensure_ladder()

    def _negotiation_ensure_ladder(self):
        """Give each of these companies a default ladder: the one shipped, or
        one of its ladders without a segment when it has one, else a new one
        (a copy of the one shipped). A company whose ladders are all archived
        turned its follow-ups off: it stays off.

        :return: the new ladders
        """
        Ladder = self.env["debt.negotiation.followup.ladder"].sudo()
        ladders = Ladder.with_context(active_test=False).search(
            [("company_id", "in", self.ids)]
        )
        shipped = self.env.ref(
            "debt_negotiation.followup_ladder_default", raise_if_not_found=False
        )
        created = Ladder
        for company in self.sudo().filtered(
            lambda c: not c.negotiation_default_ladder_id
        ):
            own = ladders.filtered(lambda lad, c=company: lad.company_id == c)
            plain = ((shipped or Ladder) & own) | own.filtered(
                lambda lad: (
                    lad.active and not lad.partner_category_ids and not lad.debtor_type
                )
            )
            if plain:
                company.negotiation_default_ladder_id = plain[0]
            elif not own:
                created |= Ladder._create_default(company)
        return created

    def _negotiation_disclaimer_for(self, lang):
        """The legal notice printed on a letter in ``lang``: the company's
        own text in that language; when it has none in that language and
        uses the suggested notice, the suggested notice translated (a French
        letter never ends with an English legal notice it need not have)."""
        self.ensure_one()
        company = self.sudo()
        text = company.with_context(lang=lang).negotiation_disclaimer or ""
        if not text or not lang or lang == "en_US":
            return text
        company.flush_recordset(["negotiation_disclaimer"])
        self.env.cr.execute(
            "SELECT negotiation_disclaimer ->> %s FROM res_company WHERE id = %s",
            [lang, company.id],
        )
        own = (self.env.cr.fetchone() or [None])[0]
        if own or " ".join(text.split()) != DEFAULT_DISCLAIMER:
            return text
        return self.with_context(lang=lang).env._(
            "This letter concerns a debt owed to us. Any payment should be made "
            "to the account shown on the invoices. If you believe the amount is "
            "not owed, please tell us in writing before the response deadline."
        )

    def _negotiation_ladder_missing(self):
        """These companies whose default ladder has no active step after the
        due date (the follow-ups do nothing for its debtors)."""
        return self.filtered(
            lambda company: (
                not company.sudo().negotiation_default_ladder_id.step_ids.filtered(
                    lambda step: step.delay_days >= 0
                )
            )
        )

    def _negotiation_payment_account(self, currency, invoices=None):
        """The company bank account a debtor pays ``invoices`` (in
        ``currency``) to: the one the invoices name, else one of the
        company's accounts in that currency (a bank journal's first), else any
        of them."""
        self.ensure_one()
        named = invoices.sudo().partner_bank_id if invoices else None
        if named:
            return named[:1]
        journals = (
            self.env["account.journal"]
            .sudo()
            .search(
                [
                    ("type", "=", "bank"),
                    ("company_id", "=", self.id),
                    ("bank_account_id", "!=", False),
                ]
            )
        )
        accounts = journals.bank_account_id | self.partner_id.sudo().bank_ids
        in_currency = accounts.filtered(
            lambda a: (a.currency_id or self.currency_id) == currency
        )
        return (in_currency or accounts)[:1]
