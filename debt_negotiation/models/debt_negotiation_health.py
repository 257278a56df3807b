# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_unique_index

from ..const import OPEN_STATES
from ..tools import receivable as rules

HISTORY_MONTHS = 12
# DSO counts back over at most this many months of sales
COUNTBACK_MONTHS = 12


class DebtNegotiationHealth(models.Model):
    """The receivable's health, month by month (managers' report): per
    company, and per negotiator of the debtors' open cases, the receivable at
    the end of the month (or today for the current month), how much of it is
    overdue and over 90 days past due, days sales outstanding (countback),
    the collection effectiveness index and the promise-kept rate. Rows are
    written by a daily scheduled action: the current month again each day,
    past months once (at their end), so the trend shows."""

    _name = "debt.negotiation.health"
    _description = "Receivable Health"
    _order = "month desc, company_id, level, user_id"
    _rec_name = "month"

    month = fields.Date(required=True, readonly=True, help="First day of the month.")
    date = fields.Date(
        string="As of",
        required=True,
        readonly=True,
        help="The day the figures are taken on.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    level = fields.Selection(
        [("company", "Company"), ("negotiator", "Negotiator")],
        required=True,
        readonly=True,
        help="Company: the whole receivable of the company. Negotiator: the "
        "receivable of the debtors whose open case the negotiator holds (no "
        "negotiator: debtors without an open case).",
    )
    user_id = fields.Many2one("res.users", string="Negotiator", readonly=True)
    receivable = fields.Monetary(readonly=True, aggregator="sum")
    receivable_overdue = fields.Monetary(
        string="Overdue", readonly=True, aggregator="sum"
    )
    receivable_over_90 = fields.Monetary(
        string="Over 90 Days", readonly=True, aggregator="sum"
    )
    over_90_share = fields.Float(
        string="Over 90 Days (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the receivable more than 90 days past due.",
    )
    sales = fields.Monetary(
        string="Invoiced",
        readonly=True,
        aggregator="sum",
        help="Customer invoices minus credit notes of the month (up to the "
        "as-of day), taxes included.",
    )
    dso = fields.Float(
        string="DSO (days)",
        readonly=True,
        aggregator="avg",
        help="Days sales outstanding, countback method: how many days of the "
        "latest invoicing the receivable represents (whole months counted back "
        "while the receivable exceeds their invoicing, then the share of the "
        "month that covers the rest; at most 12 months).",
    )
    cei = fields.Float(
        string="Collection Effectiveness (%)",
        readonly=True,
        aggregator="avg",
        help="Collected in the month out of what could be collected: "
        "(receivable at the start + invoiced - receivable at the end) / "
        "(receivable at the start + invoiced - receivable not yet due at the "
        "end).",
    )
    promises_kept = fields.Integer(readonly=True, aggregator="sum")
    promises_broken = fields.Integer(readonly=True, aggregator="sum")
    promise_kept_rate = fields.Float(
        string="Promise-kept Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Promises kept out of the promises kept or broken that fell due "
        "in the month.",
    )

    def init(self):
        # one row per month, company, level and negotiator ("no negotiator"
        # included)
        create_unique_index(
            self.env.cr,
            "debt_negotiation_health_one_row",
            self._table,
            ["month", "company_id", "level", "COALESCE(user_id, 0)"],
        )

    # ------------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------------
    def action_refresh(self):
        """Button of the list: the figures of the current user's companies now."""
        self._update(self.env.companies)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    @api.model
    def _cron_update(self):
        self._update(self.env["res.company"].search([]))

    # ------------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------------
    def _update(self, companies, today=None):
        """Writes the rows of the current month and of the past months that
        are missing or were taken before their month's end."""
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        dates = [today]
        taken = self._taken_dates(companies)
        for end in rules.previous_month_ends(today, HISTORY_MONTHS):
            if any(
                taken.get((company.id, end.replace(day=1))) != end
                for company in companies
            ):
                dates.append(end)
        # the CEI needs the receivable at the start of each month
        starts = {d.replace(day=1) - relativedelta(days=1) for d in dates}
        snapshot = self._receivable_at(companies, sorted(set(dates) | starts))
        sales = self._monthly_sales(companies, today)
        promises = self._promise_counts(companies, min(dates).replace(day=1), today)
        values = []
        for day in dates:
            start = day.replace(day=1) - relativedelta(days=1)
            for key in {k[1:] for k in snapshot if k[0] == day}:
                values.append(
                    self._row_values(day, key, snapshot, sales, promises, start)
                )
        months = {day.replace(day=1) for day in dates}
        self.sudo().search(
            [("company_id", "in", companies.ids), ("month", "in", list(months))]
        ).unlink()
        return self.sudo().create(values)

    def _taken_dates(self, companies):
        rows = self.sudo().search_read(
            [("company_id", "in", companies.ids), ("level", "=", "company")],
            ["company_id", "month", "date"],
        )
        return {(r["company_id"][0], r["month"]): r["date"] for r in rows}

    def _row_values(self, day, key, snapshot, sales, promises, start):
        company_id, level, user_id = key
        figures = snapshot[(day, *key)]
        begin = snapshot.get((start, *key), {}).get("receivable", 0.0)
        month_sales = sales.get((day.replace(day=1), *key), 0.0)
        periods = [(day.day, month_sales)]
        month = day.replace(day=1)
        for _i in range(COUNTBACK_MONTHS - 1):
            month -= relativedelta(months=1)
            days = rules.month_end(month).day
            periods.append((days, sales.get((month, *key), 0.0)))
        kept, broken = promises.get((day.replace(day=1), *key), (0, 0))
        cei = rules.collection_effectiveness(
            begin, month_sales, figures["receivable"], figures["not_due"]
        )
        return {
            "month": day.replace(day=1),
            "date": day,
            "company_id": company_id,
            "level": level,
            "user_id": user_id,
            "receivable": figures["receivable"],
            "receivable_overdue": figures["receivable"] - figures["not_due"],
            "receivable_over_90": figures["over_90"],
            "over_90_share": round(
                rules.share(figures["over_90"], figures["receivable"]), 2
            ),
            "sales": month_sales,
            "dso": round(rules.dso_countback(figures["receivable"], periods), 1),
            "cei": round(cei, 2) if cei is not None else 0.0,
            "promises_kept": kept,
            "promises_broken": broken,
            "promise_kept_rate": round(rules.share(kept, kept + broken), 2),
        }

    # -- queries ---------------------------------------------------------
    def _negotiators_sql(self):
        """(partner, company) → negotiator of the debtor's open case."""
        states = SQL(", ".join(["%s"] * len(OPEN_STATES)), *OPEN_STATES)
        return SQL(
            """SELECT DISTINCT ON (c.partner_id, c.company_id)
                      c.partner_id, c.company_id, c.user_id
                 FROM debt_negotiation c
                WHERE c.state IN (%s)
                ORDER BY c.partner_id, c.company_id, c.id""",
            states,
        )

    @staticmethod
    def _add(result, key, company_id, user_id, figures):
        """Adds ``figures`` to the company row and the negotiator's row."""
        for row in (
            (company_id, "company", False),
            (company_id, "negotiator", user_id or False),
        ):
            target = result[(*key, *row)] if key else result[row]
            for name, amount in figures.items():
                target[name] = target.get(name, 0.0) + float(amount or 0.0)

    def _receivable_at(self, companies, dates):
        """``{(date, company, level, user): {receivable, not_due, over_90}}``:
        the receivable as it stood at the end of each date (lines posted by
        then, minus what had been reconciled by then)."""
        rows = self.env.execute_query(
            SQL(
                """
                WITH dates AS (SELECT unnest(%(dates)s::date[]) AS d),
                lines AS (
                    SELECT aml.id, aml.company_id,
                           p.commercial_partner_id AS partner_id,
                           aml.date, COALESCE(aml.date_maturity, aml.date) AS due,
                           aml.balance
                      FROM account_move_line aml
                      JOIN account_account aa ON aa.id = aml.account_id
                      JOIN res_partner p ON p.id = aml.partner_id
                     WHERE aml.parent_state = 'posted'
                       AND aa.account_type = 'asset_receivable'
                       AND aml.company_id = ANY(%(companies)s)
                       AND aml.date <= %(last)s
                ),
                partials AS (
                    SELECT apr.debit_move_id AS line_id, apr.max_date,
                           -apr.amount AS amount
                      FROM account_partial_reconcile apr
                     WHERE apr.debit_move_id IN (SELECT id FROM lines)
                    UNION ALL
                    SELECT apr.credit_move_id, apr.max_date, apr.amount
                      FROM account_partial_reconcile apr
                     WHERE apr.credit_move_id IN (SELECT id FROM lines)
                ),
                reconciled AS (
                    SELECT d.d, p.line_id, SUM(p.amount) AS amount
                      FROM dates d JOIN partials p ON p.max_date <= d.d
                     GROUP BY d.d, p.line_id
                ),
                open_at AS (
                    SELECT d.d, l.company_id, l.partner_id, l.due,
                           l.balance + COALESCE(r.amount, 0) AS open
                      FROM dates d
                      JOIN lines l ON l.date <= d.d
                      LEFT JOIN reconciled r ON r.d = d.d AND r.line_id = l.id
                ),
                negotiators AS (%(negotiators)s)
                SELECT o.d, o.company_id, n.user_id,
                       SUM(o.open),
                       SUM(o.open) FILTER (WHERE o.due >= o.d),
                       SUM(o.open) FILTER (WHERE o.d - o.due > 90)
                  FROM open_at o
                  LEFT JOIN negotiators n ON n.partner_id = o.partner_id
                                         AND n.company_id = o.company_id
                 WHERE o.open != 0
                 GROUP BY o.d, o.company_id, n.user_id
                """,
                dates=list(dates),
                companies=companies.ids,
                last=max(dates),
                negotiators=self._negotiators_sql(),
            )
        )
        result = defaultdict(dict)
        for day, company_id, user_id, amount, not_due, over_90 in rows:
            figures = {"receivable": amount, "not_due": not_due, "over_90": over_90}
            self._add(result, (day,), company_id, user_id, figures)
        for day in dates:
            for company in companies:
                for key in ((day, company.id, "company", False),):
                    result.setdefault(key, {})
        for figures in result.values():
            for name in ("receivable", "not_due", "over_90"):
                figures.setdefault(name, 0.0)
        return result

    def _monthly_sales(self, companies, today):
        """``{(month, company, level, user): invoiced}`` over the countback
        months up to ``today``: customer invoices minus credit notes, taxes
        included (their receivable lines)."""
        first = today.replace(day=1) - relativedelta(
            months=HISTORY_MONTHS + COUNTBACK_MONTHS
        )
        rows = self.env.execute_query(
            SQL(
                """
                WITH negotiators AS (%(negotiators)s)
                SELECT date_trunc('month', aml.date)::date, aml.company_id, n.user_id,
                       SUM(aml.balance)
                  FROM account_move_line aml
                  JOIN account_move am ON am.id = aml.move_id
                  JOIN account_account aa ON aa.id = aml.account_id
                  JOIN res_partner p ON p.id = aml.partner_id
                  LEFT JOIN negotiators n ON n.partner_id = p.commercial_partner_id
                                         AND n.company_id = aml.company_id
                 WHERE aml.parent_state = 'posted'
                   AND aa.account_type = 'asset_receivable'
                   AND am.move_type IN ('out_invoice', 'out_refund', 'out_receipt')
                   AND aml.company_id = ANY(%(companies)s)
                   AND aml.date BETWEEN %(first)s AND %(today)s
                 GROUP BY 1, 2, 3
                """,
                negotiators=self._negotiators_sql(),
                companies=companies.ids,
                first=first,
                today=today,
            )
        )
        result = defaultdict(dict)
        for month, company_id, user_id, amount in rows:
            self._add(result, (month,), company_id, user_id, {"sales": amount})
        return {key: figures["sales"] for key, figures in result.items()}

    def _promise_counts(self, companies, first, today):
        """``{(month, company, level, user): (kept, broken)}`` of the
        promises that fell due in each month."""
        rows = self.env.execute_query(
            SQL(
                """
                SELECT date_trunc('month', pr.date)::date, c.company_id, c.user_id,
                       COUNT(*) FILTER (WHERE pr.state = 'kept'),
                       COUNT(*) FILTER (WHERE pr.state = 'broken')
                  FROM debt_negotiation_promise pr
                  JOIN debt_negotiation c ON c.id = pr.negotiation_id
                 WHERE c.company_id = ANY(%(companies)s)
                   AND pr.date BETWEEN %(first)s AND %(today)s
                 GROUP BY 1, 2, 3
                """,
                companies=companies.ids,
                first=first,
                today=today,
            )
        )
        result = defaultdict(dict)
        for month, company_id, user_id, kept, broken in rows:
            self._add(
                result, (month,), company_id, user_id, {"kept": kept, "broken": broken}
            )
        return {
            key: (int(f.get("kept", 0)), int(f.get("broken", 0)))
            for key, f in result.items()
        }
