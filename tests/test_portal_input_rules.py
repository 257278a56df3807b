"""Tests of debt_negotiation/tools/portal_input.py (no Odoo needed)."""

import datetime

import pytest
from debt_negotiation_tools import negotiation_rules as rules
from debt_negotiation_tools import portal_input
from hypothesis import given
from hypothesis import strategies as st

NOW = datetime.datetime(2026, 12, 7, 12, 0, 0)
TODAY = NOW.date()


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_finite_amounts_are_read_back(value):
    assert portal_input.parse_amount(repr(value)) == value


@pytest.mark.parametrize(
    "text", ["nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e999", "abc", "1,5"]
)
def test_what_is_not_a_finite_number_is_refused(text):
    with pytest.raises(ValueError):
        portal_input.parse_amount(text)


def test_empty_amounts_and_counts_are_zero():
    assert portal_input.parse_amount("") == 0.0
    assert portal_input.parse_amount(None) == 0.0
    assert portal_input.parse_count(" ") == 0
    assert portal_input.parse_count("12") == 12
    for text in ("1e5", "1.5", "nan", "x"):
        with pytest.raises(ValueError):
            portal_input.parse_count(text)


@given(st.text(max_size=12))
def test_only_known_intervals(text):
    if text in portal_input.INTERVALS:
        assert portal_input.parse_interval(text) == text
    else:
        with pytest.raises(ValueError):
            portal_input.parse_interval(text)


def test_intervals_are_the_offers():
    """The debtor's counter-offer knows every interval an offer has."""
    assert portal_input.INTERVALS == rules.INTERVALS
    for interval in ("week", "biweek", "month", "quarter"):
        assert portal_input.parse_interval(interval) == interval


@given(st.integers(min_value=-1000, max_value=5000))
def test_first_payment_within_a_year(days):
    first_due = TODAY + datetime.timedelta(days=days)
    assert portal_input.first_due_too_far(first_due, TODAY) == (
        days > portal_input.MAX_FIRST_DUE_DAYS
    )


@given(
    st.text(max_size=20),
    st.sampled_from(sorted(portal_input.UPLOAD_MIMETYPES)),
)
def test_stored_name_ends_with_the_contents_extension(name, mimetype):
    stored = portal_input.upload_name(name, mimetype)
    extension = portal_input.UPLOAD_MIMETYPES[mimetype]
    assert stored.lower().endswith(extension) or (
        extension == ".jpg" and stored.lower().endswith(".jpeg")
    )
    assert stored.startswith(name.strip() or "document")


@given(
    st.lists(st.integers(min_value=0, max_value=60 * 60 * 48), max_size=40),
    st.integers(min_value=1, max_value=30),
)
def test_the_limit_counts_the_last_day_only(seconds_ago, limit):
    times = [NOW - datetime.timedelta(seconds=s) for s in seconds_ago]
    recent = sum(1 for s in seconds_ago if s < 24 * 3600)
    assert portal_input.over_limit(times, NOW, limit) == (recent >= limit)


def test_an_answer_of_the_same_second_counts():
    # "now" is read to the second; the answer's time has microseconds
    moment = NOW + datetime.timedelta(microseconds=900_000)
    assert portal_input.over_limit([moment], NOW, 1)
