# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..const import CONTACT_ROLES, OPEN_STATES
from ..tools import forecast as forecast_rules


class ResPartner(models.Model):
    _inherit = "res.partner"

    negotiation_ids = fields.One2many(
        "debt.negotiation",
        "partner_id",
        string="Negotiations",
        groups="debt_negotiation.group_negotiation_user",
    )
    negotiation_count = fields.Integer(
        compute="_compute_negotiation_stats",
        groups="debt_negotiation.group_negotiation_user",
    )
    negotiation_amount_due = fields.Monetary(
        string="Under Negotiation",
        compute="_compute_negotiation_stats",
        currency_field="negotiation_currency_id",
        groups="debt_negotiation.group_negotiation_user",
    )
    negotiation_currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_negotiation_stats",
        groups="debt_negotiation.group_negotiation_user",
    )
    negotiation_blocked = fields.Boolean(
        string="No Automatic Letters",
        tracking=True,
        groups="debt_negotiation.group_negotiation_user",
        help="Never send automatic negotiation letters to this debtor "
        "(vulnerable customer, legal representation, ...). Letters can "
        "still be printed by hand.",
    )
    negotiation_contact_role = fields.Selection(
        CONTACT_ROLES,
        string="Role in Collections",
        groups="debt_negotiation.group_negotiation_user",
        help="Who this contact is for the credit department: a follow-up "
        "step can write to the contacts of a role (else the invoicing "
        "contact) and copy those of another.",
    )
    negotiation_blocked_reason = fields.Char(
        string="Reason for Blocking",
        groups="debt_negotiation.group_negotiation_user",
        help="Why this debtor must not receive automatic letters.",
    )

    # the credit hold: readable by sales (debt_negotiation_sale), set by
    # the cases' rules or by a manager with a reason
    negotiation_credit_hold = fields.Boolean(
        string="Credit Hold",
        compute="_compute_negotiation_credit_hold",
        store=True,
        readonly=True,
        index=True,
        help="Sales cannot confirm orders of this customer: it has a case "
        "escalated or broken (or, by the company's settings, a final notice "
        "sent or an invoice long past due), or a negotiation manager put it "
        "on hold. Released when the case is settled or its agreement back "
        "in force.",
    )
    negotiation_credit_hold_reason = fields.Char(
        string="Credit Hold Reason",
        compute="_compute_negotiation_credit_hold_reason",
        help="Why the customer is on credit hold: the case holding it and "
        "its negotiator, or the manager's reason.",
    )
    negotiation_credit_hold_case_id = fields.Many2one(
        "debt.negotiation",
        string="Held by Case",
        compute="_compute_negotiation_credit_hold",
        store=True,
        readonly=True,
        groups="debt_negotiation.group_negotiation_user",
    )
    negotiation_credit_hold_manual = fields.Boolean(
        string="Credit Hold Set by a Manager",
        readonly=True,
        copy=False,
        tracking=True,
        groups="debt_negotiation.group_negotiation_manager",
    )
    negotiation_credit_hold_manual_reason = fields.Char(
        string="Manager's Reason for the Hold",
        readonly=True,
        copy=False,
        tracking=True,
        groups="debt_negotiation.group_negotiation_manager",
    )

    negotiation_ladder_id = fields.Many2one(
        "debt.negotiation.followup.ladder",
        string="Follow-up Ladder",
        company_dependent=True,
        domain="[('company_id', 'in', (False, current_company_id))]",
        groups="debt_negotiation.group_negotiation_user",
        help="The follow-up ladder of this debtor in the current company. "
        "Empty: the first ladder whose segment (tags, debtor type) it belongs "
        "to, else the company's default ladder.",
    )

    negotiation_debtor_type = fields.Selection(
        [("business", "Business"), ("consumer", "Consumer")],
        string="Debtor Type",
        compute="_compute_negotiation_debtor_type",
        store=True,
        readonly=False,
        groups="debt_negotiation.group_negotiation_user",
        help="A consumer owes no fixed recovery compensation (a "
        "business-to-business entitlement), its interest is the company's "
        "consumer rate, and its letters use the consumer wording (its rights "
        "stated, no threat the follow-ups do not plan). By default a company "
        "(or a contact of one) is a business, an individual a consumer.",
    )
    negotiation_interest_custom = fields.Boolean(
        string="Own Interest Rate",
        groups="debt_negotiation.group_negotiation_user",
        help="Claim late-payment interest from this debtor at its own rate "
        "instead of the company's (e.g. 0 for a strategic customer).",
    )
    negotiation_interest_rate = fields.Float(
        string="Debtor Interest Rate (% a year)",
        digits=(16, 2),
        groups="debt_negotiation.group_negotiation_user",
    )
    negotiation_promise_ids = fields.One2many(
        "debt.negotiation.promise",
        "partner_id",
        string="Promises to Pay",
        groups="debt_negotiation.group_negotiation_user",
    )
    negotiation_promise_reliability = fields.Float(
        string="Promise Reliability (%)",
        compute="_compute_negotiation_promise_reliability",
        store=True,
        digits=(16, 2),
        groups="debt_negotiation.group_negotiation_user",
        help="The share of the debtor's promises to pay that were kept (100 "
        "without any): what its expected receipts are weighted by in the "
        "cash forecast.",
    )
    negotiation_promise_kept_count = fields.Integer(
        string="Promises Kept",
        compute="_compute_negotiation_promise_record",
        groups="debt_negotiation.group_negotiation_user",
    )
    negotiation_promise_broken_count = fields.Integer(
        string="Promises Broken",
        compute="_compute_negotiation_promise_record",
        groups="debt_negotiation.group_negotiation_user",
        help="The debtor's promise-keeping record, in the companies you work in.",
    )

    @api.constrains("negotiation_interest_rate")
    def _check_negotiation_interest_rate(self):
        for partner in self:
            if not 0 <= partner.negotiation_interest_rate <= 100:
                raise ValidationError(
                    self.env._(
                        "The late-payment interest rate must be between 0 and "
                        "100 % a year."
                    )
                )

    @api.constrains(
        "negotiation_credit_hold_manual", "negotiation_credit_hold_manual_reason"
    )
    def _check_negotiation_credit_hold_reason(self):
        for partner in self.sudo():
            if (
                partner.negotiation_credit_hold_manual
                and not (partner.negotiation_credit_hold_manual_reason or "").strip()
            ):
                raise ValidationError(
                    self.env._("A credit hold set by hand needs a reason.")
                )

    @api.depends("negotiation_credit_hold_manual", "negotiation_ids.credit_hold")
    def _compute_negotiation_credit_hold(self):
        for partner in self:
            # every company's cases hold the customer (sudo: the rules of
            # the current user's companies do not hide any)
            held = partner.sudo().negotiation_ids.filtered("credit_hold")
            case = held.sorted(lambda c: (-c.priority_score, c.id))[:1]
            partner.negotiation_credit_hold_case_id = case
            partner.negotiation_credit_hold = bool(
                case or partner.sudo().negotiation_credit_hold_manual
            )

    def _negotiation_refresh_credit_hold(self):
        """Recompute the credit hold of these debtors now (the nightly
        refresh: a rule counts the days past due)."""
        for name in ("negotiation_credit_hold", "negotiation_credit_hold_case_id"):
            self.env.add_to_compute(self._fields[name], self)
        self.flush_recordset(
            ["negotiation_credit_hold", "negotiation_credit_hold_case_id"]
        )

    @api.depends("negotiation_credit_hold", "negotiation_credit_hold_case_id")
    def _compute_negotiation_credit_hold_reason(self):
        for partner in self:
            commercial = partner.commercial_partner_id.sudo()
            reasons = []
            if commercial.negotiation_credit_hold_case_id:
                reasons.append(
                    commercial.negotiation_credit_hold_case_id._credit_hold_why()
                )
            if commercial.negotiation_credit_hold_manual:
                reasons.append(
                    self.env._(
                        "set by a manager: %(reason)s",
                        reason=commercial.negotiation_credit_hold_manual_reason,
                    )
                )
            partner.negotiation_credit_hold_reason = "; ".join(reasons) or False

    @api.depends("is_company", "parent_id.is_company")
    def _compute_negotiation_debtor_type(self):
        for partner in self:
            partner.negotiation_debtor_type = (
                "business"
                if partner.is_company or partner.parent_id.is_company
                else "consumer"
            )

    @api.depends("negotiation_promise_ids.state")
    def _compute_negotiation_promise_reliability(self):
        for partner in self:
            states = partner.negotiation_promise_ids.mapped("state")
            partner.negotiation_promise_reliability = forecast_rules.reliability(
                states.count("kept"), states.count("broken")
            )

    @api.depends_context("company")
    def _compute_negotiation_promise_record(self):
        groups = self.env["debt.negotiation.promise"]._read_group(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "in", self.env.companies.ids),
                ("state", "in", ("kept", "broken")),
            ],
            ["partner_id", "state"],
            ["__count"],
        )
        counts = {(partner.id, state): count for partner, state, count in groups}
        for partner in self:
            commercial = partner.commercial_partner_id.id
            partner.negotiation_promise_kept_count = counts.get((commercial, "kept"), 0)
            partner.negotiation_promise_broken_count = counts.get(
                (commercial, "broken"), 0
            )

    @api.depends_context("company")
    @api.depends("negotiation_ids.amount_due", "negotiation_ids.state")
    def _compute_negotiation_stats(self):
        company = self.env.company
        partners = self.commercial_partner_id
        groups = self.env["debt.negotiation"]._read_group(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "in", self.env.companies.ids),
            ],
            ["partner_id", "state", "currency_id"],
            ["__count", "amount_due:sum"],
        )
        today = fields.Date.context_today(self)
        counts = {}
        amounts = {}
        for partner, state, currency, count, amount in groups:
            counts[partner.id] = counts.get(partner.id, 0) + count
            if state in OPEN_STATES:
                # cases may be in foreign currencies: show the total in the
                # currency of the current company
                amounts[partner.id] = amounts.get(partner.id, 0.0) + currency._convert(
                    amount, company.currency_id, company, today
                )
        for partner in self:
            commercial = partner.commercial_partner_id.id
            partner.negotiation_count = counts.get(commercial, 0)
            partner.negotiation_amount_due = amounts.get(commercial, 0.0)
            partner.negotiation_currency_id = company.currency_id

    def action_view_negotiations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debt_negotiation.action_debt_negotiation"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {
            "default_partner_id": self.commercial_partner_id.id,
            "search_default_filter_open": 1,
        }
        return action

    # ------------------------------------------------------------------
    # CREDIT HOLD BY HAND (managers, with a reason)
    # ------------------------------------------------------------------
    def _negotiation_check_manager(self):
        if not self.env.user.has_group("debt_negotiation.group_negotiation_manager"):
            raise AccessError(
                self.env._(
                    "Only a negotiation manager can put a customer on credit "
                    "hold or release it."
                )
            )

    def action_negotiation_credit_hold(self):
        """ "Put on Credit Hold": the wizard asking the manager's reason."""
        self._negotiation_check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Put on Credit Hold"),
            "res_model": "debt.negotiation.credit.hold.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id[:1].id},
        }

    def _negotiation_set_credit_hold(self, reason):
        """A manager puts these customers on credit hold, for ``reason``."""
        self._negotiation_check_manager()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for the credit hold."))
        self.commercial_partner_id.sudo().write(
            {
                "negotiation_credit_hold_manual": True,
                "negotiation_credit_hold_manual_reason": reason,
            }
        )

    def action_negotiation_release_credit_hold(self):
        """A manager lifts the hold they set by hand (a case's hold lasts
        as long as the case calls for it)."""
        self._negotiation_check_manager()
        self.commercial_partner_id.sudo().write(
            {
                "negotiation_credit_hold_manual": False,
                "negotiation_credit_hold_manual_reason": False,
            }
        )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _negotiation_debtor_kind(self):
        """``business`` or ``consumer``: the kind of debtor the ladders'
        segments are chosen by (its debtor type)."""
        self.ensure_one()
        return self.commercial_partner_id.negotiation_debtor_type or "business"

    # ------------------------------------------------------------------
    # STATEMENT OF ACCOUNT
    # ------------------------------------------------------------------
    def _negotiation_statement_recipient(self):
        """Who the statement goes to: the debtor's invoicing contact."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        return commercial.browse(commercial.address_get(["invoice"])["invoice"])

    def _negotiation_statement_salutation(self):
        """The greeting of the statement's email (the letters' rule)."""
        return self.env["debt.negotiation"]._salutation_for(
            self._negotiation_statement_recipient()
        )

    def action_view_negotiation_aging(self):
        """The ageing of this debtor in the current companies."""
        return self.env["debt.negotiation.aging"]._action_open_for_partners(self)

    def action_print_negotiation_statement(self):
        """The statement of account of these debtors in the current company."""
        return self.env.ref("debt_negotiation.action_report_statement").report_action(
            self.commercial_partner_id
        )

    def action_send_negotiation_statement(self):
        """Emails each debtor its statement of account in the current company
        (to its invoicing contact, from the current user, logged in its
        chatter); a debtor without an email address is listed, not sent."""
        sent, refused = self.browse(), []
        for partner in self.commercial_partner_id:
            try:
                partner._negotiation_send_statement()
            except UserError as error:
                refused.append(error.args[0])
                continue
            sent |= partner
        message = self.env._(
            "Statement of account sent to %(count)s debtor(s).", count=len(sent)
        )
        if refused:
            message += " " + self.env._("Not sent: %(list)s.", list="; ".join(refused))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Statements of Account"),
                "message": message,
                "type": "warning" if refused else "success",
                "sticky": bool(refused),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _negotiation_send_statement(self):
        """Email this debtor its statement of account in the current
        company; a clear refusal without an email address."""
        self.ensure_one()
        partner = self.commercial_partner_id
        partner.check_access("read")
        if not partner._negotiation_statement_recipient().email_normalized:
            raise UserError(
                self.env._("%(debtor)s: no email address", debtor=partner.display_name)
            )
        template = self.env.ref("debt_negotiation.mail_template_negotiation_statement")
        # the action is limited to negotiation users; posting on a partner
        # does not need the right to edit it
        partner.sudo().message_post_with_source(
            template, message_type="comment", subtype_xmlid="mail.mt_comment"
        )
