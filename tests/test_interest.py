"""Tests of debt_negotiation/tools/interest.py (no Odoo needed)."""

from datetime import date, timedelta

import pytest
from debt_negotiation_tools import interest
from hypothesis import given
from hypothesis import strategies as st

DUE = date(2026, 1, 31)


def day(n):
    """``n`` days after the due date."""
    return DUE + timedelta(days=n)


@pytest.mark.parametrize(
    ("amount", "payments", "start", "end", "rate", "expected"),
    [
        # 1,000.00 at 10 % a year for 365 days: 100.00
        (100_000, [], None, day(365), 10.0, 10_000),
        # 30 days: 1000 * 0.10 * 30 / 365 = 8.219... -> 8.22
        (100_000, [], None, day(30), 10.0, 822),
        # nothing on or before the due date
        (100_000, [], None, day(0), 10.0, 0),
        (100_000, [], day(-10), day(-1), 10.0, 0),
        # half paid on day 11: 10 days on 1000, 20 days on 500
        # (10 * 1000 + 20 * 500) * 0.10 / 365 = 5.479 -> 5.48
        (100_000, [(day(11), 50_000)], None, day(30), 10.0, 548),
        # paid in full on day 11: only the 10 days before it
        (100_000, [(day(11), 100_000)], None, day(30), 10.0, 274),
        # a payment before the due date lowers the amount from the start
        (100_000, [(day(-5), 40_000)], None, day(30), 10.0, 493),
        # a claim from day 16 to day 30: 15 days
        (100_000, [], day(16), day(30), 10.0, 411),
        # 0 % or no rate: nothing
        (100_000, [], None, day(30), 0.0, 0),
    ],
)
def test_interest_examples(amount, payments, start, end, rate, expected):
    assert interest.interest_units(amount, DUE, payments, start, end, rate) == expected


amounts = st.integers(min_value=1, max_value=10**9)
rates = st.floats(min_value=0.01, max_value=50.0).map(lambda r: round(r, 2))
offsets = st.integers(min_value=-30, max_value=800)
payment_lists = st.lists(
    st.tuples(st.integers(min_value=-30, max_value=800), st.integers(1, 10**8)),
    max_size=5,
)


@given(amounts, payment_lists, offsets, offsets, rates)
def test_interest_is_never_negative_and_grows_with_time(amount, pays, a, b, rate):
    payments = [(day(n), units) for n, units in pays]
    first, last = sorted((a, b))
    early = interest.interest_units(amount, DUE, payments, None, day(first), rate)
    late = interest.interest_units(amount, DUE, payments, None, day(last), rate)
    assert 0 <= early <= late


@given(amounts, payment_lists, st.integers(1, 400), st.integers(1, 400), rates)
def test_claims_split_the_days_without_gap_or_overlap(amount, pays, mid, more, rate):
    """Two claims (day 1..mid, then mid+1..end) add up to one claim of the
    whole period, to the rounding of each claim (one unit)."""
    payments = [(day(n), units) for n, units in pays]
    end = mid + more
    whole = interest.interest_units(amount, DUE, payments, None, day(end), rate)
    first = interest.interest_units(amount, DUE, payments, None, day(mid), rate)
    second = interest.interest_units(
        amount, DUE, payments, day(mid + 1), day(end), rate
    )
    assert abs(first + second - whole) <= 1


@given(amounts, st.integers(1, 400), st.integers(1, 400), st.integers(1, 10**9), rates)
def test_a_payment_never_increases_the_interest(amount, paid_on, end, units, rate):
    without = interest.interest_units(amount, DUE, [], None, day(end), rate)
    with_payment = interest.interest_units(
        amount, DUE, [(day(paid_on), units)], None, day(end), rate
    )
    assert with_payment <= without


@given(amounts, st.integers(1, 2000), rates)
def test_without_payment_it_is_simple_interest(amount, days, rate):
    exact = amount * rate / 100 * days / 365
    got = interest.interest_units(amount, DUE, [], None, day(days), rate)
    assert abs(got - exact) <= 0.5 + 1e-6 * exact


# ----------------------------------------------------------------------
# Periods without interest (an invoice in dispute)
# ----------------------------------------------------------------------
periods = st.lists(
    st.tuples(
        st.integers(min_value=-30, max_value=800),
        st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
    ).map(lambda p: (day(p[0]), None if p[1] is None else day(p[0] + p[1]))),
    max_size=4,
)


def test_a_disputed_period_accrues_nothing():
    # 30 days at 10 % on 1,000.00, days 11 to 20 in dispute: 20 days count
    assert interest.interest_units(
        100_000, DUE, [], None, day(30), 10.0, [(day(11), day(20))]
    ) == interest.interest_units(100_000, DUE, [], None, day(20), 10.0)
    # still disputed (no end): nothing from its first day on
    assert interest.interest_units(
        100_000, DUE, [], None, day(30), 10.0, [(day(11), None)]
    ) == interest.interest_units(100_000, DUE, [], None, day(10), 10.0)
    # disputed since before the due date: nothing at all
    assert (
        interest.interest_units(
            100_000, DUE, [], None, day(30), 10.0, [(day(-3), None)]
        )
        == 0
    )


