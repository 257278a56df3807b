# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Pure rules of the scheduled runs: which channels a letter step uses for
the contact details the debtor has, and when a failing case needs a person.

Like :mod:`.negotiation_rules`, this module stays free of any Odoo import.
"""

from datetime import timedelta

POST = "post"
EMAIL = "email"
BOTH = "both"
CHANNELS = (POST, EMAIL)

# A case failing in the scheduled runs this many days in a row gets an
# activity for its negotiator (once per streak).
ALERT_STREAK_DAYS = 3


def letter_channels(step_channel, has_email, has_address):
    """Return ``(used, missing)``: the channels a letter step of
    ``step_channel`` (``post``, ``email`` or ``both``) sends its letter by,
    and those of the step it cannot use, for a debtor who can be reached by
    email (``has_email``) and by post (``has_address``).

    A step sends by each of its channels that reaches the debtor. When none
    does, the letter goes by the other channel if that one reaches the
    debtor (a postal-only debtor gets its email letters by post), so that
    every debtor who can be reached goes through the whole ladder. ``used``
    is empty only when the debtor can be reached by no channel at all.
    """
    if step_channel not in (POST, EMAIL, BOTH):
        raise ValueError(f"unknown channel {step_channel!r}")
    reachable = {POST: bool(has_address), EMAIL: bool(has_email)}
    wanted = CHANNELS if step_channel == BOTH else (step_channel,)
    used = tuple(channel for channel in wanted if reachable[channel])
    missing = tuple(channel for channel in wanted if not reachable[channel])
    if not used:
        used = tuple(channel for channel in CHANNELS if reachable[channel])[:1]
    return used, missing


def failing_streak(days, today):
    """Number of consecutive days, ending on ``today``, found in ``days``
    (the days a case failed in a scheduled run); 0 when ``today`` is not
    one of them."""
    days = set(days)
    streak = 0
    while today - timedelta(days=streak) in days:
        streak += 1
    return streak


def needs_alert(days, alerted_days, today, threshold=ALERT_STREAK_DAYS):
    """Whether a case that failed on ``days`` gets an activity for its
    negotiator on ``today``: it failed ``threshold`` days in a row up to
    today, and nobody was alerted since that streak began
    (``alerted_days``: the days an alert was given). One alert per streak:
    a case failing every day is not alerted every day."""
    streak = failing_streak(days, today)
    if streak < max(threshold, 1):
        return False
    start = today - timedelta(days=streak - 1)
    return not any(start <= day <= today for day in alerted_days)
