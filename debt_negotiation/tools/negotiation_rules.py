# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Pure business rules of debt negotiation.

This module must stay free of any Odoo import: it only uses the standard
library and python-dateutil, so that it can be tested without a database.

Money is never added up as floats. Every amount is first converted to an
integer number of *units* of the currency rounding (for a rounding of 0.01
one unit is a cent), the arithmetic is done on integers and the results are
converted back. This guarantees that, for example, the installments of a
payment plan always sum exactly to the agreed amount.

Error codes returned by :func:`offer_errors` are plain strings; the ORM layer
maps them to translated messages.
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

# How often a payment plan's installments fall due: every week, two weeks,
# month or three months.
INTERVALS = ("week", "biweek", "month", "quarter")

PAYMENT_PLAN = "payment_plan"

OFFER_ERROR_CODES = (
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
)
# Offers for the whole amount due: anything less is a settlement.
FULL_AMOUNT_TYPES = ("full_payment", "extension")
# The longest payment plan an offer may hold: 30 years of monthly payments.
MAX_INSTALLMENTS = 360

INSTALLMENT_STATES = ("paid", "pending", "late", "missed")


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------


def _decimal(value):
    """Return ``value`` as an exact :class:`~decimal.Decimal`.

    Floats go through ``repr`` (their shortest decimal form), so that
    ``0.1`` becomes ``Decimal("0.1")`` rather than its binary expansion.
    ``None`` and ``False`` (empty Odoo fields) count as zero.
    """
    if value is None or value is False:
        return Decimal(0)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _check_rounding(rounding):
    """Return ``rounding`` as a Decimal, raising ValueError unless > 0."""
    step = _decimal(rounding)
    if step <= 0:
        raise ValueError(f"rounding must be positive, got {rounding!r}")
    return step