@given(amounts, payment_lists, offsets, rates, periods)
def test_excluded_periods_never_add_interest(amount, pays, end, rate, excluded):
    payments = [(day(n), units) for n, units in pays]
    full = interest.interest_units(amount, DUE, payments, None, day(end), rate)
    less = interest.interest_units(
        amount, DUE, payments, None, day(end), rate, excluded
    )
    assert 0 <= less <= full


@given(offsets, offsets, periods)
def test_counted_days_is_the_days_outside_the_periods(a, b, excluded):
    first, last = day(min(a, b)), day(max(a, b))
    expected = sum(
        1
        for n in range((last - first).days + 1)
        if not any(
            start <= first + timedelta(days=n)
            and (stop is None or first + timedelta(days=n) <= stop)
            for start, stop in excluded
        )
    )
    assert interest.counted_days(first, last, excluded) == expected


# ----------------------------------------------------------------------
# Statutory rates by period
# ----------------------------------------------------------------------
rate_tables = st.lists(
    st.tuples(
        st.integers(min_value=-60, max_value=800),
        st.floats(min_value=0.0, max_value=20.0).map(lambda r: round(r, 2)),
    ),
    max_size=6,
    unique_by=lambda t: t[0],
)


def _open_units(amount, payments, when):
    """The open amount on day ``when`` (payments dated on or before it)."""
    return max(amount - sum(units for paid_on, units in payments if paid_on <= when), 0)


@given(amounts, payment_lists, offsets, offsets, rate_tables, rates)
def test_sum_over_periods_is_the_day_by_day_sum(amount, pays, a, b, table, default):
    payments = [(day(n), units) for n, units in pays]
    rates_in_force = [(day(n), rate) for n, rate in table]
    first, last = sorted((a, b))
    start, end = day(first), day(last)
    periods = interest.rate_periods(rates_in_force, max(start, day(1)), end, default)
    exact = sum(
        interest.interest_numerator(amount, DUE, payments, p_from, p_to, rate)
        for p_from, p_to, rate in periods
    )
    by_day = 0
    current = max(start, day(1))
    while current <= end:
        rate = default
        for date_from, value in sorted(rates_in_force):
            if date_from <= current:
                rate = value
        by_day += _open_units(amount, payments, current) * round(rate * 100)
        current += timedelta(days=1)
    assert exact == by_day
    # rounded per period: within half a unit of the exact sum per period
    split = interest.interest_by_period(
        amount, DUE, payments, start, end, rates_in_force, default
    )
    total = sum(units for *_period, units in split)
    assert (
        abs(total * 100 * 100 * 365 - by_day) <= (len(periods) or 1) * 100 * 100 * 365
    )


@given(rate_tables, st.lists(st.integers(min_value=1, max_value=800), max_size=6))
def test_claims_never_overlap(table, claim_days):
    """Claims made on successive days, each from the day after the last
    one claimed: their periods are disjoint and follow each other."""
    rates_in_force = [(day(n), rate) for n, rate in table]
    last = None
    covered = []
    for until in sorted(set(claim_days)):
        start = interest.claim_start(DUE, last)
        periods = interest.rate_periods(rates_in_force, start, day(until), 8.0)
        if not periods:
            continue
        covered.extend((p_from, p_to) for p_from, p_to, _rate in periods)
        last = periods[-1][1]
    for (_a, end), (start, _b) in zip(covered, covered[1:], strict=False):
        assert start == end + timedelta(days=1)
    if covered:
        assert covered[0][0] == day(1)


def test_rate_periods_cut_on_each_change():
    table = [(day(10), 5.0), (day(20), 7.5)]
    assert interest.rate_periods(table, day(1), day(30), 8.0) == [
        (day(1), day(9), 8.0),
        (day(10), day(19), 5.0),
        (day(20), day(30), 7.5),
    ]
    assert interest.rate_periods(table, day(12), day(15)) == [(day(12), day(15), 5.0)]


def test_rate_problems():
    assert interest.rate_problems([(day(1), 8.0), (day(2), -1.0)]) == [
        ("negative", day(2))
    ]
    assert interest.rate_problems([(day(1), 8.0), (day(1), 9.0)]) == [
        ("overlap", day(1))
    ]


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(50, 0), (100, 40), (99_999, 40), (100_000, 70), (1_000_000, 100), (10**9, 100)],
)
def test_banded_compensation(amount, expected):
    bands = [(100, 40), (100_000, 70), (1_000_000, 100)]
    assert interest.banded_compensation(amount, bands) == expected
