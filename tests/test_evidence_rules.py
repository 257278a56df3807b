"""Tests of debt_negotiation/tools/evidence.py (no Odoo needed)."""

import datetime

from debt_negotiation_tools import evidence
from hypothesis import given
from hypothesis import strategies as st

DATE = datetime.datetime(2026, 11, 3, 14, 5, 9)

payloads = st.dictionaries(
    st.text(min_size=1, max_size=8),
    st.one_of(
        st.text(max_size=30),
        st.integers(),
        st.booleans(),
        st.none(),
        st.dates(),
        st.binary(max_size=40),
    ),
    max_size=6,
)
records = st.lists(payloads, min_size=1, max_size=12).map(
    lambda items: [
        (f"debt.negotiation.interaction,{index}", payload, DATE)
        for index, payload in enumerate(items, 1)
    ]
)


def _current(records_):
    return {ref: evidence.content_hash(payload) for ref, payload, _date in records_}


def test_canonical_is_independent_of_key_order_and_hashes_bytes():
    one = evidence.canonical({"b": 1, "a": b"pdf", "c": datetime.date(2026, 1, 2)})
    two = evidence.canonical({"c": datetime.date(2026, 1, 2), "a": b"pdf", "b": 1})
    assert one == two
    assert evidence.sha256(b"pdf") in one
    assert "2026-01-02" in one


def test_entry_hash_ignores_microseconds():
    assert evidence.entry_hash("", 1, "x,1", "ab", DATE) == evidence.entry_hash(
        "", 1, "x,1", "ab", DATE.replace(microsecond=123456)
    )


@given(records)
def test_an_untouched_chain_verifies(records_):
    entries = evidence.chain(records_)
    results = evidence.verify(entries, _current(records_))
    assert evidence.first_break(results) is None
    assert [e["sequence"] for e, _r in results] == list(range(1, len(records_) + 1))


@given(records, st.data())
def test_appending_continues_the_chain(records_, data):
    split = data.draw(st.integers(min_value=0, max_value=len(records_)))
    head = evidence.chain(records_[:split])
    tail = evidence.chain(
        records_[split:],
        start_hash=head[-1]["entry_hash"] if head else "",
        start_sequence=split,
    )
    assert head + tail == evidence.chain(records_)


@given(records, st.data())
def test_a_changed_record_breaks_the_chain_at_it(records_, data):
    entries = evidence.chain(records_)
    index = data.draw(st.integers(min_value=0, max_value=len(records_) - 1))
    current = _current(records_)
    reference, payload, _date = records_[index]
    changed = dict(payload, __changed__=True)
    current[reference] = evidence.content_hash(changed)
    entry, reason = evidence.first_break(evidence.verify(entries, current))
    assert entry["sequence"] == index + 1
    assert reason == evidence.CONTENT_CHANGED


@given(records, st.data())
def test_a_removed_record_breaks_the_chain_at_it(records_, data):
    entries = evidence.chain(records_)
    index = data.draw(st.integers(min_value=0, max_value=len(records_) - 1))
    current = _current(records_)
    del current[records_[index][0]]
    entry, reason = evidence.first_break(evidence.verify(entries, current))
    assert entry["sequence"] == index + 1
    assert reason == evidence.RECORD_MISSING


@given(records, st.data())
def test_a_removed_entry_is_found(records_, data):
    entries = evidence.chain(records_)
    # removing the last one leaves a shorter, consistent chain: a record
    # without entry is what the models report then
    if len(entries) < 2:
        return
    index = data.draw(st.integers(min_value=0, max_value=len(entries) - 2))
    del entries[index]
    entry, reason = evidence.first_break(evidence.verify(entries, _current(records_)))
    assert entry["sequence"] == index + 2
    assert reason in (evidence.ENTRY_MISSING, evidence.LINK_BROKEN)


@given(records, st.data())
def test_a_rewritten_entry_is_found(records_, data):
    entries = evidence.chain(records_)
    index = data.draw(st.integers(min_value=0, max_value=len(entries) - 1))
    # someone re-seals a changed record in place (new content hash, same
    # link): its own hash no longer matches
    reference, payload, _date = records_[index]
    entries[index] = dict(
        entries[index], content_hash=evidence.content_hash(dict(payload, x=1))
    )
    current = _current(records_)
    current[reference] = entries[index]["content_hash"]
    entry, reason = evidence.first_break(evidence.verify(entries, current))
    assert entry["sequence"] == index + 1
    assert reason == evidence.ENTRY_ALTERED


@given(records, st.data())
def test_a_rehashed_entry_breaks_the_next_link(records_, data):
    if len(records_) < 2:
        return
    entries = evidence.chain(records_)
    index = data.draw(st.integers(min_value=0, max_value=len(entries) - 2))
    reference, payload, date = records_[index]
    forged = evidence.chain(
        [(reference, dict(payload, x=1), date)],
        start_hash=entries[index]["previous_hash"],
        start_sequence=index,
    )[0]
    entries[index] = forged
    current = _current(records_)
    current[reference] = forged["content_hash"]
    entry, reason = evidence.first_break(evidence.verify(entries, current))
    assert entry["sequence"] == index + 2
    assert reason == evidence.LINK_BROKEN


# ----------------------------------------------------------------------
# Versions: what a seal covers may grow; old entries keep verifying
# ----------------------------------------------------------------------
def test_version_one_entries_hash_as_before_versions_existed():
    legacy = evidence.sha256("\n".join(("", "1", "x,1", "ab", "2026-11-03 14:05:09")))
    assert evidence.entry_hash("", 1, "x,1", "ab", DATE) == legacy
    assert evidence.entry_hash("", 1, "x,1", "ab", DATE, 1) == legacy
    assert evidence.entry_hash("", 1, "x,1", "ab", DATE, 2) != legacy


@given(records, st.data(), st.integers(min_value=2, max_value=9))
def test_a_chain_sealed_across_versions_verifies(records_, data, version):
    split = data.draw(st.integers(min_value=0, max_value=len(records_)))
    old = evidence.chain(records_[:split])
    new = evidence.chain(
        records_[split:],
        start_hash=old[-1]["entry_hash"] if old else "",
        start_sequence=split,
        version=version,
    )
    assert all(entry["version"] == 1 for entry in old)
    assert all(entry["version"] == version for entry in new)
    # entries read back from an older store carry no version: version 1
    entries = [
        {k: v for k, v in entry.items() if k != "version"} for entry in old
    ] + new
    assert evidence.first_break(evidence.verify(entries, _current(records_))) is None


@given(records, st.data(), st.integers(min_value=2, max_value=9))
def test_an_entry_cannot_be_passed_off_as_another_version(records_, data, version):
    entries = evidence.chain(records_, version=version)
    index = data.draw(st.integers(min_value=0, max_value=len(entries) - 1))
    forged = data.draw(
        st.integers(min_value=1, max_value=9).filter(lambda v: v != version)
    )
    entries[index] = dict(entries[index], version=forged)
    entry, reason = evidence.first_break(evidence.verify(entries, _current(records_)))
    assert entry["sequence"] == index + 1
    assert reason == evidence.ENTRY_ALTERED
