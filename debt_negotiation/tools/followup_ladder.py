# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Pure rules of the follow-up ladder: which step runs, and when the next.

Like :mod:`.negotiation_rules`, this module stays free of any Odoo import.
A ladder is a list ``[(key, delay_days), ...]`` in ladder order, where
``key`` identifies a step (its id in the database) and ``delay_days``
counts from the due date of the oldest unpaid invoice of the case.
"""

from collections import namedtuple
from datetime import timedelta

from .negotiation_rules import response_deadline

# What a follow-up run does on a case: ``step`` (None when none is due) with
# the new response ``deadline``, then ``next_step`` on ``next_date``.
LadderDecision = namedtuple("LadderDecision", "step deadline next_step next_date")


def _step_due_date(oldest_due, delay_days):
    """Return the date a ladder step becomes due."""
    return oldest_due + timedelta(days=int(delay_days or 0))


def may_run(steps, index, done_keys, letter_keys=(), escalation_keys=()):
    """Whether the step at ``index`` may run given what was done.

    Before an escalation, the debtor is told in writing what will happen
    and when: the last letter step ahead of each escalation step (the
    final notice) is never skipped. The steps after that letter up to the
    escalation (a last call, the escalation itself) may run only once it
    was sent; a late case so gets that letter first instead of jumping
    past it. Other steps may always run.
    """
    done_keys = set(done_keys or ())
    for end, (key, _delay) in enumerate(steps):
        if key not in escalation_keys or end < index:
            continue
        letters_before = [
            position
            for position, (letter, _d) in enumerate(steps[:end])
            if letter in letter_keys
        ]
        if not letters_before:
            continue
        gate = letters_before[-1]
        if gate < index <= end and steps[gate][0] not in done_keys:
            return False
    return True


def due_step(steps, oldest_due, done_keys, today, letter_keys=(), escalation_keys=()):
    """Return the key of the follow-up step to execute on ``today``, or None.

    :param steps: ``[(key, delay_days), ...]`` in ladder order
    :param oldest_due: due date of the oldest invoice of the case
    :param done_keys: keys of the steps already executed
    :param letter_keys: keys of the steps that send a letter
    :param escalation_keys: keys of the steps that escalate the case

    The candidates are the steps due by ``today`` (``oldest_due +
    delay_days <= today``) that may run (:func:`may_run`: no escalation
    before the final notice went out). The LAST candidate in ladder order
    is returned, so a case that is far behind gets the latest due letter
    instead of going through every earlier one (and never jumps straight
    to an escalation). Nothing is returned when there is no candidate, or
    when that step or any later one was already executed: a step is never
    executed twice and the ladder never goes back.
    """
    if not oldest_due:
        return None
    done_keys = set(done_keys or ())
    candidates = [
        index
        for index, (_key, delay_days) in enumerate(steps)
        if _step_due_date(oldest_due, delay_days) <= today
        and may_run(steps, index, done_keys, letter_keys, escalation_keys)
    ]
    if not candidates:
        return None
    last = candidates[-1]
    if any(key in done_keys for key, _delay in steps[last:]):
        return None
    return steps[last][0]


def step_to_run(
    steps,
    oldest_due,
    done_keys,
    today,
    scheduled_key=None,
    not_before=None,
    letter_keys=(),
    escalation_keys=(),
):
    """Return the key of the follow-up step a run executes on ``today``, or None.

    :param scheduled_key: the step announced for this date (by the last
        letter), if any
    :param not_before: the debtor's response deadline, if any
    :param letter_keys, escalation_keys: as for :func:`due_step`

    * Nothing runs while the debtor is still within a response period
      (``not_before`` after ``today``).
    * The announced step runs when it is due by the ladder (``oldest_due +
      delay_days <= today``) and neither it nor a later step was executed:
      the step a letter announced is the one that happens, even on a late
      run where later steps are due as well.
    * Otherwise :func:`due_step` decides (the latest due step).
    """
    if not oldest_due:
        return None
    if not_before and not_before > today:
        return None
    done_keys = set(done_keys or ())
    keys = [key for key, _delay in steps]
    if scheduled_key is not None and scheduled_key in keys:
        index = keys.index(scheduled_key)
        if (
            not any(key in done_keys for key in keys[index:])
            and _step_due_date(oldest_due, steps[index][1]) <= today
            and may_run(steps, index, done_keys, letter_keys, escalation_keys)
        ):
            return scheduled_key
    return due_step(steps, oldest_due, done_keys, today, letter_keys, escalation_keys)


def plan_next_step(steps, oldest_due, done_keys, not_before=None):
    """Return ``(key, date)`` of the next follow-up step, ``(None, None)``
    when no step is left.

    The step is the first one, in ladder order, after the last executed one
    (the first step when none was executed). It is scheduled on its ladder
    date (``oldest_due + delay_days``) but never before ``not_before`` (the
    debtor's response deadline, or the day after a step ran), so the date a
    letter announces is kept and :func:`step_to_run` runs that very step on
    that date.
    """
    if not oldest_due:
        return None, None
    done_keys = set(done_keys or ())
    done_indexes = [index for index, (key, _d) in enumerate(steps) if key in done_keys]
    start = done_indexes[-1] + 1 if done_indexes else 0
    if start >= len(steps):
        return None, None
    key, delay_days = steps[start]
    next_date = _step_due_date(oldest_due, delay_days)
    if not_before and not_before > next_date:
        next_date = not_before
    return key, next_date


def decide(
    steps,
    oldest_due,
    done_keys,
    today,
    scheduled_key,
    deadline,
    response_days,
    letter_keys=frozenset(),
    escalation_keys=frozenset(),
):
    """Decide what a follow-up run does on ``today`` on one case.

    :param steps: the company's ladder, ``[(key, delay_days), ...]``
    :param oldest_due: due date of the oldest unpaid invoice of the case
    :param done_keys: keys of the steps already executed on the case
    :param scheduled_key: the step the last letter announced, if any
    :param deadline: the case's current response deadline, if any
    :param response_days: the company's response period, in days
    :param letter_keys: keys of the steps that send a letter
    :param escalation_keys: keys of the steps that escalate the case
    :return: a :data:`LadderDecision`

    The step to run is :func:`step_to_run`'s. A step that sends a letter
    gives the debtor a new response deadline (:func:`response_deadline`).
    The next step is then planned (:func:`plan_next_step`) after that
    deadline and never on the day a step ran; nothing is planned after an
    escalation step.
    """
    step = step_to_run(
        steps,
        oldest_due,
        done_keys,
        today,
        scheduled_key=scheduled_key,
        not_before=deadline,
        letter_keys=letter_keys,
        escalation_keys=escalation_keys,
    )
    not_before = deadline
    if step is not None:
        done_keys = set(done_keys or ()) | {step}
        if step in letter_keys:
            deadline = response_deadline(today, response_days)
        tomorrow = today + timedelta(days=1)
        not_before = max(deadline or tomorrow, tomorrow)
    next_step = next_date = None
    if step is None or step not in escalation_keys:
        next_step, next_date = plan_next_step(steps, oldest_due, done_keys, not_before)
    return LadderDecision(step, deadline, next_step, next_date)


def planned_escalation(
    steps,
    oldest_due,
    start_key,
    start_date,
    response_days,
    letter_keys=frozenset(),
    escalation_keys=frozenset(),
):
    """Return the date the ladder escalates the case, when the step
    ``start_key`` runs on ``start_date`` and the ladder then keeps its
    pace, or None when no escalation step follows.

    Each later step runs on its ladder date, never before the response
    deadline of the letter before it nor on the day a step ran: the dates
    :func:`decide` plans one run after the other, so that a letter can state
    until when the debtor still has a chance (e.g. to put a broken
    agreement back in force before the claim is escalated).
    """
    keys = [key for key, _delay in steps]
    if start_key not in keys or not start_date:
        return None
    index = keys.index(start_key)
    date = start_date
    while True:
        key = keys[index]
        if key in escalation_keys:
            return date
        tomorrow = date + timedelta(days=1)
        not_before = tomorrow
        if key in letter_keys:
            not_before = max(response_deadline(date, response_days), tomorrow)
        index += 1
        if index >= len(keys) or not oldest_due:
            return None
        date = max(_step_due_date(oldest_due, steps[index][1]), not_before)


# ----------------------------------------------------------------------
# Ladders per segment and courtesy reminders before the due date
# ----------------------------------------------------------------------
# A ladder as matching sees it: its key, the partner tags it is for (empty:
# any) and the debtor type it is for (None: both).
LadderSegment = namedtuple("LadderSegment", "key tag_keys debtor_type")


def segment_matches(segment, tag_keys, debtor_type):
    """Whether a debtor with ``tag_keys`` and ``debtor_type`` belongs to
    the segment of ``segment``. A ladder without any criterion is for no
    segment: it is followed only when it is a debtor's own ladder or the
    company's default."""
    if not segment.tag_keys and not segment.debtor_type:
        return False
    if segment.tag_keys and not set(segment.tag_keys) & set(tag_keys or ()):
        return False
    return not segment.debtor_type or segment.debtor_type == debtor_type


def match_ladder(segments, tag_keys, debtor_type, own_key=None, default_key=None):
    """Return the key of the ladder a debtor follows: its own ladder when
    set, else the first of ``segments`` (in ladder order) whose segment it
    belongs to (:func:`segment_matches`), else the company's default."""
    if own_key:
        return own_key
    for segment in segments:
        if segment_matches(segment, tag_keys, debtor_type):
            return segment.key
    return default_key


def courtesy_step(steps, due_date, today, last_sent_delay=None):
    """Return the key of the courtesy reminder to send today on an invoice
    due on ``due_date``, or None.

    :param steps: ``[(key, delay_days), ...]``, the ladder's steps with a
        negative delay (days before the due date)
    :param last_sent_delay: the delay of the courtesy step already sent on
        the invoice, if any

    Only before the due date (from the due date on, the ladder of the case
    takes over), only a step whose day has come, and only one later than the
    one already sent: each reminder is sent once, and when several are due
    (the invoice was posted late) only the latest of them is.
    """
    if not due_date or today >= due_date:
        return None
    due = [
        (delay, key)
        for key, delay in steps
        if delay < 0
        and _step_due_date(due_date, delay) <= today
        and (last_sent_delay is None or delay > last_sent_delay)
    ]
    return max(due)[1] if due else None
