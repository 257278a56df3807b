"""Tests of debt_negotiation/tools/forecast.py (no Odoo needed)."""

import pytest
from debt_negotiation_tools import forecast
from hypothesis import given
from hypothesis import strategies as st

counts = st.integers(min_value=0, max_value=10_000)


@pytest.mark.parametrize(
    ("kept", "broken", "expected"),
    [(0, 0, 100.0), (3, 0, 100.0), (0, 2, 0.0), (2, 1, 66.67), (1, 3, 25.0)],
)
def test_reliability_examples(kept, broken, expected):
    assert forecast.reliability(kept, broken) == expected


@given(counts, counts)
def test_reliability_is_a_percentage(kept, broken):
    assert 0.0 <= forecast.reliability(kept, broken) <= 100.0


@given(counts, counts, st.integers(min_value=1, max_value=100))
def test_a_kept_promise_never_lowers_it_a_broken_one_never_raises_it(
    kept, broken, more
):
    base = forecast.reliability(kept, broken)
    assert forecast.reliability(kept + more, broken) >= base
    assert forecast.reliability(kept, broken + more) <= base


@given(st.floats(min_value=0, max_value=1e9), st.floats(min_value=-50, max_value=150))
def test_weighted_never_exceeds_the_amount(amount, percent):
    assert 0.0 <= forecast.weighted(amount, percent) <= amount + 1e-6
