"""Tests of debt_negotiation/tools/followup_ladder.py (no Odoo needed)."""

from datetime import date, timedelta

import pytest
from debt_negotiation_tools import followup_ladder as ladder
from debt_negotiation_tools import negotiation_rules as rules
from hypothesis import given
from hypothesis import strategies as st

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


# ---------------------------------------------------------------------------
# due_step / plan_next_step dates
# ---------------------------------------------------------------------------

OLDEST = date(2024, 1, 10)
LADDER = [("reminder", 7), ("negotiation", 21), ("final_notice", 45)]


def day(n):
    return OLDEST + timedelta(days=n)


@pytest.mark.parametrize(
    ("today", "done", "expected"),
    [
        (day(0), set(), None),
        (day(6), set(), None),
        (day(7), set(), "reminder"),
        (day(20), set(), "reminder"),
        (day(20), {"reminder"}, None),
        (day(21), {"reminder"}, "negotiation"),
        (day(30), set(), "negotiation"),  # skips to the latest due step
        (day(100), set(), "final_notice"),
        (day(100), {"reminder"}, "final_notice"),
        (day(100), {"final_notice"}, None),
        (day(30), {"final_notice"}, None),  # a later step was done already
        (day(30), {"negotiation"}, None),  # never re-executed
        (day(45), {"negotiation"}, "final_notice"),
    ],
)
def test_due_step_examples(today, done, expected):
    assert ladder.due_step(LADDER, OLDEST, done, today) == expected


def test_due_step_without_oldest_due_or_steps():
    assert ladder.due_step(LADDER, None, set(), day(100)) is None
    assert ladder.due_step(LADDER, False, set(), day(100)) is None
    assert ladder.due_step([], OLDEST, set(), day(100)) is None
    assert ladder.due_step(LADDER, OLDEST, None, day(7)) == "reminder"


def test_due_step_uses_ladder_order():
    # ladder order wins over delays: the last due step in ladder order
    steps = [("a", 10), ("b", 5), ("c", 50)]
    assert ladder.due_step(steps, OLDEST, set(), day(10)) == "b"
    assert ladder.due_step(steps, OLDEST, {"b"}, day(20)) is None


@pytest.mark.parametrize(
    ("done", "expected"),
    [
        (set(), day(7)),
        ({"reminder"}, day(21)),
        ({"negotiation"}, day(45)),
        ({"reminder", "negotiation"}, day(45)),
        ({"final_notice"}, None),
        ({"reminder", "final_notice"}, None),
        ({"unknown"}, day(7)),
    ],
)
def test_plan_next_step_date_examples(done, expected):
    """Without a response deadline, the next step is on its ladder date."""
    assert ladder.plan_next_step(LADDER, OLDEST, done)[1] == expected


ladders = st.lists(st.integers(0, 120), min_size=1, max_size=8, unique=True).map(
    lambda delays: [
        (f"step{index}", delay) for index, delay in enumerate(sorted(delays))
    ]
)


@given(steps=ladders, oldest=dates)
def test_daily_followups_execute_each_step_once_in_order(steps, oldest):
    """Running the scheduler every day executes each step once, on its date."""
    done = set()
    executed = []
    last_delay = steps[-1][1]
    for offset in range(last_delay + 10):
        today = oldest + timedelta(days=offset)
        key = ladder.due_step(steps, oldest, done, today)
        if key is not None:
            assert key not in done
            done.add(key)
            executed.append((key, offset))
    assert executed == steps


