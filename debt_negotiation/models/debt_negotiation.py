# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import threading
from collections import Counter, defaultdict, namedtuple
from datetime import timedelta

from markupsafe import Markup, escape
from psycopg2 import OperationalError
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import html2plaintext, split_every
from odoo.tools.mail import generate_tracking_message_id
from odoo.tools.misc import format_date
from odoo.tools.sql import SQL

from ..const import (
    CHASING_STATES,
    DISPUTABLE_STATES,
    MANAGER_GROUP,
    OPEN_STATES,
    STATE_SELECTION,
)
from ..tools.negotiation_rules import plan_next_step, step_to_run
from .workflow import is_privileged, readonly_stored_computes, refuse_forced, workflow

_logger = logging.getLogger(__name__)

# Cases the scheduled follow-ups handle per transaction (context key
# ``debt_negotiation_followup_batch_size`` overrides it).
FOLLOWUP_BATCH_SIZE = 500
# Fields only the case's own actions change (see ``models/workflow.py``),
# besides its stored computed fields.
WORKFLOW_FIELDS = {"state", "dispute_previous_state"}
# What a follow-up run does on a case: ``step`` (empty when none is due) with
# the new ``deadline``, then ``next_step`` on ``next_date``.
FollowupDecision = namedtuple(
    "FollowupDecision", "case step deadline next_step next_date"
)


