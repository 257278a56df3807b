"""Tests of debt_negotiation/tools/receivable.py (no Odoo needed)."""

import datetime

import pytest
from debt_negotiation_tools import receivable
from hypothesis import assume, given
from hypothesis import strategies as st

money = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
periods = st.lists(
    st.tuples(st.integers(min_value=28, max_value=31), money), max_size=24
)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-400, "not_due"),
        (0, "not_due"),
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "over_90"),
        (5000, "over_90"),
    ],
)
def test_aging_bucket_edges(days, bucket):
    assert receivable.aging_bucket(days) == bucket


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_the_sql_rule_is_the_python_rule(days):
    # the SQL CASE evaluated by Python's own reading of its conditions
    sql = receivable.aging_sql("d")
    for when in sql[len("CASE ") : -len(" END")].split("WHEN ")[1:]:
        cond, key = when.split(" THEN ")
        if eval(cond.replace("AND", "and"), {"d": days}):  # noqa: S307 - our own SQL text
            assert key.strip().strip("'") == receivable.aging_bucket(days)
            return
    pytest.fail("no bucket")


@given(
    st.lists(st.tuples(st.integers(-100, 400), st.floats(-1e6, 1e6, allow_nan=False)))
)
def test_aging_totals_keep_the_whole_amount(items):
    totals = receivable.aging_totals(items)
    assert list(totals) == [key for key, *_ in receivable.AGING_BUCKETS]
    assert sum(totals.values()) == pytest.approx(sum(a for _d, a in items), abs=1e-3)


def test_month_ends():
    assert receivable.month_end(datetime.date(2024, 2, 10)) == datetime.date(
        2024, 2, 29
    )
    assert receivable.previous_month_ends(datetime.date(2026, 3, 15), 3) == [
        datetime.date(2026, 2, 28),
        datetime.date(2026, 1, 31),
        datetime.date(2025, 12, 31),
    ]


def test_dso_countback_example():
    # 1,500 owed; sales 1,000 in the last 30 days and 1,000 in the 31 before:
    # the last month is counted in full (30), then half of the one before.
    assert receivable.dso_countback(1500, [(30, 1000), (31, 1000)]) == pytest.approx(
        45.5
    )
    assert receivable.dso_countback(0, [(30, 1000)]) == 0.0
    assert receivable.dso_countback(5000, [(30, 1000), (31, 1000)]) == 61  # lower bound


@given(st.integers(min_value=1, max_value=24), st.floats(1, 1e6), st.floats(0, 1))
def test_dso_of_steady_sales_is_the_months_owed_times_their_days(months, sales, frac):
    owed = sales * (months - 1 + frac)
    assume(owed > 0)
    dso = receivable.dso_countback(owed, [(30, sales)] * months)
    assert dso == pytest.approx(30 * (months - 1 + frac), rel=1e-6, abs=1e-6)


@given(money, money, periods)
def test_dso_grows_with_the_receivable(low, high, hist):
    low, high = sorted((low, high))
    assert (
        receivable.dso_countback(low, hist)
        <= receivable.dso_countback(high, hist) + 1e-6
    )


@given(money, periods)
def test_dso_never_exceeds_the_days_counted(owed, hist):
    assert (
        0.0 <= receivable.dso_countback(owed, hist) <= sum(d for d, _s in hist) + 1e-6
    )


@given(money, money, money, money)
def test_cei_is_a_percentage_and_100_when_only_current_debt_is_left(
    begin, sales, end, current
):
    cei = receivable.collection_effectiveness(begin, sales, end, current)
    assert cei is None or 0.0 <= cei <= 100.0
    if begin + sales - end > 0:
        assert receivable.collection_effectiveness(
            begin, sales, end, end
        ) == pytest.approx(100.0)


def test_cei_example():
    # began with 1,000, invoiced 500, 900 left of which 300 not yet due:
    # collected 600 of the 1,200 that could be.
    assert receivable.collection_effectiveness(1000, 500, 900, 300) == pytest.approx(
        50.0
    )
    assert receivable.collection_effectiveness(0, 0, 0, 0) is None


def test_share():
    assert receivable.share(25, 100) == 25.0
    assert receivable.share(5, 0) == 0.0