@given(
    steps=st.lists(st.integers(0, 90), min_size=1, max_size=8).map(
        lambda delays: [(f"step{index}", delay) for index, delay in enumerate(delays)]
    ),
    oldest=dates,
    done_mask=st.lists(st.booleans(), min_size=8, max_size=8),
    offset=st.integers(-10, 200),
)
def test_due_step_and_plan_next_step_properties(steps, oldest, done_mask, offset):
    keys = [key for key, _delay in steps]
    done = {key for key, flag in zip(keys, done_mask, strict=False) if flag}
    today = oldest + timedelta(days=offset)
    last_done = max((keys.index(key) for key in done), default=-1)

    key = ladder.due_step(steps, oldest, done, today)
    if key is not None:
        index = keys.index(key)
        assert key not in done
        assert index > last_done  # never goes back nor re-executes
        assert oldest + timedelta(days=steps[index][1]) <= today
        # it is the latest due step in ladder order
        for later_key, delay in steps[index + 1 :]:
            assert oldest + timedelta(days=delay) > today, later_key

    next_key, next_date = ladder.plan_next_step(steps, oldest, done)
    if last_done == len(steps) - 1:
        assert (next_key, next_date) == (None, None)
        assert key is None
    else:
        assert next_key == keys[last_done + 1]
        assert next_date == oldest + timedelta(days=steps[last_done + 1][1])
        # on that date, a step is due
        assert ladder.due_step(steps, oldest, done, next_date) is not None


# ---------------------------------------------------------------------------
# step_to_run / plan_next_step (the scheduled follow-ups)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "done", "scheduled", "not_before", "expected"),
    [
        (day(6), set(), None, None, None),
        (day(7), set(), None, None, "reminder"),
        (day(30), set(), None, None, "negotiation"),  # like due_step
        # the announced step runs, even when a later one is due too
        (day(50), {"reminder"}, "negotiation", None, "negotiation"),
        # ... but not before its ladder date
        (day(20), {"reminder"}, "negotiation", None, None),
        # an announced step that already ran, or was overtaken, is ignored
        (day(50), {"negotiation"}, "negotiation", None, "final_notice"),
        (day(50), {"final_notice"}, "negotiation", None, None),
        (day(50), set(), "unknown", None, "final_notice"),
        # nothing while the debtor is within a response period
        (day(21), {"reminder"}, "negotiation", day(22), None),
        (day(22), {"reminder"}, "negotiation", day(22), "negotiation"),
        (day(22), {"reminder"}, "negotiation", day(10), "negotiation"),
    ],
)
def test_step_to_run_examples(today, done, scheduled, not_before, expected):
    assert (
        ladder.step_to_run(LADDER, OLDEST, done, today, scheduled, not_before)
        == expected
    )


def test_step_to_run_without_oldest_due_or_steps():
    assert ladder.step_to_run(LADDER, None, set(), day(100)) is None
    assert ladder.step_to_run([], OLDEST, set(), day(100), "reminder") is None
    assert ladder.step_to_run(LADDER, OLDEST, None, day(7)) == "reminder"


@pytest.mark.parametrize(
    ("done", "not_before", "expected"),
    [
        (set(), None, ("reminder", day(7))),
        ({"reminder"}, None, ("negotiation", day(21))),
        ({"reminder"}, day(21), ("negotiation", day(21))),
        ({"reminder"}, day(30), ("negotiation", day(30))),  # response deadline
        ({"reminder"}, day(3), ("negotiation", day(21))),
        ({"negotiation"}, None, ("final_notice", day(45))),
        ({"final_notice"}, day(60), (None, None)),
        ({"unknown"}, None, ("reminder", day(7))),
    ],
)
def test_plan_next_step_examples(done, not_before, expected):
    assert ladder.plan_next_step(LADDER, OLDEST, done, not_before) == expected


def test_plan_next_step_without_oldest_due_or_steps():
    assert ladder.plan_next_step(LADDER, None, set()) == (None, None)
    assert ladder.plan_next_step([], OLDEST, set()) == (None, None)
    assert ladder.plan_next_step(LADDER, OLDEST, None) == ("reminder", day(7))


# ---------------------------------------------------------------------------
# response_deadline
# ---------------------------------------------------------------------------

TODAY = date(2026, 3, 2)


def in_days(n):
    return TODAY + timedelta(days=n)


