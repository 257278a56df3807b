# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""My Day: what a negotiator does today, most pressing case first."""

from odoo import api, fields, models
from odoo.osv import expression

from ..const import ABILITY_TO_PAY, NONPAYMENT_REASONS, OPEN_STATES
from ..tools import followup_ladder, worklist

# What puts a case in My Day, each a domain on the case ("today": the
# negotiator's date): the search of ``my_day`` ORs them.
MY_DAY_REASONS = (
    "followup",
    "promise",
    "installment",
    "counter_offer",
    "call",
    "letter",
)


# Satellite file of the case model, one concern per file (as account does).
class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    nonpayment_reason = fields.Selection(
        NONPAYMENT_REASONS,
        string="Why Unpaid",
        tracking=True,
        help="Why the debtor does not pay, as the negotiator found out: it "
        "weighs in the case's priority and in the results.",
    )
    ability_to_pay = fields.Selection(
        ABILITY_TO_PAY,
        tracking=True,
        help="What the debtor can pay, as the negotiator judges it.",
    )
    priority_score = fields.Float(
        compute="_compute_priority_score",
        store=True,
        readonly=True,
        index=True,
        aggregator="avg",
        digits=(16, 2),
        help="Higher means work on it first. The sum of: 10 x log10(1 + the "
        "amount claimed in the company's currency) (1,000 gives 30, 10,000 "
        "gives 40); a third of a point per day the oldest claimed invoice is "
        "past due (up to a year); 15 per promise the debtor broke on the case "
        "(up to three); when the ladder plans to escalate within 30 days, 30 "
        "minus the days left; why unpaid: insolvency +20, will not pay +10, "
        "forgot or disorganised +5, disputes the claim -10; ability to pay: "
        "in full +5, cannot pay now -5. Recomputed when the case changes and "
        "every night.",
    )
    my_day = fields.Boolean(
        compute="_compute_my_day",
        search="_search_my_day",
        help="Something is due on the case today or earlier: a follow-up, a "
        "promise, an installment, a counter-offer to answer, a planned call, "
        "a letter to send.",
    )
    my_day_reasons = fields.Char(string="Due Today", compute="_compute_my_day")

    # ------------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------------
    @api.depends(
        "state",
        "amount_claimed",
        "amount_due",
        "amount_due_company",
        "oldest_due_date",
        "promise_ids.state",
        "next_step_id",
        "next_action_date",
        "nonpayment_reason",
        "ability_to_pay",
    )
    def _compute_priority_score(self):
        today = fields.Date.context_today(self)
        escalations = self._planned_escalation_dates()
        for case in self:
            if case.state not in OPEN_STATES:
                case.priority_score = 0.0
                continue
            share = case.amount_claimed / case.amount_due if case.amount_due else 0.0
            escalation = escalations.get(case.id)
            case.priority_score = worklist.priority_score(
                case.amount_due_company * share,
                (today - case.oldest_due_date).days if case.oldest_due_date else 0,
                len(case.promise_ids.filtered(lambda p: p.state == "broken")),
                (escalation - today).days if escalation else None,
                case.nonpayment_reason,
                case.ability_to_pay,
            )

    def _compute_my_day(self):
        reasons = self._my_day_reasons()
        labels = self._my_day_labels()
        for case in self:
            found = reasons.get(case.id, [])
            case.my_day = bool(found)
            case.my_day_reasons = ", ".join(labels[key] for key in found)

    def _search_my_day(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(operator)
        ids = self._search(expression.OR(list(self._my_day_domains().values())))
        if (operator == "=") == value:
            return [("id", "in", ids)]
        return [("id", "not in", ids)]

    # ------------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------------
    def _my_day_labels(self):
        return {
            "followup": self.env._("Follow-up due"),
            "promise": self.env._("Promise due"),
            "installment": self.env._("Installment late"),
            "counter_offer": self.env._("Counter-offer to answer"),
            "call": self.env._("Call planned"),
            "letter": self.env._("Letter to send"),
        }

    def _my_day_domains(self):
        """{reason: domain of the cases it holds today}."""
        today = fields.Date.context_today(self)
        return {
            "followup": [
                ("next_action_date", "<=", today),
                ("state", "in", OPEN_STATES),
            ],
            "promise": [
                (
                    "promise_ids",
                    "any",
                    [("state", "=", "pending"), ("date", "<=", today)],
                )
            ],
            "installment": [
                (
                    "installment_ids",
                    "any",
                    [
                        ("state", "in", ("late", "missed")),
                        ("agreement_id.state", "in", ("active", "broken")),
                    ],
                )
            ],
            "counter_offer": [
                (
                    "offer_ids",
                    "any",
                    [("origin", "=", "debtor"), ("state", "=", "proposed")],
                )
            ],
            "call": [
                (
                    "activity_ids",
                    "any",
                    [
                        ("activity_type_id.category", "=", "phonecall"),
                        ("date_deadline", "<=", today),
                    ],
                )
            ],
            "letter": [("letter_ids", "any", [("state", "=", "to_send")])],
        }

    def _my_day_reasons(self):
        """{case id: [reason, ...]} of these cases, one search per reason."""
        found = {}
        for reason, domain in self._my_day_domains().items():
            for case_id in self.search([("id", "in", self.ids), *domain]).ids:
                found.setdefault(case_id, []).append(reason)
        order = {reason: index for index, reason in enumerate(MY_DAY_REASONS)}
        return {key: sorted(value, key=order.get) for key, value in found.items()}

    def _planned_escalation_dates(self):
        """{case id: the date the ladder plans to escalate it} of the cases
        with a next follow-up step (the ladder's own plan, see
        ``tools.followup_ladder.planned_escalation``)."""
        planned = self.filtered(lambda c: c.next_step_id and c.next_action_date)
        if not planned:
            return {}
        Step = self.env["debt.negotiation.followup.step"].sudo()
        ladders = Step._ladders(planned.company_id)
        ladder_of = planned._followup_ladder_map()
        dates = {}
        for case in planned:
            ladder = ladders.get(ladder_of.get(case.id), [])
            steps = Step.browse([key for key, _delay in ladder])
            dates[case.id] = case._planned_escalation(
                ladder, steps, case.next_step_id, case.next_action_date
            )
        return dates

    def _planned_escalation(self, ladder, steps, step, date, fallback_due=None):
        """The date the ladder escalates this case when ``step`` runs on
        ``date`` (False when no escalation follows); the delays count from
        the oldest due date (else ``fallback_due``, else ``date``)."""
        self.ensure_one()
        return (
            followup_ladder.planned_escalation(
                ladder,
                self.oldest_due_date or fallback_due or date,
                step.id,
                date,
                self.company_id.negotiation_response_days,
                frozenset(steps.filtered("letter_type").ids),
                frozenset(steps.filtered("escalate").ids),
            )
            or False
        )

    @api.model
    def _cron_refresh_priorities(self, batch_size=1000):
        """Every night: the priority of the open cases as of today (the days
        past due and the days to the escalation move with the date)."""
        cases = self.sudo().search([("state", "in", OPEN_STATES)])
        # and their credit hold (a rule counts the days past due)
        fields_ = [self._fields["priority_score"], self._fields["credit_hold"]]
        for start in range(0, len(cases), batch_size):
            batch = cases[start : start + batch_size]
            for field in fields_:
                self.env.add_to_compute(field, batch)
            batch.flush_recordset(["priority_score", "credit_hold"])
            batch.partner_id._negotiation_refresh_credit_hold()
            self.env.invalidate_all()
