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
