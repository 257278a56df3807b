# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Late-payment interest: pure rules, no Odoo import.

Simple interest at an annual rate on a 365-day year, day by day on an
invoice's open amount for each day past its due date. A payment (or credit)
stops the interest on what it settled from its date on. Amounts are integer
units of the currency (see ``negotiation_rules.to_units``); dates are
``datetime.date``.
"""

from datetime import timedelta

DAYS_IN_YEAR = 365


def interest_units(amount, due_date, payments, start, end, rate, excluded=()):
    """Interest in currency units (rounded half up) on an invoice of
    ``amount`` units due on ``due_date``, for the days from ``start`` to
    ``end`` included (a day counts only once it is past the due date).

    :param payments: ``[(date, units), ...]``: what settled the invoice, and
        when; from that date on the open amount is lower
    :param rate: annual rate, in percent (``8.0`` = 8 % a year)
    :param excluded: ``[(first, last), ...]``: periods (both days included;
        ``last`` None: still running) on which no interest accrues, e.g.
        while the invoice was disputed
    """
    if not rate or rate <= 0 or not due_date or not end:
        return 0
    first = max(start or due_date, due_date + timedelta(days=1))
    if end < first:
        return 0
    # the open amount changes on each payment date
    changes = sorted(payments or [])
    open_units = amount - sum(units for paid_on, units in changes if paid_on <= first)
    day_units = 0  # sum over the days of the open amount, in unit-days
    current = first
    for paid_on, units in changes:
        if paid_on <= first:
            continue
        if paid_on > end:
            break
        day_units += max(open_units, 0) * counted_days(
            current, paid_on - timedelta(days=1), excluded
        )
        open_units -= units
        current = paid_on
    day_units += max(open_units, 0) * counted_days(current, end, excluded)
    # round half up, in integers: units = day_units * rate / (100 * 365)
    numerator = day_units * _rate_hundredths(rate)
    denominator = 100 * 100 * DAYS_IN_YEAR
    return (2 * numerator + denominator) // (2 * denominator)


def counted_days(first, last, excluded=()):
    """How many days from ``first`` to ``last`` (both included) fall outside
    every ``excluded`` period ``(first, last)`` (``last`` None: open)."""
    if last < first:
        return 0
    days = (last - first).days + 1
    # the excluded days within [first, last], overlapping periods once
    clipped = sorted(
        (max(start, first), min(stop or last, last))
        for start, stop in excluded or ()
        if start <= last and (stop is None or stop >= first)
    )
    covered_until = None
    for start, stop in clipped:
        if covered_until is not None and start <= covered_until:
            start = covered_until + timedelta(days=1)
        if stop < start:
            continue
        days -= (stop - start).days + 1
        covered_until = stop if covered_until is None else max(covered_until, stop)
    return days


def _rate_hundredths(rate):
    """The rate in hundredths of a percent, as an integer (rates are set
    with two decimals)."""
    return int(round(rate * 100))
