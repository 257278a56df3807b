# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Cash forecast: pure rules, no Odoo import."""


def reliability(kept, broken):
    """The share of a debtor's promises to pay that were kept, in percent,
    two decimals: what its expected receipts are weighted by in the cash
    forecast. A debtor without any decided promise counts in full (100)."""
    decided = (kept or 0) + (broken or 0)
    if decided <= 0:
        return 100.0
    return round(100.0 * (kept or 0) / decided, 2)


def weighted(amount, reliability_percent):
    """``amount`` expected from a debtor of ``reliability_percent``."""
    return amount * max(0.0, min(100.0, reliability_percent)) / 100.0
