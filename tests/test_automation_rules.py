"""Tests of debt_negotiation/tools/automation.py (no Odoo needed)."""

from datetime import date, timedelta

import pytest
from debt_negotiation_tools import automation
from hypothesis import given
from hypothesis import strategies as st

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
channels = st.sampled_from(["post", "email", "both"])

TODAY = date(2026, 3, 10)


def ago(n):
    return TODAY - timedelta(days=n)


# ---------------------------------------------------------------------------
# letter_channels
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "email", "address", "used", "missing"),
    [
        ("email", True, True, ("email",), ()),
        ("email", True, False, ("email",), ()),
        # a postal-only debtor gets its email letters by post
        ("email", False, True, ("post",), ("email",)),
        ("email", False, False, (), ("email",)),
        ("post", True, True, ("post",), ()),
        ("post", False, True, ("post",), ()),
        ("post", True, False, ("email",), ("post",)),
        ("post", False, False, (), ("post",)),
        ("both", True, True, ("post", "email"), ()),
        # post and email: what can be sent is sent, the rest reported
        ("both", False, True, ("post",), ("email",)),
        ("both", True, False, ("email",), ("post",)),
        ("both", False, False, (), ("post", "email")),
    ],
)
def test_letter_channels_examples(step, email, address, used, missing):
    assert automation.letter_channels(step, email, address) == (used, missing)


def test_letter_channels_unknown_channel():
    with pytest.raises(ValueError):
        automation.letter_channels("sms", True, True)


@given(channels, st.booleans(), st.booleans())
def test_letter_channels_properties(step, has_email, has_address):
    used, missing = automation.letter_channels(step, has_email, has_address)
    reachable = {"post": has_address, "email": has_email}
    wanted = ("post", "email") if step == "both" else (step,)
    # never a channel that does not reach the debtor, never twice
    assert all(reachable[channel] for channel in used)
    assert len(set(used)) == len(used)
    # a debtor who can be reached is always sent the letter
    assert bool(used) == (has_email or has_address)
    # what the step asked for and could not do is reported, nothing else
    assert set(missing) == {c for c in wanted if not reachable[c]}
    # every channel of the step that reaches the debtor is used
    assert {c for c in wanted if reachable[c]} <= set(used)


# ---------------------------------------------------------------------------
# failing_streak / needs_alert
# ---------------------------------------------------------------------------


def test_failing_streak_examples():
    assert automation.failing_streak([], TODAY) == 0
    assert automation.failing_streak([ago(1)], TODAY) == 0
    assert automation.failing_streak([TODAY], TODAY) == 1
    assert automation.failing_streak([TODAY, ago(1), ago(3)], TODAY) == 2
    assert automation.failing_streak([TODAY, ago(1), ago(2)], TODAY) == 3


def test_needs_alert_once_per_streak():
    failed = []
    alerted = []
    given_on = []
    for n in range(10, -1, -1):
        day = ago(n)
        failed.append(day)
        if automation.needs_alert(failed, alerted, day):
            alerted.append(day)
            given_on.append(day)
    # the third day in a row, and only then
    assert given_on == [ago(8)]
    # a day without failure ends the streak: a new streak, a new alert
    failed = [ago(5), ago(4), ago(3), ago(1), TODAY]
    assert not automation.needs_alert(failed, [ago(3)], TODAY)
    assert automation.needs_alert(failed + [ago(2)], [ago(3)], TODAY) is False
    assert automation.needs_alert([ago(2), ago(1), TODAY], [ago(3)], TODAY)


@given(st.sets(dates, max_size=20), st.sets(dates, max_size=5), dates)
def test_needs_alert_properties(failed, alerted, today):
    streak = automation.failing_streak(failed, today)
    result = automation.needs_alert(failed, alerted, today)
    # only after three failing days in a row up to today
    if result:
        assert streak >= automation.ALERT_STREAK_DAYS
        assert all(today - timedelta(days=n) in failed for n in range(streak))
        # and not when someone was alerted during this streak
        assert not any(
            today - timedelta(days=streak - 1) <= day <= today for day in alerted
        )
    elif streak >= automation.ALERT_STREAK_DAYS:
        assert any(
            today - timedelta(days=streak - 1) <= day <= today for day in alerted
        )


@given(st.lists(st.booleans(), min_size=1, max_size=40))
def test_one_alert_per_streak_day_by_day(fails):
    """Walking day by day, each streak of at least three failing days gets
    exactly one alert, on its third day."""
    start = date(2026, 1, 1)
    failed, alerted = set(), set()
    for index, fail in enumerate(fails):
        day = start + timedelta(days=index)
        if fail:
            failed.add(day)
        if automation.needs_alert(failed, alerted, day):
            alerted.add(day)
    expected = set()
    run = 0
    for index, fail in enumerate(fails):
        run = run + 1 if fail else 0
        if run == automation.ALERT_STREAK_DAYS:
            expected.add(start + timedelta(days=index))
    assert alerted == expected
