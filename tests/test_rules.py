"""Tests of debt_negotiation/tools/negotiation_rules.py (no Odoo needed)."""

import ast
import calendar
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from debt_negotiation_tools import negotiation_rules as rules
from hypothesis import assume, given
from hypothesis import strategies as st

ROUNDINGS = (0.01, 1.0, 0.001, 0.05)

roundings = st.sampled_from(ROUNDINGS)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
intervals = st.sampled_from(rules.INTERVALS)


def units(amount, rounding):
    return rules.to_units(amount, rounding)


def total_units(amounts, rounding):
    return sum(units(amount, rounding) for amount in amounts)


TOOLS_DIR = Path(rules.__file__).parent


@pytest.mark.parametrize(
    "path", sorted(TOOLS_DIR.glob("*.py")), ids=lambda path: path.name
)
def test_tools_module_is_pure(path):
    """Only the standard library, python-dateutil and the other modules of
    tools/: never Odoo."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            assert node.level == 1, "only the modules of tools/"
            assert not node.module or (TOOLS_DIR / f"{node.module}.py").is_file()
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported - {"dateutil"} <= sys.stdlib_module_names, imported


# ---------------------------------------------------------------------------
# to_units / from_units
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "rounding", "expected"),
    [
        (12.34, 0.01, 1234),
        (0.29, 0.01, 29),
        (12.345, 0.01, 1235),  # half up, like Odoo's float_round
        (-12.345, 0.01, -1235),
        (0.1 + 0.2, 0.01, 30),
        (10.0, 1.0, 10),
        (10.5, 1.0, 11),
        (1.2345, 0.001, 1235),
        (0.15, 0.05, 3),
        (0.17, 0.05, 3),
        (0.18, 0.05, 4),
        (None, 0.01, 0),
        (False, 0.01, 0),
        (7, 0.01, 700),
    ],
)
def test_to_units_examples(amount, rounding, expected):
    assert rules.to_units(amount, rounding) == expected


@pytest.mark.parametrize(
    ("value", "rounding", "expected"),
    [
        (1234, 0.01, 12.34),
        (29, 0.01, 0.29),
        (3, 0.05, 0.15),
        (7, 1.0, 7.0),
        (1, 0.001, 0.001),
    ],
)
def test_from_units_examples(value, rounding, expected):
    assert rules.from_units(value, rounding) == expected


@pytest.mark.parametrize("rounding", [0, -0.01, None])
def test_units_reject_non_positive_rounding(rounding):
    with pytest.raises(ValueError, match="rounding"):
        rules.to_units(1.0, rounding)
    with pytest.raises(ValueError, match="rounding"):
        rules.from_units(1, rounding)


@given(value=st.integers(-(10**12), 10**12), rounding=roundings)
def test_units_round_trip(value, rounding):
    assert rules.to_units(rules.from_units(value, rounding), rounding) == value


@given(
    amount=st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
    rounding=roundings,
)
def test_to_units_is_nearest(amount, rounding):
    value = rules.to_units(amount, rounding)
    assert abs(value * rounding - amount) <= rounding / 2 + abs(amount) * 1e-12 + 1e-9


# ---------------------------------------------------------------------------
# split_plan
# ---------------------------------------------------------------------------


def test_split_plan_with_down_payment():
    assert rules.split_plan(100.0, 10.0, 3) == [10.0, 30.0, 30.0, 30.0]


def test_split_plan_remainder_on_last():
    assert rules.split_plan(100.0, 0.0, 3) == [33.33, 33.33, 33.34]
    assert rules.split_plan(1000.0, 0, 7, rounding=1.0) == [142.0] * 6 + [148.0]


def test_split_plan_small_roundings():
    assert rules.split_plan(1.0, 0.1, 4, rounding=0.001) == [
        0.1,
        0.225,
        0.225,
        0.225,
        0.225,
    ]
    assert rules.split_plan(1.0, 0, 3, rounding=0.05) == [0.3, 0.3, 0.4]


def test_split_plan_single_installment():
    assert rules.split_plan(0.29, 0, 1) == [0.29]
    assert rules.split_plan(0.3, 0.1, 1) == [0.1, 0.2]


def test_split_plan_down_payment_below_one_unit_is_none():
    assert rules.split_plan(10.0, 0.001, 2, rounding=0.01) == [5.0, 5.0]


@pytest.mark.parametrize(
    ("total", "down_payment", "count", "match"),
    [
        (100.0, 0.0, 0, "count"),
        (100.0, 0.0, -1, "count"),
        (100.0, 0.0, None, "count"),
        (0.0, 0.0, 3, "total must be positive"),
        (-5.0, 0.0, 3, "total must be positive"),
        (0.004, 0.0, 3, "total must be positive"),
        (100.0, -1.0, 3, "cannot be negative"),
        (100.0, 100.0, 3, "lower than the total"),
        (100.0, 150.0, 3, "lower than the total"),
    ],
)
def test_split_plan_invalid(total, down_payment, count, match):
    with pytest.raises(ValueError, match=match):
        rules.split_plan(total, down_payment, count)


@st.composite
def plans(draw):
    """(rounding, total units, down payment units, count) with count <= rest."""
    rounding = draw(roundings)
    total = draw(st.integers(1, 10**10))
    down = draw(st.one_of(st.just(0), st.integers(0, total - 1)))
    count = draw(st.integers(1, min(total - down, 240)))
    return rounding, total, down, count


@given(plan=plans())
def test_split_plan_properties(plan):
    rounding, total, down, count = plan
    amounts = rules.split_plan(
        rules.from_units(total, rounding),
        rules.from_units(down, rounding),
        count,
        rounding,
    )
    values = [units(amount, rounding) for amount in amounts]
    # sums exactly to the total, in units
    assert sum(values) == total
    # the down payment comes first, only when there is one
    if down:
        assert len(values) == count + 1
        assert values[0] == down
        installments = values[1:]
    else:
        assert len(values) == count
        installments = values
    # every installment is positive
    assert all(value > 0 for value in installments)
    # all equal but the last, which takes the remainder (< count)
    base = installments[0]
    assert installments[:-1] == [base] * (count - 1)
    assert 0 <= installments[-1] - base < count
    assert base == (total - down) // count


@given(
    total=st.floats(0.01, 1e8, allow_nan=False),
    count=st.integers(1, 60),
    rounding=roundings,
)
def test_split_plan_sum_of_float_inputs(total, count, rounding):
    total_u = units(total, rounding)
    assume(total_u >= 1)
    amounts = rules.split_plan(total, 0, count, rounding)
    assert total_units(amounts, rounding) == total_u
    assert len(amounts) == count


# ---------------------------------------------------------------------------
# step_date
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 1, 31), 2, date(2024, 3, 31)),
        (date(2024, 1, 31), 3, date(2024, 4, 30)),
        (date(2024, 1, 31), 12, date(2025, 1, 31)),
        (date(2024, 1, 31), 13, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 3, 15), 0, date(2024, 3, 15)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
    ],
)
def test_step_date_month_end(start, n, expected):
    assert rules.step_date(start, "month", n) == expected


def test_step_date_month_is_computed_from_start():
    start = date(2024, 1, 31)
    chained = rules.step_date(rules.step_date(start, "month", 1), "month", 1)
    assert chained == date(2024, 3, 29)
    assert rules.step_date(start, "month", 2) == date(2024, 3, 31)


def test_step_date_week():
    assert rules.step_date(date(2024, 12, 30), "week", 1) == date(2025, 1, 6)
    assert rules.step_date(date(2024, 2, 26), "week", 2) == date(2024, 3, 11)


@pytest.mark.parametrize("interval", ["year", "day", None, ""])
def test_step_date_invalid_interval(interval):
    with pytest.raises(ValueError, match="interval"):
        rules.step_date(date(2024, 1, 1), interval, 1)


@given(start=dates, n=st.integers(0, 120))
def test_step_date_month_properties(start, n):
    result = rules.step_date(start, "month", n)
    months = start.year * 12 + start.month - 1 + n
    assert (result.year, result.month) == (months // 12, months % 12 + 1)
    last_day = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(start.day, last_day)


@given(start=dates, n=st.integers(0, 519))
def test_step_date_week_properties(start, n):
    """Weekly installments fall on the first one's weekday, a week after
    the one before, whatever the month or year they cross."""
    first = rules.step_date(start, "week", 0)
    this, following = (rules.step_date(start, "week", k) for k in (n, n + 1))
    assert first == start
    assert this.weekday() == start.weekday()
    assert (following - this).days == 7


def test_step_date_biweek_and_quarter():
    assert rules.step_date(date(2024, 12, 23), "biweek", 1) == date(2025, 1, 6)
    assert rules.step_date(date(2024, 2, 19), "biweek", 2) == date(2024, 3, 18)
    assert rules.step_date(date(2024, 11, 30), "quarter", 1) == date(2025, 2, 28)
    assert rules.step_date(date(2024, 8, 31), "quarter", 2) == date(2025, 2, 28)
    assert rules.step_date(date(2024, 8, 31), "quarter", 3) == date(2025, 5, 31)


@given(start=dates, n=st.integers(0, 260))
def test_step_date_biweek_properties(start, n):
    """Every two weeks: two weekly steps at a time, from the start."""
    assert rules.step_date(start, "biweek", n) == rules.step_date(start, "week", 2 * n)
    assert rules.step_date(start, "biweek", n) == start + timedelta(weeks=2 * n)


@given(start=dates, n=st.integers(0, 120))
def test_step_date_quarter_properties(start, n):
    """Every three months: three monthly steps at a time, computed from
    the start (month ends kept)."""
    result = rules.step_date(start, "quarter", n)
    assert result == rules.step_date(start, "month", 3 * n)
    months = start.year * 12 + start.month - 1 + 3 * n
    assert (result.year, result.month) == (months // 12, months % 12 + 1)
    last_day = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(start.day, last_day)


def test_intervals_known():
    assert rules.INTERVALS == ("week", "biweek", "month", "quarter")


@given(start=dates, interval=intervals, n=st.integers(0, 119))
def test_step_date_strictly_increasing(start, interval, n):
    assert rules.step_date(start, interval, n) < rules.step_date(start, interval, n + 1)


# ---------------------------------------------------------------------------
# offer_schedule
# ---------------------------------------------------------------------------


def test_offer_schedule_plan_with_down_payment():
    schedule = rules.offer_schedule(
        "payment_plan", 1000.0, 100.0, 3, "month", date(2024, 1, 31)
    )
    assert schedule == [
        (date(2024, 1, 31), 100.0),
        (date(2024, 2, 29), 300.0),
        (date(2024, 3, 31), 300.0),
        (date(2024, 4, 30), 300.0),
    ]


def test_offer_schedule_plan_without_down_payment():
    schedule = rules.offer_schedule(
        "payment_plan", 100.0, 0.0, 3, "week", date(2024, 5, 1)
    )
    assert schedule == [
        (date(2024, 5, 1), 33.33),
        (date(2024, 5, 8), 33.33),
        (date(2024, 5, 15), 33.34),
    ]


def test_offer_schedule_interval_defaults_to_month():
    schedule = rules.offer_schedule(
        "payment_plan", 90.0, 0, 3, False, date(2024, 1, 15)
    )
    assert [due for due, _amount in schedule] == [
        date(2024, 1, 15),
        date(2024, 2, 15),
        date(2024, 3, 15),
    ]


@pytest.mark.parametrize("offer_type", ["settlement", "full_payment", "extension"])
def test_offer_schedule_lump_sum(offer_type):
    first = date(2024, 6, 30)
    assert rules.offer_schedule(offer_type, 750.5, 0, 12, "week", first) == [
        (first, 750.5)
    ]
    assert rules.offer_schedule(offer_type, 750.5, 50.5, 12, None, first) == [
        (first, 50.5),
        (date(2024, 7, 30), 700.0),
    ]


def test_offer_schedule_invalid_raises():
    with pytest.raises(ValueError, match="count"):
        rules.offer_schedule("payment_plan", 100.0, 0, 0, "month", date(2024, 1, 1))
    with pytest.raises(ValueError, match="down payment"):
        rules.offer_schedule("settlement", 100.0, 100.0, 1, "month", date(2024, 1, 1))


@given(
    plan=plans(),
    offer_type=st.sampled_from(
        ["payment_plan", "settlement", "full_payment", "extension"]
    ),
    interval=st.sampled_from([*rules.INTERVALS, None]),
    first=dates,
)
def test_offer_schedule_properties(plan, offer_type, interval, first):
    rounding, total, down, count = plan
    schedule = rules.offer_schedule(
        offer_type,
        rules.from_units(total, rounding),
        rules.from_units(down, rounding),
        count,
        interval,
        first,
        rounding,
    )
    expected_count = count if offer_type == "payment_plan" else 1
    assert len(schedule) == expected_count + (1 if down else 0)
    due_dates = [due for due, _amount in schedule]
    amounts = [amount for _due, amount in schedule]
    assert total_units(amounts, rounding) == total
    assert due_dates[0] == first
    assert due_dates == sorted(set(due_dates))  # strictly increasing
    if down:
        assert units(amounts[0], rounding) == down
    installment_dates = due_dates[1:] if down else due_dates
    offset = 1 if down else 0
    for i, due in enumerate(installment_dates):
        assert due == rules.step_date(first, interval or "month", i + offset)


# ---------------------------------------------------------------------------
# discount / is_below_minimum
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount_due", "amount", "rounding", "expected"),
    [
        (1000.0, 800.0, 0.01, (200.0, 20.0)),
        (3.0, 1.0, 0.01, (2.0, 66.67)),
        (3.0, 2.0, 0.01, (1.0, 33.33)),
        (100.0, 100.0, 0.01, (0.0, 0.0)),
        (100.0, 110.0, 1.0, (-10.0, -10.0)),
        (0.0, 50.0, 0.01, (-50.0, 0.0)),
        (-10.0, 5.0, 0.01, (-15.0, 0.0)),
        (0.3, 0.1, 0.05, (0.2, 66.67)),
        (1.0, 0.125, 0.001, (0.875, 87.5)),
    ],
)
def test_discount_examples(amount_due, amount, rounding, expected):
    assert rules.discount(amount_due, amount, rounding) == expected


@given(due=st.integers(1, 10**10), data=st.data(), rounding=roundings)
def test_discount_properties(due, data, rounding):
    amount = data.draw(st.integers(0, due))
    diff, percent = rules.discount(
        rules.from_units(due, rounding), rules.from_units(amount, rounding), rounding
    )
    assert units(diff, rounding) + amount == due
    assert 0.0 <= percent <= 100.0
    assert percent == round(percent, 2)
    assert abs(percent - (due - amount) * 100 / due) <= 0.005 + 1e-9


@pytest.mark.parametrize(
    ("amount", "minimum", "rounding", "expected"),
    [
        (100.0, 0.0, 0.01, False),
        (100.0, None, 0.01, False),
        (100.0, False, 0.01, False),
        (100.0, -5.0, 0.01, False),
        (100.0, 100.0, 0.01, False),
        (99.99, 100.0, 0.01, True),
        (99.999, 100.0, 0.01, False),  # equal once rounded
        (100.01, 100.0, 0.01, False),
        (99.0, 100.0, 1.0, True),
        (0.95, 1.0, 0.05, True),
        (0.999, 1.0, 0.001, True),
    ],
)
def test_is_below_minimum_examples(amount, minimum, rounding, expected):
    assert rules.is_below_minimum(amount, minimum, rounding) is expected


@given(
    amount=st.integers(-(10**9), 10**9),
    minimum=st.integers(-(10**9), 10**9),
    rounding=roundings,
)
def test_is_below_minimum_properties(amount, minimum, rounding):
    result = rules.is_below_minimum(
        rules.from_units(amount, rounding),
        rules.from_units(minimum, rounding),
        rounding,
    )
    assert result is (minimum > 0 and amount < minimum)


# ---------------------------------------------------------------------------
# offer_errors
# ---------------------------------------------------------------------------

TODAY = date(2024, 6, 15)

VALID_OFFER = {
    "offer_type": "payment_plan",
    "amount": 900.0,
    "down_payment": 100.0,
    "installment_count": 4,
    "interval": "month",
    "first_due_date": TODAY + timedelta(days=7),
    "expiry_date": TODAY + timedelta(days=14),
    "today": TODAY,
    "amount_due": 1000.0,
    "rounding": 0.01,
    "proposing": True,
}


def test_offer_errors_valid_offer():
    assert rules.offer_errors(**VALID_OFFER) == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"offer_type": "settlement", "installment_count": 0, "interval": False},
        {"offer_type": "full_payment", "amount": 1000.0, "down_payment": 0.0},
        {
            "offer_type": "extension",
            "amount": 1000.0,
            "down_payment": False,
            "expiry_date": False,
        },
        {"amount_due": 0.0, "amount": 5000.0},
        {"amount": 1000.0},
        {"first_due_date": TODAY, "expiry_date": TODAY},
        {"proposing": False, "first_due_date": TODAY - timedelta(days=30)},
        {"proposing": False, "expiry_date": TODAY - timedelta(days=1)},
        {"rounding": 1.0, "amount": 1000.4},
        {"rounding": 0.001, "down_payment": 899.999},
        {"rounding": 0.05, "amount": 1000.02},
    ],
)
def test_offer_errors_valid_variants(overrides):
    assert rules.offer_errors(**{**VALID_OFFER, **overrides}) == []


ERROR_CASES = [
    ("amount_not_positive", {"amount": 0.0, "down_payment": 0.0}),
    ("amount_not_positive", {"amount": -10.0, "down_payment": 0.0}),
    ("amount_not_positive", {"amount": 0.004, "down_payment": 0.0}),
    ("down_payment_negative", {"down_payment": -0.01}),
    ("down_payment_too_high", {"down_payment": 900.0}),
    ("down_payment_too_high", {"down_payment": 950.0}),
    ("amount_above_due", {"amount": 1000.01}),
    (
        "amount_below_due",
        {"offer_type": "full_payment", "amount": 999.99, "down_payment": 0.0},
    ),
    ("amount_below_due", {"offer_type": "extension", "amount": 500.0}),
    (
        "amount_above_due",
        {"amount": 2.0, "amount_due": 1.0, "down_payment": 0.0, "rounding": 1.0},
    ),
    ("installments_missing", {"installment_count": 0}),
    ("installments_missing", {"installment_count": False}),
    ("installments_too_many", {"installment_count": rules.MAX_INSTALLMENTS + 1}),
    ("installments_too_many", {"installment_count": 10**8}),
    ("interval_missing", {"interval": False}),
    ("interval_missing", {"interval": None}),
    ("first_due_date_missing", {"first_due_date": None}),
    ("first_due_date_missing", {"first_due_date": False, "proposing": False}),
    ("expiry_in_past", {"expiry_date": TODAY - timedelta(days=1)}),
    ("first_due_in_past", {"first_due_date": TODAY - timedelta(days=1)}),
]


@pytest.mark.parametrize(("code", "overrides"), ERROR_CASES)
def test_offer_errors_each_code(code, overrides):
    assert rules.offer_errors(**{**VALID_OFFER, **overrides}) == [code]


def test_offer_errors_every_code_is_covered():
    assert {code for code, _overrides in ERROR_CASES} == set(rules.OFFER_ERROR_CODES)


def test_offer_errors_several_codes():
    all_wrong = {
        **VALID_OFFER,
        "amount": -1.0,
        "down_payment": -1.0,
        "installment_count": 0,
        "interval": False,
        "first_due_date": None,
        "expiry_date": TODAY - timedelta(days=1),
        "amount_due": 10.0,
    }
    errors = rules.offer_errors(**all_wrong)
    assert errors == [
        "amount_not_positive",
        "down_payment_negative",
        "installments_missing",
        "interval_missing",
        "first_due_date_missing",
        "expiry_in_past",
    ]
    errors = rules.offer_errors(
        **{
            **VALID_OFFER,
            "amount": 2000.0,
            "down_payment": 2000.0,
            "first_due_date": TODAY - timedelta(days=1),
        }
    )
    assert errors == ["down_payment_too_high", "amount_above_due", "first_due_in_past"]


def test_offer_errors_codes_are_known():
    assert set(rules.OFFER_ERROR_CODES) == {
        "amount_not_positive",
        "down_payment_negative",
        "down_payment_too_high",
        "amount_above_due",
        "amount_below_due",
        "installments_missing",
        "installments_too_many",
        "interval_missing",
        "first_due_date_missing",
        "expiry_in_past",
        "first_due_in_past",
    }


@pytest.mark.parametrize("interval", ["week", "month"])
def test_offer_errors_longest_plan_has_a_schedule(interval):
    """The longest accepted plan still builds its schedule; one more
    installment is refused before any schedule (or memory) is spent on it."""
    longest = {
        **VALID_OFFER,
        "installment_count": rules.MAX_INSTALLMENTS,
        "interval": interval,
    }
    assert rules.offer_errors(**longest) == []
    schedule = rules.offer_schedule(
        longest["offer_type"],
        longest["amount"],
        longest["down_payment"],
        longest["installment_count"],
        interval,
        longest["first_due_date"],
        longest["rounding"],
    )
    assert len(schedule) == rules.MAX_INSTALLMENTS + 1  # and the down payment


@given(
    offer_type=st.sampled_from(
        ["payment_plan", "settlement", "full_payment", "extension"]
    ),
    amount=st.integers(-100, 10**8),
    down=st.integers(-100, 10**8),
    count=st.integers(-2, 36),
    interval=st.sampled_from(["week", "month", None, False]),
    first=st.one_of(st.none(), dates),
    expiry=st.one_of(st.none(), dates),
    today=dates,
    due=st.integers(-100, 10**8),
    rounding=roundings,
    proposing=st.booleans(),
)
def test_offer_errors_valid_offers_have_a_schedule(
    offer_type,
    amount,
    down,
    count,
    interval,
    first,
    expiry,
    today,
    due,
    rounding,
    proposing,
):
    errors = rules.offer_errors(
        offer_type,
        rules.from_units(amount, rounding),
        rules.from_units(down, rounding),
        count,
        interval,
        first,
        expiry,
        today,
        rules.from_units(due, rounding),
        rounding,
        proposing,
    )
    # known codes, in the documented order, no duplicates
    assert errors == [code for code in rules.OFFER_ERROR_CODES if code in errors]
    assert ("amount_not_positive" in errors) is (amount <= 0)
    assert ("amount_above_due" in errors) is (0 < due < amount)
    assert ("amount_below_due" in errors) is (
        offer_type in ("full_payment", "extension") and 0 < amount < due
    )
    if not proposing:
        assert "expiry_in_past" not in errors
        assert "first_due_in_past" not in errors
    if offer_type != "payment_plan":
        assert "installments_missing" not in errors
        assert "interval_missing" not in errors
    if not errors:
        schedule = rules.offer_schedule(
            offer_type,
            rules.from_units(amount, rounding),
            rules.from_units(down, rounding),
            count,
            interval,
            first,
            rounding,
        )
        assert total_units([value for _due, value in schedule], rounding) == amount
        if proposing:
            assert all(due_date >= today for due_date, _value in schedule)


# ---------------------------------------------------------------------------
# allocate_payments
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amounts", "paid", "rounding", "expected"),
    [
        ([100.0, 300.0, 300.0], 0.0, 0.01, [0.0, 0.0, 0.0]),
        ([100.0, 300.0, 300.0], -50.0, 0.01, [0.0, 0.0, 0.0]),
        ([100.0, 300.0, 300.0], 50.0, 0.01, [50.0, 0.0, 0.0]),
        ([100.0, 300.0, 300.0], 100.0, 0.01, [100.0, 0.0, 0.0]),
        ([100.0, 300.0, 300.0], 250.5, 0.01, [100.0, 150.5, 0.0]),
        ([100.0, 300.0, 300.0], 700.0, 0.01, [100.0, 300.0, 300.0]),
        ([100.0, 300.0, 300.0], 1000.0, 0.01, [100.0, 300.0, 300.0]),
        ([33.33, 33.33, 33.34], 66.67, 0.01, [33.33, 33.33, 0.01]),
        ([10.0, 10.0], 15.4, 1.0, [10.0, 5.0]),
        ([0.3, 0.3, 0.4], 0.65, 0.05, [0.3, 0.3, 0.05]),
        ([0.001, 0.002], 0.002, 0.001, [0.001, 0.001]),
        ([], 100.0, 0.01, []),
    ],
)
def test_allocate_payments_examples(amounts, paid, rounding, expected):
    assert rules.allocate_payments(amounts, paid, rounding) == expected


@given(
    installments=st.lists(st.integers(1, 10**7), max_size=40),
    paid=st.integers(-(10**6), 5 * 10**8),
    rounding=roundings,
)
def test_allocate_payments_properties(installments, paid, rounding):
    amounts = [rules.from_units(value, rounding) for value in installments]
    shares = rules.allocate_payments(
        amounts, rules.from_units(paid, rounding), rounding
    )
    share_units = [units(share, rounding) for share in shares]
    assert len(shares) == len(amounts)
    # never over an installment, never negative
    assert all(
        0 <= share <= due for share, due in zip(share_units, installments, strict=True)
    )
    # allocated <= paid, and everything is allocated up to the total
    assert sum(share_units) == max(0, min(paid, sum(installments)))
    # oldest first: once an installment is not fully covered, later ones get nothing
    for index, (share, due) in enumerate(zip(share_units, installments, strict=True)):
        if share < due:
            assert not any(share_units[index + 1 :])
            break


# ---------------------------------------------------------------------------
# installment_state
# ---------------------------------------------------------------------------

DUE = date(2024, 3, 31)


@pytest.mark.parametrize(
    ("today", "paid", "grace_days", "expected"),
    [
        (DUE - timedelta(days=10), 0.0, 5, "pending"),
        (DUE, 0.0, 5, "pending"),
        (DUE, 99.99, 5, "pending"),
        (DUE + timedelta(days=1), 0.0, 5, "late"),
        (DUE + timedelta(days=5), 99.99, 5, "late"),
        (DUE + timedelta(days=6), 99.99, 5, "missed"),
        (DUE + timedelta(days=1), 0.0, 0, "missed"),
        (DUE + timedelta(days=1), 0.0, None, "missed"),
        (DUE - timedelta(days=10), 100.0, 5, "paid"),
        (DUE + timedelta(days=400), 100.0, 5, "paid"),
        (DUE + timedelta(days=400), 150.0, 5, "paid"),
        (DUE + timedelta(days=400), 99.999, 5, "paid"),  # 100.00 once rounded
        (DUE + timedelta(days=400), 99.994, 5, "missed"),
    ],
)
def test_installment_state_boundaries(today, paid, grace_days, expected):
    assert (
        rules.installment_state(DUE, 100.0, paid, today, grace_days, 0.01) == expected
    )


@pytest.mark.parametrize(
    ("rounding", "paid", "expected"),
    [
        (1.0, 99.5, "paid"),
        (1.0, 99.4, "late"),
        (0.05, 99.98, "paid"),
        (0.05, 99.97, "late"),
        (0.001, 99.999, "late"),
    ],
)
def test_installment_state_roundings(rounding, paid, expected):
    today = DUE + timedelta(days=2)
    assert rules.installment_state(DUE, 100.0, paid, today, 3, rounding) == expected


@given(
    due_date=dates,
    amount=st.integers(1, 10**7),
    paid=st.integers(0, 10**7),
    offset=st.integers(-400, 400),
    grace=st.integers(0, 60),
    rounding=roundings,
)
def test_installment_state_properties(due_date, amount, paid, offset, grace, rounding):
    """How an installment's state behaves, not how it is computed: paid in
    full it is paid whatever the day; otherwise time only makes it worse
    (pending, then late, then missed), and paying more or a longer grace
    period never does."""

    def state(paid=paid, offset=offset, grace=grace):
        return rules.installment_state(
            due_date,
            rules.from_units(amount, rounding),
            rules.from_units(paid, rounding),
            due_date + timedelta(days=offset),
            grace,
            rounding,
        )

    def worse(first, second):
        rank = {"paid": 0, "pending": 1, "late": 2, "missed": 3}
        return rank[first] > rank[second]

    assert state() in rules.INSTALLMENT_STATES
    assert state(paid=amount) == "paid"
    assert state(paid=amount + paid) == "paid"
    assert not worse(state(offset=offset - 1), state()), "time never helps"
    assert not worse(state(paid=paid + 1), state()), "paying more never hurts"
    assert not worse(state(grace=grace + 1), state()), "nor a longer grace"
    if paid < amount:
        assert state(offset=0) == "pending", "not late on its due date"
        assert state(offset=grace + 1) == "missed", "missed after the grace"


# ---------------------------------------------------------------------------
# schedule_errors / paid_since_agreement (agreements)
# ---------------------------------------------------------------------------

AGREEMENT_TODAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("installments", "total", "rounding", "expected"),
    [
        ([(AGREEMENT_TODAY, 100.0)], 100.0, 0.01, []),
        (
            [(AGREEMENT_TODAY, 33.33), (AGREEMENT_TODAY + timedelta(days=30), 66.67)],
            100.0,
            0.01,
            [],
        ),
        ([], 100.0, 0.01, ["schedule_empty"]),
        ([(None, 100.0)], 100.0, 0.01, ["installment_date_missing"]),
        ([(False, 100.0)], 100.0, 0.01, ["installment_date_missing"]),
        (
            [(AGREEMENT_TODAY - timedelta(days=1), 100.0)],
            100.0,
            0.01,
            ["installment_date_in_past"],
        ),
        (
            [(AGREEMENT_TODAY, 100.0), (AGREEMENT_TODAY, 0.0)],
            100.0,
            0.01,
            ["installment_not_positive"],
        ),
        (
            [(AGREEMENT_TODAY, 110.0), (AGREEMENT_TODAY, -10.0)],
            100.0,
            0.01,
            ["installment_not_positive"],
        ),
        ([(AGREEMENT_TODAY, 100.01)], 100.0, 0.01, ["schedule_total_mismatch"]),
        ([(AGREEMENT_TODAY, 33.33)] * 3, 100.0, 0.01, ["schedule_total_mismatch"]),
        ([(AGREEMENT_TODAY, 0.1)] * 3, 0.3, 0.01, []),  # no float drift
        ([(AGREEMENT_TODAY, 100.004)], 100.0, 0.01, []),  # same amount once rounded
        ([(AGREEMENT_TODAY, 50.0), (AGREEMENT_TODAY, 50.4)], 100.0, 1.0, []),  # 50 + 50
        (
            [(None, 0.0), (AGREEMENT_TODAY - timedelta(days=2), 10.0)],
            100.0,
            0.01,
            [
                "installment_date_missing",
                "installment_date_in_past",
                "installment_not_positive",
                "schedule_total_mismatch",
            ],
        ),
    ],
)
def test_schedule_errors_examples(installments, total, rounding, expected):
    assert (
        rules.schedule_errors(installments, total, AGREEMENT_TODAY, rounding)
        == expected
    )


@given(
    total=st.integers(1, 10**7),
    down=st.integers(0, 10**7),
    count=st.integers(1, 36),
    interval=intervals,
    offset=st.integers(0, 400),
    rounding=roundings,
)
def test_offer_schedules_are_valid_agreement_schedules(
    total, down, count, interval, offset, rounding
):
    """Every offer schedule that can be proposed today passes the checks of
    the agreement wizard (when each installment gets at least one unit: a
    plan of 0.02 in 3 installments has zero installments to remove)."""
    assume(down < total and total - down >= count)
    schedule = rules.offer_schedule(
        "payment_plan",
        rules.from_units(total, rounding),
        rules.from_units(down, rounding),
        count,
        interval,
        AGREEMENT_TODAY + timedelta(days=offset),
        rounding,
    )
    assert (
        rules.schedule_errors(
            schedule, rules.from_units(total, rounding), AGREEMENT_TODAY, rounding
        )
        == []
    )


@given(
    amounts=st.lists(st.integers(1, 10**6), min_size=1, max_size=12),
    delta=st.integers(-(10**6), 10**6).filter(bool),
    rounding=roundings,
)
def test_schedule_errors_detects_any_total_difference(amounts, delta, rounding):
    schedule = [
        (AGREEMENT_TODAY, rules.from_units(units, rounding)) for units in amounts
    ]
    total = rules.from_units(sum(amounts) + delta, rounding)
    assert "schedule_total_mismatch" in rules.schedule_errors(
        schedule, total, AGREEMENT_TODAY, rounding
    )


@pytest.mark.parametrize(
    ("due_then", "due_now", "written_off", "rounding", "expected"),
    [
        (1000.0, 1000.0, 0.0, 0.01, 0.0),
        (1000.0, 700.0, 0.0, 0.01, 300.0),
        (1000.0, 0.0, 0.0, 0.01, 1000.0),  # paid in full (or overpaid)
        (1000.0, 0.0, 400.0, 0.01, 600.0),  # the write-off is no payment
        (800.0, 900.0, 0.0, 0.01, 0.0),  # a payment was unreconciled
        (0.3, 0.1, 0.0, 0.01, 0.2),  # no float drift
        (100.0, 66.666, 0.0, 0.01, 33.33),
        (False, False, False, 0.01, 0.0),
    ],
)
def test_paid_since_agreement_examples(
    due_then, due_now, written_off, rounding, expected
):
    assert (
        rules.paid_since_agreement(due_then, due_now, written_off, rounding) == expected
    )


@given(
    due_then=st.integers(0, 10**8),
    due_now=st.integers(0, 10**8),
    written_off=st.integers(0, 10**8),
    rounding=roundings,
)
def test_paid_since_agreement_properties(due_then, due_now, written_off, rounding):
    paid = rules.paid_since_agreement(
        rules.from_units(due_then, rounding),
        rules.from_units(due_now, rounding),
        rules.from_units(written_off, rounding),
        rounding,
    )
    paid_units = units(paid, rounding)
    assert paid_units == max(due_then - due_now - written_off, 0)
    assert 0 <= paid_units <= due_then
