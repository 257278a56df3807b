# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

from ..const import ABILITY_TO_PAY, NONPAYMENT_REASONS, STATE_SELECTION
from .debt_negotiation_forecast import CASE_SETTLEMENTS, CASE_TO_COMPANY_RATE


class DebtNegotiationResult(models.Model):
    """Results of the negotiations, one row per case (reporting view for
    managers, read only): what was recovered since the case opened, what is
    still outstanding, the discount granted by fulfilled settlements, the
    promises kept and broken, how long it took to agree. Amounts in the
    company's currency (case amounts at the latest rate)."""

    _name = "debt.negotiation.result"
    _description = "Debt Negotiation Results"
    _auto = False
    _order = "date_open desc"
    _rec_name = "negotiation_id"
    # flushed before the view is read (the case's own figures; the
    # accounting is committed by then in the web client)
    _depends = {
        "debt.negotiation": [
            "partner_id",
            "user_id",
            "company_id",
            "state",
            "nonpayment_reason",
            "ability_to_pay",
            "date_open",
            "amount_due_company",
        ],
        "debt.negotiation.promise": ["negotiation_id", "state"],
    }

    negotiation_id = fields.Many2one("debt.negotiation", string="Case", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Debtor", readonly=True)
    user_id = fields.Many2one("res.users", string="Negotiator", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    state = fields.Selection(STATE_SELECTION, string="Outcome", readonly=True)
    nonpayment_reason = fields.Selection(
        NONPAYMENT_REASONS, string="Why Unpaid", readonly=True
    )
    ability_to_pay = fields.Selection(ABILITY_TO_PAY, readonly=True)
    date_open = fields.Date(string="Opened On", readonly=True)
    date_agreement = fields.Date(string="Agreed On", readonly=True)
    days_to_agreement = fields.Integer(readonly=True, aggregator="avg")
    amount_recovered = fields.Monetary(
        string="Recovered",
        readonly=True,
        aggregator="sum",
        help="Money received on the case's invoices since it opened: "
        "payments, not credit notes (nor what a settlement forgave).",
    )
    amount_credited = fields.Monetary(
        string="Credited",
        readonly=True,
        aggregator="sum",
        help="Credit notes on the case's invoices since it opened (an invoice "
        "found wrong, a dispute conceded): not money recovered.",
    )
    amount_outstanding = fields.Monetary(readonly=True, aggregator="sum")
    discount_granted = fields.Monetary(
        readonly=True,
        aggregator="sum",
        help="What fulfilled settlements forgave, and the interest and "
        "compensation invoices their waivers credited.",
    )
    recovery_rate = fields.Float(
        string="Recovery Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Recovered out of recovered plus outstanding, per case.",
    )
    promise_kept_rate = fields.Float(
        string="Promise-kept Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Promises kept out of the promises kept or broken, per case "
        "(empty without any).",
    )
    promise_kept_count = fields.Integer(string="Promises Kept", readonly=True)
    promise_broken_count = fields.Integer(string="Promises Broken", readonly=True)
    case_count = fields.Integer(string="Cases", readonly=True)

    def _money_ctes(self):
        """The money part of :meth:`_query`: recovered, credited and waived
        amounts per case (common table expressions, without ``WITH``)."""
        return f"""
            waiver_notes AS (
                -- credit notes of interest invoices (see _credit_waived_claims)
                SELECT note.id
                  FROM account_move note
                 WHERE note.reversed_entry_id IN (
                       SELECT move_id FROM account_move_line
                        WHERE negotiation_claim_move_id IS NOT NULL
                 )
            ),
            settlements AS ({CASE_SETTLEMENTS}),
            since_open AS (
                SELECT s.negotiation_id, s.amount,
                       (cm.move_type = 'out_refund') AS is_credit_note
                  FROM settlements s
                  JOIN debt_negotiation c ON c.id = s.negotiation_id
                  JOIN account_move cm ON cm.id = s.credit_move_id
                 WHERE s.max_date >= c.date_open
                   -- what a settlement forgave is a discount, not recovered
                   AND NOT EXISTS (
                       SELECT 1 FROM debt_negotiation_agreement a
                        WHERE a.writeoff_move_id = s.credit_move_id
                   )
                   AND NOT EXISTS (
                       SELECT 1 FROM debt_negotiation_agreement_credit_note_rel cn
                        WHERE cn.move_id = s.credit_move_id
                   )
                   AND s.credit_move_id NOT IN (SELECT id FROM waiver_notes)
            ),
            recovered AS (
                -- money received: a credit note is not a recovery
                SELECT negotiation_id,
                       SUM(amount) FILTER (WHERE NOT is_credit_note) AS amount,
                       SUM(amount) FILTER (WHERE is_credit_note) AS credited
                  FROM since_open
                 GROUP BY negotiation_id
            ),
            waived AS (
                -- interest invoices credited by an agreement's waiver
                SELECT s.negotiation_id, SUM(s.amount) AS amount
                  FROM settlements s
                 WHERE s.credit_move_id IN (SELECT id FROM waiver_notes)
                 GROUP BY s.negotiation_id
            )
        """

    def _query(self):
        return f"""
            WITH {self._money_ctes()},
            agreements AS (
                SELECT negotiation_id,
                       MIN(date) FILTER (
                           WHERE state IN ('active', 'broken', 'fulfilled')
                       ) AS date_agreement,
                       SUM(COALESCE(writeoff_amount, 0)) FILTER (
                           WHERE state = 'fulfilled'
                       ) AS forgiven
                  FROM debt_negotiation_agreement
                 GROUP BY negotiation_id
            ),
            promises AS (
                SELECT negotiation_id,
                       COUNT(*) FILTER (WHERE state = 'kept') AS kept,
                       COUNT(*) FILTER (WHERE state = 'broken') AS broken
                  FROM debt_negotiation_promise
                 GROUP BY negotiation_id
            )
            SELECT c.id, c.id AS negotiation_id, c.partner_id, c.user_id,
                   c.company_id, rc.currency_id, c.state,
                   c.nonpayment_reason, c.ability_to_pay,
                   c.date_open,
                   ag.date_agreement,
                   (ag.date_agreement - c.date_open) AS days_to_agreement,
                   COALESCE(r.amount, 0) AS amount_recovered,
                   COALESCE(r.credited, 0) AS amount_credited,
                   COALESCE(c.amount_due_company, 0) AS amount_outstanding,
                   COALESCE(w.amount, 0) + ROUND(COALESCE(ag.forgiven, 0)
                         * {CASE_TO_COMPANY_RATE}, 2)
                       AS discount_granted,
                   CASE WHEN COALESCE(r.amount, 0)
                             + COALESCE(c.amount_due_company, 0) = 0
                        THEN 0
                        ELSE ROUND(100.0 * COALESCE(r.amount, 0)
                                   / (COALESCE(r.amount, 0)
                                      + COALESCE(c.amount_due_company, 0)), 2)
                   END AS recovery_rate,
                   CASE WHEN COALESCE(p.kept, 0) + COALESCE(p.broken, 0) = 0
                        THEN NULL
                        ELSE ROUND(100.0 * p.kept / (p.kept + p.broken), 2)
                   END AS promise_kept_rate,
                   COALESCE(p.kept, 0) AS promise_kept_count,
                   COALESCE(p.broken, 0) AS promise_broken_count,
                   1 AS case_count
              FROM debt_negotiation c
              JOIN res_company rc ON rc.id = c.company_id
         LEFT JOIN recovered r ON r.negotiation_id = c.id
         LEFT JOIN waived w ON w.negotiation_id = c.id
         LEFT JOIN agreements ag ON ag.negotiation_id = c.id
         LEFT JOIN promises p ON p.negotiation_id = c.id
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
