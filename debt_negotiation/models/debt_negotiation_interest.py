# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Late-payment interest and recovery compensation on a case: what accrued
and is not claimed yet, and the claim invoice (``action_claim_interest``).
The arithmetic is :mod:`..tools.interest`'s."""

from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date, formatLang

from ..const import OPEN_STATES
from ..tools import interest as interest_rules
from ..tools import negotiation_rules as rules
from .workflow import workflow as _workflow


class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    interest_amount = fields.Monetary(
        string="Interest Accrued",
        compute="_compute_interest_amount",
        help="Late-payment interest accrued and not yet claimed: simple "
        "interest at the company's (or the debtor's) annual rate on each "
        "invoice's open amount for each day past its due date.",
    )
    compensation_amount = fields.Monetary(
        string="Recovery Compensation",
        compute="_compute_interest_amount",
        help="Fixed recovery compensation due on the overdue invoices and "
        "not yet claimed.",
    )
    interest_rate = fields.Float(
        string="Interest Rate (% a year)",
        compute="_compute_interest_amount",
        digits=(16, 2),
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends(
        "invoice_ids.amount_residual",
        "invoice_ids.invoice_date_due",
        "invoice_ids.negotiation_disputed",
        "state",
        "company_id.negotiation_interest_rate",
        "company_id.negotiation_compensation_amount",
        "partner_id.negotiation_interest_custom",
        "partner_id.negotiation_interest_rate",
        "partner_id.negotiation_debtor_type",
        "company_id.negotiation_consumer_interest_rate",
        "company_id.negotiation_compensation_mode",
        "company_id.negotiation_interest_rate_ids.rate",
        "company_id.negotiation_interest_rate_ids.date_from",
        "company_id.negotiation_compensation_band_ids.compensation",
    )
    def _compute_interest_amount(self):
        claims = self._interest_claims()
        table = self.env["debt.negotiation.interest.rate"]._rates_by_company(
            self.company_id
        )
        for case in self:
            lines = claims.get(case.id, [])
            case.interest_rate = case._interest_rate(table)
            case.interest_amount = case.currency_id.round(
                sum(line["amount"] for line in lines if line["kind"] == "interest")
            )
            case.compensation_amount = case.currency_id.round(
                sum(line["amount"] for line in lines if line["kind"] == "compensation")
            )

    def _interest_rate(self, table=None):
        """The annual rate the case's interest accrues at today: the
        debtor's own rate, else the company's consumer rate for a consumer,
        else the company's statutory rate in force today (or its rate)."""
        self.ensure_one()
        rates, default = self._interest_rate_table(table)
        today = fields.Date.context_today(self)
        periods = interest_rules.rate_periods(rates, today, today, default)
        return periods[0][2] if periods else default

    def _interest_rate_table(self, table=None):
        """``(rates, default)``: the statutory rates by period the case's
        interest uses (``[(date_from, rate)]``, empty for the debtor's own
        rate or a consumer's) and the rate of the days before them.

        :param table: the companies' rates, when read already (see
            ``debt.negotiation.interest.rate._rates_by_company``)
        """
        self.ensure_one()
        partner = self.partner_id.sudo()
        if partner.negotiation_interest_custom:
            return [], partner.negotiation_interest_rate
        company = self.company_id
        if partner.negotiation_debtor_type == "consumer":
            return [], company.negotiation_consumer_interest_rate
        if table is None:
            table = self.env["debt.negotiation.interest.rate"]._rates_by_company(
                company
            )
        return table.get(company.id, []), company.negotiation_interest_rate

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _interest_lines(self, move, start, until, rate_table, settled, rounding):
        """The interest ``move`` accrued from ``start`` until ``until``, one
        line of :meth:`_interest_claims` per period of the rate in force.

        :param rate_table: ``(rates, default)`` of :meth:`_interest_rate_table`
        :param settled: its payments (``[(date, amount)]``) and its
            disputed days
        :param rounding: the currency's rounding (the amounts' unit)
        """
        rates, default = rate_table
        payments, disputed_days = settled
        return [
            {
                "move": move,
                "kind": "interest",
                "date_from": date_from,
                "date_to": date_to,
                "rate": rate,
                "amount": rules.from_units(units, rounding),
            }
            for date_from, date_to, rate, units in interest_rules.interest_by_period(
                rules.to_units(abs(move.amount_total), rounding),
                move.invoice_date_due,
                [
                    (paid_on, rules.to_units(amount, rounding))
                    for paid_on, amount in payments
                ],
                start,
                until,
                rates,
                default,
                disputed_days,
            )
        ]

    def _interest_claims(self, until=None):
        """``{case id: [line, ...]}``: what each case can claim now, per
        invoice: ``{"move", "kind", "date_from", "date_to", "amount"}``.

        Interest runs on each posted, overdue invoice of the case (not on a
        claim invoice: no interest on interest) from the day after its due
        date, or after the last day already claimed, until ``until``
        (today); the compensation once per overdue invoice. Payments and
        credits stop the interest on what they settled from their date.
        Nothing on closed cases, nor on invoices whose agreement waived it.

        Disputes: nothing is claimed on an invoice while it is disputed (or
        its whole case is), and no interest accrues on the days it was
        disputed (``debt.negotiation.dispute.period``). A credit note says
        the amount it credits was never owed: no interest on it from the
        due date, and an invoice credited in full owes neither interest nor
        compensation. A settlement's own credit notes (what an agreement
        forgave) are a concession on a debt that was owed, not that."""
        until = until or fields.Date.context_today(self)
        cases = self.filtered(lambda c: c.state in OPEN_STATES and c.id)
        waived = cases._interest_waived_moves()
        moves = (
            cases.invoice_ids.filtered(
                lambda m: (
                    m.state == "posted"
                    and m.invoice_date_due
                    and m.invoice_date_due < until
                    and not m.negotiation_disputed
                    and not m.line_ids.filtered("negotiation_claim_move_id")
                )
            )
            - waived
            - cases.filtered(lambda c: c.state == "disputed").invoice_ids
        )
        claimed = self._interest_claimed(moves)
        payments, not_owed = self._interest_settlements(moves)
        disputed_days = self.env["debt.negotiation.dispute.period"]._periods_of(moves)
        result = defaultdict(list)
        table = self.env["debt.negotiation.interest.rate"]._rates_by_company(
            cases.company_id
        )
        for case in cases:
            currency = case.currency_id
            rounding = currency.rounding or 0.01
            rates, default = case._interest_rate_table(table)
            for move in case.invoice_ids & moves:
                if (
                    currency.compare_amounts(
                        not_owed.get(move.id, 0.0), abs(move.amount_total)
                    )
                    >= 0
                ):
                    continue  # credited in full: never owed
                last_day, compensated = claimed.get(move.id, (None, False))
                result[case.id] += self._interest_lines(
                    move,
                    interest_rules.claim_start(move.invoice_date_due, last_day),
                    until,
                    (rates, default),
                    (payments.get(move.id, []), disputed_days.get(move.id, ())),
                    rounding,
                )
                compensation = (
                    0.0 if compensated else case._compensation_per_invoice(until, move)
                )
                if compensation:
                    result[case.id].append(
                        {
                            "move": move,
                            "kind": "compensation",
                            "date_from": False,
                            "date_to": False,
                            "rate": 0.0,
                            "amount": compensation,
                        }
                    )
        return result

    def _interest_waived_moves(self):
        """The invoices of agreements (in force or fulfilled) whose offer
        waived interest and compensation: nothing accrues on them."""
        # an agreement's offer is one of its case's: read them all at once
        # (the case form reads them next), not the agreed ones alone
        self.offer_ids.fetch(["waive_interest"])
        agreements = self.agreement_ids.filtered(
            lambda a: (
                a.state in ("active", "broken", "fulfilled")
                and a.offer_id.waive_interest
            )
        )
        return agreements.invoice_ids

    def _compensation_per_invoice(self, date, move=None):
        """The company's recovery compensation on ``move`` in the case's
        currency: its fixed amount, or the amount of the band the invoice
        reaches (in the company's currency); none from a consumer (a
        business-to-business entitlement)."""
        self.ensure_one()
        company = self.company_id
        if self.partner_id.sudo().negotiation_debtor_type == "consumer":
            return 0.0
        amount = company.negotiation_compensation_amount
        if company.negotiation_compensation_mode == "banded" and move:
            rounding = company.currency_id.rounding or 0.01
            amount = rules.from_units(
                interest_rules.banded_compensation(
                    rules.to_units(abs(move.amount_total_signed), rounding),
                    [
                        (
                            rules.to_units(band.amount_from, rounding),
                            rules.to_units(band.compensation, rounding),
                        )
                        for band in company.sudo().negotiation_compensation_band_ids
                    ],
                ),
                rounding,
            )
        if not amount:
            return 0.0
        return company.currency_id._convert(amount, self.currency_id, company, date)

    @api.model
    def _interest_claimed(self, moves):
        """``{move id: (last day of interest claimed, compensation
        claimed)}`` from the posted claim invoices, in one query."""
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("negotiation_claim_move_id", "in", moves.ids),
                    ("move_id.state", "=", "posted"),
                ]
            )
        )
        claimed = {}
        for line in lines:
            last_day, compensated = claimed.get(
                line.negotiation_claim_move_id.id, (None, False)
            )
            if line.negotiation_claim_kind == "interest":
                day = line.negotiation_claim_date_to
                last_day = max(last_day, day) if last_day else day
            else:
                compensated = True
            claimed[line.negotiation_claim_move_id.id] = (last_day, compensated)
        return claimed

    @api.model
    def _settlement_partials(self, moves, since=None, order=None):
        """The reconciliations that settled the receivable of ``moves``
        (payments, credit notes), from ``since`` on if given."""
        lines = moves.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        domain = [("debit_move_id", "in", lines.ids)]
        if since:
            domain.append(("max_date", ">=", since))
        return self.env["account.partial.reconcile"].sudo().search(domain, order=order)

    def _invoice_settlements(self, moves, since=None):
        """``{move id: [(date, amount), ...]}``: what settled each invoice
        (payments, credit notes), in the invoice's currency, with the date
        of the reconciliation (from ``since`` on, if given), in one query.
        The interest runs on what is left; a promise counts what came."""
        partials = self._settlement_partials(moves, since=since)
        settlements = defaultdict(list)
        for partial in partials:
            settlements[partial.debit_move_id.move_id.id].append(
                (partial.max_date, partial.debit_amount_currency)
            )
        return settlements

    def _interest_settlements(self, moves):
        """What settled ``moves`` for their interest: ``({move id: [(date,
        amount)]}, {move id: amount credited as not owed})``. A credit note
        (other than a settlement's) counts from the invoice's due date: the
        amount it credits was never owed, so it never bore interest."""
        partials = self._settlement_partials(moves)
        credit_notes = partials.credit_move_id.move_id.filtered(
            lambda m: m.move_type == "out_refund"
        )
        conceded = (
            self.env["debt.negotiation.agreement"]
            .sudo()
            .search([("credit_note_ids", "in", credit_notes.ids)])
            .credit_note_ids
            if credit_notes
            else credit_notes
        )
        settlements = defaultdict(list)
        not_owed = defaultdict(float)
        for partial in partials:
            move = partial.debit_move_id.move_id
            amount = partial.debit_amount_currency
            credit = partial.credit_move_id.move_id
            if credit in credit_notes and credit not in conceded:
                not_owed[move.id] += amount
                settlements[move.id].append((move.invoice_date_due, amount))
            else:
                settlements[move.id].append((partial.max_date, amount))
        return settlements, not_owed

    def _interest_line_name(self, line):
        """The claim invoice line of ``line``, in the language of
        ``self.env`` (the debtor's: see :meth:`_create_interest_invoice`)."""
        move = line["move"]
        if line["kind"] == "compensation":
            return self.env._("Recovery compensation on %(invoice)s", invoice=move.name)
        return self.env._(
            "Late-payment interest on %(invoice)s from %(start)s to %(end)s "
            "at %(rate)s %% a year",
            invoice=move.name,
            start=format_date(self.env, line["date_from"]),
            end=format_date(self.env, line["date_to"]),
            rate=formatLang(self.env, line["rate"], digits=2),
        )

    # ------------------------------------------------------------------
    # Action methods
    # ------------------------------------------------------------------
    def action_claim_interest(self):
        """Invoice the interest and compensation accrued on each case, once:
        one posted customer invoice without tax (interest and compensation
        are not the price of a supply), one line per invoice and period,
        added to the case. The days and invoices it claims are never claimed
        again; the next claim starts the day after."""
        self.check_access("write")
        claims = self._interest_claims()
        empty = self.filtered(lambda c: not claims.get(c.id))
        if empty:
            raise UserError(
                self.env._(
                    "Nothing to claim on %(cases)s: no interest or compensation "
                    "has accrued since the last claim.",
                    cases=", ".join(empty.mapped("name")),
                )
            )
        moves = self.env["account.move"]
        for case in self:
            moves |= case._create_interest_invoice(claims[case.id])
        if len(moves) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": "account.move",
                "res_id": moves.id,
                "view_mode": "form",
                "views": [(False, "form")],
            }
        return True

    def _create_interest_invoice(self, lines):
        """The posted claim invoice of ``lines`` (see
        :meth:`_interest_claims`), added to the case."""
        self.ensure_one()
        company = self.company_id
        journal = self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(company),
                ("type", "=", "sale"),
            ],
            limit=1,
        )
        if not journal:
            raise UserError(
                self.env._(
                    "%(company)s has no sales journal for the interest invoice.",
                    company=company.name,
                )
            )
        account = company.negotiation_interest_account_id or journal.default_account_id
        # the lines are read by the debtor: in its language
        debtor = self.with_context(lang=self.partner_id.lang or self.env.lang)
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner_id.id,
                    "currency_id": self.currency_id.id,
                    "journal_id": journal.id,
                    "invoice_date": fields.Date.context_today(self),
                    "ref": self.name,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": debtor._interest_line_name(line),
                                "quantity": 1.0,
                                "price_unit": line["amount"],
                                "account_id": account.id,
                                "tax_ids": [Command.clear()],
                                "negotiation_claim_move_id": line["move"].id,
                                "negotiation_claim_kind": line["kind"],
                                "negotiation_claim_date_from": line["date_from"],
                                "negotiation_claim_date_to": line["date_to"],
                            }
                        )
                        for line in lines
                    ],
                }
            )
        )
        move.action_post()
        _workflow(self).write({"invoice_ids": [Command.link(move.id)]})
        self.message_post(
            body=self.env._(
                "Interest and compensation claimed: %(invoice)s, %(amount)s.",
                invoice=move._get_html_link(),
                amount=self.currency_id.format(move.amount_total),
            )
        )
        return move.with_env(self.env)
