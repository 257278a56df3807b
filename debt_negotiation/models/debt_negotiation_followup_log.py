# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from collections import defaultdict

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.tools.sql import SQL

_logger = logging.getLogger(__name__)


class DebtNegotiationFollowupLog(models.Model):
    """One executed follow-up step of a case.

    The UNIQUE (negotiation_id, step_id, round) constraint is what makes the
    follow-ups idempotent: a worker first claims the step by inserting this
    row (``INSERT ... ON CONFLICT DO NOTHING``) and only then generates the
    letters, in the same transaction. A rerun, or a second worker running at
    the same time, cannot claim the step again; if the run crashes, the claim
    is rolled back with the letters.
    """

    _name = "debt.negotiation.followup.log"
    _description = "Executed Debt Negotiation Follow-up Step"
    _order = "date desc, id desc"
    _check_company_auto = True

    negotiation_id = fields.Many2one(
        "debt.negotiation",
        string="Case",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    step_id = fields.Many2one(
        "debt.negotiation.followup.step",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    partner_id = fields.Many2one(related="negotiation_id.partner_id", string="Debtor")
    date = fields.Date(required=True, readonly=True)
    letter_ids = fields.Many2many(
        "debt.negotiation.letter",
        "debt_negotiation_followup_log_letter_rel",
        "log_id",
        "letter_id",
        string="Letters",
        readonly=True,
    )
    next_step_id = fields.Many2one(
        "debt.negotiation.followup.step",
        string="Announced Next Step",
        readonly=True,
        ondelete="set null",
    )
    next_action_date = fields.Date(string="Announced Next Date", readonly=True)
    round = fields.Integer(
        readonly=True,
        default=0,
        help="The case's follow-up round: the ladder starts again at each "
        "agreement, for the debt that falls due since.",
    )

    _sql_constraints = [
        (
            "negotiation_step_uniq",
            "unique(negotiation_id, step_id, round)",
            "A follow-up step is executed only once per case and round.",
        ),
    ]

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _done_steps(self, cases):
        """Return ``{case_id: {step_id, ...}}``: the follow-up steps already
        executed on ``cases`` in their current round (one grouped query)."""
        done = defaultdict(set)
        if cases.ids:
            groups = self.sudo()._read_group(
                [("negotiation_id", "in", cases.ids)],
                ["negotiation_id", "round"],
                ["step_id:array_agg"],
            )
            for case, round_, step_ids in groups:
                if round_ == case.followup_round:
                    done[case.id] |= set(step_ids)
        return done

    @api.model
    def _claim(self, decisions, today, step=None):
        """Claim the follow-up step of each of ``decisions`` on its case:
        insert their logs; return ``{case_id: log_id}`` of the cases
        claimed. With ``step``, that step is claimed for every decision.

        :param decisions: the engine's decisions (``case``, ``step``,
            ``next_step``, ``next_date``)

        The UNIQUE (negotiation_id, step_id, round) constraint decides: a step
        already executed (a rerun) is skipped, and of two workers claiming
        the same step at once, the second one waits for the first to commit
        and gets nothing (PostgreSQL reports the conflict as a serialization
        failure in REPEATABLE READ: that claim is rolled back to its
        savepoint, then the cases are claimed one by one).
        """
        if not decisions:
            return {}
        query = SQL(
            """
            INSERT INTO debt_negotiation_followup_log
                   (negotiation_id, step_id, company_id, date, next_step_id,
                    next_action_date, round, create_uid, create_date, write_uid,
                    write_date)
            SELECT t.case_id, t.step_id, t.company_id, %(date)s, t.next_step_id,
                   t.next_date, t.round, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(%(case_ids)s::int[], %(step_ids)s::int[],
                          %(company_ids)s::int[], %(next_step_ids)s::int[],
                          %(next_dates)s::date[], %(rounds)s::int[])
                   AS t(case_id, step_id, company_id, next_step_id, next_date,
                        round)
            ON CONFLICT (negotiation_id, step_id, round) DO NOTHING
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
            rounds=[d.case.followup_round or 0 for d in decisions],
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
                claimed.update(self._claim([decision], today, step))
        self.env["debt.negotiation"].browse(list(claimed)).invalidate_recordset(
            ["followup_log_ids"]
        )
        return claimed

    @api.model
    def _link_letters(self, claimed, letters):
        """Link ``letters`` to the follow-up logs of their cases (one query).

        :param claimed: ``{case_id: log_id}``, as returned by :meth:`_claim`
        """
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
        self.browse([log_id for log_id, _letter_id in pairs]).invalidate_recordset(
            ["letter_ids"]
        )
