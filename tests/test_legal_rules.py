"""Tests of debt_negotiation/tools/legal.py (no Odoo needed)."""

from datetime import date, timedelta

from debt_negotiation_tools import legal
from hypothesis import given
from hypothesis import strategies as st

BASE = date(2026, 1, 31)

days = st.integers(min_value=-400, max_value=4000).map(
    lambda n: BASE + timedelta(days=n)
)
day_lists = st.lists(days, max_size=6)
years = st.integers(min_value=1, max_value=30)


def test_limitation_examples():
    due = date(2026, 1, 31)
    assert legal.limitation_date([due], [], 3) == date(2029, 1, 31)
    # a promise restarts the clock from its date
    assert legal.limitation_date([due], [date(2027, 5, 2)], 3) == date(2030, 5, 2)
    # an acknowledgement before the oldest due date changes nothing
    assert legal.limitation_date([due], [date(2025, 1, 1)], 3) == date(2029, 1, 31)
    # the oldest invoice counts; none, or 0 years: no date
    assert legal.limitation_date([due, date(2026, 6, 1)], [], 2) == date(2028, 1, 31)
    assert legal.limitation_date([], [due], 3) is None
    assert legal.limitation_date([due], [], 0) is None
    # 29 February
    assert legal.limitation_date([date(2028, 2, 29)], [], 1) == date(2029, 2, 28)


@given(day_lists, day_lists, days, years)
def test_limitation_only_moves_forward_on_acknowledgement(dues, acks, ack, n):
    before = legal.limitation_date(dues, acks, n)
    after = legal.limitation_date(dues, [*acks, ack], n)
    assert (before is None) == (after is None)
    if before is not None:
        assert after >= before
        assert after >= min(dues)


@given(days, days, st.integers(min_value=0, max_value=400))
def test_limitation_near(limit, today, warning):
    near = legal.limitation_near(limit, today, warning)
    assert near == ((limit - today).days <= warning)


def test_retention():
    assert legal.retention_end(date(2026, 3, 1), 10) == date(2036, 3, 1)
    assert legal.retention_end(None, 10) is None
    assert legal.retention_problem(10, 3) is None
    assert legal.retention_problem(2, 3) == "shorter_than_limitation"
    assert legal.retention_problem(0, 0) == "too_short"


def test_plan_limits():
    # 12 installments allowed, 10 % down
    assert not legal.plan_beyond_limits(12, 10_000, 100_000, 12, 10.0)
    assert legal.plan_beyond_limits(13, 10_000, 100_000, 12, 10.0)
    assert legal.plan_beyond_limits(12, 9_999, 100_000, 12, 10.0)
    # no limits set: nothing is beyond them
    assert not legal.plan_beyond_limits(120, 0, 100_000, 0, 0.0)


@given(
    st.integers(1, 200),
    st.integers(0, 10**7),
    st.integers(1, 10**7),
    st.integers(0, 60),
    st.floats(min_value=0, max_value=100).map(lambda p: round(p, 2)),
)
def test_more_installments_or_less_down_never_within_limits(n, down, amount, cap, pct):
    """Asking for more installments or a smaller down payment never brings
    a plan beyond the limits back within them."""
    if legal.plan_beyond_limits(n, down, amount, cap, pct):
        assert legal.plan_beyond_limits(n + 1, down, amount, cap, pct)
        assert legal.plan_beyond_limits(n, max(down - 1, 0), amount, cap, pct)


def test_placeholder_pdf_is_a_pdf():
    pdf = legal.placeholder_pdf("Anonymised on 2036-03-01 (retention) (x)")
    assert pdf.startswith(b"%PDF-1.4")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"Anonymised on 2036-03-01" in pdf
    # the cross-reference table points at each object
    start = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[start:].startswith(b"xref")
