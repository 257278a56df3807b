# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Tamper evidence of a case's record: pure rules, no Odoo import.

Each piece of evidence (an interaction, a letter's PDF, a signed agreement)
is sealed when it is created: the SHA-256 of its content (a canonical JSON
of what it says) is written in the case's chain, and each entry's hash
covers the previous entry's hash. Changing a record afterwards changes its
content hash; changing, removing or reordering an entry breaks the links of
the chain from there on. :func:`verify` says where the chain first breaks.

What a seal covers may grow (a new field of a document): each entry records
the version of the content it hashed, so a document is checked against the
content of its own entry's version, and existing chains keep verifying
after an upgrade. From version 2 on, the entry's hash covers its version
too: an entry cannot be passed off as sealed under an older version.
"""

import datetime
import decimal
import hashlib
import json

# Why an entry does not verify (the models translate them).
INTACT = "intact"
CONTENT_CHANGED = "content_changed"
RECORD_MISSING = "record_missing"
ENTRY_ALTERED = "entry_altered"
LINK_BROKEN = "link_broken"
ENTRY_MISSING = "entry_missing"


def _default(value):
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return sha256(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot seal a {type(value).__name__}")


def sha256(data):
    """Hex SHA-256 of ``data`` (bytes, or text encoded as UTF-8)."""
    if isinstance(data, str):
        data = data.encode()
    return hashlib.sha256(data or b"").hexdigest()


def canonical(payload):
    """The canonical text of ``payload`` (a dict of JSON values, dates,
    datetimes, bytes: bytes are replaced by their SHA-256): sorted keys,
    no whitespace, so the same content always gives the same text."""
    return json.dumps(
        payload,
        default=_default,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def content_hash(payload):
    """SHA-256 of the canonical text of ``payload``."""
    return sha256(canonical(payload))


def entry_hash(previous_hash, sequence, reference, content_hex, date, version=1):
    """The hash of one chain entry: it covers the previous entry's hash,
    the entry's position, what it seals (``reference``, e.g.
    ``"debt.negotiation.letter,42"``), the content hash, when it was
    sealed (a datetime, to the second) and, from version 2 on, the version
    of the content it hashed (version 1 entries hash as they always did)."""
    if isinstance(date, datetime.datetime):
        date = date.replace(microsecond=0).isoformat(sep=" ")
    parts = [previous_hash or "", str(sequence), reference, content_hex, str(date)]
    if version != 1:
        parts.append(f"v{version}")
    return sha256("\n".join(parts))


def verify(entries, current_hashes):
    """Check a case's chain.

    :param entries: the chain's entries in sequence order, dicts with
        ``sequence``, ``reference``, ``content_hash``, ``previous_hash``,
        ``entry_hash``, ``date`` and ``version`` (1 when missing)
    :param current_hashes: ``{reference: content hash of the record as it
        is now}``, each computed at the version of the reference's entry;
        a reference missing from it is a removed record
    :return: ``[(entry, reason)]`` in order, ``reason`` one of the module's
        constants: ``INTACT`` or why the entry does not verify. An entry
        after a broken one whose own link and content hold is ``INTACT``:
        the first non-intact entry is where the chain breaks.
    """
    results = []
    previous = None
    for index, entry in enumerate(entries, 1):
        expected_previous = previous["entry_hash"] if previous else ""
        recomputed = entry_hash(
            entry["previous_hash"],
            entry["sequence"],
            entry["reference"],
            entry["content_hash"],
            entry["date"],
            entry.get("version", 1),
        )
        if entry["sequence"] != index:
            reason = ENTRY_MISSING
        elif (entry["previous_hash"] or "") != expected_previous:
            reason = LINK_BROKEN
        elif recomputed != entry["entry_hash"]:
            reason = ENTRY_ALTERED
        elif entry["reference"] not in current_hashes:
            reason = RECORD_MISSING
        elif current_hashes[entry["reference"]] != entry["content_hash"]:
            reason = CONTENT_CHANGED
        else:
            reason = INTACT
        results.append((entry, reason))
        previous = entry
    return results


def first_break(results):
    """The first ``(entry, reason)`` of :func:`verify`'s results that is not
    intact, or ``None`` when the whole chain verifies."""
    return next(((e, r) for e, r in results if r != INTACT), None)


def chain(records, start_hash="", start_sequence=0, version=1):
    """Seal ``records`` (``[(reference, payload, date)]``, each payload the
    content of ``version``) after an entry of ``start_sequence`` whose hash
    is ``start_hash``: the new entries, as :func:`verify` reads them."""
    entries = []
    previous = start_hash
    for offset, (reference, payload, date) in enumerate(records, 1):
        sequence = start_sequence + offset
        content = content_hash(payload)
        digest = entry_hash(previous, sequence, reference, content, date, version)
        entries.append(
            {
                "sequence": sequence,
                "reference": reference,
                "content_hash": content,
                "previous_hash": previous,
                "entry_hash": digest,
                "date": date,
                "version": version,
            }
        )
        previous = digest
    return entries
