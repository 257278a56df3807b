# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What a negotiator works on first: pure rules, no Odoo import."""

import math

# Points of a case (each part is explained in the help of the case's
# ``priority_score``):
AMOUNT_POINTS_PER_DECADE = 10.0  # 10 x log10(1 + amount in company currency)
AGE_POINTS_PER_DAY = 1.0 / 3.0  # a third of a point per day past due...
AGE_DAYS_CAP = 365  # ...counted up to a year
BROKEN_PROMISE_POINTS = 15.0  # per promise broken on the case...
BROKEN_PROMISES_CAP = 3  # ...counted up to three
ESCALATION_WINDOW = 30  # days before a planned escalation that add points
# Why the debtor does not pay (tip 11) and its ability to pay (seed 002):
REASON_POINTS = {
    "insolvency": 20.0,  # claim before the others do
    "wont_pay": 10.0,  # needs a decision (escalate, hand over)
    "forgot": 5.0,  # a call usually settles it
    "disorganised": 5.0,
    "cash_flow": 0.0,
    "other": 0.0,
    "dispute": -10.0,  # waits for the dispute to be worked out
}
ABILITY_POINTS = {"full": 5.0, "partial": 0.0, "none": -5.0}


def priority_score(
    amount,
    days_past_due,
    broken_promises=0,
    days_to_escalation=None,
    reason=None,
    ability=None,
):
    """The priority of a case: higher means work on it first.

    ``amount``: claimed, in the company's currency; ``days_past_due``: of the
    oldest claimed invoice; ``broken_promises``: promises the debtor broke on
    the case; ``days_to_escalation``: days until the ladder plans to escalate
    (``None``: not planned); ``reason`` and ``ability``: keys of
    :data:`REASON_POINTS` and :data:`ABILITY_POINTS` (or ``None``).
    Rounded to two decimals.
    """
    score = AMOUNT_POINTS_PER_DECADE * math.log10(1.0 + max(amount, 0.0))
    score += AGE_POINTS_PER_DAY * min(max(days_past_due, 0), AGE_DAYS_CAP)
    score += BROKEN_PROMISE_POINTS * min(max(broken_promises, 0), BROKEN_PROMISES_CAP)
    if days_to_escalation is not None:
        score += max(0, ESCALATION_WINDOW - max(days_to_escalation, 0))
    score += REASON_POINTS.get(reason, 0.0) + ABILITY_POINTS.get(ability, 0.0)
    return round(score, 2)