@pytest.mark.parametrize(
    ("offer_expiry", "current", "expected"),
    [
        (None, None, in_days(14)),
        (in_days(5), None, in_days(5)),
        (TODAY, None, TODAY),  # the offer expires tonight
        (in_days(-1), None, in_days(14)),
        (None, in_days(3), in_days(3)),
        (None, in_days(-3), in_days(14)),
        # the offer's expiry wins over the current deadline
        (in_days(30), in_days(3), in_days(30)),
        (in_days(-1), in_days(3), in_days(3)),
        (False, False, in_days(14)),
    ],
)
def test_response_deadline_examples(offer_expiry, current, expected):
    assert rules.response_deadline(TODAY, 14, offer_expiry, current) == expected


@given(
    today=dates,
    response_days=st.integers(1, 90),
    offer_offset=st.none() | st.integers(-60, 60),
    current_offset=st.none() | st.integers(-60, 60),
)
def test_response_deadline_properties(
    today, response_days, offer_offset, current_offset
):
    def shifted(offset):
        return None if offset is None else today + timedelta(days=offset)

    offer_expiry, current = shifted(offer_offset), shifted(current_offset)
    deadline = rules.response_deadline(today, response_days, offer_expiry, current)
    # never in the past, and one of the three candidates
    assert deadline >= today
    assert deadline in (offer_expiry, current, today + timedelta(days=response_days))
    if offer_expiry is not None and offer_expiry >= today:
        assert deadline == offer_expiry
    elif current is not None and current >= today:
        assert deadline == current
    else:
        assert deadline == today + timedelta(days=response_days)
    # without offer nor deadline: the company's response period
    assert rules.response_deadline(today, response_days) == today + timedelta(
        days=response_days
    )


# ---------------------------------------------------------------------------
# decide (one case, one run)
# ---------------------------------------------------------------------------

LETTERS = frozenset({"reminder", "negotiation", "final_notice"})
FULL_LADDER = [*LADDER, ("escalation", 60)]


def decide(today, done=(), scheduled=None, deadline=None, **kwargs):
    kwargs.setdefault("letter_keys", LETTERS)
    kwargs.setdefault("escalation_keys", frozenset({"escalation"}))
    return ladder.decide(
        FULL_LADDER, OLDEST, set(done), today, scheduled, deadline, 14, **kwargs
    )


@pytest.mark.parametrize(
    ("today", "done", "scheduled", "deadline", "expected"),
    [
        # nothing due yet: the first step is planned on its ladder date
        (day(1), (), None, None, (None, None, "reminder", day(7))),
        # the reminder runs: a new deadline, the next step after it
        (day(7), (), "reminder", None, ("reminder", day(21), "negotiation", day(21))),
        # the negotiation letter: the next step on its ladder date (day 45)
        (
            day(21),
            ("reminder",),
            "negotiation",
            day(21),
            ("negotiation", day(35), "final_notice", day(45)),
        ),
        # a late run jumps to the latest due step; the escalation waits
        # for the response deadline
        (day(50), (), None, None, ("final_notice", day(64), "escalation", day(64))),
        # within the response period: nothing runs, the deadline stays
        (
            day(30),
            ("reminder",),
            "negotiation",
            day(33),
            (None, day(33), "negotiation", day(33)),
        ),
        # escalation: nothing is planned after it, the deadline is kept
        (
            day(64),
            ("reminder", "negotiation", "final_notice"),
            "escalation",
            day(64),
            ("escalation", day(64), None, None),
        ),
        # the ladder is complete
        (day(90), ("escalation",), None, None, (None, None, None, None)),
    ],
)
def test_decide_examples(today, done, scheduled, deadline, expected):
    assert tuple(decide(today, done, scheduled, deadline)) == expected


@pytest.mark.parametrize("first_seen", [60, 90, 200])
def test_no_escalation_without_the_final_notice(first_seen):
    """A case first seen long overdue gets the latest due letter (the final
    notice), and the escalation only after that letter's deadline."""
    decision = decide(day(first_seen))
    deadline = day(first_seen + 14)
    assert decision == ladder.LadderDecision(
        "final_notice", deadline, "escalation", deadline
    )
    # the escalation is refused before the final notice, even when announced
    assert decide(day(first_seen), ("negotiation",), "escalation").step == (
        "final_notice"
    )
    # and runs on the final notice's deadline
    assert decide(deadline, ("final_notice",), "escalation", deadline).step == (
        "escalation"
    )


