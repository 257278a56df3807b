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
    if not rate or rate <= 0:
        return 0
    return _round_units(
        interest_numerator(amount, due_date, payments, start, end, rate, excluded)
    )


def interest_numerator(amount, due_date, payments, start, end, rate, excluded=()):
    """The exact interest of :func:`interest_units` before rounding, as an
    integer: the open amount summed over the days (unit-days) times the rate
    in hundredths of a percent. Additive over disjoint periods of days."""
    return _unit_days(amount, due_date, payments, start, end, excluded) * (
        _rate_hundredths(rate) if rate and rate > 0 else 0
    )


def _unit_days(amount, due_date, payments, start, end, excluded=()):
    """The open amount summed over the days counted from ``start`` to
    ``end`` (see :func:`interest_units`), in unit-days."""
    if not due_date or not end:
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
    return day_units


def _round_units(numerator):
    """Currency units (rounded half up) of ``numerator`` (unit-days times
    the rate in hundredths of a percent)."""
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


def rate_periods(rates, first, last, default=0.0):
    """``[(start, end, rate), ...]``: the days from ``first`` to ``last``
    (both included) cut where the rate in force changes. ``rates``:
    ``[(date_from, rate), ...]``, each in force from its date until the
    next one's; before the first of them, ``default``."""
    if not first or not last or last < first:
        return []
    ordered = sorted(rates or ())
    current = default
    for date_from, rate in ordered:
        if date_from <= first:
            current = rate
    periods = []
    start = first
    for date_from, rate in ordered:
        if date_from <= first:
            continue
        if date_from > last:
            break
        periods.append((start, date_from - timedelta(days=1), current))
        start, current = date_from, rate
    periods.append((start, last, current))
    return periods


def interest_by_period(
    amount, due_date, payments, start, end, rates, default=0.0, excluded=()
):
    """``[(start, end, rate, units), ...]``: the interest of
    :func:`interest_units` for the days ``start`` to ``end``, one entry per
    period of the rate in force (see :func:`rate_periods`), periods without
    interest left out. Each day bears the rate in force that day."""
    if not due_date or not end:
        return []
    first = max(start or due_date, due_date + timedelta(days=1))
    result = []
    for period_start, period_end, rate in rate_periods(rates, first, end, default):
        units = interest_units(
            amount, due_date, payments, period_start, period_end, rate, excluded
        )
        if units > 0:
            result.append((period_start, period_end, rate, units))
    return result


def claim_start(due_date, last_claimed=None):
    """The first day a new claim of interest covers: the day after the last
    day already claimed, else the day after the due date (claims never
    overlap)."""
    if last_claimed:
        return last_claimed + timedelta(days=1)
    return due_date + timedelta(days=1)


def rate_problems(rates):
    """What is wrong with a table of rates ``[(date_from, rate), ...]`` of
    one company: ``("negative", date)`` for a rate below 0,
    ``("overlap", date)`` for two rates in force from the same day."""
    problems = []
    seen = set()
    for date_from, rate in rates:
        if rate < 0:
            problems.append(("negative", date_from))
        if date_from in seen:
            problems.append(("overlap", date_from))
        seen.add(date_from)
    return problems


def banded_compensation(amount, bands):
    """The recovery compensation of an invoice of ``amount`` by bands
    ``[(amount_from, compensation), ...]`` (e.g. UK: 0 -> 40, 1000 -> 70,
    10000 -> 100): the compensation of the highest band the amount reaches;
    0 below every band."""
    reached = [(floor, comp) for floor, comp in bands if amount >= floor]
    return max(reached)[1] if reached else 0
