# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

# Converts an amount of the case ``c`` (its currency) into the currency of
# its company ``rc``, at the latest rate (shared by the reporting views).
CASE_TO_COMPANY_RATE = """
    CASE WHEN c.currency_id = rc.currency_id THEN 1.0
         ELSE 1.0 / COALESCE((
             SELECT cr.rate FROM res_currency_rate cr
              WHERE cr.currency_id = c.currency_id
                AND (cr.company_id = c.company_id OR cr.company_id IS NULL)
              ORDER BY cr.company_id NULLS LAST, cr.name DESC
              LIMIT 1), 1.0) END"""

# What settled the invoices of the cases: one row per reconciliation of a
# case invoice's receivable line (shared by the reporting views).
CASE_SETTLEMENTS = """
    SELECT rel.negotiation_id, apr.max_date, apr.amount,
           apr.debit_amount_currency, credit.move_id AS credit_move_id
      FROM debt_negotiation_account_move_rel rel
      JOIN account_move_line aml ON aml.move_id = rel.move_id
      JOIN account_account aa ON aa.id = aml.account_id
                              AND aa.account_type = 'asset_receivable'
      JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
      JOIN account_move_line credit ON credit.id = apr.credit_move_id"""


class DebtNegotiationForecast(models.Model):
    """Cash forecast of the negotiations (reporting view, read only): the
    receipts expected from the unpaid installments of the agreements in
    force and from the pending promises to pay, each weighted by its
    debtor's promise reliability (its share of kept promises, see
    ``tools.forecast``), next to what actually arrived on the
    cases' invoices. Amounts in the company's currency (case amounts at the
    latest rate)."""

    _name = "debt.negotiation.forecast"
    _description = "Debt Negotiation Cash Forecast"
    _auto = False
    _order = "date desc"
    _rec_name = "negotiation_id"

    date = fields.Date(readonly=True)
    kind = fields.Selection(
        [
            ("installment", "Installment Due"),
            ("promise", "Promise to Pay"),
            ("received", "Received"),
        ],
        readonly=True,
    )
    negotiation_id = fields.Many2one("debt.negotiation", string="Case", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Debtor", readonly=True)
    user_id = fields.Many2one("res.users", string="Negotiator", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary(
        readonly=True,
        aggregator="sum",
        help="Expected (installments, promises) or received, in the company's "
        "currency.",
    )
    amount_weighted = fields.Monetary(
        string="Expected (Weighted)",
        readonly=True,
        aggregator="sum",
        help="Expected amounts weighted by the debtor's share of kept promises "
        "(a debtor without a record counts in full); what was received counts "
        "in full.",
    )
    probability = fields.Float(
        string="Debtor Reliability (%)", readonly=True, aggregator="avg"
    )

    def _query(self):
        return f"""
            WITH cases AS (
                SELECT c.id, c.partner_id, c.user_id, c.company_id,
                       rc.currency_id,
                       {CASE_TO_COMPANY_RATE} AS rate,
                       -- the debtor's promise reliability (tools.forecast)
                       COALESCE(p.negotiation_promise_reliability, 100.0)
                           / 100.0 AS weight
                  FROM debt_negotiation c
                  JOIN res_company rc ON rc.id = c.company_id
                  JOIN res_partner p ON p.id = c.partner_id
            ),
            lines AS (
                SELECT i.due_date AS date, 'installment' AS kind,
                       i.negotiation_id,
                       (i.amount - COALESCE(i.amount_paid, 0)) AS amount,
                       NULL::numeric AS amount_company, TRUE AS expected
                  FROM debt_negotiation_installment i
                  JOIN debt_negotiation_agreement a ON a.id = i.agreement_id
                 WHERE i.active AND i.state != 'paid'
                   AND a.state IN ('active', 'broken')
                UNION ALL
                SELECT p.date, 'promise', p.negotiation_id,
                       (p.amount - COALESCE(p.amount_paid, 0)), NULL::numeric, TRUE
                  FROM debt_negotiation_promise p
                 WHERE p.state = 'pending' AND p.amount > COALESCE(p.amount_paid, 0)
                UNION ALL
                -- money received: payments, not credit notes
                SELECT s.max_date, 'received', s.negotiation_id,
                       s.debit_amount_currency, s.amount, FALSE
                  FROM ({CASE_SETTLEMENTS}) s
                  JOIN account_move cm ON cm.id = s.credit_move_id
                 WHERE cm.move_type != 'out_refund'
            )
            SELECT ROW_NUMBER() OVER (ORDER BY l.date, l.kind, l.negotiation_id) AS id,
                   l.date, l.kind, l.negotiation_id,
                   c.partner_id, c.user_id, c.company_id, c.currency_id,
                   ROUND(COALESCE(l.amount_company, l.amount * c.rate), 2) AS amount,
                   ROUND(COALESCE(l.amount_company, l.amount * c.rate)
                         * CASE WHEN l.expected THEN c.weight ELSE 1.0 END, 2)
                       AS amount_weighted,
                   ROUND(c.weight * 100, 2) AS probability
              FROM lines l
              JOIN cases c ON c.id = l.negotiation_id
        """

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                SQL(self._query()),
            )
        )
