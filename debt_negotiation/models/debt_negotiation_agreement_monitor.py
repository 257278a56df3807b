# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from collections import Counter

from psycopg2 import OperationalError

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import split_every
from odoo.tools.misc import format_date

from ..tools import negotiation_rules as rules
from .workflow import internal as _internal
from .workflow import workflow as _workflow

_logger = logging.getLogger(__name__)


class DebtNegotiationAgreement(models.Model):
    """The agreement held to: the daily monitor of installments, broken
    promises, fulfilment and the settlement write-off."""

    _inherit = "debt.negotiation.agreement"

    # ------------------------------------------------------------------
    # Business methods: monitoring
    # ------------------------------------------------------------------
    @api.model
    def _cron_monitor(self, batch_size=200, max_steps=0):
        """Refresh installment states, break the agreements with a missed
        installment, put back in force the broken ones whose missed
        installments were paid since, fulfil the paid ones, send the
        installment notices, check the promises to pay, settle the cases
        paid in full: the phases of the agreement check.

        Idempotent: each phase only selects what still needs it (a broken
        or fulfilled agreement is no longer ``active``). Every phase works
        by batches of ``batch_size``, each in one savepoint; when a batch
        fails it is done again item by item, each in its own savepoint
        (``debt.negotiation.run._isolated``): one failing item is rolled
        back alone, noted on its case and tried again on the next run, the
        others go on. With ``max_steps`` a call stops after that many
        phases that did something, the next call goes on with the next
        phase: the scheduler does one per cron call, Odoo's cron loop
        committing between calls. The run is recorded
        (``debt.negotiation.run``) and works as the scheduler does, whoever
        starts it; each negotiator is told of the activities the run gave
        them in one message.

        :return: a Counter of what this call did
        """
        return self.env["debt.negotiation.run"]._proceed(
            "agreements",
            lambda env: self.with_env(env)._monitor_phases(batch_size),
            max_steps=max_steps,
            digest=self._monitor_digest(),
        )

    @api.model
    def _monitor_digest(self):
        """The subject and intro of the negotiators' digest of an agreement
        check (see the follow-up engine's ``_notify_negotiators``)."""
        return {
            "subject": lambda count: self.env._(
                "Agreement check: %(count)s activities for you", count=count
            ),
            "intro": self.env._("Today's agreement check gave you an activity on:"),
        }

    @api.model
    def _monitor_phases(self, batch_size=200):
        """The phases of :meth:`_cron_monitor` (see ``debt.negotiation.run.
        _advance``), each done whole."""
        today = fields.Date.context_today(self)

        def phase(work):
            def run(stats, _count):
                done = work()
                stats.update(done)
                return done.total(), 0

            return run

        return [
            phase(lambda: self._refresh_installment_states(today, batch_size)),
            *(
                phase(
                    lambda method=method, key=key: self._monitor_agreements(
                        method, key, batch_size
                    )
                )
                for method, key in (
                    ("_break", "broken"),
                    ("_cure", "cured"),
                    ("_fulfil", "fulfilled"),
                )
            ),
            # reminders before each payment, a notice as soon as one is late
            phase(
                lambda: self.env["debt.negotiation.installment"]._send_notices(
                    batch_size=batch_size
                )
            ),
            # promises to pay: kept when paid, broken after their grace period
            phase(
                lambda: self.env["debt.negotiation.promise"]._evaluate_pending(
                    today=today, batch_size=batch_size
                )
            ),
            # paid means closed, whichever cron runs first
            phase(
                lambda: Counter(
                    settled=self.env["debt.negotiation"]._settle_paid_cases(
                        batch_size=batch_size
                    )
                )
            ),
        ]

    @api.model
    def _refresh_installment_states(self, today, batch_size):
        """Bring the installments whose state is stale up to date, by
        batches; return a Counter of the installments refreshed."""
        Run = self.env["debt.negotiation.run"]
        Installment = self.env["debt.negotiation.installment"].sudo()
        stale = Installment.search(Installment._stale_state_domain(today))
        for batch in split_every(batch_size, stale.ids, Installment.browse):
            Run._isolated(
                batch,
                lambda installments: installments._refresh_state(),
                lambda installment, error: Run._fail(
                    installment.negotiation_id, "refresh", error
                ),
                label="Installment states",
            )
            self.env.invalidate_all()
        return Counter(refreshed=len(stale))

    @api.model
    def _monitor_agreements(self, method, key, batch_size):
        """Run ``method`` (``_break``, ``_cure``, ``_fulfil``) on the
        current agreements that need it, by batches; return a Counter of
        them under ``key``."""
        # The cron works for every company, whatever its user may see.
        agreements_env = self.sudo().with_context(active_test=True)
        agreements = agreements_env.search(self._monitor_domain(method))
        current = agreements.filtered(lambda a: a.negotiation_id.agreement_id == a)
        done = Counter()
        for batch in split_every(batch_size, current.ids, agreements_env.browse):
            done[key] += batch._monitor_run_batch(method)
            self.env.invalidate_all()
        return done

    @api.model
    def _monitor_domain(self, method):
        """The agreements the monitor's ``method`` handles now: ``_break``
        the active ones with a missed installment, ``_cure`` the broken
        ones whose missed installments are paid since (the case not
        escalated yet), ``_fulfil`` the active ones entirely paid."""
        if method == "_break":
            return [
                ("state", "=", "active"),
                ("negotiation_id.state", "=", "agreement"),
                ("installment_ids.state", "=", "missed"),
            ]
        if method == "_cure":
            return [
                ("state", "=", "broken"),
                ("negotiation_id.state", "=", "broken"),
                ("installment_ids", "!=", False),
                ("installment_ids", "not any", [("state", "=", "missed")]),
            ]
        return [
            ("state", "=", "active"),
            ("negotiation_id.state", "=", "agreement"),
            "|",
            "&",
            ("installment_ids", "!=", False),
            ("installment_ids", "not any", [("state", "!=", "paid")]),
            # nothing left to collect (invoices paid, or cancelled and taken
            # out): the agreement ends too
            ("invoice_ids", "not any", [("amount_residual", "!=", 0)]),
        ]

    def _monitor_run_batch(self, method):
        """Run ``method`` (``_break``, ``_cure`` or ``_fulfil``) on these
        agreements together, in one savepoint; when anything fails, roll
        the batch back and run it agreement by agreement
        (``debt.negotiation.run._isolated``), so that only the failing case
        is left out and noted (:meth:`_monitor_fail`). Return how many
        agreements it ran on."""
        phase = {"_break": "break", "_cure": "cure", "_fulfil": "fulfil"}[method]

        def run(agreements):
            for company, by_company in agreements.grouped("company_id").items():
                getattr(by_company.with_company(company), method)()
            noted = agreements.filtered("monitor_error")
            if noted:
                _internal(noted).write({"monitor_error": False})
            return len(agreements)

        return sum(
            self.env["debt.negotiation.run"]._isolated(
                self,
                run,
                lambda agreement, error: agreement._monitor_fail(error, phase),
                label=f"Agreement check {method}",
            )
        )

    def _monitor_fail(self, error, phase="fulfil"):
        """The daily check failed on this agreement with ``error`` (in
        ``phase``): note it on the agreement, and on its case once per
        distinct problem (``debt.negotiation.run._fail``). A concurrency
        error (another transaction changed the case meanwhile) is only
        logged: the case is tried again on the next run."""
        self.ensure_one()
        case = self.negotiation_id
        problem = str(error) or type(error).__name__
        self.env["debt.negotiation.run"]._fail(case, phase, error)
        if isinstance(error, OperationalError):
            return
        message = self.env._(
            "The daily agreement check could not handle this case; it is tried "
            "again on the next run. Problem: %(problem)s",
            problem=problem,
        )
        try:
            with self.env.cr.savepoint():
                _internal(self).write({"monitor_error": message})
        except OperationalError:
            _logger.info("Case %s is being changed: retried on the next run", case.name)

    def _break(self):
        """A payment was missed beyond the grace days: the agreement and its
        case are ``broken``, the broken-promise letter goes out and the
        negotiator gets an activity. Done for all these agreements at once
        (their letters generated together)."""
        cases = self.negotiation_id
        # the debtors' unapplied credits, read for all the cases at once
        cases._refresh_unapplied()
        broken = self.browse()
        missed = self.env["debt.negotiation.installment"]
        for agreement in self:
            case = agreement.negotiation_id
            first_missed = agreement.installment_ids.filtered(
                lambda i: i.active and i.state == "missed"
            ).sorted(lambda i: i._allocation_key())[:1]
            if case._credits_cover_claim(first_missed.amount_residual):
                # the money is there, only not applied: no broken promise
                case._schedule_apply_credits()
                continue
            broken |= agreement
            missed |= first_missed
        if not broken:
            return True
        cases = broken.negotiation_id
        missed_of = {installment.agreement_id: installment for installment in missed}
        _internal(broken).write({"state": "broken"})
        _workflow(cases).write({"state": "broken", "response_deadline": False})
        broken._note_broken(missed_of)
        lettered = cases.filtered(lambda c: not c.negotiation_blocked)
        if lettered:
            # the letter announces the step the ladder now plans
            lettered._schedule_next_action()
            stated = lettered & missed.negotiation_id
            if stated:
                stated._generate_letter("broken_promise", installment=missed)
            if lettered - stated:
                (lettered - stated)._generate_letter("broken_promise")
        calls = []
        for agreement in broken:
            installment = missed_of.get(agreement, missed.browse())
            calls.append(
                {
                    "summary": self.env._("Broken promise: call the debtor"),
                    "note": self.env._(
                        "%(installment)s due on %(date)s was missed; the "
                        "agreement is broken.",
                        installment=installment.name,
                        date=format_date(self.env, installment.due_date),
                    ),
                }
            )
        cases.browse(
            [agreement.negotiation_id.id for agreement in broken]
        )._schedule_calls(calls)
        cases._schedule_next_action()
        return True

    def _note_broken(self, missed_of):
        """Note on the case of each of these broken agreements the
        installment that broke it (``missed_of``: ``{agreement:
        installment}``), and that no letter goes to a debtor who receives
        none."""
        notes = []
        for agreement in self:
            case = agreement.negotiation_id
            installment = missed_of.get(
                agreement, self.env["debt.negotiation.installment"]
            )
            notes.append(
                (
                    case,
                    self.env._(
                        "Agreement broken: %(installment)s of %(amount)s due on "
                        "%(date)s was not paid within the grace period.",
                        installment=installment.name,
                        amount=case.currency_id.format(installment.amount_residual),
                        date=format_date(self.env, installment.due_date),
                    ),
                )
            )
            if case.negotiation_blocked:
                notes.append(
                    (
                        case,
                        self.env._(
                            "No broken-promise letter: this debtor never "
                            "receives automatic letters."
                        ),
                    )
                )
        self.negotiation_id._log_notes(notes)

    def _cure(self):
        """The debtor paid what was missed before the announced escalation,
        as the broken-promise letter asked: the agreement is back in force
        and its installments are monitored again."""
        cases = self.negotiation_id
        _internal(self).write({"state": "active"})
        _workflow(cases).write({"state": "agreement", "response_deadline": False})
        cases._log_notes(
            [
                (
                    agreement.negotiation_id,
                    self.env._(
                        "The missed payment of %(offer)s was received: the "
                        "agreement is back in force.",
                        offer=agreement.offer_id.display_name,
                    ),
                )
                for agreement in self
            ]
        )
        cases._schedule_next_action()
        return True

    def _forgives_balance(self):
        """Whether the agreement leaves part of what was due at the agreement
        unpaid on purpose, to be written off once it is fulfilled."""
        self.ensure_one()
        return self.offer_id._agreement_forgives_balance(self.amount_due)

    def _fulfil(self):
        """Every installment is paid: write off what the agreement forgave
        (settlements and discounted plans) and settle the case. Full payment
        and extension agreements are fulfilled once their invoices are paid.
        Done for all these agreements at once (their write-off entries
        created, posted and reconciled together)."""
        fulfilled = self.browse()
        to_write_off = self.browse()
        for agreement in self:
            currency = agreement.currency_id
            if agreement.offer_id.waive_interest:
                agreement._credit_waived_claims()
            remaining = sum(agreement.invoice_ids.mapped("amount_residual"))
            # nothing written off when nothing remains: only the structure
            # is checked then (the invoices may have shrunk under it)
            agreement._check_fulfilment(nothing_left=currency.is_zero(remaining))
            if not currency.is_zero(remaining):
                if not agreement._forgives_balance():
                    continue
                to_write_off |= agreement
            fulfilled |= agreement
        to_write_off._write_off_balance()
        _internal(fulfilled).write({"state": "fulfilled"})
        fulfilled._settle_cases()
        return True

    def _credit_waived_claims(self):
        """The agreement waived interest and compensation: its interest
        invoices still open are credited in full (a credit note reconciled
        with each), not written off as a bad debt."""
        self.ensure_one()
        claims = self.invoice_ids.filtered(
            lambda m: (
                m.state == "posted"
                and m.line_ids.filtered("negotiation_claim_move_id")
                and not self.currency_id.is_zero(m.amount_residual)
            )
        )
        if not claims:
            return self.env["account.move"]
        notes = claims.sudo()._reverse_moves(
            [
                {
                    "ref": self.env._(
                        "Interest waived by agreement %(agreement)s",
                        agreement=self.display_name,
                    ),
                    "date": fields.Date.context_today(self),
                }
                for _claim in claims
            ],
            cancel=True,
        )
        self.negotiation_id.message_post(
            body=self.env._(
                "Interest and compensation waived by the agreement: %(claims)s "
                "credited.",
                claims=", ".join(claims.mapped("name")),
            )
        )
        return notes

    def _check_fulfilment(self, nothing_left=False):
        """Check again, from the records themselves, what a fulfilment
        relies on before it settles the case and writes the rest off: raise
        a :class:`UserError` naming what does not hold."""
        self.ensure_one()
        case = self.negotiation_id
        offer = self.offer_id
        currency = self.currency_id
        installments = self._all_installments().filtered("active")
        received = rules.paid_since_agreement(
            self.amount_due,
            sum(self.invoice_ids.mapped("amount_residual")),
            self.writeoff_amount,
            currency.rounding or 0.01,
        )
        checks = [
            (
                self.state == "active" and case.agreement_id == self,
                self.env._("it is not the case's agreement in force"),
            ),
            (
                offer.state == "accepted" and offer.negotiation_id == case,
                self.env._("its offer is not the case's accepted offer"),
            ),
            (
                installments and installments.negotiation_id == case,
                self.env._("its installments are not all the case's"),
            ),
            (
                currency.compare_amounts(
                    sum(installments.mapped("amount")), offer.amount
                )
                == 0,
                self.env._("its installments do not add up to the agreed amount"),
            ),
            (
                nothing_left or currency.compare_amounts(received, offer.amount) >= 0,
                self.env._("less than the agreed amount was received"),
            ),
            (
                currency.compare_amounts(
                    self.amount_due, sum(self.invoice_ids.mapped("amount_total"))
                )
                <= 0,
                self.env._("more was due at the agreement than its invoices total"),
            ),
        ]
        problems = [message for holds, message in checks if not holds]
        if problems:
            raise UserError(
                self.env._(
                    "Agreement %(agreement)s is not fulfilled: %(problems)s.",
                    agreement=self.display_name,
                    problems="; ".join(problems),
                )
            )

    def _settle_cases(self):
        """These agreements are fulfilled: settle their cases, or let the
        negotiation go on for the invoices added after the agreement. All
        the cases written and their notes posted together."""
        settled, continuing = self.browse(), self.browse()
        notes = []
        for agreement in self:
            case = agreement.negotiation_id
            currency = agreement.currency_id
            offer = agreement.offer_id
            other_due = currency.round(
                sum(
                    (case.invoice_ids - agreement.invoice_ids).mapped("amount_residual")
                )
            )
            if not currency.is_zero(other_due):
                continuing |= agreement
                body = self.env._(
                    "Agreement fulfilled: %(offer)s is paid. %(amount)s is still "
                    "due on invoices added after the agreement; the negotiation "
                    "continues.",
                    offer=offer.display_name,
                    amount=currency.format(other_due),
                )
            elif agreement.credit_note_ids:
                settled |= agreement
                body = self.env._(
                    "Agreement fulfilled: every installment of %(offer)s is paid. "
                    "The remaining %(amount)s was credited (%(moves)s); the case "
                    "is settled.",
                    offer=offer.display_name,
                    amount=currency.format(agreement.writeoff_amount),
                    moves=", ".join(
                        (agreement.credit_note_ids | agreement.writeoff_move_id).mapped(
                            "name"
                        )
                    ),
                )
            elif agreement.writeoff_move_id:
                settled |= agreement
                body = self.env._(
                    "Agreement fulfilled: every installment of %(offer)s is paid. "
                    "The remaining %(amount)s was written off (%(move)s); the "
                    "case is settled.",
                    offer=offer.display_name,
                    amount=currency.format(agreement.writeoff_amount),
                    move=agreement.writeoff_move_id.name,
                )
            else:
                settled |= agreement
                body = self.env._(
                    "Agreement fulfilled: %(offer)s is paid; the case is settled.",
                    offer=offer.display_name,
                )
            notes.append((case, body))
        if continuing:
            _workflow(continuing.negotiation_id).write({"state": "open"})
        if settled:
            _workflow(settled.negotiation_id).write(
                {
                    "state": "settled",
                    "response_deadline": False,
                    "next_action_date": False,
                }
            )
        self.negotiation_id._log_notes(notes)
        continuing.negotiation_id._schedule_next_action()
        settled.negotiation_id._send_closure_letters()

    # ------------------------------------------------------------------
    # Business methods: settlement write-off
    # ------------------------------------------------------------------
    def _writeoff_journal_and_account(self):
        """The company's write-off account and journal (its setting, else its
        first miscellaneous journal); raise when either is missing."""
        self.ensure_one()
        company = self.company_id
        account = company.negotiation_writeoff_account_id
        if not account:
            raise UserError(
                self.env._(
                    "Set the settlement write-off account of %(company)s in the "
                    "Accounting settings to settle %(case)s.",
                    company=company.name,
                    case=self.negotiation_id.name,
                )
            )
        Journal = self.env["account.journal"].sudo()
        journal = company.sudo().negotiation_writeoff_journal_id or Journal.search(
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
        return journal, account

    def _prepare_writeoff_move_vals(self, receivables, journal, account):
        """Values of the write-off entry: each open receivable line gets a
        counterpart for its exact residual, in the invoice currency and in
        the company currency, so the reconciliation is full and needs no
        exchange difference; the total goes to ``account``."""
        self.ensure_one()
        case = self.negotiation_id
        label = self.env._("Settlement write-off %(case)s", case=case.name)
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
        line_vals.append(
            Command.create(
                {
                    "name": label,
                    "account_id": account.id,
                    "partner_id": case.partner_id.id,
                    "currency_id": self.currency_id.id,
                    "amount_currency": sum(
                        receivables.mapped("amount_residual_currency")
                    ),
                    "balance": sum(receivables.mapped("amount_residual")),
                }
            )
        )
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "date": fields.Date.context_today(self),
            "ref": label,
            "partner_id": case.partner_id.id,
            "line_ids": line_vals,
        }

    def _write_off_balance(self):
        """Close the balance left on the invoices of these agreements, what
        each settlement forgives: by credit notes (company setting
        ``negotiation_settlement_method``: a price concession, VAT
        reduced), then, for what is still open (rounding), or as the whole
        method, by a posted journal entry to the company's write-off account
        whose receivable lines are reconciled with the invoices (they end
        ``paid``). The entries of all the agreements are created, posted and
        reconciled together."""
        Move = self.env["account.move"]
        forgiven, notes, open_lines = {}, {}, {}
        for agreement in self:
            forgiven[agreement] = sum(
                agreement._open_receivables().mapped("amount_residual_currency")
            )
            notes[agreement] = Move
            if agreement.company_id.negotiation_settlement_method == "credit_note":
                notes[agreement] = agreement._credit_forgiven_balance()
            receivables = agreement._open_receivables()
            if not agreement.currency_id.is_zero(
                sum(receivables.mapped("amount_residual_currency"))
            ):
                open_lines[agreement] = receivables
        moves = {}
        for company, agreements in self.grouped("company_id").items():
            agreements = agreements.filtered(lambda a: a in open_lines)
            if not agreements:
                continue
            # the company's: the same for all its agreements
            journal, account = agreements[:1]._writeoff_journal_and_account()
            vals_list = []
            for agreement in agreements:
                vals_list.append(
                    agreement._prepare_writeoff_move_vals(
                        open_lines[agreement], journal, account
                    )
                )
            created = Move.sudo().with_company(company).create(vals_list)
            created.action_post()
            moves.update(zip(agreements, created, strict=True))
        plan = []
        for agreement, move in moves.items():
            receivables = open_lines[agreement]
            for receivable_account in receivables.account_id:
                plan.append(
                    (move.line_ids | receivables).filtered(
                        lambda line, acc=receivable_account: (
                            line.account_id == acc and not line.reconciled
                        )
                    )
                )
        if plan:
            self.env["account.move.line"].sudo()._reconcile_plan(plan)
        done = Move
        for agreement in self:
            move = moves.get(agreement, Move)
            _internal(agreement).write(
                {
                    "writeoff_move_id": move.id,
                    "writeoff_amount": forgiven[agreement],
                    "credit_note_ids": [Command.set(notes[agreement].ids)],
                }
            )
            done |= move | notes[agreement]
        return done

    def _open_receivables(self):
        """The open receivable lines of the agreement's posted invoices."""
        self.ensure_one()
        return (
            self.invoice_ids.sudo()
            .filtered(lambda m: m.state == "posted")
            .line_ids.filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable"
                    and not line.reconciled
                )
            )
        )
