"""Tests of debt_negotiation/tools/worklist.py (no Odoo needed)."""

import pytest
from debt_negotiation_tools import worklist
from hypothesis import given
from hypothesis import strategies as st

amounts = st.floats(min_value=0, max_value=1e10, allow_nan=False)
days = st.integers(min_value=-100, max_value=3000)
counts = st.integers(min_value=0, max_value=20)
escalation = st.one_of(st.none(), st.integers(min_value=-10, max_value=400))
reasons = st.sampled_from([None, *worklist.REASON_POINTS])
abilities = st.sampled_from([None, *worklist.ABILITY_POINTS])


def test_examples():
    # 999 owed for 90 days: 30 (amount) + 30 (age)
    assert worklist.priority_score(999, 90) == 60.0
    # a broken promise and the escalation in 10 days: + 15 + 20
    assert worklist.priority_score(999, 90, 1, 10) == 95.0
    # an insolvent debtor who cannot pay: + 20 - 5
    assert worklist.priority_score(999, 90, reason="insolvency", ability="none") == 75.0
    assert worklist.priority_score(0, -5) == 0.0


@given(amounts, amounts, days, counts, escalation, reasons, abilities)
def test_more_money_never_lowers_it(a, b, d, n, e, r, ab):
    low, high = sorted((a, b))
    args = (d, n, e, r, ab)
    assert worklist.priority_score(low, *args) <= worklist.priority_score(high, *args)


@given(amounts, days, days, counts, escalation)
def test_older_debt_never_lowers_it(a, d1, d2, n, e):
    low, high = sorted((d1, d2))
    assert worklist.priority_score(a, low, n, e) <= worklist.priority_score(
        a, high, n, e
    )


@given(amounts, days, counts, counts, escalation)
def test_a_broken_promise_never_lowers_it(a, d, n1, n2, e):
    low, high = sorted((n1, n2))
    assert worklist.priority_score(a, d, low, e) <= worklist.priority_score(
        a, d, high, e
    )


@given(amounts, days, counts, st.integers(0, 400), st.integers(0, 400))
def test_a_nearer_escalation_never_lowers_it(a, d, n, e1, e2):
    near, far = sorted((e1, e2))
    assert worklist.priority_score(a, d, n, far) <= worklist.priority_score(
        a, d, n, near
    )
    assert worklist.priority_score(a, d, n, None) <= worklist.priority_score(
        a, d, n, far
    )


@given(amounts, days, counts, escalation, reasons, abilities)
def test_bounded(a, d, n, e, r, ab):
    score = worklist.priority_score(a, d, n, e, r, ab)
    assert -15.0 <= score <= 10 * 10.1 + 365 / 3 + 45 + 30 + 25 + 1e-6


@pytest.mark.parametrize("reason", list(worklist.REASON_POINTS))
def test_every_reason_has_points(reason):
    assert isinstance(worklist.REASON_POINTS[reason], float)
