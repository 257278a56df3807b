# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import uuid

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import html2plaintext

from ..const import (
    CHASING_STATES,
    DISPUTE_REASONS,
    MANAGER_GROUP,
    OPEN_STATES,
    STATE_SELECTION,
)
from .workflow import is_privileged, readonly_stored_computes, refuse_forced, workflow

_logger = logging.getLogger(__name__)

# Fields only the case's own actions change (see ``models/workflow.py``),
# besides its stored computed fields.
WORKFLOW_FIELDS = {
    "state",
    "dispute_previous_state",
    "dispute_reason_code",
    "followup_round",
    "handover_date",
    "handover_dossier_id",
    "evidence_sequence",
    "evidence_head_hash",
    "writeoff_reason",
    "writeoff_move_id",
    "anonymised_date",
}


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
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    amount_total = fields.Monetary(
        string="Invoiced",
        compute="_compute_amounts",
        store=True,
        aggregator=None,
        help="Total of the invoices under negotiation.",
    )
    amount_due = fields.Monetary(
        compute="_compute_amounts",
        store=True,
        tracking=True,
        # cases in different currencies are never added up: totals use
        # amount_due_company
        aggregator=None,
        help="What the debtor still owes on the invoices under negotiation.",
    )
    amount_disputed = fields.Monetary(
        compute="_compute_amounts",
        store=True,
        aggregator=None,
        help="Open amount of the invoices the debtor disputes: left out of "
        "what the letters demand until the dispute is resolved.",
    )
    amount_claimed = fields.Monetary(
        string="Claimed",
        compute="_compute_amounts",
        store=True,
        aggregator=None,
        help="What the letters demand: the amount due less the disputed invoices.",
    )
    # a related field takes its target's label ("Currency"): name it
    company_currency_id = fields.Many2one(
        related="company_id.currency_id",
        string="Company Currency",  # pylint: disable=attribute-string-redundant
    )
    amount_due_company = fields.Monetary(
        string="Due (Company Currency)",
        currency_field="company_currency_id",
        compute="_compute_amounts",
        store=True,
        aggregator="sum",
        help="What the debtor still owes, in the company's currency at the "
        "invoices' rates: the amount totals add up.",
    )
    date_open = fields.Date(
        string="Opened On",
        default=fields.Date.context_today,
        readonly=True,
        copy=False,
        index=True,
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
        # the scheduler (OdooBot) opens cases too: it is nobody's negotiator
        default=lambda self: (
            self.env.user if not self.env.user._is_superuser() else False
        ),
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
        groups="debt_negotiation.group_negotiation_user",
    )
    followup_round = fields.Integer(
        readonly=True,
        copy=False,
        help="The follow-up ladder starts again at each agreement: the steps "
        "executed before it do not count for the debt that falls due since.",
    )
    dispute_reason = fields.Text(
        tracking=True, copy=False, groups="debt_negotiation.group_negotiation_user"
    )
    dispute_reason_code = fields.Selection(
        DISPUTE_REASONS,
        string="Disputed Because",
        copy=False,
        readonly=True,
        groups="debt_negotiation.group_negotiation_user",
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

    # promises to pay
    promise_ids = fields.One2many(
        "debt.negotiation.promise", "negotiation_id", string="Promises to Pay"
    )
    promise_pending_id = fields.Many2one(
        "debt.negotiation.promise",
        string="Pending Promise",
        compute="_compute_promise_pending_id",
        help="The latest promise to pay still pending.",
    )
    promise_hold_until = fields.Date(
        string="Promise Pending until",
        compute="_compute_promise_hold_until",
        store=True,
        help="While a promise to pay is pending, the follow-ups leave the "
        "case alone until this date (the promised date plus the grace days).",
    )

    # the agreement in force
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

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "The reference of a negotiation case must be unique per company.",
        ),
    ]

    # ------------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------------
    @api.model
    def _default_stage_id(self):
        return self.env["debt.negotiation.stage"]._stage_for_state("open")

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([], order=stages._order)

    @api.depends(
        "invoice_ids.amount_residual",
        "invoice_ids.amount_residual_signed",
        "invoice_ids.amount_total",
        "invoice_ids.invoice_date_due",
        "invoice_ids.negotiation_disputed",
        "currency_id",
        "state",
        "agreement_ids.state",
        "agreement_ids.invoice_ids",
    )
    def _compute_amounts(self):
        for case in self:
            invoices = case.invoice_ids
            currency = case.currency_id
            disputed = invoices.filtered("negotiation_disputed")
            agreed = case._agreed_invoices()
            case.amount_total = sum(invoices.mapped("amount_total"))
            case.amount_due = currency.round(sum(invoices.mapped("amount_residual")))
            case.amount_disputed = currency.round(
                sum(disputed.mapped("amount_residual"))
            )
            # what the letters demand: neither what is disputed nor, under
            # an agreement, what the agreement covers
            case.amount_claimed = currency.round(
                sum((invoices - disputed - agreed).mapped("amount_residual"))
            )
            case.amount_due_company = case.company_id.currency_id.round(
                sum(invoices.mapped("amount_residual_signed"))
            )
            # the follow-ups count from the oldest invoice still chased
            unpaid = (invoices - disputed - agreed).filtered(
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

    @api.depends("promise_ids.state", "promise_ids.grace_end_date")
    def _compute_promise_hold_until(self):
        for case in self:
            pending = case.promise_ids.filtered(lambda p: p.state == "pending")
            case.promise_hold_until = max(
                pending.mapped("grace_end_date"), default=False
            )

    @api.depends("promise_ids.state")
    def _compute_promise_pending_id(self):
        for case in self:
            pending = case.promise_ids.filtered(lambda p: p.state == "pending")
            case.promise_pending_id = pending.sorted("id")[-1:]

    @api.depends("agreement_ids.state")
    def _compute_agreement_id(self):
        for case in self:
            latest = case.agreement_ids.sorted("id")[-1:]
            case.agreement_id = latest if latest.state != "cancelled" else False

    def _agreed_invoices(self):
        """The invoices the agreement in force covers, while the case is
        under it; the follow-ups chase only the others."""
        self.ensure_one()
        if self.state != "agreement":
            return self.env["account.move"]
        return self.agreement_ids.filtered(lambda a: a.state == "active").invoice_ids

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for case in self:
            case.access_url = f"/my/negotiations/{case.id}"
        return res

    # ------------------------------------------------------------------
    # CONSTRAINT METHODS
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

    @api.constrains("minimum_amount")
    def _check_minimum_amount(self):
        for case in self.sudo():
            if case.currency_id.compare_amounts(case.minimum_amount, 0.0) < 0:
                raise ValidationError(
                    self.env._("The minimum acceptable amount cannot be negative.")
                )

    # ------------------------------------------------------------------
    # CRUD METHODS
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
        for vals in vals_list:
            company = self.env["res.company"].browse(
                vals.get("company_id") or self.env.company.id
            )
            if not vals.get("currency_id"):
                vals["currency_id"] = company.currency_id.id
        self._precheck_one_open_case(
            (
                vals.get("partner_id"),
                vals.get("company_id") or self.env.company.id,
                vals["currency_id"],
            )
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
        for vals in vals_list:
            # the portal link letters print: no write per case when printed
            vals.setdefault("access_token", str(uuid.uuid4()))
        cases = super().create(vals_list)
        for case in cases:
            case.message_subscribe(partner_ids=case.user_id.partner_id.ids)
        return cases

    def write(self, vals):
        if not is_privileged(self):
            self._check_workflow_vals(vals)
            if "user_id" in vals:
                self._check_reassignment(vals["user_id"])
        if vals.get("user_id"):
            user = self.env["res.users"].browse(vals["user_id"])
            self.message_subscribe(partner_ids=user.partner_id.ids)
        keys = ("partner_id", "company_id", "currency_id")
        if {"state", *keys} & set(vals):
            # only a case becoming open, or changing debtor, company or
            # currency, can make a second open case (an open case is unique,
            # by the index)
            self._precheck_one_open_case(
                tuple(vals.get(key, case[key].id) for key in keys)
                for case in self
                if vals.get("state", case.state) in OPEN_STATES
                and (
                    case.state not in OPEN_STATES
                    or any(vals.get(key, case[key].id) != case[key].id for key in keys)
                )
            )
        held = (
            {case.id: case.invoice_ids for case in self}
            if "invoice_ids" in vals
            else {}
        )
        # a pending promise is replaced by an agreement (not one restored
        # after a dispute) and ends with the case: it never breaks later
        new_state = vals.get("state")
        closing = self.browse()
        if new_state in ("agreement", "settled", "cancelled"):
            closing = self.filtered(
                lambda c: (
                    c.state != new_state
                    and not (new_state == "agreement" and c.state == "disputed")
                )
            )
        res = super().write(vals)
        if closing:
            closing.promise_ids._close_pending(
                "agreement" if new_state == "agreement" else "closed"
            )
        if "state" in vals and "stage_id" not in vals:
            self._sync_stage()
        if held:
            self._exclude_removed_invoices(held)
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
            and not message.subtype_id.internal
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
            if message.message_type == "email":
                self._reply_hold(message)  # debt_negotiation_reply.py
        return res

    def _activity_user_id(self):
        """Whom the case's activities go to: its negotiator, else the user
        at work (never a portal user, the debtor acting online, nor the
        system's bot), else the administrator."""
        self.ensure_one()
        if self.user_id:
            return self.user_id.id
        if not (self.env.user.share or self.env.user._is_superuser()):
            return self.env.uid
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        return admin.id if admin else SUPERUSER_ID

    def _schedule_calls(self, values_list):
        """A call activity for the negotiator of each of these cases
        (``values_list[i]``: its ``summary`` and ``note``), created together
        (in a scheduled run, told in its digest: see
        ``_mail_batch_activities``).

        :return: the activities, in the order of ``self``
        """
        return self._mail_batch_activities(
            self.env.ref("debt_negotiation.mail_activity_type_negotiation_call"),
            [
                dict(values, user_id=case._activity_user_id())
                for case, values in zip(self, values_list, strict=True)
            ],
        )

    def _as_sender(self):
        """The cases, to post our emails on them: as they are for staff (the
        user is the author, as Odoo does), as the system when the debtor's
        own action sends them (a portal user's request), so that an email
        we send is never authored by the debtor (nor logged as its
        message). The template's sender address applies either way."""
        if self.env.user.share:
            return self.with_user(SUPERUSER_ID)
        return self

    def _sync_stage(self):
        """Move each case to the first stage bound to its new state (one
        write per stage)."""
        Stage = self.env["debt.negotiation.stage"]
        moved = self.filtered(lambda case: case.stage_id.state != case.state)
        for state, cases in moved.grouped("state").items():
            stage = Stage._stage_for_state(state)
            if stage:
                cases.filtered(
                    lambda case, s=stage: case.stage_id != s
                ).stage_id = stage

    # ------------------------------------------------------------------
    # ACTION METHODS
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

    def action_escalate(self):
        """Escalate: no follow-up step any more, and a case with a collection
        agency or law firm is handed over to it (``_handover``: the debtor's
        notice, the dossier to the agency, the negotiator's activity)."""
        self._check_state(("open", "disputed", "broken"), "escalate")
        self._check_consumer_handover()
        workflow(self).write(
            {"state": "escalated", "next_action_date": False, "next_step_id": False}
        )
        note = self.env._("Case escalated (collection agency or legal action).")
        self._message_log_batch(bodies=dict.fromkeys(self.ids, note))
        self.filtered("agency_id")._handover()
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
        workflow(self).write(
            {"state": "cancelled", "next_action_date": False, "next_step_id": False}
        )
        for case in self:
            case.message_post(body=self.env._("Case cancelled."))
        return True

    def action_reopen(self):
        self._check_state(("cancelled", "escalated"), "reopen")
        self._check_not_written_off()
        workflow(self).write({"state": "open"})
        self._schedule_next_action()
        return True

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
    # CRON HAND-OVER: agreements (the case's agreement buttons are in
    # debt_negotiation_agreement_signature.py)
    # ------------------------------------------------------------------
    @api.model
    def _cron_monitor_agreements(self, batch_size=200):
        """Daily: refresh installment states, break the agreements with a
        missed installment, settle the fulfilled ones and the cases paid in
        full (see
        ``debt.negotiation.agreement._cron_monitor``)."""
        return self.env["debt.negotiation.agreement"]._cron_monitor(
            batch_size, max_steps=self.env["debt.negotiation.run"]._steps_per_call()
        )
