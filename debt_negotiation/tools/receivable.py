# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The receivable's age and health: pure rules, no Odoo import.

Ageing buckets by days past due; the measures credit departments compare
month to month: days sales outstanding by the countback method, the
collection effectiveness index, the share over 90 days past due.
"""

import calendar
import datetime

# (key, label, first day late, last day late): "not due" holds the items whose
# due date is today or later (0 days late or fewer).
AGING_BUCKETS = (
    ("not_due", "Not Due", None, 0),
    ("1_30", "1-30", 1, 30),
    ("31_60", "31-60", 31, 60),
    ("61_90", "61-90", 61, 90),
    ("over_90", "Over 90", 91, None),
)


def aging_bucket(days_late):
    """The key of the bucket of an item ``days_late`` days past its due date
    (zero or negative: not yet due)."""
    for key, _label, first, last in AGING_BUCKETS:
        if (first is None or days_late >= first) and (
            last is None or days_late <= last
        ):
            return key
    raise ValueError(days_late)  # pragma: no cover - the buckets cover every integer


def aging_sql(days_expr):
    """A SQL ``CASE`` giving the bucket key of ``days_expr`` (an integer SQL
    expression of days past due): the same rule as :func:`aging_bucket`."""
    whens = []
    for key, _label, first, last in AGING_BUCKETS:
        cond = []
        if first is not None:
            cond.append(f"{days_expr} >= {first}")
        if last is not None:
            cond.append(f"{days_expr} <= {last}")
        whens.append(f"WHEN {' AND '.join(cond)} THEN '{key}'")
    return f"CASE {' '.join(whens)} END"


def aging_totals(items):
    """``{bucket: total}`` over ``items`` = ``(days_late, amount)`` pairs,
    every bucket present."""
    totals = {key: 0.0 for key, *_rest in AGING_BUCKETS}
    for days_late, amount in items:
        totals[aging_bucket(days_late)] += amount
    return totals


def month_end(day):
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def previous_month_ends(day, count):
    """The ``count`` month ends before ``day``'s month, newest first."""
    ends = []
    current = day.replace(day=1)
    for _i in range(count):
        current = current - datetime.timedelta(days=1)
        ends.append(current)
        current = current.replace(day=1)
    return ends


def dso_countback(receivable, periods):
    """Days sales outstanding by the countback method.

    :param receivable: the receivable at the end of the latest period
    :param periods: ``(days, sales)`` of the periods, newest first
    :return: how many days of the most recent sales the receivable
        represents: whole periods are counted back while the receivable
        exceeds their sales, then the share of the period that covers the
        rest. When the receivable exceeds all the sales given, every day of
        those periods counts (the result is then a lower bound). ``0.0`` for
        a receivable of zero or less.
    """
    left = receivable
    days = 0.0
    for period_days, sales in periods:
        if left <= 0:
            break
        if sales > 0 and left <= sales:
            return days + period_days * left / sales
        days += period_days
        left -= max(sales, 0.0)
    return days


def collection_effectiveness(begin, sales, end, end_current):
    """Collection effectiveness index (percent) of a period: what was
    collected out of what could be collected.

    ``(begin + sales - end) / (begin + sales - end_current) * 100`` where
    ``end_current`` is the part of the ending receivable not yet due. ``None``
    when nothing was collectable.
    """
    collectable = begin + sales - end_current
    if collectable <= 0:
        return None
    return max(0.0, min(100.0, 100.0 * (begin + sales - end) / collectable))


def share(part, total):
    """``part`` out of ``total`` in percent (``0.0`` when there is no total)."""
    if total <= 0:
        return 0.0
    return 100.0 * part / total
