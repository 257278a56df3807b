# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the debtor sends from its page, checked before anything is
written: pure rules, no Odoo import.

The page is reached by anyone holding a letter's link, so its forms are
input from the outside: numbers that are numbers (never ``nan`` or
``inf``), an interval among those known, dates within a sane horizon,
files that are what they claim to be, and a pace of answers a person
keeps (each answer writes records and sends emails).
"""

import math
from datetime import timedelta

# a counter-offer's interval is one of the offers' (one place for the rule)
from .negotiation_rules import INTERVALS

# A counter-offer's first payment: within a year.
MAX_FIRST_DUE_DAYS = 365
# What a debtor may upload (checked on the content, not the name).
UPLOAD_MIMETYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
# What a drawn signature may be.
SIGNATURE_MIMETYPES = ("image/png", "image/jpeg")
# The debtor's answers that write records and send emails (counter-offers,
# disputes, promises), per day: on one case, and from one address.
RATE_WINDOW = timedelta(hours=24)
RATE_PER_CASE = 5
RATE_PER_ADDRESS = 20


def parse_amount(text):
    """The amount typed in a form field (``""`` or ``None``: 0.0). Raise
    ``ValueError`` for anything that is not a finite number."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return 0.0
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"not a finite amount: {text!r}")
    return value


def parse_count(text):
    """A whole number typed in a form field (``""`` or ``None``: 0). Raise
    ``ValueError`` otherwise."""
    if isinstance(text, str):
        text = text.strip() or "0"
    return int(text or 0)


def parse_interval(text):
    """A payment plan's interval, one of :data:`INTERVALS`. Raise
    ``ValueError`` otherwise."""
    if text not in INTERVALS:
        raise ValueError(f"unknown interval: {text!r}")
    return text


def first_due_too_far(first_due, today, days=MAX_FIRST_DUE_DAYS):
    """Whether a counter-offer's first payment date lies beyond the
    horizon of ``days`` from ``today``."""
    return bool(first_due) and first_due > today + timedelta(days=days)


def upload_name(name, mimetype):
    """The name a debtor's upload is stored under: its own, with the
    extension of what its content is (``"note.html"`` holding a PDF is
    ``"note.html.pdf"``)."""
    extension = UPLOAD_MIMETYPES[mimetype]
    name = (name or "").strip() or "document"
    if name.lower().endswith(extension) or (
        extension == ".jpg" and name.lower().endswith(".jpeg")
    ):
        return name
    return name + extension


def over_limit(times, now, limit, window=RATE_WINDOW):
    """Whether the answers made at ``times`` (datetimes) already reach
    ``limit`` within the ``window`` before ``now`` (an answer recorded in
    the same second as ``now`` counts, whatever its microseconds)."""
    start = now - window
    return sum(1 for moment in times if moment > start) >= limit
