# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..const import OPEN_STATES
from ..tools.receivable import aging_sql

# The open receivable items of customers: posted, not fully reconciled
# receivable lines, by the debtor (commercial entity) and company, amounts in
# the company's currency; ``invoice`` tells invoices and credit notes from
# payments and other entries (unapplied money).
OPEN_RECEIVABLE_ITEMS = """
    SELECT aml.id, aml.company_id, p.commercial_partner_id AS partner_id,
           aml.amount_residual AS amount,
           (CURRENT_DATE - COALESCE(aml.date_maturity, aml.date)) AS days_late,
           am.move_type IN ('out_invoice', 'out_refund', 'out_receipt') AS invoice
      FROM account_move_line aml
      JOIN account_move am ON am.id = aml.move_id
      JOIN account_account aa ON aa.id = aml.account_id
      JOIN res_partner p ON p.id = aml.partner_id
     WHERE aml.parent_state = 'posted'
       -- the predicate of account's partial index of unreconciled lines
       AND (aml.reconciled IS NULL OR aml.reconciled = false
            OR aml.reconciled IS NOT true)
       AND aml.amount_residual != 0
       AND aa.account_type = 'asset_receivable'"""


class DebtNegotiationAging(models.Model):
    """Who owes what, by age (reporting view, read only): one row per debtor
    and company, the open amounts of its posted customer invoices minus credit
    notes in the company's currency by days past due, its payments not yet
    applied, and its open negotiation case with the negotiator and stage."""

    _name = "debt.negotiation.aging"
    _description = "Debt Negotiation Ageing"
    _auto = False
    _order = "amount_total desc"
    _rec_name = "partner_id"
    # flushed before the view is read
    _depends = {
        "account.move.line": [
            "amount_residual",
            "reconciled",
            "parent_state",
            "date_maturity",
            "date",
            "partner_id",
            "company_id",
            "account_id",
            "move_id",
        ],
        "account.move": ["move_type"],
        "account.account": ["account_type"],
        "res.partner": ["commercial_partner_id"],
        "debt.negotiation": [
            "state",
            "partner_id",
            "company_id",
            "user_id",
            "stage_id",
        ],
    }

    partner_id = fields.Many2one("res.partner", string="Debtor", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    negotiation_id = fields.Many2one(
        "debt.negotiation",
        string="Open Case",
        readonly=True,
        help="The debtor's open negotiation case in this company (the oldest "
        "one when it owes in several currencies).",
    )
    user_id = fields.Many2one("res.users", string="Negotiator", readonly=True)
    stage_id = fields.Many2one("debt.negotiation.stage", readonly=True)
    amount_not_due = fields.Monetary(string="Not Due", readonly=True, aggregator="sum")
    amount_1_30 = fields.Monetary(string="1-30", readonly=True, aggregator="sum")
    amount_31_60 = fields.Monetary(string="31-60", readonly=True, aggregator="sum")
    amount_61_90 = fields.Monetary(string="61-90", readonly=True, aggregator="sum")
    amount_over_90 = fields.Monetary(string="Over 90", readonly=True, aggregator="sum")
    amount_total = fields.Monetary(
        string="Total",
        readonly=True,
        aggregator="sum",
        help="Open invoices minus open credit notes, in the company's currency.",
    )
    amount_overdue = fields.Monetary(
        string="Overdue", readonly=True, aggregator="sum", help="Past their due date."
    )
    amount_unapplied = fields.Monetary(
        string="Unapplied Payments",
        readonly=True,
        aggregator="sum",
        help="Payments and other credits received but not yet matched with an "
        "invoice (negative): what the debtor owes once they are applied is "
        "the total plus this amount.",
    )

    def _query(self):
        open_states = ", ".join(f"'{state}'" for state in OPEN_STATES)
        return f"""
            WITH items AS ({OPEN_RECEIVABLE_ITEMS}),
            bucketed AS (
                SELECT i.*, {aging_sql("i.days_late")} AS bucket,
                       CASE WHEN i.invoice THEN i.amount END AS doc
                  FROM items i
            ),
            totals AS (
                SELECT MIN(b.id) AS id, b.partner_id, b.company_id,
                       SUM(b.doc) FILTER (WHERE b.bucket = 'not_due') AS not_due,
                       SUM(b.doc) FILTER (WHERE b.bucket = '1_30') AS d30,
                       SUM(b.doc) FILTER (WHERE b.bucket = '31_60') AS d60,
                       SUM(b.doc) FILTER (WHERE b.bucket = '61_90') AS d90,
                       SUM(b.doc) FILTER (WHERE b.bucket = 'over_90') AS over90,
                       SUM(b.doc) AS total,
                       SUM(b.doc) FILTER (WHERE b.bucket != 'not_due') AS overdue,
                       SUM(b.amount) FILTER (WHERE NOT b.invoice) AS unapplied
                  FROM bucketed b
                 GROUP BY b.partner_id, b.company_id
            ),
            cases AS (
                SELECT DISTINCT ON (c.partner_id, c.company_id)
                       c.partner_id, c.company_id, c.id, c.user_id, c.stage_id
                  FROM debt_negotiation c
                 WHERE c.state IN ({open_states})
                 ORDER BY c.partner_id, c.company_id, c.id
            )
            SELECT t.id, t.partner_id, t.company_id, rc.currency_id,
                   c.id AS negotiation_id, c.user_id, c.stage_id,
                   COALESCE(t.not_due, 0) AS amount_not_due,
                   COALESCE(t.d30, 0) AS amount_1_30,
                   COALESCE(t.d60, 0) AS amount_31_60,
                   COALESCE(t.d90, 0) AS amount_61_90,
                   COALESCE(t.over90, 0) AS amount_over_90,
                   COALESCE(t.total, 0) AS amount_total,
                   COALESCE(t.overdue, 0) AS amount_overdue,
                   COALESCE(t.unapplied, 0) AS amount_unapplied
              FROM totals t
              JOIN res_company rc ON rc.id = t.company_id
              LEFT JOIN cases c ON c.partner_id = t.partner_id
                               AND c.company_id = t.company_id
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

    @api.model
    def _action_open_for_partners(self, partners):
        """The ageing of ``partners`` (their commercial entities)."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debt_negotiation.action_debt_negotiation_aging"
        )
        action["domain"] = [("partner_id", "in", partners.commercial_partner_id.ids)]
        action["context"] = {}
        action["view_mode"] = "list,pivot,graph"
        action["views"] = [(False, "list"), (False, "pivot"), (False, "graph")]
        return action
