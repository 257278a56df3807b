# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import threading
from collections import Counter, defaultdict, namedtuple
from datetime import timedelta

from markupsafe import Markup
from psycopg2 import OperationalError
from psycopg2 import errors as pg_errors

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import html2plaintext, split_every
from odoo.tools.misc import format_date
from odoo.tools.sql import SQL

from ..tools.negotiation_rules import plan_next_step, step_to_run

_logger = logging.getLogger(__name__)

# States in which a case is "the debtor's open case": new invoices join it.
OPEN_STATES = ("open", "disputed", "agreement", "broken", "escalated")
# States in which the automatic follow-ups work on a case.
CHASING_STATES = ("open", "broken")
# Cases the scheduled follow-ups handle per transaction (context key
# ``debt_negotiation_followup_batch_size`` overrides it).
FOLLOWUP_BATCH_SIZE = 500
# What a follow-up run does on a case: ``step`` (empty when none is due) with
# the new ``deadline``, then ``next_step`` on ``next_date``.
FollowupDecision = namedtuple(
    "FollowupDecision", "case step deadline next_step next_date"
)

STATE_SELECTION = [
    ("open", "Open"),
    ("disputed", "Disputed"),
    ("agreement", "Agreement"),
    ("broken", "Broken Promise"),
    ("escalated", "Escalated"),
    ("settled", "Settled"),
    ("cancelled", "Cancelled"),
]


