"""The audit log's rules: how an entry is chained to the one before it, and how a chain is checked.

Every change the cloud makes (each action on a dossier, each change to a user
account) appends one :class:`AuditEntry`. Each entry carries the hash of the
entry before it and its own hash covers that, its number and everything it
records, so changing, removing or reordering any stored entry breaks the
chain at that point, and :func:`verify` says where and how. Pure: the
database layer (``cloud.db.audit``) stores and reads entries, this module only
computes and checks.

Hash recipe (what an auditor re-implements; ``docs/audit.md`` has a worked example)
-------------------------------------------------------------------------------
For the entry numbered ``seq`` build this JSON object — always these seven
keys, ``actor`` always with these three::

    {"action": "assign",
     "actor": {"officer": "tp.hung", "role": "department_head", "unit": "tdm.ptckh"},
     "at": "2026-10-12T01:00:03.000000Z",
     "data": {...},
     "prev_hash": "<64 lowercase hex digits>",
     "seq": 2,
     "subject": "dossier:H74.718-261012-0001"}

* serialise it with the keys of every object sorted by Unicode code point,
  no whitespace (separators ``,`` and ``:``), characters outside ASCII written
  as themselves (not ``\\u`` escapes); only ``"``, ``\\`` and U+0000–U+001F
  are escaped (``\\n \\r \\t \\b \\f``, the rest as ``\\u00XX`` in lower
  case); integers in decimal, floats as the shortest text that reads back as
  the same double (Python's ``repr``), ``true``/``false``/``null``; NaN and
  infinities are refused;
* encode the text as UTF-8 and take SHA-256; ``hash`` is its 64 lowercase hex digits;
* ``at`` is the instant in UTC, always ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (six
  fraction digits, a ``Z``);
* ``prev_hash`` is the previous entry's ``hash``; the first entry (seq 1) has
  :data:`GENESIS_HASH`, 64 zeros. ``seq`` counts from 1 without gaps.

In Python: ``sha256(json.dumps(obj, sort_keys=True, separators=(",", ":"),
ensure_ascii=False, allow_nan=False).encode("utf-8")).hexdigest()``.

The **head** (:class:`AuditHead`: last seq and last hash) is kept apart from
the entries and moved by every append. Without it, deleting the newest
entries would leave a shorter chain that is still perfectly linked.

Entries are frozen dataclasses rather than pydantic models: a verification
walks millions of them, and validation would double its time; :func:`chain`
checks what it is given when an entry is made.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum, StrEnum
from typing import Any

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of entry 1."""

INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
"""How ``at`` (and any instant inside ``data``) is written: UTC, microseconds, Z."""

SUBJECT_PATTERN = re.compile(r"[a-z][a-z0-9_]*:\S.*")
"""``kind:id`` — ``dossier:H74.718-261012-0001``, ``user:tn.lan``; one subject's trail is one query."""

_HEX64 = re.compile(r"[0-9a-f]{64}")


class AuditError(ValueError):
    """An entry cannot be made from what was given (the message says what is wrong)."""


def subject_of(kind: str, ident: str) -> str:
    """The subject of an entry about ``ident`` of ``kind``: ``subject_of("user", "tn.lan") == "user:tn.lan"``."""
    return f"{kind}:{ident}"


@dataclass(frozen=True, slots=True)
class AuditActor:
    """Who made the change, as plain strings (a role name, a unit code, an officer id or username)."""

    role: str
    unit: str
    officer: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: AuditActor
    action: str
    subject: str
    data: Mapping[str, Any]
    """A JSON object, exactly as it was hashed (see :func:`normalise_data`)."""
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class AuditHead:
    """The last entry's seq and hash, kept apart from the entries so that removing the newest shows."""

    last_seq: int
    last_hash: str


EMPTY_HEAD = AuditHead(0, GENESIS_HASH)
"""The head of a log with no entry yet."""


# -- hashing -------------------------------------------------------------------


def format_instant(at: datetime) -> str:
    """``at`` in the one fixed form the hash uses; a naive datetime is refused (it names no instant)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise AuditError(f"naive datetime {at!r}: audit entries record instants, pass an aware datetime")
    return at.astimezone(UTC).strftime(INSTANT_FORMAT)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON: {value!r}")


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                      default=_json_default)


def normalise_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` as it will read back from a JSON column: what is stored must be exactly what was hashed.

    Tuples become lists, instants the fixed UTC text, dates ISO text, enums
    their values; keys must be strings. Anything else that is not JSON
    (sets, bytes, NaN) is refused now rather than failing verification later.
    """
    if not isinstance(data, Mapping):
        raise AuditError(f"audit data must be a JSON object, not {type(data).__name__}")
    if not all(isinstance(key, str) for key in _all_keys(data)):
        raise AuditError("audit data keys must be strings (JSON would turn them into strings and change the hash)")
    try:
        normalised: dict[str, Any] = json.loads(_dumps(data))  # a Mapping dumps to an object, so it loads as a dict
    except (TypeError, ValueError) as exc:
        raise AuditError(f"audit data is not JSON: {exc}") from None
    return normalised


