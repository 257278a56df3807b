# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The legal layer: pure rules, no Odoo import.

The limitation date of a claim (when it becomes time-barred) and when the
personal details of a closed consumer's case may be anonymised. Dates are
``datetime.date``.
"""

from datetime import timedelta

from dateutil.relativedelta import relativedelta


def limitation_date(due_dates, acknowledgements, years):
    """The day the claim becomes time-barred: ``years`` after the oldest of
    ``due_dates`` (the invoices still claimed), the clock restarted by each
    acknowledgement of the debt after it (a signed agreement, a promise, a
    payment): ``years`` after the latest one. None without a due date or
    with ``years`` 0 (no limitation tracked)."""
    dues = [due for due in due_dates or () if due]
    if not dues or not years or years <= 0:
        return None
    start = min(dues)
    for acknowledged in acknowledgements or ():
        if acknowledged and acknowledged > start:
            start = acknowledged
    return start + relativedelta(years=years)


def limitation_near(limit, today, warning_days):
    """Whether the limitation date ``limit`` is within ``warning_days`` of
    ``today`` (or past)."""
    if not limit:
        return False
    return limit <= today + timedelta(days=max(warning_days or 0, 0))


def retention_end(closed_on, years):
    """The first day the personal details of a case closed on ``closed_on``
    may be anonymised: ``years`` after it. None while it is not closed."""
    if not closed_on or years is None:
        return None
    return closed_on + relativedelta(years=years)


def retention_problem(retention_years, limitation_years):
    """Why a retention period cannot be set, or None: it may not be shorter
    than the limitation period (the evidence must outlive the claim)."""
    if retention_years is None or retention_years < 1:
        return "too_short"
    if limitation_years and retention_years < limitation_years:
        return "shorter_than_limitation"
    return None


def plan_beyond_limits(
    installment_count, down_payment, amount, max_installments, min_down_percent
):
    """Whether a payment plan of ``installment_count`` installments after a
    ``down_payment`` (units) on a total of ``amount`` (units) goes beyond
    the company's limits: more installments than ``max_installments`` (0:
    no limit), or a down payment below ``min_down_percent`` % of the total
    (0: none required). Such a plan needs a manager."""
    if max_installments and installment_count > max_installments:
        return True
    if min_down_percent and amount > 0:
        # down / amount < percent / 100, in integers (percent has 2 decimals)
        return down_payment * 100 * 100 < amount * round(min_down_percent * 100)
    return False


def placeholder_pdf(text):
    """A one-page PDF saying ``text`` (ASCII), in place of a document whose
    personal details were removed."""
    safe = "".join(
        ch if 32 <= ord(ch) < 127 and ch not in "()\\" else " " for ch in text
    )
    stream = f"BT /F1 11 Tf 56 780 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