class DebtNegotiation(models.Model):
    _name = "debt.negotiation"
    _description = "Debt Negotiation Case"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
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
    invoice_count = fields.Integer(compute="_compute_invoice_count")
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
    dispute_reason = fields.Text(
        tracking=True, copy=False, groups="debt_negotiation.group_negotiation_user"
    )
    dispute_previous_state = fields.Selection(
        STATE_SELECTION, copy=False, groups="debt_negotiation.group_negotiation_user"
    )
    note = fields.Html(
        string="Internal Notes", groups="debt_negotiation.group_negotiation_user"
    )
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
    def _compute_invoice_count(self):
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
                and case.state in CHASING_STATES
            )

    def _search_response_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on overdue responses."))
        today = fields.Date.context_today(self)
        domain = [
            ("response_deadline", "<", today),
            ("state", "in", CHASING_STATES),
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
            problems = case.invoice_ids._negotiation_mismatches(
                case.partner_id, case.company_id, case.currency_id
            )
            if problems:
                raise ValidationError(
                    case.invoice_ids._negotiation_problem_message(
                        problems,
                        self.env._(
                            "Case %(case)s cannot hold these invoices:",
                            case=case.name,
                        ),
                    )
                )

    def _one_open_case_error(self, partner, company, duplicate):
        """The refusal of a second open case. The existing case is named only
        to a user who may read it: another company's case stays unseen."""
        visible = duplicate.with_env(self.env)._filtered_access("read")
        if visible:
            message = self.env._(
                "%(partner)s already has an open negotiation case (%(case)s) "
                "in %(company)s. Add the invoices to it instead.",
                partner=partner.display_name,
                case=visible.name,
                company=company.name,
            )
        else:
            message = self.env._(
                "%(partner)s already has an open negotiation case in this "
                "company, or one you cannot see. Add the invoices to it instead, "
                "or ask a negotiation manager.",
                partner=partner.display_name,
            )
        return ValidationError(message)

    def _precheck_one_open_case(self, keys):
        """Refuse to make a second open case per debtor and company, with a
        clear message, BEFORE the row reaches the database, whose unique
        index (:meth:`init`, the rule itself, safe with concurrent workers)
        would otherwise fail with a raw integrity error. ``keys``:
        ``(partner_id, company_id)`` of the cases about to be open;
        ``self``: the cases being written."""
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
        if not is_privileged(self):
            for vals in vals_list:
                self._check_workflow_vals(vals, creating=True)
        for vals in vals_list:
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["partner_id"] = partner.commercial_partner_id.id
        self._precheck_one_open_case(
            (vals.get("partner_id"), vals.get("company_id") or self.env.company.id)
            for vals in vals_list
            if vals.get("state", "open") in OPEN_STATES
        )
        for vals in vals_list:
            company = self.env["res.company"].browse(
                vals.get("company_id") or self.env.company.id
            )
            if not vals.get("name") or vals["name"] == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].with_company(
                    company
                ).next_by_code("debt.negotiation") or self.env._("New")
            if "currency_id" not in vals and vals.get("company_id"):
                vals["currency_id"] = company.currency_id.id
        cases = super().create(vals_list)
        for case in cases:
            case.message_subscribe(partner_ids=case.user_id.partner_id.ids)
        return cases

    def write(self, vals):
        if not is_privileged(self):
            self._check_workflow_vals(vals)
        if vals.get("user_id"):
            user = self.env["res.users"].browse(vals["user_id"])
            self.message_subscribe(partner_ids=user.partner_id.ids)
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
        res = super().write(vals)
        if "state" in vals and "stage_id" not in vals:
            self._sync_stage()
        return res

    def _check_workflow_vals(self, vals, creating=False):
        """Refuse what a client may not write on these cases (or, with
        ``creating``, give a new case): the workflow fields, which only the
        actions change (a new case starts ``open``), the stored computed
        fields, and a stage bound to another state than the case's."""
        protected = WORKFLOW_FIELDS | readonly_stored_computes(self)
        forced = sorted(protected & set(vals))
        if creating:
            # a new case starts open, with nothing of its workflow yet
            forced = [
                name
                for name in forced
                if vals[name] and not (name == "state" and vals[name] == "open")
            ]
        refuse_forced(
            self,
            forced,
            self.env._(
                "A case's %(fields)s can only be changed through its actions "
                "(dispute, escalate, agreement, cancel...), not by a direct edit."
            ),
        )
        stage = self.env["debt.negotiation.stage"].browse(vals.get("stage_id"))
        if not stage.state:
            return
        states = ["open"] if creating else self.mapped("state")
        for state in states:
            if state != stage.state:
                labels = dict(self._fields["state"]._description_selection(self.env))
                raise UserError(
                    self.env._(
                        "Stage %(stage)s holds the cases that are %(bound)s; this "
                        "case is %(state)s. Its status changes only through its "
                        "actions, and its stage follows.",
                        stage=stage.name,
                        bound=labels[stage.state],
                        state=labels[state],
                    )
                )

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
            if case.agreement_ids or "accepted" in case.offer_ids.mapped("state"):
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

    # Chatter in batches ---------------------------------------------------
    # The follow-ups post on thousands of cases per run. The methods below
    # create the same messages as message_post() / _message_log() would,
    # case after case, but in a few queries per batch. Within a follow-up
    # batch (context key ``debt_negotiation_deferred_messages``: a list)
    # the messages are collected and created together at the end of the
    # batch, in the same order for each case.
    @api.model
    def _message_post_notes(self, posts, message_type="notification"):
        """Post notes on cases as ``case.message_post(body=body,
        message_type=message_type, subtype_xmlid="mail.mt_note",
        attachment_ids=attachment_ids)`` would, one post after the other.

        :param posts: list of ``(case, body, attachment_ids)``, in posting
            order (a case may appear several times)
        :return: the new messages (none yet when deferred)
        """
        entries = [
            ("post", case, body, attachment_ids, message_type)
            for case, body, attachment_ids in posts
        ]
        deferred = self.env.context.get("debt_negotiation_deferred_messages")
        if deferred is not None:
            deferred.extend(entries)
            return self.env["mail.message"]
        return self._message_create_entries(entries)

    def _message_log_batch(self, bodies, *args, **kwargs):
        deferred = self.env.context.get("debt_negotiation_deferred_messages")
        if deferred is None or args or not self:
            return super()._message_log_batch(bodies, *args, **kwargs)
        if len(self) > 1 and (
            kwargs.get("attachment_ids") or kwargs.get("tracking_value_ids")
        ):
            return super()._message_log_batch(bodies, *args, **kwargs)
        # one message id per call, as _message_log_batch does
        kwargs = dict(kwargs, message_id=generate_tracking_message_id("message-notify"))
        deferred.extend(("log", case, bodies.get(case.id, ""), kwargs) for case in self)
        return self.env["mail.message"]

    def _message_track(self, fields_iter, initial_values_dict):
        """Log the tracking messages of all the records in one batch instead
        of one ``_message_log`` per record; same messages."""
        logs = []
        tracking = super(
            DebtNegotiation,
            self.with_context(debt_negotiation_deferred_messages=logs),
        )._message_track(fields_iter, initial_values_dict)
        self._message_create_entries(logs)
        return tracking

    @api.model
    def _message_flush_deferred(self):
        """Create the messages collected so far in the follow-up batch."""
        deferred = self.env.context.get("debt_negotiation_deferred_messages")
        if deferred:
            entries = list(deferred)
            del deferred[:]
            self._message_create_entries(entries)

    @api.model
    def _message_create_entries(self, entries):
        """Create the messages of ``entries``, in order: ``("post", case,
        body, attachment_ids, message_type)`` as message_post() does, and
        ``("log", case, body, kwargs)`` as _message_log_batch() does."""
        Message = self.env["mail.message"]
        if not entries:
            return Message
        self = self.with_context(debt_negotiation_deferred_messages=None)
        if self.env.user._is_public() or not self._mail_flat_thread:
            return self._message_create_entries_one_by_one(entries)
        cases = self.browse(list(dict.fromkeys(e[1].id for e in entries)))
        cases = cases._fallback_lang()
        posts = [e for e in entries if e[0] == "post"]
        post_cases = cases.browse(list(dict.fromkeys(e[1].id for e in posts)))
        values, post = self._message_entry_values(post_cases)
        # flat threads: a message answers the first one of its thread
        parents = dict(
            Message.sudo()._read_group(
                [
                    ("res_id", "in", cases.ids),
                    ("model", "=", self._name),
                    ("message_type", "!=", "user_notification"),
                ],
                ["res_id"],
                ["id:min"],
            )
        )
        attachment_ids = [aid for e in posts for aid in (e[3] or [])]
        if attachment_ids:  # read together for _process_attachments_for_post
            self.env["ir.attachment"].sudo().browse(attachment_ids).mapped("res_model")
        created = []  # [(entry, message values, message)]
        todo = [(e[0], cases.browse(e[1].id), *e[2:]) for e in entries]
        while todo:
            # one message per case at a time, so that the first message of
            # a thread started here is the parent of the next ones
            batch, later, seen = [], [], set()
            for entry in todo:
                if entry[1].id in seen:
                    later.append(entry)
                else:
                    seen.add(entry[1].id)
                    batch.append(entry)
            todo = later
            vals_list = [values(entry, parents) for entry in batch]
            for entry, vals, message in zip(
                batch,
                vals_list,
                self._message_create_values(batch, vals_list),
                strict=True,
            ):
                parents.setdefault(entry[1].id, message.id)
                created.append((entry, vals, message))
        self._message_after_posts([c for c in created if c[0][0] == "post"], post)
        return Message.browse([message.id for _entry, _vals, message in created])

    def _message_entry_values(self, post_cases):
        """Return ``values(entry, parents)``: the values of the message of
        an entry (see :meth:`_message_create_entries`)."""
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        post = {}
        if post_cases:
            author_id, email_from = post_cases._message_compute_author(
                raise_on_email=True
            )
            post = {
                "author_id": author_id,
                "email_from": email_from,
                "subtype_id": subtype_id,
                "alias_domains": post_cases.sudo()._mail_get_alias_domains(
                    default_company=self.env.company
                ),
                "companies": post_cases._mail_get_companies(default=self.env.company),
                "reply_to": post_cases._notify_get_reply_to(default=email_from),
            }
        authors, reply_to = {}, {}

        def values(entry, parents):
            case = entry[1]
            if entry[0] == "post":
                _kind, case, body, attachment_ids, message_type = entry
                vals = {
                    "email_add_signature": True,
                    "record_name": case.sudo().display_name,
                    "author_id": post["author_id"],
                    "author_guest_id": False,
                    "email_from": post["email_from"],
                    "model": self._name,
                    "res_id": case.id,
                    "body": escape(body),
                    "message_type": message_type,
                    "parent_id": parents.get(case.id, False),
                    "subject": False,
                    "subtype_id": subtype_id,
                    "partner_ids": [],
                    "record_alias_domain_id": post["alias_domains"][case.id].id,
                    "record_company_id": post["companies"][case.id].id,
                    "reply_to": post["reply_to"][case.id],
                }
                vals.update(
                    case._process_attachments_for_post(
                        [], list(attachment_ids or []), vals
                    )
                )
                return vals
            _kind, case, body, kwargs = entry
            key = (kwargs.get("author_id"), kwargs.get("email_from"))
            if key not in authors:
                authors[key] = case._message_compute_author(*key, raise_on_email=False)
            author_id, email_from = authors[key]
            if email_from not in reply_to:
                reply_to[email_from] = self.env["mail.thread"]._notify_get_reply_to(
                    default=email_from
                )[False]
            return {
                "author_id": author_id,
                "email_from": email_from,
                "model": self._name,
                "record_alias_domain_id": False,
                "record_company_id": False,
                "record_name": False,
                "attachment_ids": kwargs.get("attachment_ids", False),
                "message_type": kwargs.get("message_type", "notification"),
                "is_internal": True,
                "subject": kwargs.get("subject", False),
                "subtype_id": subtype_id,
                "tracking_value_ids": kwargs.get("tracking_value_ids", False),
                "email_add_signature": False,
                "message_id": kwargs.get("message_id")
                or generate_tracking_message_id("message-notify"),
                "partner_ids": kwargs.get("partner_ids", False),
                "reply_to": reply_to[email_from],
                "res_id": case.id,
                "body": escape(body),
            }

        return values, post

    def _message_create_values(self, entries, vals_list):
        """Create the messages of ``vals_list`` (posts as the user, logs as
        superuser, like message_post and _message_log_batch), with their
        tracking values in one query."""
        tracking = [vals.pop("tracking_value_ids", False) or [] for vals in vals_list]
        if self.env.su:
            messages = self._message_create(vals_list)
        else:
            messages = self.env["mail.message"].browse()
            by_id = {}
            for su in (False, True):
                indexes = [
                    i for i, entry in enumerate(entries) if (entry[0] == "log") == su
                ]
                if indexes:
                    model = self.sudo() if su else self
                    new = model._message_create([vals_list[i] for i in indexes])
                    by_id.update(zip(indexes, new.ids, strict=True))
            messages = messages.browse([by_id[i] for i in range(len(vals_list))])
        tracking_vals = []
        for message, commands in zip(messages, tracking, strict=True):
            creates = [cmd for cmd in commands if len(cmd) == 3 and cmd[0] == 0]
            tracking_vals += [
                dict(cmd[2], mail_message_id=message.id) for cmd in creates
            ]
            if len(creates) != len(commands):
                message.sudo().write({"tracking_value_ids": commands})
        if tracking_vals:
            self.env["mail.tracking.value"].sudo().create(tracking_vals)
        return messages

    def _message_after_posts(self, created, post):
        """What message_post does once the message exists: subscribe the
        author, the post hook, the notification of the followers of notes."""
        if not created:
            return
        commented = self.browse(
            [
                entry[1].id
                for entry, _vals, _msg in created
                if entry[4] != "notification"
            ]
        )
        if commented and not self.env.context.get("mail_create_nosubscribe"):
            real_author_id = False
            if self.env.user.active:
                real_author_id = self.env.user.partner_id.id
            elif post["author_id"]:
                author = self.env["res.partner"].browse(post["author_id"])
                if author.active:
                    real_author_id = author.id
            if real_author_id:
                commented._message_subscribe(partner_ids=[real_author_id])
        for entry, vals, message in created:
            entry[1]._message_post_after_hook(message, vals)
        # notify: only the cases with followers of notes need the full flow
        post_cases = self.browse([entry[1].id for entry, _vals, _msg in created])
        recipients = {}
        for message_type in {entry[4] for entry, _vals, _msg in created}:
            recipients[message_type] = self.env["mail.followers"]._get_recipient_data(
                post_cases, message_type, post["subtype_id"]
            )
        for entry, vals, message in created:
            if recipients[entry[4]].get(entry[1].id):
                entry[1]._notify_thread(message, vals)

    @api.model
    def _message_create_entries_one_by_one(self, entries):
        messages = self.env["mail.message"]
        for entry in entries:
            case = self.browse(entry[1].id)
            if entry[0] == "post":
                _kind, _case, body, attachment_ids, message_type = entry
                messages |= case.message_post(
                    body=body,
                    message_type=message_type,
                    subtype_xmlid="mail.mt_note",
                    attachment_ids=list(attachment_ids or []),
                )
            else:
                _kind, _case, body, kwargs = entry
                kwargs = {k: v for k, v in kwargs.items() if k != "message_id"}
                messages |= case._message_log(body=body, **kwargs)
        return messages

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
        """Refuse ``action`` (a key of :meth:`_state_error_messages`) on
        cases whose state is not in ``allowed``."""
        for case in self:
            if case.state not in allowed:
                state_label = dict(
                    self._fields["state"]._description_selection(self.env)
                )[case.state]
                message = self._state_error_messages()[action]
                raise UserError(message % {"case": case.name, "state": state_label})

    def _state_error_messages(self):
        return {
            "dispute": self.env._("Case %(case)s cannot be disputed: it is %(state)s."),
            "resolve_dispute": self.env._(
                "Case %(case)s is not in dispute: it is %(state)s."
            ),
            "escalate": self.env._(
                "Case %(case)s cannot be escalated: it is %(state)s."
            ),
            "cancel": self.env._("Case %(case)s cannot be cancelled: it is %(state)s."),
            "reopen": self.env._("Case %(case)s cannot be reopened: it is %(state)s."),
            "cancel_agreement": self.env._(
                "Case %(case)s has no agreement to cancel: it is %(state)s."
            ),
        }

    def action_dispute(self, reason):
        """The debtor disputes the claim: automatic follow-ups pause."""
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Please give the reason of the dispute."))
        self._set_disputed(reason)
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
        return True

    def _set_disputed(self, reason):
        """Put the cases in dispute (the debtor contests the claim), which
        pauses the automatic follow-ups, and say why in the chatter."""
        self._check_state(DISPUTABLE_STATES, "dispute")
        for case in self:
            workflow(case).write(
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
        self._check_state(("disputed",), "resolve_dispute")
        for case in self:
            previous = case.dispute_previous_state or "open"
            if previous == "disputed":
                previous = "open"
            workflow(case).write({"state": previous, "dispute_previous_state": False})
            case.message_post(
                body=self.env._("Dispute resolved; the negotiation resumes.")
            )
        self._schedule_next_action()
        return True

    def action_escalate(self):
        self._check_state(("open", "disputed", "broken"), "escalate")
        workflow(self).write({"state": "escalated", "next_action_date": False})
        self._message_post_notes(
            [
                (
                    case,
                    self.env._("Case escalated (collection agency or legal action)."),
                    [],
                )
                for case in self
            ]
        )
        return True

    def action_cancel(self):
        self._check_state(OPEN_STATES, "cancel")
        if self.filtered(
            lambda c: c.state == "agreement"
        ) and not self.env.user.has_group(MANAGER_GROUP):
            raise UserError(
                self.env._(
                    "Only a negotiation manager can cancel a case under agreement."
                )
            )
        open_offers = self.offer_ids.filtered(
            lambda o: o.state in ("draft", "proposed")
        )
        open_offers._write_workflow({"state": "withdrawn"})
        workflow(self).write({"state": "cancelled", "next_action_date": False})
        for case in self:
            case.message_post(body=self.env._("Case cancelled."))
        return True

    def action_reopen(self):
        self._check_state(("cancelled", "escalated"), "reopen")
        workflow(self).write({"state": "open"})
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
        return self._action_view(
            "account.action_move_out_invoice_type",
            [("id", "in", self.invoice_ids.ids)],
            {"default_move_type": "out_invoice", "create": False},
        )

    def action_view_letters(self):
        return self._action_view(
            "debt_negotiation.action_debt_negotiation_letter",
            [("negotiation_id", "=", self.id)],
            {"default_negotiation_id": self.id},
        )

    def action_view_interactions(self):
        return self._action_view(
            "debt_negotiation.action_debt_negotiation_interaction",
            [("negotiation_id", "=", self.id)],
            {"default_negotiation_id": self.id},
        )

    def action_view_offers(self):
        return self._action_view(
            "debt_negotiation.action_debt_negotiation_offer",
            [("negotiation_id", "=", self.id)],
            {"default_negotiation_id": self.id, "default_amount": self.amount_due},
        )

    def _action_view(self, xmlid, domain, context):
        """The window action ``xmlid`` restricted to ``domain`` of this case."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = domain
        action["context"] = context
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
    # Letters (issue: letters) — owned by the letters work
    # ------------------------------------------------------------------
    def _generate_letter(
        self,
        letter_type,
        channel="post",
        offer=False,
        installment=False,
        signed_by=False,
        signed_on=False,
        signature=False,
    ):
        """Generate a letter of ``letter_type`` for each case of ``self``.

        Creates the ``debt.negotiation.letter`` records, renders their PDFs
        in one wkhtmltopdf run and stores each as an attachment of its
        letter (never regenerated), posts the PDF in the case's chatter
        and logs an outbound ``letter``/``email`` interaction.

        :param letter_type: ``reminder``, ``negotiation``, ``final_notice``,
            ``agreement`` or ``broken_promise``
        :param channel: ``post`` (the letter waits in "Letters to Send") or
            ``email`` (the caller sends it, e.g. ``letters._send_email()``
            or ``letter.action_send_email()``, which mark it sent)
        :param offer: offer record(s) or id whose terms the letter states;
            per case, the one belonging to it (default: the case's open
            creditor offer; for agreement/broken-promise letters the agreed
            offer)
        :param installment: installment record(s) or id (broken-promise
            letters; default: the oldest missed, else late, installment)
        :param signed_by, signed_on, signature: agreement letters, what the
            debtor signed (name, date, image as base64); printed in the
            signature block
        With context ``debt_negotiation_skip_pdf`` the PDF is not rendered
        (it is rendered and stored on first print).
        :return: the new letters (``debt.negotiation.letter``)
        """
        Letter = self.env["debt.negotiation.letter"]
        if letter_type not in dict(Letter._fields["letter_type"].selection):
            raise UserError(
                self.env._("Unknown letter type: %(type)s", type=letter_type)
            )
        if channel not in ("post", "email"):
            raise UserError(
                self.env._("Unknown letter channel: %(channel)s", channel=channel)
            )
        if not self:
            return Letter
        if isinstance(offer, int):
            offer = self.env["debt.negotiation.offer"].browse(offer)
        if isinstance(installment, int):
            installment = self.env["debt.negotiation.installment"].browse(installment)
        vals_list = []
        for case in self:
            case_offer = (
                offer.filtered(lambda o, c=case: o.negotiation_id == c)[:1]
                if offer
                else case._letter_default_offer(letter_type)
            )
            case_installment = (
                installment.filtered(lambda i, c=case: i.negotiation_id == c)[:1]
                if installment
                else case._letter_default_installment(letter_type)
            )
            deadline, next_date = case._letter_dates(letter_type, case_offer)
            vals = {
                "negotiation_id": case.id,
                "letter_type": letter_type,
                "channel": channel,
                "offer_id": case_offer.id,
                "installment_id": case_installment.id,
                "amount_due": case.amount_due,
                "response_deadline": deadline,
                "next_date": next_date,
            }
            if letter_type == "agreement":
                vals.update(
                    {
                        "signed_by": signed_by or False,
                        "signed_on": signed_on or False,
                        "signature": signature or False,
                    }
                )
            vals_list.append(vals)
        letters = Letter.create(vals_list)
        if not self.env.context.get("debt_negotiation_skip_pdf"):
            letters._ensure_pdf()
        letters._log_generated()
        return letters

    def _letter_default_offer(self, letter_type):
        """The offer a letter of ``letter_type`` states by default."""
        self.ensure_one()
        if letter_type in ("agreement", "broken_promise"):
            return (
                self.agreement_id.offer_id
                or self.offer_ids.filtered(lambda o: o.state == "accepted").sorted(
                    "id"
                )[-1:]
            )
        if letter_type in ("negotiation", "final_notice"):
            proposed = self.offer_ids.filtered(
                lambda o: o.state == "proposed" and o.origin == "creditor"
            )
            return proposed.sorted("id")[-1:]
        return self.env["debt.negotiation.offer"]

    def _letter_default_installment(self, letter_type):
        self.ensure_one()
        if letter_type != "broken_promise":
            return self.env["debt.negotiation.installment"]
        installments = self.installment_ids.sorted(
            lambda i: (i.due_date, i.sequence, i.id)
        )
        today = fields.Date.context_today(self)
        return (
            installments.filtered(lambda i: i.state == "missed")[:1]
            or installments.filtered(lambda i: i.state == "late")[:1]
            or installments.filtered(
                lambda i: i.state != "paid" and i.due_date and i.due_date < today
            )[:1]
        )

    def _letter_dates(self, letter_type, offer=False):
        """Return ``(response_deadline, next_date)`` of a new letter.

        The response deadline is the open offer's expiry, else the case's
        deadline when still ahead, else today + the company's response
        days; the case keeps it. The next step happens on the case's
        ``next_action_date`` when it is ahead, else on the deadline.
        """
        self.ensure_one()
        today = fields.Date.context_today(self)
        if letter_type not in (
            "reminder",
            "negotiation",
            "final_notice",
            "broken_promise",
        ):
            return False, False
        deadline = False
        if (
            offer
            and offer.state == "proposed"
            and offer.expiry_date
            and offer.expiry_date >= today
        ):
            deadline = offer.expiry_date
        elif self.response_deadline and self.response_deadline >= today:
            deadline = self.response_deadline
        else:
            days = self.company_id.negotiation_response_days or 14
            deadline = fields.Date.add(today, days=days)
        if self.response_deadline != deadline:
            self.response_deadline = deadline
        next_date = deadline
        if self.next_action_date and self.next_action_date > today:
            next_date = self.next_action_date
        return deadline, next_date

    def _get_default_letter_type(self):
        """The letter the case's current follow-up step would send, else
        the formal negotiation letter."""
        self.ensure_one()
        if self.state == "broken":
            return "broken_promise"
        if self.state == "agreement":
            return "agreement"
        if self.oldest_due_date:
            today = fields.Date.context_today(self)
            steps = self.env["debt.negotiation.followup.step"].search(
                [("company_id", "=", self.company_id.id), ("letter_type", "!=", False)]
            )
            reached = steps.filtered(
                lambda s: (
                    fields.Date.add(self.oldest_due_date, days=s.delay_days) <= today
                )
            )
            if reached:
                return reached[-1].letter_type
        return "negotiation"

    def _preview_letters(self, letter_type=False):
        """Unsaved letters of the cases, to render an HTML preview."""
        Letter = self.env["debt.negotiation.letter"]
        letters = Letter
        today = fields.Date.context_today(self)
        for case in self:
            ltype = letter_type or case._get_default_letter_type()
            offer = case._letter_default_offer(ltype)
            deadline = next_date = False
            if ltype in ("reminder", "negotiation", "final_notice", "broken_promise"):
                if offer and offer.expiry_date and offer.expiry_date >= today:
                    deadline = offer.expiry_date
                elif case.response_deadline and case.response_deadline >= today:
                    deadline = case.response_deadline
                else:
                    deadline = fields.Date.add(
                        today, days=case.company_id.negotiation_response_days or 14
                    )
                next_date = (
                    case.next_action_date
                    if case.next_action_date and case.next_action_date > today
                    else deadline
                )
            letters |= Letter.new(
                {
                    "negotiation_id": case.id,
                    "letter_type": ltype,
                    "channel": "post",
                    "date": today,
                    "offer_id": offer.id,
                    "installment_id": case._letter_default_installment(ltype).id,
                    "amount_due": case.amount_due,
                    "response_deadline": deadline,
                    "next_date": next_date,
                }
            )
        return letters

    def action_open_letter_wizard(self):
        """ "Print Letter": choose the letter type and channel."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Print Letter"),
            "res_model": "debt.negotiation.letter.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_negotiation_id": self.id,
                "default_channel": self.env.context.get("default_channel", "post"),
            },
        }

    def action_send_letter_email(self):
        """ "Send by Email": choose the letter, then the mail composer."""
        return self.with_context(default_channel="email").action_open_letter_wizard()

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
                    self._message_flush_deferred()
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
            deferred = []
            batch = self.with_context(debt_negotiation_deferred_messages=deferred)
            try:
                with self.env.cr.savepoint():
                    claimed = self._followup_claim(
                        False, today, [d for ds in groups.values() for d in ds]
                    )
                    executed = self.browse()
                    for decisions in groups.values():
                        executed |= batch._followup_execute(decisions, today, claimed)
                    batch._message_flush_deferred()
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
    # Agreement
    # ------------------------------------------------------------------
    agreement_ids = fields.One2many(
        "debt.negotiation.agreement", "negotiation_id", string="Agreements"
    )
    agreement_id = fields.Many2one(
        "debt.negotiation.agreement",
        compute="_compute_agreement_id",
        store=True,
        index=True,
        help="The agreement in force (or awaiting signature), if any.",
    )
    next_installment_id = fields.Many2one(related="agreement_id.next_installment_id")
    next_installment_date = fields.Date(related="agreement_id.next_installment_date")
    next_installment_amount = fields.Monetary(
        related="agreement_id.next_installment_amount"
    )
    installment_total_count = fields.Integer(
        related="agreement_id.installment_count", string="Installments"
    )
    installment_paid_count = fields.Integer(
        related="agreement_id.installment_paid_count"
    )
    agreement_amount = fields.Monetary(related="agreement_id.amount")
    agreement_amount_paid = fields.Monetary(
        related="agreement_id.installment_amount_paid"
    )
    agreement_progress = fields.Float(related="agreement_id.progress")
    agreement_date = fields.Date(related="agreement_id.date")

    @api.depends("agreement_ids.state")
    def _compute_agreement_id(self):
        for case in self:
            latest = case.agreement_ids.sorted("id")[-1:]
            case.agreement_id = latest if latest.state != "cancelled" else False

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
        self.env["debt.negotiation.agreement"]._check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel Agreement"),
            "res_model": "debt.negotiation.agreement.cancel.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_negotiation_id": self.id},
        }

    @api.model
    def _cron_monitor_agreements(self, batch_size=200):
        """Daily: refresh installment states, break the agreements with a
        missed installment, settle the fulfilled ones (see
        ``debt.negotiation.agreement._cron_monitor``)."""
        return self.env["debt.negotiation.agreement"]._cron_monitor(batch_size)
