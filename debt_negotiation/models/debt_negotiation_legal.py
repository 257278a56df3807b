# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The legal layer of a case: who the debtor is for the law (business or
consumer), when the claim becomes time-barred. The rules are
:mod:`..tools.legal`'s."""

from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

from ..const import CHASING_STATES, MANAGER_GROUP, OPEN_STATES
from ..tools import legal as legal_rules
from .res_company import WRITEOFF_ACCOUNT_TYPES
from .workflow import workflow

# The cases a manager may write off: open ones not under an agreement (its
# agreement is cancelled first).
WRITEOFF_STATES = ("open", "disputed", "broken", "escalated")


class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    debtor_type = fields.Selection(
        related="partner_id.negotiation_debtor_type",
        string="Debtor Type",
        help="Business or consumer (set on the debtor): a consumer owes no "
        "fixed recovery compensation, its interest is the company's consumer "
        "rate, its letters use the consumer wording, and the follow-ups never "
        "hand its claim over without a manager's confirmation.",
    )

    limitation_date = fields.Date(
        compute="_compute_limitation_date",
        store=True,
        help="When the claim becomes time-barred: the company's limitation "
        "period after the due date of the oldest open invoice, restarted by "
        "the debtor's last acknowledgement of the debt (a signed agreement, "
        "a promise, a payment).",
    )
    limitation_near = fields.Boolean(
        compute="_compute_limitation_near",
        search="_search_limitation_near",
        help="The limitation date is within the company's warning days (or "
        "past): act (a signed acknowledgement, a court claim) before it.",
    )

    writeoff_reason = fields.Text(
        string="Write-off Reason",
        readonly=True,
        copy=False,
        help="Why a negotiation manager wrote the debt off as uncollectible.",
    )
    writeoff_move_id = fields.Many2one(
        "account.move",
        string="Bad Debt Entry",
        readonly=True,
        copy=False,
        help="The entry writing the open invoices off to the bad debts "
        "account: the case is closed as uncollectible.",
    )

    def _is_consumer(self):
        """Whether the debtor of this case is a consumer."""
        self.ensure_one()
        return self.partner_id.sudo().negotiation_debtor_type == "consumer"

    def _check_consumer_handover(self):
        """Only a negotiation manager hands a consumer's claim over (the
        follow-ups ask one to confirm instead of escalating)."""
        if not self.env.user.has_group(MANAGER_GROUP) and any(
            case._is_consumer() for case in self
        ):
            raise UserError(
                self.env._(
                    "The debtor of %(cases)s is a consumer: only a negotiation "
                    "manager can escalate its claim.",
                    cases=", ".join(
                        self.filtered(lambda c: c._is_consumer()).mapped("name")
                    ),
                )
            )

    def _ask_handover_confirmation(self, step, today):
        """The escalation step of the follow-ups reached these consumers'
        cases: instead of handing the claim over, each negotiation manager
        of the company gets an activity to confirm it (by escalating the
        case) or to decide otherwise; the case says so."""
        group = self.env.ref(MANAGER_GROUP).sudo()
        for case in self.filtered(lambda c: c.state in CHASING_STATES):
            managers = (
                group.users.filtered(
                    lambda u, case=case: (
                        u.active
                        and not u.share
                        and not u._is_superuser()
                        and case.company_id in u.company_ids
                    )
                )
                or case.user_id
            )
            summary = self.env._("Consumer's claim: confirm the hand-over or not")
            for manager in managers:
                case.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=today,
                    user_id=manager.id,
                    summary=summary,
                    note=self.env._(
                        "Follow-up step %(step)s: %(amount)s is still claimed. "
                        "The debtor is a consumer: the claim is handed over "
                        "only when a manager escalates the case.",
                        step=step.name,
                        amount=case.currency_id.format(case.amount_claimed),
                    ),
                )

    # ------------------------------------------------------------------
    # Limitation
    # ------------------------------------------------------------------
    @api.depends(
        "state",
        "invoice_ids.invoice_date_due",
        "invoice_ids.amount_residual",
        "agreement_ids.state",
        "agreement_ids.signed_on",
        "promise_ids.promised_on",
        "company_id.negotiation_limitation_years",
    )
    def _compute_limitation_date(self):
        open_cases = self.filtered(lambda c: c.state in OPEN_STATES and c.id)
        (self - open_cases).limitation_date = False
        moves = open_cases.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.invoice_date_due
        )
        payments = self._invoice_settlements(moves) if moves else {}
        for case in open_cases:
            invoices = case.invoice_ids & moves
            acknowledged = [
                agreement.signed_on or agreement.date
                for agreement in case.agreement_ids
                if agreement.state in ("active", "broken", "fulfilled")
            ]
            acknowledged += case.promise_ids.mapped("promised_on")
            acknowledged += [
                paid_on
                for move in invoices
                for paid_on, _amount in payments.get(move.id, [])
            ]
            case.limitation_date = legal_rules.limitation_date(
                invoices.filtered(
                    lambda m: not m.currency_id.is_zero(m.amount_residual)
                ).mapped("invoice_date_due"),
                acknowledged,
                case.company_id.negotiation_limitation_years,
            )

    @api.depends_context("company")
    @api.depends("limitation_date")
    def _compute_limitation_near(self):
        today = fields.Date.context_today(self)
        for case in self:
            case.limitation_near = legal_rules.limitation_near(
                case.limitation_date,
                today,
                case.company_id.negotiation_limitation_warning_days,
            )

    def _search_limitation_near(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Limitation Near."))
        today = fields.Date.context_today(self)
        near = expression.AND(
            [
                [("limitation_date", "!=", False)],
                expression.OR(
                    [
                        [
                            ("company_id", "=", company.id),
                            (
                                "limitation_date",
                                "<=",
                                today
                                + timedelta(
                                    days=company.negotiation_limitation_warning_days
                                ),
                            ),
                        ]
                        for company in self.env.companies
                    ]
                ),
            ]
        )
        return near if (operator == "=") == value else ["!", *near]

    # ------------------------------------------------------------------
    # Bad debt
    # ------------------------------------------------------------------
    def _check_not_written_off(self):
        """A case closed as uncollectible stays closed: its invoices were
        written off, never to be chased again."""
        written_off = self.filtered("writeoff_move_id")
        if written_off:
            raise UserError(
                self.env._(
                    "Case %(case)s was written off as uncollectible: it cannot "
                    "be reopened.",
                    case=written_off[0].name,
                )
            )

    def action_open_writeoff_wizard(self):
        """ "Write Off": the write-off account and the reason, then the case
        closed as uncollectible (a negotiation manager's decision)."""
        self.ensure_one()
        self._check_writeoff_allowed()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Write Off as Uncollectible"),
            "res_model": "debt.negotiation.writeoff.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_negotiation_id": self.id},
        }

    def _check_writeoff_allowed(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only a negotiation manager writes a debt off.")
            )
        for case in self.filtered(lambda c: c.state not in WRITEOFF_STATES):
            raise UserError(
                self.env._(
                    "Case %(case)s cannot be written off: it is %(state)s.",
                    case=case.name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        case.state
                    ],
                )
            )

    def _open_receivable_lines(self):
        """The open receivable lines of the case's posted invoices."""
        self.ensure_one()
        return (
            self.invoice_ids.sudo()
            .filtered(lambda m: m.state == "posted")
            .line_ids.filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable"
                    and not line.reconciled
                    and not line.currency_id.is_zero(line.amount_residual_currency)
                )
            )
        )

    def _write_off_uncollectible(self, reason, account, journal=None):
        """Write the open balance of this case off as a bad debt, a
        negotiation manager's decision with its ``reason``: one posted entry
        moving each open receivable to the expense ``account``, reconciled
        with the invoices (they end paid, never chased again), the open
        offers withdrawn, the case closed (cancelled) as uncollectible. Every
        check comes first: nothing is written when one fails."""
        self.ensure_one()
        reason, receivables, journal = self._writeoff_checked(reason, account, journal)
        amount = sum(receivables.mapped("amount_residual_currency"))
        move = self._post_bad_debt_move(receivables, account, journal, reason)
        for receivable_account in receivables.account_id:
            (move.line_ids | receivables).filtered(
                lambda line, acc=receivable_account: (
                    line.account_id == acc and not line.reconciled
                )
            ).reconcile()
        self.offer_ids.filtered(
            lambda o: o.state in ("draft", "proposed")
        )._write_workflow({"state": "withdrawn"})
        workflow(self).write(
            {
                "state": "cancelled",
                "next_action_date": False,
                "next_step_id": False,
                "writeoff_reason": reason,
                "writeoff_move_id": move.id,
            }
        )
        self.message_post(
            body=self.env._(
                "Written off as uncollectible by %(user)s: %(amount)s "
                "(%(move)s). Reason: %(reason)s",
                user=self.env.user.name,
                amount=self.currency_id.format(amount),
                move=move.name,
                reason=reason,
            )
        )
        return move

    def _writeoff_checked(self, reason, account, journal):
        """The checks of :meth:`_write_off_uncollectible`, all before
        anything is written: ``(reason, open receivable lines, journal)``."""
        self._check_writeoff_allowed()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason why the debt is written off."))
        if not account or account.account_type not in WRITEOFF_ACCOUNT_TYPES:
            raise UserError(
                self.env._(
                    "The write-off account must be an expense account (bad debts)."
                )
            )
        receivables = self._open_receivable_lines()
        if not receivables:
            raise UserError(
                self.env._(
                    "Case %(case)s has nothing open to write off.", case=self.name
                )
            )
        company = self.company_id
        Journal = self.env["account.journal"].sudo()
        journal = (
            journal
            or company.sudo().negotiation_writeoff_journal_id
            or Journal.search(
                [*Journal._check_company_domain(company), ("type", "=", "general")],
                limit=1,
            )
        )
        if not journal:
            raise UserError(
                self.env._(
                    "%(company)s has no miscellaneous journal for the write-off.",
                    company=company.name,
                )
            )
        return reason, receivables, journal

    def _post_bad_debt_move(self, receivables, account, journal, reason):
        """The posted entry moving each of ``receivables`` (open receivable
        lines of the case) to the expense ``account``."""
        label = self.env._("Bad debt written off %(case)s", case=self.name)
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": fields.Date.context_today(self),
                    "ref": f"{label}: {reason}"[:200],
                    "partner_id": self.partner_id.id,
                    "line_ids": [
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
                    + [
                        Command.create(
                            {
                                "name": label,
                                "account_id": account.id,
                                "partner_id": self.partner_id.id,
                                "currency_id": line.currency_id.id,
                                "amount_currency": line.amount_residual_currency,
                                "balance": line.amount_residual,
                            }
                        )
                        for line in receivables
                    ],
                }
            )
        )
        move.action_post()
        return move