def _all_keys(value: Any) -> Iterator[Any]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield key
            yield from _all_keys(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _all_keys(item)


def canonical_bytes(entry: AuditEntry, seq: int | None = None) -> bytes:
    """The exact bytes hashed for ``entry`` (as if numbered ``seq``, when given): see the module docstring."""
    obj = {
        "action": entry.action,
        "actor": {"officer": entry.actor.officer, "role": entry.actor.role, "unit": entry.actor.unit},
        "at": format_instant(entry.at),
        "data": entry.data,
        "prev_hash": entry.prev_hash,
        "seq": entry.seq if seq is None else seq,
        "subject": entry.subject,
    }
    return _dumps(obj).encode("utf-8")


def entry_hash(entry: AuditEntry, seq: int | None = None) -> str:
    """The hash ``entry`` should carry (ignores its ``hash`` field); ``seq`` tries another number."""
    return hashlib.sha256(canonical_bytes(entry, seq)).hexdigest()


def chain(head: AuditHead, *, at: datetime, actor: AuditActor, action: str, subject: str,
          data: Mapping[str, Any]) -> AuditEntry:
    """The entry that follows ``head``, with its hash: ``head_after`` of it is the new head."""
    if not _HEX64.fullmatch(head.last_hash) or head.last_seq < 0:
        raise AuditError(f"audit head {head} is not a seq and a 64-hex-digit hash")
    if not action:
        raise AuditError("an audit entry needs an action")
    if not SUBJECT_PATTERN.fullmatch(subject):
        raise AuditError(f"audit subject {subject!r} is not 'kind:id' (e.g. 'dossier:H74.718-261012-0001')")
    for name in ("role", "unit", "officer"):
        if not isinstance(getattr(actor, name), str):
            raise AuditError(f"actor {name} must be a string, not {getattr(actor, name)!r}")
    format_instant(at)
    actor = AuditActor(str(actor.role), str(actor.unit), str(actor.officer))  # a StrEnum reads back as str
    draft = AuditEntry(head.last_seq + 1, at.astimezone(UTC), actor, action, subject, normalise_data(data),
                       head.last_hash, "")
    return AuditEntry(draft.seq, draft.at, actor, action, subject, draft.data, draft.prev_hash, entry_hash(draft))


def head_after(entry: AuditEntry) -> AuditHead:
    return AuditHead(entry.seq, entry.hash)


# -- verification --------------------------------------------------------------


class ProblemKind(StrEnum):
    altered = "altered"
    """An entry does not match its own hash (a field was changed), or its hash differs from the head's or
    from one noted outside the database."""
    removed = "removed"
    """Entries are missing: a gap in seq, a broken link to the previous entry, or fewer entries than the head."""
    reordered = "reordered"
    """The entry that belongs at a seq is stored at another one (seqs swapped or moved)."""
    added = "added"
    """Entries beyond the head: written without going through the audit log's append."""


@dataclass(frozen=True, slots=True)
class Problem:
    kind: ProblemKind
    seq: int
    """Where the chain breaks: the first seq whose entry is not what the chain says it should be."""
    detail: str
    """What was found, in English, naming the seqs concerned."""


@dataclass(frozen=True, slots=True)
class VerifyReport:
    checked: int
    """Entries verified (hash and link) before the first problem; all of them when the log is intact."""
    last: AuditHead
    """Seq and hash of the last verified entry: when intact, the head hash to note outside the database."""
    problem: Problem | None = None
    anchors_checked: int = field(default=0)
    """How many externally noted hashes (``anchors``) were compared."""

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(entries: Iterable[AuditEntry], head: AuditHead | None, *,
           anchors: Mapping[int, str] | None = None) -> VerifyReport:
    """Walk ``entries`` (in seq order, as stored) and report the first problem, or that the chain is intact.

    ``head`` is the separately kept head record (``None``: it is missing,
    which is itself a problem). ``anchors`` maps seqs to hashes an operator
    noted outside the database; only they can catch a chain rewritten from
    some entry to the end together with its head. The iterable is consumed
    once, so a database cursor can stream millions of entries; after a
    broken link the rest is scanned to tell a reordering from a removal.
    """
    anchors = dict(anchors or {})
    last = EMPTY_HEAD
    checked = 0
    matched_anchors = 0
    rest = iter(entries)
    for entry in rest:
        if entry.seq != last.last_seq + 1 or entry.prev_hash != last.last_hash:
            return VerifyReport(checked, last, _broken_link(entry, last, rest), matched_anchors)
        if _hash_or_none(entry) != entry.hash:
            return VerifyReport(checked, last, Problem(
                ProblemKind.altered, entry.seq,
                f"entry {entry.seq} does not match its hash: a field of it was changed"), matched_anchors)
        noted = anchors.get(entry.seq)
        if noted is not None:
            if noted.lower() != entry.hash:
                return VerifyReport(checked, last, Problem(
                    ProblemKind.altered, entry.seq,
                    f"entry {entry.seq} is linked correctly but its hash {entry.hash} is not the {noted} noted "
                    "outside the database: the log was rewritten from this entry (or an earlier one) on"),
                    matched_anchors)
            matched_anchors += 1
        last = head_after(entry)
        checked += 1
    problem = _against_head(last, head) or _against_anchors(last, anchors)
    return VerifyReport(checked, last, problem, matched_anchors)


def _hash_or_none(entry: AuditEntry, seq: int | None = None) -> str | None:
    """The entry's hash, or None when a stored field cannot even be hashed (a tampered type)."""
    try:
        return entry_hash(entry, seq)
    except (AuditError, TypeError, ValueError, AttributeError):
        return None


def _belongs_after(entry: AuditEntry, last: AuditHead) -> bool:
    """``entry`` is the one that was appended right after ``last`` (whatever seq it is stored under now)."""
    return entry.prev_hash == last.last_hash and _hash_or_none(entry, last.last_seq + 1) == entry.hash


def _broken_link(entry: AuditEntry, last: AuditHead, rest: Iterator[AuditEntry]) -> Problem:
    """Name what happened where ``entry`` does not follow ``last`` (seq or prev_hash wrong)."""
    expected = last.last_seq + 1
    if _belongs_after(entry, last):
        return Problem(ProblemKind.altered, expected,
                       f"entry {expected} is stored under seq {entry.seq}: its seq was changed")
    for later in rest:
        if _belongs_after(later, last):
            return Problem(ProblemKind.reordered, expected,
                           f"the entry written as seq {expected} is stored under seq {later.seq}; "
                           f"what is stored under seq {entry.seq} was written elsewhere in the chain")
    if entry.seq > expected:
        span = f"{expected}" if entry.seq == expected + 1 else f"{expected}–{entry.seq - 1}"
        return Problem(ProblemKind.removed, expected, f"entries {span} are missing (the next stored is {entry.seq})")
    if entry.seq < expected:
        return Problem(ProblemKind.reordered, expected,
                       f"entry {entry.seq} appears again after entry {last.last_seq}")
    if _hash_or_none(entry) == entry.hash:
        return Problem(ProblemKind.removed, expected,
                       f"entry {expected} does not follow entry {last.last_seq} (its prev_hash names another "
                       f"entry): entries were removed and the rest renumbered, or entry {last.last_seq} was "
                       "rewritten with a new hash")
    return Problem(ProblemKind.altered, expected,
                   f"entry {expected} matches neither its own hash nor the entry before it")


def _against_head(last: AuditHead, head: AuditHead | None) -> Problem | None:
    if head is None:
        return Problem(ProblemKind.removed, last.last_seq + 1,
                       "the head record (last seq and hash) is missing, so removal of the newest entries "
                       "cannot be ruled out")
    if head.last_seq > last.last_seq:
        span = (f"{last.last_seq + 1}" if head.last_seq == last.last_seq + 1
                else f"{last.last_seq + 1}–{head.last_seq}")
        return Problem(ProblemKind.removed, last.last_seq + 1,
                       f"the head says the log ends at entry {head.last_seq}; entries {span} are missing")
    if head.last_seq < last.last_seq:
        return Problem(ProblemKind.added, head.last_seq + 1,
                       f"entries {head.last_seq + 1}–{last.last_seq} lie beyond the head (entry {head.last_seq}): "
                       "they were not written by the audit log's append")
    if head.last_hash != last.last_hash:
        return Problem(ProblemKind.altered, last.last_seq,
                       f"entry {last.last_seq} is not the one the head records (hash {head.last_hash}): "
                       "the entry or the head was rewritten")
    return None


def _against_anchors(last: AuditHead, anchors: Mapping[int, str]) -> Problem | None:
    beyond = [seq for seq in anchors if seq > last.last_seq]
    if beyond:
        return Problem(ProblemKind.removed, last.last_seq + 1,
                       f"a hash of entry {max(beyond)} was noted outside the database, but the log ends at "
                       f"entry {last.last_seq}")
    return None


__all__ = [
    "EMPTY_HEAD", "GENESIS_HASH", "INSTANT_FORMAT", "AuditActor", "AuditEntry", "AuditError", "AuditHead",
    "Problem", "ProblemKind", "VerifyReport", "canonical_bytes", "chain", "entry_hash", "format_instant",
    "head_after", "normalise_data", "subject_of", "verify",
]