class DebtNegotiation(models.Model):
    _name = "debt.negotiation"
    _description = "Debt Negotiation Case"
    _inherit = ["portal.mixin", "debt.negotiation.mail.batch", "mail.activity.mixin"]
    _order = "priority desc, response_deadline, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "partner_id.name"]

    name = fields.Char(
        string="Reference",
        required=True,
        copy=False,
        readonly=True,
        index="trigram",
        default=lambda self: self.env._("New"),
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        required=True,
        tracking=True,
        index=True,
        check_company=True,
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "debt_negotiation_account_move_rel",
        "negotiation_id",
        "move_id",
        string="Invoices",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('commercial_partner_id', '=', partner_id)]",
    )
    invoice_count = fields.Integer(compute="_compute_invoice_stats")
    amount_total = fields.Monetary(
        string="Invoiced",
        compute="_compute_amounts",
        store=True,
        help="Total of the invoices under negotiation.",
    )
    amount_due = fields.Monetary(
        compute="_compute_amounts",
        store=True,
        tracking=True,
        aggregator="sum",
        help="What the debtor still owes on the invoices under negotiation.",
    )
    oldest_due_date = fields.Date(
        compute="_compute_amounts",
        store=True,
        help="Due date of the oldest unpaid invoice: the follow-up ladder "
        "counts its delays from it.",
    )
    days_overdue = fields.Integer(compute="_compute_days_overdue")
    stage_id = fields.Many2one(
        "debt.negotiation.stage",
        tracking=True,
        index=True,
        copy=False,
        ondelete="restrict",
        group_expand="_read_group_stage_ids",
        default=lambda self: self._default_stage_id(),
    )
    state = fields.Selection(
        STATE_SELECTION,
        required=True,
        default="open",
        tracking=True,
        index=True,
        copy=False,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Negotiator",
        tracking=True,
        index=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    priority = fields.Selection(
        [("0", "Normal"), ("1", "High")], default="0", index=True
    )
    color = fields.Integer()
    response_deadline = fields.Date(
        tracking=True,
        help="Date by which the debtor must answer the current letter or offer.",
    )
    response_overdue = fields.Boolean(
        compute="_compute_response_overdue", search="_search_response_overdue"
    )
    minimum_amount = fields.Monetary(
        string="Minimum Acceptable",
        groups="debt_negotiation.group_negotiation_manager",
        tracking=True,
        help="The lowest total the company will accept. Never shown to the "
        "debtor; offers below it need a manager to be accepted.",
    )
    offer_ids = fields.One2many("debt.negotiation.offer", "negotiation_id")
    offer_count = fields.Integer(compute="_compute_offer_count")
    current_offer_id = fields.Many2one(
        "debt.negotiation.offer",
        compute="_compute_current_offer",
        help="The newest offer waiting for an answer.",
    )
    agreement_offer_id = fields.Many2one(
        "debt.negotiation.offer",
        string="Agreed Offer",
        compute="_compute_current_offer",
    )
    interaction_ids = fields.One2many("debt.negotiation.interaction", "negotiation_id")
    interaction_count = fields.Integer(compute="_compute_interaction_count")
    last_interaction_date = fields.Datetime(
        compute="_compute_last_interaction", store=True
    )
    letter_ids = fields.One2many("debt.negotiation.letter", "negotiation_id")
    letter_count = fields.Integer(compute="_compute_letter_count")
    installment_ids = fields.One2many("debt.negotiation.installment", "negotiation_id")
    next_action_date = fields.Date(
        index=True,
        copy=False,
        help="When the scheduled follow-up acts next on this case.",
    )
    dispute_reason = fields.Text(tracking=True, copy=False)
    dispute_previous_state = fields.Selection(STATE_SELECTION, copy=False)
    note = fields.Html(string="Internal Notes")
    negotiation_blocked = fields.Boolean(
        related="partner_id.negotiation_blocked",
        string="No Automatic Letters",
    )

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "The reference of a negotiation case must be unique per company.",
        ),
    ]

    def init(self):
        # One open case per debtor and company, even with concurrent workers.
        self._cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS debt_negotiation_one_open_case_idx "
            "ON debt_negotiation (partner_id, company_id) "
            "WHERE state NOT IN ('settled', 'cancelled')"
        )

    # ------------------------------------------------------------------
    # Defaults and computes
    # ------------------------------------------------------------------
    @api.model
    def _default_stage_id(self):
        return self.env["debt.negotiation.stage"]._stage_for_state("open")

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([], order=stages._order)

    @api.depends(
        "invoice_ids.amount_residual",
        "invoice_ids.amount_total",
        "invoice_ids.invoice_date_due",
        "currency_id",
    )
    def _compute_amounts(self):
        for case in self:
            invoices = case.invoice_ids
            case.amount_total = sum(invoices.mapped("amount_total"))
            case.amount_due = case.currency_id.round(
                sum(invoices.mapped("amount_residual"))
            )
            unpaid = invoices.filtered(
                lambda m: not m.currency_id.is_zero(m.amount_residual)
            )
            due_dates = unpaid.mapped("invoice_date_due")
            case.oldest_due_date = min(due_dates) if due_dates else False

    @api.depends("invoice_ids")
    def _compute_invoice_stats(self):
        for case in self:
            case.invoice_count = len(case.invoice_ids)

    @api.depends("oldest_due_date")
    def _compute_days_overdue(self):
        today = fields.Date.context_today(self)
        for case in self:
            if case.oldest_due_date:
                case.days_overdue = max((today - case.oldest_due_date).days, 0)
            else:
                case.days_overdue = 0

    @api.depends("response_deadline", "state")
    def _compute_response_overdue(self):
        today = fields.Date.context_today(self)
        for case in self:
            case.response_overdue = bool(
                case.response_deadline
                and case.response_deadline < today
                and case.state in ("open", "broken")
            )

    def _search_response_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on overdue responses."))
        today = fields.Date.context_today(self)
        domain = [
            ("response_deadline", "<", today),
            ("state", "in", ("open", "broken")),
        ]
        positive = (operator == "=") == value
        return domain if positive else ["!", "&", *domain]

    @api.depends("offer_ids")
    def _compute_offer_count(self):
        for case in self:
            case.offer_count = len(case.offer_ids)

    @api.depends("offer_ids.state")
    def _compute_current_offer(self):
        for case in self:
            open_offers = case.offer_ids.filtered(lambda o: o.state == "proposed")
            case.current_offer_id = open_offers.sorted("id")[-1:] or False
            accepted = case.offer_ids.filtered(lambda o: o.state == "accepted")
            case.agreement_offer_id = accepted.sorted("id")[-1:] or False

    @api.depends("interaction_ids")
    def _compute_interaction_count(self):
        for case in self:
            case.interaction_count = len(case.interaction_ids)

    @api.depends("interaction_ids.date")
    def _compute_last_interaction(self):
        for case in self:
            dates = case.interaction_ids.mapped("date")
            case.last_interaction_date = max(dates) if dates else False

    @api.depends("letter_ids")
    def _compute_letter_count(self):
        for case in self:
            case.letter_count = len(case.letter_ids)

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for case in self:
            case.access_url = f"/my/negotiations/{case.id}"
        return res

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("invoice_ids", "partner_id", "company_id", "currency_id")
    def _check_invoices(self):
        for case in self:
            wrong_type = case.invoice_ids.filtered(
                lambda m: m.move_type != "out_invoice" or m.state != "posted"
            )
            if wrong_type:
                raise ValidationError(
                    self.env._(
                        "Only posted customer invoices can be negotiated: %(moves)s",
                        moves=", ".join(wrong_type.mapped("display_name")),
                    )
                )
            other_debtor = case.invoice_ids.filtered(
                lambda m, c=case: m.commercial_partner_id != c.partner_id
            )
            if other_debtor:
                raise ValidationError(
                    self.env._(
                        "Invoices of different debtors cannot share a case: "
                        "%(moves)s do not belong to %(partner)s.",
                        moves=", ".join(other_debtor.mapped("display_name")),
                        partner=case.partner_id.display_name,
                    )
                )
            other_company = case.invoice_ids.filtered(
                lambda m, c=case: m.company_id != c.company_id
            )
            if other_company:
                raise ValidationError(
                    self.env._(
                        "Invoices of different companies cannot share a case: "
                        "%(moves)s.",
                        moves=", ".join(other_company.mapped("display_name")),
                    )
                )
            other_currency = case.invoice_ids.filtered(
                lambda m, c=case: m.currency_id != c.currency_id
            )
            if other_currency:
                raise ValidationError(
                    self.env._(
                        "All invoices of a case must be in the case currency "
                        "(%(currency)s): %(moves)s are not.",
                        currency=case.currency_id.name,
                        moves=", ".join(other_currency.mapped("display_name")),
                    )
                )

    @api.constrains("partner_id", "company_id", "state")
    def _check_one_open_case(self):
        checked = self.env.context.get("debt_negotiation_open_case_checked", ())
        for case in self.filtered(
            lambda c: c.state in OPEN_STATES and c.id not in checked
        ):
            duplicate = self.search(
                [
                    ("id", "!=", case.id),
                    ("partner_id", "=", case.partner_id.id),
                    ("company_id", "=", case.company_id.id),
                    ("state", "in", OPEN_STATES),
                ],
                limit=1,
            )
            if duplicate:
                raise self._one_open_case_error(
                    case.partner_id, case.company_id, duplicate
                )

    def _one_open_case_error(self, partner, company, duplicate):
        return ValidationError(
            self.env._(
                "%(partner)s already has an open negotiation case "
                "(%(case)s) in %(company)s. Add the invoices to it "
                "instead.",
                partner=partner.display_name,
                case=duplicate.name or "",
                company=company.name,
            )
        )

    def _precheck_one_open_case(self, keys):
        """Refuse, with the message of :meth:`_check_one_open_case`, to make
        a second open case per debtor and company BEFORE the row reaches the
        database, whose unique index would otherwise fail with a raw
        integrity error first. ``keys``: ``(partner_id, company_id)`` of the
        cases about to be open; ``self``: the cases being written."""
        seen = set()
        for key in keys:
            if not all(key):
                continue
            duplicate = self.sudo().search(
                [
                    ("id", "not in", self.ids),
                    ("partner_id", "=", key[0]),
                    ("company_id", "=", key[1]),
                    ("state", "in", OPEN_STATES),
                ],
                limit=1,
            )
            if duplicate or key in seen:
                raise self._one_open_case_error(
                    self.env["res.partner"].browse(key[0]),
                    self.env["res.company"].browse(key[1]),
                    duplicate,
                )
            seen.add(key)

    @api.constrains("minimum_amount")
    def _check_minimum_amount(self):
        for case in self.sudo():
            if case.currency_id.compare_amounts(case.minimum_amount, 0.0) < 0:
                raise ValidationError(
                    self.env._("The minimum acceptable amount cannot be negative.")
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["partner_id"] = partner.commercial_partner_id.id
            if not vals.get("name") or vals["name"] == self.env._("New"):
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                vals["name"] = self.env["ir.sequence"].with_company(
                    company
                ).next_by_code("debt.negotiation") or self.env._("New")
            if "currency_id" not in vals and vals.get("company_id"):
                company = self.env["res.company"].browse(vals["company_id"])
                vals["currency_id"] = company.currency_id.id
        self._precheck_one_open_case(
            (vals.get("partner_id"), vals.get("company_id") or self.env.company.id)
            for vals in vals_list
            if vals.get("state", "open") in OPEN_STATES
        )
        cases = super().create(vals_list)
        for case in cases:
            case.message_subscribe(partner_ids=case.user_id.partner_id.ids)
        return cases

    def write(self, vals):
        if vals.get("user_id"):
            user = self.env["res.users"].browse(vals["user_id"])
            self.message_subscribe(partner_ids=user.partner_id.ids)
        cases = self
        if {"state", "partner_id", "company_id"} & set(vals):
            # only a case becoming open, or changing debtor or company, can
            # make a second open case (an open case is unique, by the index)
            self._precheck_one_open_case(
                (
                    vals.get("partner_id", case.partner_id.id),
                    vals.get("company_id", case.company_id.id),
                )
                for case in self
                if vals.get("state", case.state) in OPEN_STATES
                and (
                    case.state not in OPEN_STATES
                    or vals.get("partner_id", case.partner_id.id) != case.partner_id.id
                    or vals.get("company_id", case.company_id.id) != case.company_id.id
                )
            )
            # checked: _check_one_open_case need not search again
            cases = self.with_context(
                debt_negotiation_open_case_checked=frozenset(self.ids)
            )
        res = super(DebtNegotiation, cases).write(vals)
        if "state" in vals and "stage_id" not in vals:
            self._sync_stage()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_documented(self):
        for case in self:
            if case.letter_ids:
                raise UserError(
                    self.env._(
                        "Case %(case)s has letters on record and cannot be "
                        "deleted. Cancel it instead.",
                        case=case.name,
                    )
                )
            if case.installment_ids or "accepted" in case.offer_ids.mapped("state"):
                raise UserError(
                    self.env._(
                        "Case %(case)s holds a signed agreement and cannot be "
                        "deleted. Cancel it instead.",
                        case=case.name,
                    )
                )

    def _message_post_after_hook(self, message, msg_vals):
        """Log what the debtor writes (portal message or email reply) as an
        inbound interaction, so the communication log stays complete."""
        res = super()._message_post_after_hook(message, msg_vals)
        author = message.author_id
        if (
            message.message_type in ("comment", "email")
            and author
            and author.commercial_partner_id == self.partner_id
            and not any(not user.share for user in author.user_ids)
        ):
            self.env["debt.negotiation.interaction"].sudo().create(
                {
                    "negotiation_id": self.id,
                    "channel": "portal"
                    if message.message_type == "comment"
                    else "email",
                    "direction": "inbound",
                    "contact_name": author.name,
                    "summary": html2plaintext(message.body or "")
                    or self.env._("(empty message)"),
                    "outcome": "other",
                    "user_id": False,
                }
            )
        return res

    def _sync_stage(self):
        """Move each case to the first stage bound to its new state."""
        Stage = self.env["debt.negotiation.stage"]
        for case in self:
            if case.stage_id.state == case.state:
                continue
            stage = Stage._stage_for_state(case.state)
            if stage and stage != case.stage_id:
                case.stage_id = stage

    # ------------------------------------------------------------------
    # Lifecycle
    # ------------------------------------------------------------------
    def _check_state(self, allowed, action):
        for case in self:
            if case.state not in allowed:
                state_label = dict(
                    self._fields["state"]._description_selection(self.env)
                )[case.state]
                raise UserError(
                    self.env._(
                        "You cannot %(action)s case %(case)s: it is %(state)s.",
                        action=action,
                        case=case.name,
                        state=state_label,
                    )
                )

    def action_dispute(self, reason):
        """The debtor disputes the claim: automatic follow-ups pause."""
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Please give the reason of the dispute."))
        self._check_state(
            ("open", "agreement", "broken", "escalated"),
            self.env._("dispute"),
        )
        self.env["debt.negotiation.interaction"].create(
            [
                {
                    "negotiation_id": case.id,
                    "channel": "other",
                    "direction": "inbound",
                    "contact_name": case.partner_id.name,
                    "summary": reason,
                    "outcome": "dispute",
                }
                for case in self
            ]
        )
        self._set_disputed(reason)
        return True

    def _set_disputed(self, reason):
        for case in self:
            case.write(
                {
                    "dispute_previous_state": case.state,
                    "state": "disputed",
                    "dispute_reason": reason,
                    "next_action_date": False,
                }
            )
            case.message_post(
                body=self.env._(
                    "The debtor disputes the claim; automatic follow-ups are "
                    "paused. Reason: %(reason)s",
                    reason=reason,
                )
            )

    def action_resolve_dispute(self):
        self._check_state(("disputed",), self.env._("resolve the dispute of"))
        for case in self:
            previous = case.dispute_previous_state or "open"
            if previous == "disputed":
                previous = "open"
            case.write({"state": previous, "dispute_previous_state": False})
            case.message_post(
                body=self.env._("Dispute resolved; the negotiation resumes.")
            )
        self._schedule_next_action()
        return True

    def action_escalate(self):
        self._check_state(("open", "disputed", "broken"), self.env._("escalate"))
        self.write({"state": "escalated", "next_action_date": False})
        note = self.env._("Case escalated (collection agency or legal action).")
        self._message_log_batch(bodies=dict.fromkeys(self.ids, note))
        return True

    def action_cancel(self):
        self._check_state(
            ("open", "disputed", "agreement", "broken", "escalated"),
            self.env._("cancel"),
        )
        if self.filtered(
            lambda c: c.state == "agreement"
        ) and not self.env.user.has_group("debt_negotiation.group_negotiation_manager"):
            raise UserError(
                self.env._(
                    "Only a negotiation manager can cancel a case under agreement."
                )
            )
        open_offers = self.offer_ids.filtered(
            lambda o: o.state in ("draft", "proposed")
        )
        open_offers.write({"state": "withdrawn"})
        self.write({"state": "cancelled", "next_action_date": False})
        for case in self:
            case.message_post(body=self.env._("Case cancelled."))
        return True

    def action_reopen(self):
        self._check_state(("cancelled", "escalated"), self.env._("reopen"))
        self.write({"state": "open"})
        self._schedule_next_action()
        return True

    def _schedule_next_action(self):
        """Compute when the follow-ups act next on these cases.

        Sets ``next_action_date`` and ``next_step_id`` from the company's
        ladder: the first step after the last executed one, on its ladder
        date but never before the response deadline. Cases the follow-ups do
        not chase (other states, blocked debtors) get no date.
        """
        ladders = self._followup_ladders(self.company_id)
        done = self._followup_done_steps()
        Step = self.env["debt.negotiation.followup.step"].sudo()
        for case in self:
            next_id = next_date = False
            if case.state in CHASING_STATES and not case.partner_id.negotiation_blocked:
                next_id, next_date = plan_next_step(
                    ladders.get(case.company_id.id, []),
                    case.oldest_due_date,
                    done[case.id],
                    case.response_deadline,
                )
            case._followup_write(Step.browse(next_id), next_date or False)
        return True

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def action_open_dispute_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dispute"),
            "res_model": "debt.negotiation.dispute.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_negotiation_id": self.id},
        }

    def action_log_call(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log an Interaction"),
            "res_model": "debt.negotiation.interaction",
            "view_mode": "form",
            "views": [
                (
                    self.env.ref(
                        "debt_negotiation.view_debt_negotiation_interaction_form"
                    ).id,
                    "form",
                )
            ],
            "target": "new",
            "context": {
                "default_negotiation_id": self.id,
                "default_channel": "phone",
                "default_contact_name": self.partner_id.name,
            },
        }

    def action_new_offer(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Offer"),
            "res_model": "debt.negotiation.offer",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_negotiation_id": self.id,
                "default_amount": self.amount_due,
            },
        }

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.invoice_ids.ids)]
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        return action

    def action_view_letters(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debt_negotiation.action_debt_negotiation_letter"
        )
        action["domain"] = [("negotiation_id", "=", self.id)]
        action["context"] = {"default_negotiation_id": self.id}
        return action

    def action_view_interactions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debt_negotiation.action_debt_negotiation_interaction"
        )
        action["domain"] = [("negotiation_id", "=", self.id)]
        action["context"] = {"default_negotiation_id": self.id}
        return action

    def action_view_offers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debt_negotiation.action_debt_negotiation_offer"
        )
        action["domain"] = [("negotiation_id", "=", self.id)]
        action["context"] = {
            "default_negotiation_id": self.id,
            "default_amount": self.amount_due,
        }
        return action

    # ------------------------------------------------------------------
    # Opening cases from invoices
    # ------------------------------------------------------------------
    @api.model
    def _open_case_for_invoices(self, invoices):
        """Return the debtor's open case holding ``invoices``, creating it
        or adding the invoices to it. All invoices share debtor and company
        (checked by the caller)."""
        partner = invoices.commercial_partner_id
        company = invoices.company_id
        case = self.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("state", "in", OPEN_STATES),
            ],
            limit=1,
        )
        if case:
            new_invoices = invoices - case.invoice_ids
            if new_invoices:
                case.write(
                    {"invoice_ids": [fields.Command.link(m.id) for m in new_invoices]}
                )
                case.message_post(
                    body=self.env._(
                        "Invoices added to the negotiation: %(moves)s",
                        moves=", ".join(new_invoices.mapped("name")),
                    )
                )
            return case
        case = self.create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "currency_id": invoices.currency_id.id,
                "invoice_ids": [fields.Command.set(invoices.ids)],
            }
        )
        case.message_post(
            body=self.env._(
                "Negotiation opened on %(moves)s.",
                moves=", ".join(invoices.mapped("name")),
            )
        )
        return case

    # ------------------------------------------------------------------
    # Follow-ups (issue: scheduled follow-ups) — owned by the follow-up work
    # ------------------------------------------------------------------
    followup_log_ids = fields.One2many(
        "debt.negotiation.followup.log",
        "negotiation_id",
        string="Executed Follow-ups",
        readonly=True,
    )
    next_step_id = fields.Many2one(
        "debt.negotiation.followup.step",
        string="Next Follow-up",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The follow-up step due on the next action date: the one the "
        "last letter announced.",
    )
    followup_checked_date = fields.Date(
        string="Follow-ups Checked On",
        readonly=True,
        copy=False,
        help="Last day the scheduled follow-ups looked at this case.",
    )
    followup_error = fields.Char(
        string="Follow-up Problem",
        readonly=True,
        copy=False,
        help="Why the last automatic follow-up of this case could not run. "
        "It is tried again on the next day's run.",
    )

    # Reading (no query per case) ---------------------------------------
    @api.model
    def _followup_ladders(self, companies=None):
        """Return ``{company_id: [(step_id, delay_days), ...]}``: the active
        follow-up steps of each company, in ladder order (one query)."""
        domain = [] if companies is None else [("company_id", "in", companies.ids)]
        ladders = defaultdict(list)
        steps = (
            self.env["debt.negotiation.followup.step"]
            .sudo()
            .search_fetch(domain, ["company_id", "delay_days"])
        )
        for step in steps:
            ladders[step.company_id.id].append((step.id, step.delay_days))
        return ladders

    def _followup_done_steps(self):
        """Return ``{case_id: {step_id, ...}}``: the follow-up steps already
        executed on the cases of ``self`` (one grouped query)."""
        done = defaultdict(set)
        if self.ids:
            groups = (
                self.env["debt.negotiation.followup.log"]
                .sudo()
                ._read_group(
                    [("negotiation_id", "in", self.ids)],
                    ["negotiation_id"],
                    ["step_id:array_agg"],
                )
            )
            for case, step_ids in groups:
                done[case.id] = set(step_ids)
        return done

    @api.model
    def _followup_candidate_domain(self, today):
        """Cases a follow-up run looks at on ``today``: chased cases of
        debtors who accept letters, with something due and whose next
        action date has come (or was never computed). A case is looked at
        once a day, unless the run is forced (context
        ``debt_negotiation_followup_force``, the manual run)."""
        domain = [
            ("state", "in", CHASING_STATES),
            ("partner_id.negotiation_blocked", "=", False),
            ("amount_due", ">", 0),
            ("oldest_due_date", "!=", False),
            "|",
            ("next_action_date", "=", False),
            ("next_action_date", "<=", today),
        ]
        if not self.env.context.get("debt_negotiation_followup_force"):
            domain += [
                "|",
                ("followup_checked_date", "=", False),
                ("followup_checked_date", "<", today),
            ]
        company_ids = self.env.context.get("debt_negotiation_followup_company_ids")
        if company_ids:
            domain.append(("company_id", "in", company_ids))
        return domain

    def _followup_decide(self, today, ladders=None):
        """Decide what a follow-up run does on ``today`` on each case of
        ``self``: the step to execute (if any), the new response deadline,
        and the step announced next with its date. Pure computation on data
        read for the whole recordset at once (the cases, the executed steps
        and the ladders): no query per case.

        :return: list of :data:`FollowupDecision`
        """
        if ladders is None:
            ladders = self._followup_ladders(self.company_id)
        done = self._followup_done_steps()
        # the steps (and their stages) read together, once for the batch
        step_ids = [step_id for ladder in ladders.values() for step_id, _d in ladder]
        Step = self.env["debt.negotiation.followup.step"].sudo()
        tomorrow = today + timedelta(days=1)
        decisions = []
        for case in self:
            ladder = ladders.get(case.company_id.id, [])
            oldest = case.oldest_due_date
            done_ids = done[case.id]
            deadline = case.response_deadline
            step = Step.browse(
                step_to_run(
                    ladder,
                    oldest,
                    done_ids,
                    today,
                    scheduled_key=case.next_step_id.id or None,
                    not_before=deadline,
                )
            ).with_prefetch(step_ids)
            not_before = deadline
            if step:
                done_ids = done_ids | {step.id}
                if step.letter_type:
                    deadline = today + timedelta(
                        days=case.company_id.negotiation_response_days
                    )
                # the next step comes after the new response deadline, and
                # never on the day a step ran
                not_before = max(deadline or tomorrow, tomorrow)
            next_id = next_date = None
            if not step.escalate:
                next_id, next_date = plan_next_step(
                    ladder, oldest, done_ids, not_before
                )
            decisions.append(
                FollowupDecision(
                    case,
                    step,
                    deadline or False,
                    Step.browse(next_id).with_prefetch(step_ids),
                    next_date or False,
                )
            )
        return decisions

    def _followup_problem(self, step):
        """Return why ``step`` cannot be executed on this case (debtor data
        missing for its letters), or False."""
        self.ensure_one()
        if not step.letter_type:
            return False
        partner = self.partner_id
        problems = []
        if step.channel in ("email", "both") and not partner.email_normalized:
            problems.append(
                self.env._(
                    "the debtor %(partner)s has no valid email address",
                    partner=partner.display_name,
                )
            )
        if step.channel in ("post", "both") and not (
            partner.street and (partner.zip or partner.city)
        ):
            problems.append(
                self.env._(
                    "the debtor %(partner)s has no postal address",
                    partner=partner.display_name,
                )
            )
        return "; ".join(problems) or False

    # Recording ---------------------------------------------------------
    def _followup_write(self, next_step, next_date, checked=False, **vals):
        """Write the follow-up schedule (and ``vals``) on the case, only
        what changed, without tracking: the run logs one note per case."""
        self.ensure_one()
        vals.update(
            {
                "next_step_id": next_step.id or False,
                "next_action_date": next_date or False,
            }
        )
        if checked:
            vals["followup_checked_date"] = checked
        if self.followup_error and "followup_error" not in vals:
            vals["followup_error"] = False
        changed = {}
        for fname, value in vals.items():
            current = self[fname]
            if isinstance(current, models.BaseModel):
                current = current.id
            if (current or False) != (value or False):
                changed[fname] = value
        if changed:
            self.with_context(mail_notrack=True).write(changed)

    def _followup_log_problem(self, step, problem, today):
        """Note on each case why its follow-up step was not executed (once
        per distinct problem); the case is tried again on the next day."""
        message = self.env._(
            "Follow-up step %(step)s was not executed: %(problem)s",
            step=step.name,
            problem=problem,
        )
        for case in self:
            vals = {"followup_checked_date": today}
            if case.followup_error != message:
                vals["followup_error"] = message
                case._message_log(body=Markup("<p>%s</p>") % message)
            case.with_context(mail_notrack=True).write(vals)

    def _followup_note(self, step, decision):
        """The chatter note of an executed follow-up step."""
        self.ensure_one()
        parts = [self.env._("Follow-up step %(step)s executed.", step=step.name)]
        if step.stage_id:
            parts.append(self.env._("Stage: %(stage)s.", stage=step.stage_id.name))
        if step.letter_type and decision.deadline:
            parts.append(
                self.env._(
                    "Response deadline: %(date)s.",
                    date=format_date(self.env, decision.deadline),
                )
            )
        if decision.next_step:
            parts.append(
                self.env._(
                    "Next step: %(step)s on %(date)s.",
                    step=decision.next_step.name,
                    date=format_date(self.env, decision.next_date),
                )
            )
        elif not step.escalate:
            parts.append(self.env._("The follow-up ladder is complete."))
        return Markup("<p>%s</p>") % " ".join(parts)

    @api.model
    def _followup_claim(self, step, today, decisions):
        """Claim ``step`` on the cases of ``decisions``: insert their
        follow-up logs; return ``{case_id: log_id}`` of the cases claimed.
        Without ``step``, each decision's own step is claimed.

        The UNIQUE (negotiation_id, step_id) constraint of the log decides:
        a step already executed (a rerun) is skipped, and of two workers
        claiming the same step at once, the second one waits for the first
        to commit and gets nothing (PostgreSQL reports the conflict as a
        serialization failure in REPEATABLE READ: that claim is rolled back
        to its savepoint, then the cases are claimed one by one).
        """
        if not decisions:
            return {}
        query = SQL(
            """
            INSERT INTO debt_negotiation_followup_log
                   (negotiation_id, step_id, company_id, date, next_step_id,
                    next_action_date, create_uid, create_date, write_uid, write_date)
            SELECT t.case_id, t.step_id, t.company_id, %(date)s, t.next_step_id,
                   t.next_date, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(%(case_ids)s::int[], %(step_ids)s::int[],
                          %(company_ids)s::int[], %(next_step_ids)s::int[],
                          %(next_dates)s::date[])
                   AS t(case_id, step_id, company_id, next_step_id, next_date)
            ON CONFLICT (negotiation_id, step_id) DO NOTHING
            RETURNING negotiation_id, id
            """,
            step_ids=[(step or d.step).id for d in decisions],
            date=today,
            uid=self.env.uid,
            now=self.env.cr.now(),
            case_ids=[d.case.id for d in decisions],
            company_ids=[d.case.company_id.id for d in decisions],
            next_step_ids=[d.next_step.id or None for d in decisions],
            next_dates=[d.next_date or None for d in decisions],
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
                claimed = dict(self.env.cr.fetchall())
        except (pg_errors.SerializationFailure, pg_errors.UniqueViolation):
            if len(decisions) == 1:
                _logger.info(
                    "Follow-up step %s of case %s is executed by another run.",
                    (step or decisions[0].step).name,
                    decisions[0].case.name,
                )
                return {}
            claimed = {}
            for decision in decisions:
                claimed.update(self._followup_claim(step, today, [decision]))
        self.browse(list(claimed)).invalidate_recordset(["followup_log_ids"])
        return claimed

    @api.model
    def _followup_link_letters(self, claimed, letters):
        """Link the letters to the follow-up logs of their cases (one query)."""
        pairs = [
            (claimed[letter.negotiation_id.id], letter.id)
            for letter in letters
            if letter.negotiation_id.id in claimed
        ]
        if not pairs:
            return
        self.env.cr.execute(
            SQL(
                "INSERT INTO debt_negotiation_followup_log_letter_rel "
                "(log_id, letter_id) SELECT * FROM unnest(%s::int[], %s::int[]) "
                "ON CONFLICT DO NOTHING",
                [log_id for log_id, _letter_id in pairs],
                [letter_id for _log_id, letter_id in pairs],
            )
        )
        self.env["debt.negotiation.followup.log"].browse(
            [log_id for log_id, _letter_id in pairs]
        ).invalidate_recordset(["letter_ids"])

    @api.model
    def _followup_execute(self, decisions, today, claimed=None):
        """Execute the step of ``decisions`` (all for the same step) on
        their cases; return the cases it was executed on.

        The step is claimed first (see :meth:`_followup_claim`); cases whose
        step another run executed are skipped. Then, in this order: the case
        gets its stage, response deadline and next step with its date (so
        the letters print them), the letters are generated (post and/or
        email; emails are queued with the PDF attached), the negotiator gets
        the step's activity, the case its chatter note, and an escalation
        step escalates the case. Errors propagate: the caller runs this in a
        savepoint. ``claimed``: the claims already made for the cases
        (``{case_id: log_id}``, see :meth:`_followup_claim`), if any.
        """
        step = decisions[0].step
        if claimed is None:
            claimed = self._followup_claim(step, today, decisions)
        decisions = [d for d in decisions if d.case.id in claimed]
        if not decisions:
            return self.browse()
        cases = self.browse([d.case.id for d in decisions])
        # the same fields on every case, one write per distinct values: the
        # flush updates the whole batch in a few queries (no tracking: the
        # run logs one note per case)
        by_vals = defaultdict(list)
        for decision in decisions:
            vals = {
                "next_step_id": decision.next_step.id or False,
                "next_action_date": decision.next_date or False,
                "followup_checked_date": today,
                "followup_error": False,
            }
            if step.stage_id:
                vals["stage_id"] = step.stage_id.id
            if step.letter_type:
                vals["response_deadline"] = decision.deadline
            by_vals[tuple(sorted(vals.items()))].append(decision.case.id)
        for items, case_ids in by_vals.items():
            self.browse(case_ids).with_context(mail_notrack=True).write(dict(items))
        if step.letter_type:
            letters = self.env["debt.negotiation.letter"]
            channels = ("post", "email") if step.channel == "both" else (step.channel,)
            for channel in channels:
                new_letters = cases._generate_letter(step.letter_type, channel=channel)
                if channel == "email" and not self.env.context.get(
                    "debt_negotiation_skip_pdf"
                ):
                    # the letters' notes come before their emails
                    self._mail_batch_flush()
                    # queued: sent by the mail queue after the commit
                    new_letters.with_context(mail_notify_force_send=False)._send_email()
                letters |= new_letters
            self._followup_link_letters(claimed, letters)
        if step.activity_type_id:
            by_user = defaultdict(list)
            for case in cases:
                by_user[case.user_id.id].append(case.id)
            for user_id, case_ids in by_user.items():
                self.browse(case_ids).with_context(
                    mail_activity_quick_update=True
                ).activity_schedule(
                    activity_type_id=step.activity_type_id.id,
                    date_deadline=today,
                    summary=step.name,
                    **({"user_id": user_id} if user_id else {}),
                )
        cases._message_log_batch(
            bodies={d.case.id: d.case._followup_note(step, d) for d in decisions}
        )
        if step.escalate:
            cases.filtered(lambda c: c.state in ("open", "broken")).action_escalate()
        return cases

    def _followup_process_batch(self, today, ladders=None):
        """Decide and execute the follow-ups of the cases of ``self`` (one
        batch). One failing case is noted on that case and skipped; the
        others go on. Return a :class:`~collections.Counter` of what
        happened."""
        stats = Counter()
        groups = defaultdict(list)
        for decision in self._followup_decide(today, ladders):
            case = decision.case
            if not decision.step:
                case._followup_write(decision.next_step, decision.next_date, today)
                stats["waiting"] += 1
                continue
            problem = case._followup_problem(decision.step)
            if problem:
                case._followup_log_problem(decision.step, problem, today)
                stats["failed"] += 1
                continue
            groups[decision.step].append(decision)
        if groups:
            # all the steps of the batch at once, their chatter messages
            # created together; on any error, step by step as below
            batch = self._mail_batch_deferred()
            try:
                with self.env.cr.savepoint():
                    claimed = self._followup_claim(
                        False, today, [d for ds in groups.values() for d in ds]
                    )
                    executed = self.browse()
                    for decisions in groups.values():
                        executed |= batch._followup_execute(decisions, today, claimed)
                    batch._mail_batch_flush()
            except Exception:  # noqa: BLE001 - retried step by step below
                _logger.info("Follow-ups: batch failed, retried step by step")
            else:
                stats["executed"] += len(executed)
                return stats
        for step, decisions in groups.items():
            try:
                with self.env.cr.savepoint():
                    executed = self._followup_execute(decisions, today)
            except Exception:  # noqa: BLE001 - retried case by case below
                executed = self.browse()
                for decision in decisions:
                    try:
                        with self.env.cr.savepoint():
                            executed |= self._followup_execute([decision], today)
                    except Exception as error:  # noqa: BLE001 - one bad case
                        stats["failed"] += 1
                        decision.case._followup_fail(step, error, today)
            stats["executed"] += len(executed)
        return stats

    def _followup_fail(self, step, error, today):
        """``step`` failed on this case with ``error``: note it on the case
        (it is tried again on the next day). A concurrency error (another
        transaction changed the case meanwhile) is only logged: the case is
        simply tried again on the next run."""
        self.ensure_one()
        problem = str(error) or type(error).__name__
        _logger.info(
            "Follow-up step %s of case %s failed: %s", step.name, self.name, problem
        )
        if isinstance(error, OperationalError):
            return
        try:
            with self.env.cr.savepoint():
                self._followup_log_problem(step, problem, today)
        except OperationalError:
            _logger.info("Case %s is being changed: retried on the next run", self.name)

    # Running -------------------------------------------------------------
    @api.model
    def _followup_auto_commit(self):
        """Commit after each batch, except in tests (or with the context
        key ``debt_negotiation_no_commit``)."""
        return not (
            self.env.context.get("debt_negotiation_no_commit")
            or getattr(threading.current_thread(), "testing", False)
            or self.env.registry.in_test_mode()
        )

    @api.model
    def _followup_auto_open_groups(self, today, companies=None):
        """Overdue invoices the companies' auto-open setting puts under
        negotiation: ``[(company, debtor, currency, invoice_ids)]``.

        Posted customer invoices unpaid more than the company's
        ``negotiation_auto_open_days`` after their due date, never
        negotiated before (a cancelled case is not reopened)."""
        Company = self.env["res.company"].sudo()
        companies = Company.search(
            [("negotiation_auto_open_days", ">", 0)]
            + ([("id", "in", companies.ids)] if companies is not None else [])
        )
        company_ids = self.env.context.get("debt_negotiation_followup_company_ids")
        if company_ids:
            companies = companies.filtered(lambda c: c.id in company_ids)
        groups = []
        Move = self.env["account.move"].sudo()
        for company in companies:
            limit = today - timedelta(days=company.negotiation_auto_open_days)
            domain = [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", limit),
                ("negotiation_ids", "=", False),
            ]
            for partner, currency, move_ids in Move._read_group(
                domain, ["commercial_partner_id", "currency_id"], ["id:array_agg"]
            ):
                groups.append((company, partner, currency, sorted(move_ids)))
        return groups

    @api.model
    def _followup_auto_open(
        self, today, batch_size=FOLLOWUP_BATCH_SIZE, auto_commit=False
    ):
        """Open (or extend) the debtors' cases on the invoices of the
        auto-open setting; return how many debtors got their invoices
        under negotiation."""
        opened = 0
        Move = self.env["account.move"]
        for chunk in split_every(batch_size, self._followup_auto_open_groups(today)):
            for company, partner, _currency, move_ids in chunk:
                invoices = Move.browse(move_ids)
                negotiator = invoices.invoice_user_id[:1] or partner.user_id
                try:
                    with self.env.cr.savepoint():
                        self.with_company(company).with_context(
                            default_user_id=negotiator.id
                        )._open_case_for_invoices(invoices)
                    opened += 1
                except (UserError, ValidationError) as error:
                    _logger.info(
                        "Follow-ups: no case opened for %s: %s",
                        partner.display_name,
                        error,
                    )
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env.invalidate_all()
        return opened

    @api.model
    def _cron_process_followups(self, batch_size=None, max_batches=None):
        """Daily follow-ups (cron ``ir_cron_process_followups``).

        Expires the proposed offers past their expiry date, opens cases
        with the auto-open setting, then executes the due follow-up step of
        each case, by batches of ``batch_size`` cases (context key
        ``debt_negotiation_followup_batch_size``, default 500). Each batch
        reports its progress to the cron and is committed outside tests,
        so a failure loses nothing done and a rerun goes on where it
        stopped. With ``max_batches`` (or the context key
        ``debt_negotiation_followup_max_batches``) a call stops after that
        many batches and the cron calls again for the rest.

        :return: a Counter of what was done
        """
        today = fields.Date.context_today(self)
        batch_size = batch_size or int(
            self.env.context.get("debt_negotiation_followup_batch_size")
            or FOLLOWUP_BATCH_SIZE
        )
        if max_batches is None:
            max_batches = int(
                self.env.context.get("debt_negotiation_followup_max_batches") or 0
            )
        auto_commit = self._followup_auto_commit()
        Cron = self.env["ir.cron"]
        stats = Counter()
        stats["expired_offers"] = len(
            self.env["debt.negotiation.offer"]._expire_offers(today=today)
        )
        stats["opened"] = self._followup_auto_open(today, batch_size, auto_commit)
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        case_ids = self.search(self._followup_candidate_domain(today), order="id").ids
        ladders = self._followup_ladders()
        done = 0
        for index, batch_ids in enumerate(split_every(batch_size, case_ids)):
            if max_batches and index >= max_batches:
                break
            stats.update(self.browse(batch_ids)._followup_process_batch(today, ladders))
            done += len(batch_ids)
            Cron._notify_progress(done=done, remaining=len(case_ids) - done)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            # keep the memory flat: forget the batch
            self.env.invalidate_all()
        if not case_ids:
            Cron._notify_progress(done=0, remaining=0)
        stats["cases"] = done
        _logger.info("Follow-ups of %s: %s", today, dict(stats))
        return stats

    @api.model
    def action_run_followups_now(self):
        """ "Run Follow-ups Now" (managers): run the follow-ups of the
        user's companies at once, including the cases already looked at
        today (e.g. after fixing a debtor's address)."""
        if not self.env.user.has_group("debt_negotiation.group_negotiation_manager"):
            raise AccessError(
                self.env._("Only a negotiation manager can run the follow-ups.")
            )
        # refuse while the scheduled run is busy
        self.env.ref("debt_negotiation.ir_cron_process_followups").sudo()._try_lock()
        stats = (
            self.sudo()
            .with_context(
                debt_negotiation_followup_force=True,
                debt_negotiation_followup_company_ids=self.env.companies.ids,
            )
            ._cron_process_followups()
        )
        message = self.env._(
            "%(executed)s follow-up steps executed, %(failed)s cases skipped "
            "(see their chatter), %(opened)s debtors put under negotiation, "
            "%(expired)s offers expired.",
            executed=stats["executed"],
            failed=stats["failed"],
            opened=stats["opened"],
            expired=stats["expired_offers"],
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Follow-ups done"),
                "message": message,
                "type": "success",
                "sticky": False,
            },
        }

    @api.model
    def _followup_preview_values(self):
        """Values of the preview lines (``debt.negotiation.followup.preview``):
        what the next run does, computed by the run's own decision code."""
        today = fields.Date.context_today(self)
        vals_list = []
        Move = self.env["account.move"].sudo()
        for company, partner, currency, move_ids in self._followup_auto_open_groups(
            today, self.env.companies
        ):
            invoices = Move.browse(move_ids)
            vals_list.append(
                {
                    "action": "open",
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "currency_id": currency.id,
                    "amount_due": sum(invoices.mapped("amount_residual")),
                    "invoice_count": len(invoices),
                    "oldest_due_date": min(invoices.mapped("invoice_date_due")),
                }
            )
        case_ids = self.search(self._followup_candidate_domain(today), order="id").ids
        batch_size = int(
            self.env.context.get("debt_negotiation_followup_batch_size")
            or FOLLOWUP_BATCH_SIZE
        )
        for batch_ids in split_every(batch_size, case_ids):
            for decision in self.browse(batch_ids)._followup_decide(today):
                step = decision.step
                if not step:
                    continue
                case = decision.case
                problem = case._followup_problem(step)
                vals_list.append(
                    {
                        "action": "skip" if problem else "step",
                        "negotiation_id": case.id,
                        "partner_id": case.partner_id.id,
                        "company_id": case.company_id.id,
                        "user_id": case.user_id.id,
                        "currency_id": case.currency_id.id,
                        "amount_due": case.amount_due,
                        "oldest_due_date": case.oldest_due_date,
                        "invoice_count": case.invoice_count,
                        "step_id": step.id,
                        "step_sequence": step.sequence,
                        "letter_type": step.letter_type,
                        "channel": step.channel if step.letter_type else False,
                        "activity_type_id": step.activity_type_id.id,
                        "stage_id": step.stage_id.id,
                        "escalate": step.escalate,
                        "response_deadline": step.letter_type and decision.deadline,
                        "next_step_id": decision.next_step.id,
                        "next_action_date": decision.next_date,
                        "problem": problem,
                    }
                )
        return vals_list

    # ------------------------------------------------------------------
    # Agreements (issue: agreements) — owned by the agreement work
    # ------------------------------------------------------------------
    next_installment_id = fields.Many2one(
        "debt.negotiation.installment",
        compute="_compute_agreement_progress",
    )
    next_installment_date = fields.Date(
        string="Next Payment Due",
        compute="_compute_agreement_progress",
    )
    next_installment_amount = fields.Monetary(
        string="Next Payment",
        compute="_compute_agreement_progress",
    )
    installment_total_count = fields.Integer(
        string="Installments", compute="_compute_agreement_progress"
    )
    installment_paid_count = fields.Integer(
        string="Installments Paid", compute="_compute_agreement_progress"
    )
    agreement_amount = fields.Monetary(
        string="Agreed Amount", compute="_compute_agreement_progress"
    )
    agreement_amount_paid = fields.Monetary(
        string="Paid under Agreement",
        compute="_compute_agreement_progress",
        help="Payments received since the agreement, allocated to its installments.",
    )
    agreement_progress = fields.Float(
        string="Schedule Progress",
        compute="_compute_agreement_progress",
        help="Share of the agreed amount already paid, in percent.",
    )
    agreement_date = fields.Date(
        string="Agreed On", compute="_compute_agreement_progress"
    )

    @api.depends(
        "installment_ids.state",
        "installment_ids.amount",
        "installment_ids.amount_paid",
        "installment_ids.due_date",
        "installment_ids.offer_id.agreement_date",
    )
    def _compute_agreement_progress(self):
        for case in self:
            case.agreement_date = case.installment_ids.offer_id[:1].agreement_date
            installments = case.installment_ids.sorted(lambda i: i._allocation_key())
            unpaid = installments.filtered(lambda i: i.state != "paid")
            agreed = sum(installments.mapped("amount"))
            paid = sum(installments.mapped("amount_paid"))
            case.next_installment_id = unpaid[:1]
            case.next_installment_date = unpaid[:1].due_date
            case.next_installment_amount = unpaid[:1].amount_residual
            case.installment_total_count = len(installments)
            case.installment_paid_count = len(installments) - len(unpaid)
            case.agreement_amount = agreed
            case.agreement_amount_paid = paid
            case.agreement_progress = (
                min(100.0, round(paid * 100.0 / agreed, 2)) if agreed else 0.0
            )

    def _current_agreement_offer(self):
        """The accepted offer whose installments currently count."""
        self.ensure_one()
        return self.installment_ids.offer_id[:1] or self.agreement_offer_id

    def action_open_agreement_wizard(self):
        """Confirm the newest open offer of the case in writing."""
        self.ensure_one()
        offer = (
            self.current_offer_id
            or self.offer_ids.filtered(lambda o: o.state == "draft").sorted("id")[-1:]
        )
        if not offer:
            raise UserError(
                self.env._(
                    "Case %(case)s has no open offer to confirm: create or "
                    "propose one first.",
                    case=self.name,
                )
            )
        return offer.action_accept()

    def action_open_cancel_agreement_wizard(self):
        self.ensure_one()
        self._check_agreement_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel Agreement"),
            "res_model": "debt.negotiation.agreement.cancel.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_negotiation_id": self.id},
        }

    def _check_agreement_manager(self):
        if not self.env.user.has_group("debt_negotiation.group_negotiation_manager"):
            raise AccessError(
                self.env._("Only a negotiation manager can cancel an agreement.")
            )

    def action_cancel_agreement(self, reason, cancel_case=False):
        """Cancel the current agreement of the cases (managers only).

        The agreed offer becomes ``withdrawn`` with the reason, its
        installments are archived (they no longer count but stay on record
        with the agreement letter), the reason is logged as an interaction
        and in the chatter, and the negotiation resumes (``open``), or the
        case is cancelled with ``cancel_case``.
        """
        self._check_agreement_manager()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(
                self.env._("Please give the reason for cancelling the agreement.")
            )
        self._check_state(
            ("agreement", "broken", "disputed"), self.env._("cancel the agreement of")
        )
        internal = {"debt_negotiation_agreement_write": True}
        for case in self:
            offer = case._current_agreement_offer()
            if not offer or offer.state != "accepted":
                raise UserError(
                    self.env._(
                        "Case %(case)s has no agreement to cancel.", case=case.name
                    )
                )
            with self.env.cr.savepoint():
                case.installment_ids.with_context(**internal).write({"active": False})
                offer.with_context(**internal).write(
                    {
                        "state": "withdrawn",
                        "agreement_cancel_reason": reason,
                        "answered_date": fields.Date.context_today(self),
                    }
                )
                self.env["debt.negotiation.interaction"].create(
                    {
                        "negotiation_id": case.id,
                        "channel": "other",
                        "direction": "outbound",
                        "contact_name": case.partner_id.name,
                        "summary": self.env._(
                            "Agreement cancelled (%(offer)s): %(reason)s",
                            offer=offer.display_name,
                            reason=reason,
                        ),
                        "outcome": "other",
                    }
                )
                case.message_post(
                    body=self.env._(
                        "Agreement cancelled by %(user)s: %(offer)s. "
                        "Reason: %(reason)s",
                        user=self.env.user.name,
                        offer=offer.display_name,
                        reason=reason,
                    )
                )
                if case.state == "disputed":
                    case.dispute_previous_state = "open"
                else:
                    case.state = "open"
        if cancel_case:
            self.action_cancel()
        else:
            self._schedule_next_action()
        return True

    # Monitoring -------------------------------------------------------
    @api.model
    def _cron_monitor_agreements(self, batch_size=200):
        """Daily: refresh installment states, break the agreements with a
        missed installment, settle the fulfilled ones.

        Idempotent: each step only selects what still needs it (a broken or
        settled case leaves the ``agreement`` state). Every case is handled in
        its own savepoint, so one failing case does not block the others.
        """
        # The cron works for every company, whatever its user may see.
        cases_env = self.sudo().with_context(active_test=True)
        today = fields.Date.context_today(self)
        Installment = self.env["debt.negotiation.installment"].sudo()
        stale = Installment.search(Installment._stale_state_domain(today))
        for batch in split_every(batch_size, stale.ids, Installment.browse):
            batch._refresh_state()
        to_break = cases_env.search(
            [("state", "=", "agreement"), ("installment_ids.state", "=", "missed")]
        )
        to_settle = cases_env.search(
            [
                ("state", "=", "agreement"),
                ("id", "not in", to_break.ids),
                ("installment_ids", "!=", False),
                ("installment_ids", "not any", [("state", "!=", "paid")]),
            ]
        )
        for method, cases in (
            ("_break_agreement", to_break),
            ("_fulfil_agreement", to_settle),
        ):
            for batch in split_every(batch_size, cases.ids, cases_env.browse):
                for case in batch:
                    try:
                        with self.env.cr.savepoint():
                            getattr(case.with_company(case.company_id), method)()
                    except (UserError, ValidationError) as error:
                        _logger.warning(
                            "Agreement monitoring skipped case %s: %s", case.name, error
                        )
        return True

    def _break_agreement(self):
        """A payment of the agreement was missed beyond the grace days: the
        case is ``broken``, the broken-promise letter goes out and the
        negotiator gets an activity."""
        for case in self:
            missed = case.installment_ids.filtered(
                lambda i: i.state == "missed"
            ).sorted(lambda i: i._allocation_key())[:1]
            case.write({"state": "broken", "response_deadline": False})
            case.message_post(
                body=self.env._(
                    "Agreement broken: %(installment)s of %(amount)s due on "
                    "%(date)s was not paid within the grace period.",
                    installment=missed.name,
                    amount=case.currency_id.format(missed.amount_residual),
                    date=format_date(self.env, missed.due_date),
                )
            )
            if case.negotiation_blocked:
                case.message_post(
                    body=self.env._(
                        "No broken-promise letter: this debtor never receives "
                        "automatic letters."
                    )
                )
            else:
                case._generate_letter("broken_promise", installment=missed)
            case.activity_schedule(
                "debt_negotiation.mail_activity_type_negotiation_call",
                user_id=case.user_id.id or self.env.uid,
                summary=self.env._("Broken promise: call the debtor"),
                note=self.env._(
                    "%(installment)s due on %(date)s was missed; the agreement "
                    "is broken.",
                    installment=missed.name,
                    date=format_date(self.env, missed.due_date),
                ),
            )
            case._schedule_next_action()
        return True

    def _fulfil_agreement(self):
        """Every installment is paid: write off what the agreement forgave
        (settlements and discounted plans) and settle the case. Full payment
        and extension agreements settle once their invoices are paid."""
        for case in self:
            offer = case._current_agreement_offer()
            currency = case.currency_id
            remaining = sum(offer.agreement_invoice_ids.mapped("amount_residual"))
            if not currency.is_zero(remaining):
                if not offer._agreement_forgives_balance():
                    continue
                case._write_off_agreement_balance(offer)
            other_due = case.currency_id.round(
                sum(
                    (case.invoice_ids - offer.agreement_invoice_ids).mapped(
                        "amount_residual"
                    )
                )
            )
            if not currency.is_zero(other_due):
                # Invoices added after the agreement are still open: the
                # agreement is done, the negotiation goes on for them.
                case.write({"state": "open"})
                case.message_post(
                    body=self.env._(
                        "Agreement fulfilled: %(offer)s is paid. %(amount)s is still "
                        "due on invoices added after the agreement; the negotiation "
                        "continues.",
                        offer=offer.display_name,
                        amount=currency.format(other_due),
                    )
                )
                case._schedule_next_action()
                continue
            case.write(
                {
                    "state": "settled",
                    "response_deadline": False,
                    "next_action_date": False,
                }
            )
            if offer.agreement_writeoff_move_id:
                body = self.env._(
                    "Agreement fulfilled: every installment of %(offer)s is paid. "
                    "The remaining %(amount)s was written off (%(move)s); the "
                    "case is settled.",
                    offer=offer.display_name,
                    amount=currency.format(offer.agreement_writeoff_amount),
                    move=offer.agreement_writeoff_move_id.name,
                )
            else:
                body = self.env._(
                    "Agreement fulfilled: %(offer)s is paid; the case is settled.",
                    offer=offer.display_name,
                )
            case.message_post(body=body)
        return True

    def _write_off_agreement_balance(self, offer):
        """Write the balance left on the agreement invoices off to the
        company's write-off account: a posted journal entry whose receivable
        lines are reconciled with the invoices (they end ``paid``).

        Each open receivable line of the invoices gets a counterpart for its
        exact residual, in the invoice currency and in the company currency,
        so the reconciliation is full and needs no exchange difference.
        """
        self.ensure_one()
        company = self.company_id
        account = company.negotiation_writeoff_account_id
        if not account:
            raise UserError(
                self.env._(
                    "Set the settlement write-off account of %(company)s in the "
                    "Accounting settings to settle %(case)s.",
                    company=company.name,
                    case=self.name,
                )
            )
        Journal = self.env["account.journal"].sudo()
        journal = Journal.search(
            [*Journal._check_company_domain(company), ("type", "=", "general")],
            limit=1,
        )
        if not journal:
            raise UserError(
                self.env._(
                    "%(company)s has no miscellaneous journal for the settlement "
                    "write-off.",
                    company=company.name,
                )
            )
        receivables = (
            offer.agreement_invoice_ids.sudo()
            .filtered(lambda m: m.state == "posted")
            .line_ids.filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable"
                    and not line.reconciled
                )
            )
        )
        label = self.env._("Settlement write-off %(case)s", case=self.name)
        line_vals = [
            Command.create(
                {
                    "name": f"{label} - {line.move_id.name}",
                    "account_id": line.account_id.id,
                    "partner_id": line.partner_id.id,
                    "currency_id": line.currency_id.id,
                    "amount_currency": -line.amount_residual_currency,
                    "balance": -line.amount_residual,
                }
            )
            for line in receivables
        ]
        amount_currency = sum(receivables.mapped("amount_residual_currency"))
        line_vals.append(
            Command.create(
                {
                    "name": label,
                    "account_id": account.id,
                    "partner_id": self.partner_id.id,
                    "currency_id": self.currency_id.id,
                    "amount_currency": amount_currency,
                    "balance": sum(receivables.mapped("amount_residual")),
                }
            )
        )
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": fields.Date.context_today(self),
                    "ref": label,
                    "partner_id": self.partner_id.id,
                    "line_ids": line_vals,
                }
            )
        )
        move.action_post()
        for receivable_account in receivables.account_id:
            (move.line_ids | receivables).filtered(
                lambda line, acc=receivable_account: (
                    line.account_id == acc and not line.reconciled
                )
            ).reconcile()
        offer.with_context(debt_negotiation_agreement_write=True).write(
            {
                "agreement_writeoff_move_id": move.id,
                "agreement_writeoff_amount": amount_currency,
            }
        )
        return move