def test_escalation_waits_for_the_last_letter_before_it():
    steps = [("letter", 7), ("escalate", 30), ("call", 40)]
    keys = {"letter_keys": {"letter"}, "escalation_keys": {"escalate"}}
    assert ladder.due_step(steps, OLDEST, set(), day(35), **keys) == "letter"
    assert ladder.due_step(steps, OLDEST, {"letter"}, day(35), **keys) == "escalate"
    # a last call between the final notice and the escalation is not a way
    # around the letter either
    steps = [("letter", 7), ("call", 20), ("escalate", 30)]
    assert ladder.due_step(steps, OLDEST, set(), day(25), **keys) == "letter"
    assert ladder.due_step(steps, OLDEST, {"letter"}, day(25), **keys) == "call"
    # a ladder with no letter before its escalation escalates on its date
    steps = [("escalate", 30)]
    assert ladder.due_step(steps, OLDEST, set(), day(30), **keys) == "escalate"
    # without letter or escalation keys, the plain ladder rule
    assert ladder.due_step([("a", 7), ("b", 30)], OLDEST, set(), day(35)) == "b"


def test_decide_step_without_letter_keeps_the_deadline():
    """A call-only step gives no new deadline; the next step comes the day
    after at the earliest."""
    decision = decide(day(7), letter_keys=frozenset())
    assert decision == ladder.LadderDecision("reminder", None, "negotiation", day(21))
    decision = decide(day(7), deadline=day(2), letter_keys=frozenset())
    assert decision.deadline == day(2)
    steps = [("call", 7), ("letter", 7)]
    decision = ladder.decide(steps, OLDEST, {"call"}, day(6), None, None, 14)
    assert decision == ladder.LadderDecision(None, None, "letter", day(7))
    decision = ladder.decide(steps, OLDEST, set(), day(7), "call", None, 14)
    assert decision == ladder.LadderDecision("call", None, "letter", day(8))


def test_decide_without_oldest_due():
    decision = ladder.decide(FULL_LADDER, None, set(), day(100), None, None, 14)
    assert decision == ladder.LadderDecision(None, None, None, None)