def to_units(amount: float, rounding: float) -> int:
    """Convert ``amount`` into an integer number of ``rounding`` units.

    Rounds half away from zero, like Odoo's ``float_round``:
    ``to_units(12.345, 0.01) == 1235`` and ``to_units(0.29, 0.01) == 29``.
    An empty amount (``None``/``False``) is 0 units.
    """
    step = _check_rounding(rounding)
    return int((_decimal(amount) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_units(units: int, rounding: float) -> float:
    """Convert an integer number of ``rounding`` units back into an amount.

    ``from_units(1235, 0.01) == 12.35``; the float returned is the closest
    one to the exact decimal value.
    """
    step = _check_rounding(rounding)
    return float(Decimal(int(units)) * step)


# ---------------------------------------------------------------------------
# Payment plans
# ---------------------------------------------------------------------------


def split_plan(total, down_payment, count, rounding=0.01) -> list[float]:
    """Split ``total`` into an optional down payment and ``count`` installments.

    The result is ``[down_payment]`` (only when the down payment is positive)
    followed by ``count`` installments. Each installment is
    ``floor((total - down_payment) / count)`` in units; the remainder of that
    division is added to the LAST installment, so the amounts always sum
    exactly to ``total`` in units.

    :raises ValueError: if ``count < 1``, ``total <= 0``,
        ``down_payment < 0`` or ``down_payment >= total``.
    """
    if count is None or count is False or int(count) < 1:
        raise ValueError(f"installment count must be at least 1, got {count!r}")
    count = int(count)
    total_units = to_units(total, rounding)
    down_units = to_units(down_payment, rounding)
    if total_units <= 0:
        raise ValueError(f"total must be positive, got {total!r}")
    if down_units < 0:
        raise ValueError(f"down payment cannot be negative, got {down_payment!r}")
    if down_units >= total_units:
        raise ValueError(
            f"down payment {down_payment!r} must be lower than the total {total!r}"
        )
    base, remainder = divmod(total_units - down_units, count)
    units = [base] * count
    units[-1] += remainder
    if down_units > 0:
        units.insert(0, down_units)
    return [from_units(unit, rounding) for unit in units]


def step_date(start: date, interval: str, n: int) -> date:
    """Return the date ``n`` intervals after ``start``: ``n`` weeks, two
    weeks, months or three months.

    The date is always computed from ``start`` (never by chaining steps), so
    month ends are kept: from January 31, ``n=1`` gives February 28 (29 in a
    leap year) and ``n=2`` gives March 31 (every three months: from
    November 30, ``n=1`` gives February 28 and ``n=2`` May 30).

    :param interval: one of :data:`INTERVALS`
    :raises ValueError: for any other interval
    """
    if interval == "week":
        return start + relativedelta(weeks=n)
    if interval == "biweek":
        return start + relativedelta(weeks=2 * n)
    if interval == "month":
        return start + relativedelta(months=n)
    if interval == "quarter":
        return start + relativedelta(months=3 * n)
    raise ValueError(f"interval must be one of {INTERVALS}, got {interval!r}")


def offer_schedule(
    offer_type,
    amount,
    down_payment,
    installment_count,
    interval,
    first_due_date,
    rounding=0.01,
) -> list[tuple[date, float]]:
    """Return the payment schedule of an offer as ``[(due_date, amount), ...]``.

    A ``payment_plan`` has ``installment_count`` installments; every other
    offer type is a single (lump sum) payment. The amounts come from
    :func:`split_plan`. The interval defaults to ``"month"``.

    * With a down payment, it is due on ``first_due_date`` and installment
      ``i`` (0-based) on ``step_date(first_due_date, interval, i + 1)``.
    * Without one, installment ``i`` is due on
      ``step_date(first_due_date, interval, i)``.

    :raises ValueError: as :func:`split_plan` does.
    """
    count = installment_count if offer_type == PAYMENT_PLAN else 1
    amounts = split_plan(amount, down_payment, count, rounding)
    interval = interval or "month"
    # split_plan leads with the down payment when it has one
    offset = 1 if len(amounts) > int(count) else 0
    dates = [first_due_date] * offset + [
        step_date(first_due_date, interval, i + offset) for i in range(int(count))
    ]
    return list(zip(dates, amounts, strict=True))


# ---------------------------------------------------------------------------
# Offer checks
# ---------------------------------------------------------------------------


def discount(amount_due, amount, rounding) -> tuple[float, float]:
    """Return ``(amount_due - amount, percent of amount_due)`` of an offer.

    The percentage is rounded to 2 decimals (half up); it is ``0.0`` when
    ``amount_due`` is not positive. An offer above the amount due gives a
    negative discount.
    """
    due_units = to_units(amount_due, rounding)
    diff_units = due_units - to_units(amount, rounding)
    if due_units <= 0:
        percent = 0.0
    else:
        ratio = Decimal(diff_units * 100) / Decimal(due_units)
        percent = float(ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return from_units(diff_units, rounding), percent


def is_below_minimum(amount, minimum, rounding) -> bool:
    """Tell whether ``amount`` is under a positive ``minimum`` (in units).

    A minimum that is empty, zero or negative means "no minimum".
    """
    minimum_units = to_units(minimum, rounding)
    return minimum_units > 0 and to_units(amount, rounding) < minimum_units


def offer_errors(
    offer_type,
    amount,
    down_payment,
    installment_count,
    interval,
    first_due_date,
    expiry_date,
    today,
    amount_due,
    rounding=0.01,
    proposing=False,
) -> list[str]:
    """Return the list of error codes of an offer; ``[]`` when it is valid.

    Codes, in this order (see :data:`OFFER_ERROR_CODES`):

    * ``amount_not_positive``: ``amount <= 0``
    * ``down_payment_negative``: ``down_payment < 0``
    * ``down_payment_too_high``: a positive down payment ``>= amount``
    * ``amount_above_due``: ``amount_due > 0`` and ``amount > amount_due``
    * ``amount_below_due``: a full payment or an extension for less than
      ``amount_due`` (> 0): such an agreement could never be fulfilled (its
      invoices would stay open); less than what is due is a settlement
    * ``installments_missing``: a payment plan with fewer than 1 installment
    * ``installments_too_many``: a payment plan with more than
      :data:`MAX_INSTALLMENTS` installments
    * ``interval_missing``: a payment plan without interval
    * ``first_due_date_missing``: no ``first_due_date``
    * ``expiry_in_past``: when ``proposing``, ``expiry_date < today``
    * ``first_due_in_past``: when ``proposing``, ``first_due_date < today``

    Amounts are compared in units of ``rounding``. A valid offer (no error)
    can always be turned into a schedule by :func:`offer_schedule`.
    """
    amount_units = to_units(amount, rounding)
    down_units = to_units(down_payment, rounding)
    due_units = to_units(amount_due, rounding)
    is_plan = offer_type == PAYMENT_PLAN
    checks = (
        ("amount_not_positive", amount_units <= 0),
        ("down_payment_negative", down_units < 0),
        ("down_payment_too_high", down_units > 0 and down_units >= amount_units),
        ("amount_above_due", 0 < due_units < amount_units),
        (
            "amount_below_due",
            offer_type in FULL_AMOUNT_TYPES and 0 < amount_units < due_units,
        ),
        ("installments_missing", is_plan and (installment_count or 0) < 1),
        (
            "installments_too_many",
            is_plan and (installment_count or 0) > MAX_INSTALLMENTS,
        ),
        ("interval_missing", is_plan and not interval),
        ("first_due_date_missing", not first_due_date),
        ("expiry_in_past", bool(proposing and expiry_date and expiry_date < today)),
        (
            "first_due_in_past",
            bool(proposing and first_due_date and first_due_date < today),
        ),
    )
    return [code for code, failed in checks if failed]


# ---------------------------------------------------------------------------
# Agreement monitoring
# ---------------------------------------------------------------------------


def allocate_payments(installment_amounts, paid, rounding) -> list[float]:
    """Allocate the amount ``paid`` to installments, oldest first.

    Each installment receives at most its own amount; whatever is left goes
    to the next one. The shares sum to ``min(paid, total)`` in units; a
    ``paid`` that is not positive allocates nothing (all zeros).
    """
    remaining = max(to_units(paid, rounding), 0)
    shares = []
    for amount in installment_amounts:
        share = min(max(to_units(amount, rounding), 0), remaining)
        remaining -= share
        shares.append(from_units(share, rounding))
    return shares


def installment_state(due_date, amount, paid, today, grace_days, rounding) -> str:
    """Return the state of an installment on ``today``.

    * ``"paid"`` when ``paid >= amount`` (in units), whatever the date;
    * ``"pending"`` up to and including ``due_date``;
    * ``"late"`` up to and including ``due_date + grace_days``;
    * ``"missed"`` afterwards.
    """
    if to_units(paid, rounding) >= to_units(amount, rounding):
        return "paid"
    if today <= due_date:
        return "pending"
    if today <= due_date + timedelta(days=int(grace_days or 0)):
        return "late"
    return "missed"


# ---------------------------------------------------------------------------
# Agreements
# ---------------------------------------------------------------------------

SCHEDULE_ERROR_CODES = (
    "schedule_empty",
    "installment_date_missing",
    "installment_date_in_past",
    "installment_not_positive",
    "schedule_total_mismatch",
)


def schedule_errors(installments, total, today, rounding) -> list[str]:
    """Return the error codes of an agreed payment schedule; ``[]`` when valid.

    :param installments: ``[(due_date, amount), ...]`` (a due date may be
        empty while the schedule is being edited)
    :param total: the agreed amount the schedule must sum to exactly

    Codes, in this order (see :data:`SCHEDULE_ERROR_CODES`), each at most once:

    * ``schedule_empty``: no installment at all;
    * ``installment_date_missing``: an installment without due date;
    * ``installment_date_in_past``: a due date before ``today``;
    * ``installment_not_positive``: an amount that is not above zero (units);
    * ``schedule_total_mismatch``: the amounts do not sum to ``total`` in
      units of ``rounding``.
    """
    if not installments:
        return ["schedule_empty"]
    dates = [due_date for due_date, _amount in installments]
    amounts = [to_units(amount, rounding) for _due_date, amount in installments]
    checks = (
        ("installment_date_missing", any(not due for due in dates)),
        ("installment_date_in_past", any(due and due < today for due in dates)),
        ("installment_not_positive", any(units <= 0 for units in amounts)),
        ("schedule_total_mismatch", sum(amounts) != to_units(total, rounding)),
    )
    return [code for code, failed in checks if failed]


def paid_since_agreement(
    amount_due_at_agreement, amount_due_now, written_off, rounding
):
    """Return what the debtor paid since the agreement was confirmed.

    It is the decrease of what is due on the agreement's invoices
    (``amount_due_at_agreement - amount_due_now``), minus what the creditor
    wrote off itself (``written_off``, which is no payment), never negative.
    Payments, credit notes and payments in another currency all lower the
    invoices' residual, so they all count; a payment that is unreconciled
    raises it again and stops counting.
    """
    units = (
        to_units(amount_due_at_agreement, rounding)
        - to_units(amount_due_now, rounding)
        - to_units(written_off, rounding)
    )
    return from_units(max(units, 0), rounding)


# ---------------------------------------------------------------------------
# Response deadline
# ---------------------------------------------------------------------------


def response_deadline(today, response_days, offer_expiry=None, current=None):
    """Return the date by which the debtor must answer a new letter or offer.

    :param response_days: the company's response period, in days (at least 1)
    :param offer_expiry: the expiry date of the offer waiting for an answer,
        if any
    :param current: the case's current response deadline, if any

    The offer's expiry when it is not past (``>= today``), else the current
    deadline when it is not past, else ``today + response_days``.
    """
    for deadline in (offer_expiry, current):
        if deadline and deadline >= today:
            return deadline
    return today + timedelta(days=int(response_days))
