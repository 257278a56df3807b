# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import Counter, defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import split_every
from odoo.tools.misc import format_date

from .workflow import is_privileged
from .workflow import workflow as _workflow


class DebtNegotiationPromise(models.Model):
    """A debtor's promise to pay an amount by a date ("I'll pay 400 on
    Friday"), made on the phone, in a meeting or online.

    While it is pending the follow-up ladder leaves the case alone until the
    promised date plus the grace days. The agreement monitor marks it
    ``kept`` as soon as the payments received on the case's invoices since
    it was made reach its amount, or ``broken`` once its grace period has
    passed without them: the negotiator gets a call activity and the ladder
    resumes.
    """

    _name = "debt.negotiation.promise"
    _description = "Debt Negotiation Promise to Pay"
    _order = "date desc, id desc"
    _check_company_auto = True

    negotiation_id = fields.Many2one(
        "debt.negotiation",
        string="Case",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="negotiation_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="negotiation_id.currency_id")
    partner_id = fields.Many2one(
        related="negotiation_id.partner_id",
        string="Debtor",
        store=True,
        index=True,
        precompute=True,
    )
    user_id = fields.Many2one(related="negotiation_id.user_id", string="Negotiator")
    promised_on = fields.Date(
        string="Made On",
        required=True,
        default=fields.Date.context_today,
        help="When the debtor made the promise: payments from this date on "
        "count towards it.",
    )
    date = fields.Date(
        string="Promised Date", required=True, help="The date the debtor will pay by."
    )
    amount = fields.Monetary(string="Promised Amount", required=True)
    grace_end_date = fields.Date(
        compute="_compute_grace_end_date",
        store=True,
        help="The promised date plus the company's grace days: the "
        "follow-ups wait until then, and the promise is broken after it.",
    )
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("kept", "Kept"),
            ("broken", "Broken"),
            # an agreement confirmed while it was pending replaces it, or
            # the case closed (settled, cancelled): it never breaks
            ("superseded", "Superseded"),
        ],
        required=True,
        default="pending",
        readonly=True,
        index=True,
        copy=False,
    )
    amount_paid = fields.Monetary(
        string="Paid since",
        readonly=True,
        copy=False,
        help="Payments received on the case's invoices since the promise "
        "was made, when it was last checked.",
    )
    interaction_id = fields.Many2one(
        "debt.negotiation.interaction",
        readonly=True,
        ondelete="set null",
        help="The contact in which the debtor made the promise.",
    )
    note = fields.Text()

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("date", "company_id.negotiation_grace_days")
    def _compute_grace_end_date(self):
        for promise in self:
            promise.grace_end_date = promise.date and fields.Date.add(
                promise.date, days=promise.company_id.negotiation_grace_days
            )

    @api.depends("negotiation_id.name", "amount", "date")
    def _compute_display_name(self):
        for promise in self:
            promise.display_name = self.env._(
                "%(case)s: %(amount)s by %(date)s",
                case=promise.negotiation_id.name or "",
                amount=promise.currency_id.format(promise.amount),
                date=format_date(self.env, promise.date),
            )

    # ------------------------------------------------------------------
    # CRUD methods
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not is_privileged(self):
            for vals in vals_list:
                if vals.get("state", "pending") != "pending" or vals.get("amount_paid"):
                    raise UserError(
                        self.env._(
                            "A promise is kept or broken by the daily check of "
                            "the payments, not by hand."
                        )
                    )
        promises = super().create(vals_list)
        promises._check_promisable()
        promises.negotiation_id._schedule_next_action()
        for promise in promises:
            promise.negotiation_id.message_post(
                body=self.env._(
                    "Promise to pay: %(amount)s by %(date)s. The follow-ups "
                    "wait until %(grace)s.",
                    amount=promise.currency_id.format(promise.amount),
                    date=format_date(self.env, promise.date),
                    grace=format_date(self.env, promise.grace_end_date),
                )
            )
        return promises

    def write(self, vals):
        if not is_privileged(self):
            if {"state", "amount_paid"} & set(vals):
                raise UserError(
                    self.env._(
                        "A promise is kept or broken by the daily check of the "
                        "payments, not by hand."
                    )
                )
            if "negotiation_id" in vals and any(
                promise.negotiation_id.id != vals["negotiation_id"] for promise in self
            ):
                # a pending promise holds its case's follow-ups: it never
                # moves to another case
                raise UserError(
                    self.env._("A promise stays on the case it was made on.")
                )
            if {"date", "amount", "promised_on"} & set(vals) and any(
                promise.state != "pending" for promise in self
            ):
                raise UserError(
                    self.env._("A kept or broken promise cannot be changed.")
                )
        res = super().write(vals)
        if {"date", "amount", "promised_on"} & set(vals):
            self._check_promisable()
        if {"date", "state"} & set(vals):
            self.negotiation_id._schedule_next_action()
        return res

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _check_promisable(self):
        """A promise is for a case that is chased, of at most what is due,
        and not for a date already past when it was made."""
        for promise in self:
            case = promise.negotiation_id
            if promise.state != "pending":
                continue
            if case.state not in ("open", "agreement", "broken", "escalated"):
                raise ValidationError(
                    self.env._(
                        "Case %(case)s takes no promise to pay in its state.",
                        case=case.name,
                    )
                )
            if promise.date < promise.promised_on:
                raise ValidationError(
                    self.env._(
                        "The promised date cannot be before the day the promise "
                        "was made."
                    )
                )
            currency = promise.currency_id
            if currency.compare_amounts(promise.amount, 0.0) <= 0:
                raise ValidationError(
                    self.env._("The promised amount must be greater than zero.")
                )
            if currency.compare_amounts(promise.amount, case.amount_due) > 0:
                raise ValidationError(
                    self.env._(
                        "The promised amount cannot exceed what is due (%(amount)s).",
                        amount=currency.format(case.amount_due),
                    )
                )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_send_confirmation(self):
        """Confirm the promise to the debtor in writing (the seeds: confirm
        verbal agreements in writing): the email composer, with the
        confirmation template."""
        self.ensure_one()
        if self.state != "pending" or self.negotiation_id.promise_pending_id != self:
            raise UserError(
                self.env._("Only the latest pending promise can be confirmed.")
            )
        template = self.env.ref("debt_negotiation.mail_template_promise_confirmation")
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "debt.negotiation",
                "default_res_ids": self.negotiation_id.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_layout",
            },
        }

    # ------------------------------------------------------------------
    # Business methods: the daily check
    # ------------------------------------------------------------------
    @api.model
    def _evaluate_pending(self, today=None, batch_size=200):
        """Keep the pending promises whose payments arrived, break those
        whose grace period passed without them (cron of the agreement
        monitor). Idempotent: only pending promises are looked at. By
        batches, each promise apart when its batch fails (noted on its
        case, tried again on the next run).

        :return: a Counter (``promises_kept``, ``promises_broken``)
        """
        today = today or fields.Date.context_today(self)
        Run = self.env["debt.negotiation.run"]
        pending = self.sudo().search([("state", "=", "pending")])
        stats = Counter()
        for batch in split_every(batch_size, pending.ids, pending.browse):
            for kept, broken in Run._isolated(
                batch,
                lambda promises: promises._evaluate(today),
                lambda promise, error: Run._fail(
                    promise.negotiation_id, "promise", error
                ),
                label="Promise check",
            ):
                stats["promises_kept"] += kept
                stats["promises_broken"] += broken
            self.env.invalidate_all()
        return stats

    def _evaluate(self, today):
        """Keep these pending promises when paid, break them when their
        grace period passed on ``today``; return ``(kept, broken)`` counts."""
        paid = self._paid_since()
        kept = self.filtered(
            lambda p: p.currency_id.compare_amounts(paid[p.id], p.amount) >= 0
        )
        broken = (self - kept).filtered(lambda p: p.grace_end_date < today)
        for promise in self:
            if promise.currency_id.compare_amounts(
                promise.amount_paid, paid[promise.id]
            ):
                _workflow(promise).amount_paid = paid[promise.id]
        kept._set_kept()
        broken._set_broken()
        return len(kept), len(broken)

    def _paid_since(self):
        """``{promise id: amount}``: what the debtor paid on its case's
        invoices since each promise was made (reconciliations dated from
        then on, in the case's currency), read in one query."""
        paid = defaultdict(float)
        if not self:
            return paid
        settlements = self.env["debt.negotiation"]._invoice_settlements(
            self.negotiation_id.invoice_ids, since=min(self.mapped("promised_on"))
        )
        for promise in self:
            paid[promise.id] = promise.currency_id.round(
                sum(
                    amount
                    for move in promise.negotiation_id.invoice_ids
                    for date, amount in settlements.get(move.id, [])
                    if date >= promise.promised_on
                )
            )
        return paid

    def _set_kept(self):
        """Mark kept (the write plans the next follow-up again)."""
        if not self:
            return
        _workflow(self).state = "kept"
        self.negotiation_id._log_notes(
            [
                (
                    promise.negotiation_id,
                    self.env._(
                        "Promise kept: %(promise)s.", promise=promise.display_name
                    ),
                )
                for promise in self
            ]
        )

    def _close_pending(self, reason):
        """The case of these promises was put under agreement, settled or
        cancelled (``reason``: ``agreement`` or ``closed``): each pending
        promise is kept if the payments since it reached its amount, else
        ``superseded``. A superseded promise never breaks: no "call the
        debtor", no "the follow-ups resume", not counted as broken."""
        pending = self.filtered(lambda p: p.state == "pending")
        if not pending:
            return
        paid = pending._paid_since()
        kept = pending.filtered(
            lambda p: p.currency_id.compare_amounts(paid[p.id], p.amount) >= 0
        )
        for promise in pending:
            if promise.currency_id.compare_amounts(
                promise.amount_paid, paid[promise.id]
            ):
                _workflow(promise).amount_paid = paid[promise.id]
        kept._set_kept()
        superseded = pending - kept
        if not superseded:
            return
        _workflow(superseded).state = "superseded"
        if reason == "agreement":
            sentence = self.env._(
                "Promise superseded by the agreement: %(promise)s. It is no "
                "longer monitored on its own."
            )
        else:
            sentence = self.env._(
                "Promise closed with the case: %(promise)s. It is no longer monitored."
            )
        superseded.negotiation_id._log_notes(
            [
                (promise.negotiation_id, sentence % {"promise": promise.display_name})
                for promise in superseded
            ]
        )

    def _set_broken(self):
        """Mark broken: the negotiator calls, the follow-ups resume."""
        if not self:
            return
        _workflow(self).state = "broken"
        cases = self.env["debt.negotiation"].browse(
            [promise.negotiation_id.id for promise in self]
        )
        cases._log_notes(
            [
                (
                    promise.negotiation_id,
                    self.env._(
                        "Promise broken: %(promise)s; %(paid)s received since. "
                        "The follow-ups resume.",
                        promise=promise.display_name,
                        paid=promise.currency_id.format(promise.amount_paid),
                    ),
                )
                for promise in self
            ]
        )
        cases._schedule_calls(
            [
                {
                    "summary": self.env._("Promise to pay broken: call the debtor"),
                    "note": promise.display_name,
                }
                for promise in self
            ]
        )