@given(
    steps=ladders,
    oldest=dates,
    done_mask=st.lists(st.booleans(), min_size=8, max_size=8),
    offset=st.integers(-10, 200),
    scheduled_index=st.none() | st.integers(0, 7),
    deadline_offset=st.none() | st.integers(-30, 30),
    response_days=st.integers(1, 30),
    letter_mask=st.lists(st.booleans(), min_size=8, max_size=8),
    escalation_mask=st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_decide_properties(
    steps,
    oldest,
    done_mask,
    offset,
    scheduled_index,
    deadline_offset,
    response_days,
    letter_mask,
    escalation_mask,
):
    keys = [key for key, _delay in steps]
    done = {key for key, flag in zip(keys, done_mask, strict=False) if flag}
    letters = {key for key, flag in zip(keys, letter_mask, strict=False) if flag}
    escalations = {
        key for key, flag in zip(keys, escalation_mask, strict=False) if flag
    }
    today = oldest + timedelta(days=offset)
    scheduled = keys[scheduled_index] if scheduled_index in range(len(keys)) else None
    deadline = (
        None if deadline_offset is None else today + timedelta(days=deadline_offset)
    )
    decision = ladder.decide(
        steps,
        oldest,
        done,
        today,
        scheduled,
        deadline,
        response_days,
        letters,
        escalations,
    )
    # the step is the one step_to_run picks
    assert decision.step == ladder.step_to_run(
        steps, oldest, done, today, scheduled, deadline, letters, escalations
    )
    if decision.step in escalations:
        # never an escalation before the last letter ahead of it went out
        index = keys.index(decision.step)
        letters_before = [key for key in keys[:index] if key in letters]
        assert not letters_before or letters_before[-1] in done
    if decision.step is None:
        # nothing runs: the deadline stays, the plan is plan_next_step's
        assert decision.deadline == deadline
        assert (decision.next_step, decision.next_date) == ladder.plan_next_step(
            steps, oldest, done, deadline
        )
        return
    assert decision.step not in done
    if decision.step in letters:
        assert decision.deadline == today + timedelta(days=response_days)
    else:
        assert decision.deadline == deadline
    if decision.step in escalations:
        assert (decision.next_step, decision.next_date) == (None, None)
    elif decision.next_step is not None:
        # the next step follows in ladder order, after the deadline and
        # never on the day a step ran
        assert keys.index(decision.next_step) > keys.index(decision.step)
        assert decision.next_date > today
        assert not decision.deadline or decision.next_date >= decision.deadline
    else:
        assert decision.step == keys[-1] or any(
            key in done for key in keys[keys.index(decision.step) + 1 :]
        )


@given(
    steps=ladders,
    oldest=dates,
    response_days=st.integers(1, 30),
    first_run=st.integers(0, 130),
)
def test_announced_step_happens_on_its_date(steps, oldest, response_days, first_run):
    """Deciding every day from any first run on, as the cron does: each step
    runs at most once, in ladder order, never before the response deadline
    of the previous letter, and every announced step happens exactly on its
    announced date."""
    letters = {key for key, _delay in steps}
    done = set()
    scheduled = scheduled_date = deadline = None
    executed = []
    horizon = steps[-1][1] + len(steps) * (response_days + 1) + first_run + 5
    for offset in range(first_run, horizon):
        today = oldest + timedelta(days=offset)
        if scheduled_date is not None and today < scheduled_date:
            continue  # the case is not picked before its next action date
        decision = ladder.decide(
            steps, oldest, done, today, scheduled, deadline, response_days, letters
        )
        if scheduled is not None and today == scheduled_date:
            assert decision.step == scheduled
        scheduled, scheduled_date = decision.next_step, decision.next_date
        if scheduled is not None:
            assert scheduled_date > today
        if decision.step is None:
            assert decision.deadline == deadline
            continue
        assert decision.step not in done
        assert deadline is None or today >= deadline
        assert decision.deadline == today + timedelta(days=response_days)
        done.add(decision.step)
        executed.append(decision.step)
        deadline = decision.deadline
    keys = [key for key, _delay in steps]
    assert executed == sorted(executed, key=keys.index)
    assert executed[-1] == keys[-1]


@given(
    steps=ladders,
    oldest=dates,
    response_days=st.integers(1, 30),
    first_run=st.integers(0, 130),
    letter_mask=st.lists(st.booleans(), min_size=8, max_size=8),
    escalation_mask=st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_escalation_never_before_its_letter_and_ladder_never_stuck(
    steps, oldest, response_days, first_run, letter_mask, escalation_mask
):
    """Deciding every day from any first run on, with letters and
    escalations anywhere in the ladder: an escalation runs only after the
    last letter ahead of it went out, and the ladder always reaches its
    last step (nothing waits for ever)."""
    keys = [key for key, _delay in steps]
    letters = {key for key, flag in zip(keys, letter_mask, strict=False) if flag}
    escalations = {
        key
        for key, flag in zip(keys, escalation_mask, strict=False)
        if flag and key not in letters
    }
    done = set()
    scheduled = deadline = None
    horizon = steps[-1][1] + len(steps) * (response_days + 1) + first_run + 5
    for offset in range(first_run, horizon):
        today = oldest + timedelta(days=offset)
        decision = ladder.decide(
            steps,
            oldest,
            done,
            today,
            scheduled,
            deadline,
            response_days,
            letters,
            escalations,
        )
        scheduled, deadline = decision.next_step, decision.deadline
        if decision.step is None:
            continue
        if decision.step in escalations:
            index = keys.index(decision.step)
            before = [key for key in keys[:index] if key in letters]
            assert not before or before[-1] in done
        done.add(decision.step)
        if decision.step in escalations:
            break
    else:
        assert keys[-1] in done


# ---------------------------------------------------------------------------
# planned_escalation: the date the ladder escalates, as decide() walks it
# ---------------------------------------------------------------------------

ESCALATING = [
    ("reminder", 7),
    ("negotiation", 21),
    ("final_notice", 45),
    ("call", 50),
    ("escalation", 60),
]
LETTERS = frozenset({"reminder", "negotiation", "final_notice"})
ESCALATIONS = frozenset({"escalation"})


def test_planned_escalation_examples():
    # the final notice on day 50: the call after its 14 days, the
    # escalation the day after
    assert ladder.planned_escalation(
        ESCALATING, OLDEST, "final_notice", day(50), 14, LETTERS, ESCALATIONS
    ) == day(65)
    # on time: the escalation keeps its ladder date
    assert ladder.planned_escalation(
        ESCALATING, OLDEST, "final_notice", day(45), 10, LETTERS, ESCALATIONS
    ) == day(60)
    # from a late negotiation letter on: the final notice on its date, the
    # call after its deadline, the escalation on its own date
    assert ladder.planned_escalation(
        ESCALATING, OLDEST, "negotiation", day(30), 14, LETTERS, ESCALATIONS
    ) == day(60)
    assert ladder.planned_escalation(
        ESCALATING, OLDEST, "negotiation", day(40), 14, LETTERS, ESCALATIONS
    ) == day(54 + 14 + 1)
    # the escalation itself
    assert ladder.planned_escalation(
        ESCALATING, OLDEST, "escalation", day(70), 14, LETTERS, ESCALATIONS
    ) == day(70)
    # no escalation step: none planned
    assert (
        ladder.planned_escalation(LADDER, OLDEST, "reminder", day(7), 14, LETTERS)
        is None
    )
    assert (
        ladder.planned_escalation(
            ESCALATING, OLDEST, "unknown", day(7), 14, LETTERS, ESCALATIONS
        )
        is None
    )


def _walk_until_escalation(steps, oldest, start_key, start, days, letters, escalations):
    """Run decide() day by day from ``start``, when ``start_key`` is the
    step announced for ``start``; return the day the escalation runs."""
    keys = [key for key, _d in steps]
    done = set(keys[: keys.index(start_key)])
    scheduled, deadline = start_key, None
    today = start
    for _n in range(2000):
        if scheduled is None:
            return None
        result = ladder.decide(
            steps, oldest, done, today, scheduled, deadline, days, letters, escalations
        )
        if result.step is not None:
            if result.step in escalations:
                return today
            done.add(result.step)
            scheduled, deadline = result.next_step, result.deadline
        today += timedelta(days=1)
    raise AssertionError("never escalated")


@given(
    st.lists(st.integers(min_value=0, max_value=90), min_size=1, max_size=6),
    st.integers(min_value=0, max_value=5),
    st.integers(min_value=0, max_value=30),
    st.integers(min_value=0, max_value=40),
    st.sets(st.integers(min_value=0, max_value=5), max_size=6),
)
def test_planned_escalation_is_when_decide_escalates(
    delays, start_index, response_days, late_by, letter_indexes
):
    delays = sorted(delays)
    steps = [(f"s{i}", delay) for i, delay in enumerate(delays)] + [
        ("escalation", delays[-1] + 5)
    ]
    start_index = min(start_index, len(steps) - 1)
    start_key = steps[start_index][0]
    letters = frozenset(f"s{i}" for i in letter_indexes if i < len(delays))
    start = OLDEST + timedelta(days=steps[start_index][1] + late_by)
    planned = ladder.planned_escalation(
        steps, OLDEST, start_key, start, response_days, letters, ESCALATIONS
    )
    walked = _walk_until_escalation(
        steps, OLDEST, start_key, start, response_days, letters, ESCALATIONS
    )
    assert planned == walked
    assert planned >= start


# ----------------------------------------------------------------------
# Ladders per segment and courtesy reminders (issue 26)
# ----------------------------------------------------------------------
def seg(key, tags=(), debtor_type=None):
    return ladder.LadderSegment(key, frozenset(tags), debtor_type)


def test_match_ladder_examples():
    segments = [
        seg("vip", tags={"vip"}),
        seg("consumer", debtor_type="consumer"),
        seg("vip-consumer", tags={"vip"}, debtor_type="consumer"),
        seg("any"),
    ]
    assert ladder.match_ladder(segments, {"vip"}, "consumer", default_key="d") == "vip"
    assert ladder.match_ladder(segments, set(), "consumer", default_key="d") == (
        "consumer"
    )
    # a ladder without criteria is nobody's segment
    assert ladder.match_ladder(segments, set(), "business", default_key="d") == "d"
    # the debtor's own ladder first
    assert ladder.match_ladder(segments, {"vip"}, "consumer", "own", "d") == "own"


segments_st = st.lists(
    st.builds(
        seg,
        st.integers(1, 50),
        st.frozensets(st.sampled_from("abc"), max_size=2),
        st.sampled_from([None, "business", "consumer"]),
    ),
    max_size=6,
)


@given(
    segments_st,
    st.frozensets(st.sampled_from("abcd"), max_size=3),
    st.sampled_from(["business", "consumer"]),
)
def test_match_ladder_is_the_first_matching_or_default(segments, tags, debtor_type):
    # each ladder its own key, as in the database
    segments = [
        segment._replace(key=index + 1) for index, segment in enumerate(segments)
    ]
    found = ladder.match_ladder(segments, tags, debtor_type, default_key=0)
    matching = [s.key for s in segments if ladder.segment_matches(s, tags, debtor_type)]
    assert found == (matching[0] if matching else 0)
    if found:
        segment = next(s for s in segments if s.key == found)
        # a matched ladder's criteria all hold for the debtor
        assert not segment.tag_keys or segment.tag_keys & tags
        assert not segment.debtor_type or segment.debtor_type == debtor_type


def test_courtesy_step_examples():
    steps = [("early", -7), ("late", -2)]
    due = day(10)
    assert ladder.courtesy_step(steps, due, day(2)) is None
    assert ladder.courtesy_step(steps, due, day(3)) == "early"
    assert ladder.courtesy_step(steps, due, day(5), last_sent_delay=-7) is None
    assert ladder.courtesy_step(steps, due, day(8), last_sent_delay=-7) == "late"
    # posted late: only the latest reminder due
    assert ladder.courtesy_step(steps, due, day(9)) == "late"
    assert ladder.courtesy_step(steps, due, day(9), last_sent_delay=-2) is None
    # from the due date on, never
    assert ladder.courtesy_step(steps, due, day(10)) is None
    # positive steps are the case's, not courtesy reminders
    assert ladder.courtesy_step([("case", 3)], due, day(9)) is None


@given(
    st.lists(st.integers(-30, 10), max_size=5, unique=True),
    st.integers(0, 60),
)
def test_courtesy_each_step_once_and_only_before_due(delays, due_offset):
    """Run day by day from far before the due date: every courtesy step is
    sent at most once, never on or after the due date, and in ladder order."""
    steps = [(f"s{delay}", delay) for delay in delays]
    due = day(40 + due_offset)
    sent, last = [], None
    for n in range(0, 120):
        today = day(n)
        key = ladder.courtesy_step(steps, due, today, last)
        if key is not None:
            delay = dict(steps)[key]
            assert today < due
            assert due + timedelta(days=delay) <= today
            sent.append(key)
            last = delay
    assert len(sent) == len(set(sent))
    assert [dict(steps)[k] for k in sent] == sorted(dict(steps)[k] for k in sent)
    negative = [delay for delay in delays if delay < 0]
    if negative:
        # the last courtesy step (nearest the due date) is always sent
        assert f"s{max(negative)}" in sent
