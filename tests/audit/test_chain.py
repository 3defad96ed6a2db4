"""The audit chain's rules (cloud.domain.audit), without a database.

Hypothesis builds chains of random entries (Vietnamese text, control
characters, nested JSON, instants in several time zones) and tampers with
them the ways someone with write access to the tables could: change any
field of any entry, remove any entry, swap any two. Each must be reported
at the right seq and with the right kind; an untouched chain must verify.
An independent implementation of the documented recipe (json + hashlib
only) must agree with the module, so the docs stay re-implementable.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloud.domain.audit import (
    EMPTY_HEAD,
    GENESIS_HASH,
    AuditActor,
    AuditEntry,
    AuditError,
    AuditHead,
    ProblemKind,
    canonical_bytes,
    chain,
    entry_hash,
    head_after,
    subject_of,
    verify,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "audit.md"

# -- strategies -------------------------------------------------------------------

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)  # any text UTF-8 can hold
vietnamese = st.sampled_from(["Nguyễn Thị Bình", "tn.lan", "Hồ sơ đã tiếp nhận", "", "a\"b\\c\n\t\x00\x1f\x7f"])
string = st.one_of(text, vietnamese)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | string,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(string, inner, max_size=3),
    max_leaves=8,
)
json_object = st.dictionaries(string, json_value, max_size=4)
instant = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                       timezones=st.sampled_from([UTC, VN, timezone(timedelta(hours=-5))]))
actor = st.builds(AuditActor, role=string, unit=string, officer=string)
subject = st.builds(subject_of, st.sampled_from(["dossier", "user"]), st.from_regex(r"[A-Za-z0-9.\-]{1,20}", fullmatch=True))
spec = st.fixed_dictionaries({"at": instant, "actor": actor, "action": string.filter(bool), "subject": subject,
                              "data": json_object})
hex64 = st.from_regex(r"[0-9a-f]{64}", fullmatch=True)


def build(specs: list[dict[str, Any]]) -> tuple[list[AuditEntry], AuditHead]:
    entries: list[AuditEntry] = []
    head = EMPTY_HEAD
    for s in specs:
        entry = chain(head, **s)
        entries.append(entry)
        head = head_after(entry)
    return entries, head


chains = st.lists(spec, min_size=1, max_size=7).map(build)


def renumbered(entries: list[AuditEntry]) -> list[AuditEntry]:
    """What ``ORDER BY seq`` returns after rows' seqs were rewritten to match their new positions."""
    return [dataclasses.replace(e, seq=i + 1) for i, e in enumerate(entries)]


# -- an untouched chain -------------------------------------------------------------


@given(chains)
def test_an_untouched_chain_verifies(built: tuple[list[AuditEntry], AuditHead]) -> None:
    entries, head = built
    report = verify(entries, head)
    assert report.ok, report.problem
    assert report.checked == len(entries) == head.last_seq
    assert report.last == head
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(entries))


def test_an_empty_log_verifies_against_the_empty_head() -> None:
    report = verify([], EMPTY_HEAD)
    assert report.ok and report.checked == 0 and report.last == EMPTY_HEAD


def auditor_hash(row: dict[str, Any]) -> str:
    """The recipe of docs/audit.md, written again from the text with json and hashlib only."""
    at = row["at"].astimezone(UTC)
    obj = {"seq": row["seq"], "at": at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond:06d}Z",
           "actor": {"role": row["actor_role"], "unit": row["actor_unit"], "officer": row["actor_officer"]},
           "action": row["action"], "subject": row["subject"], "data": row["data"], "prev_hash": row["prev_hash"]}
    text_ = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text_.encode("utf-8")).hexdigest()


@given(chains)
def test_an_auditor_can_recompute_every_hash_from_the_documented_recipe(built: tuple[list[AuditEntry], AuditHead]) -> None:
    for e in built[0]:
        row = {"seq": e.seq, "at": e.at, "actor_role": e.actor.role, "actor_unit": e.actor.unit,
               "actor_officer": e.actor.officer, "action": e.action, "subject": e.subject,
               "data": json.loads(json.dumps(e.data)), "prev_hash": e.prev_hash}
        assert auditor_hash(row) == e.hash


def test_the_worked_example_of_the_docs_is_what_the_code_computes() -> None:
    first = chain(EMPTY_HEAD, at=datetime(2026, 10, 12, 8, 0, 1, tzinfo=VN),
                  actor=AuditActor("reception", "tdm.bptn", "tn.lan"), action="receive",
                  subject="dossier:H74.718-261012-0001",
                  data={"event": 1, "from_state": None, "to_state": "received",
                        "payload": {"procedure": "KD.01", "channel": "counter", "handling_unit": "tdm.ptckh"}})
    canonical = canonical_bytes(first).decode("utf-8")
    assert canonical == (
        '{"action":"receive","actor":{"officer":"tn.lan","role":"reception","unit":"tdm.bptn"},'
        '"at":"2026-10-12T01:00:01.000000Z","data":{"event":1,"from_state":null,"payload":{"channel":"counter",'
        '"handling_unit":"tdm.ptckh","procedure":"KD.01"},"to_state":"received"},'
        '"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","seq":1,'
        '"subject":"dossier:H74.718-261012-0001"}'
    )
    assert first.hash == "f5b121cb1e0be86d7b0337e96cc4d8832868e4669438a6e8f22bdfb3b11672e8"
    docs = DOCS.read_text(encoding="utf-8")
    assert canonical in docs and first.hash in docs


# -- tampering ------------------------------------------------------------------------

FIELDS = ["seq", "at", "role", "unit", "officer", "action", "subject", "data", "prev_hash", "hash"]


@st.composite
def altered_value(draw: st.DrawFn, entry: AuditEntry, name: str) -> AuditEntry:
    """``entry`` with field ``name`` set to a different value (of a type a database column could hold)."""
    if name == "seq":
        return dataclasses.replace(entry, seq=draw(st.integers(-5, 50).filter(lambda s: s != entry.seq)))
    if name == "at":
        delta = draw(st.integers(-10**9, 10**9).filter(bool))
        return dataclasses.replace(entry, at=entry.at + timedelta(microseconds=delta))
    if name in ("role", "unit", "officer"):
        new = draw(string.filter(lambda v: v != getattr(entry.actor, name)))
        return dataclasses.replace(entry, actor=dataclasses.replace(entry.actor, **{name: new}))
    if name == "data":
        new_data = draw(json_object.filter(lambda d: json.dumps(d, sort_keys=True) != json.dumps(entry.data, sort_keys=True)))
        return dataclasses.replace(entry, data=new_data)
    if name in ("prev_hash", "hash"):
        return dataclasses.replace(entry, **{name: draw(hex64.filter(lambda h: h != getattr(entry, name)))})
    new = draw(string.filter(lambda v: v != getattr(entry, name)))
    return dataclasses.replace(entry, **{name: new})


@given(chains, st.data())
def test_any_change_to_any_field_of_any_entry_is_reported_as_altered_there(
        built: tuple[list[AuditEntry], AuditHead], data: st.DataObject) -> None:
    entries, head = built
    i = data.draw(st.integers(0, len(entries) - 1), label="entry")
    name = data.draw(st.sampled_from(FIELDS), label="field")
    tampered = list(entries)
    tampered[i] = data.draw(altered_value(entries[i], name))
    report = verify(tampered, head)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == (ProblemKind.altered, i + 1), report.problem
    assert report.checked == i


@given(chains, st.data())
def test_removing_any_entry_is_reported_as_removed_at_its_seq(built: tuple[list[AuditEntry], AuditHead],
                                                                data: st.DataObject) -> None:
    entries, head = built
    i = data.draw(st.integers(0, len(entries) - 1), label="removed")
    report = verify(entries[:i] + entries[i + 1:], head)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == (ProblemKind.removed, i + 1), report.problem


@given(chains.filter(lambda b: len(b[0]) >= 2), st.data(), st.booleans())
def test_swapping_any_two_entries_is_reported_as_reordered(built: tuple[list[AuditEntry], AuditHead],
                                                          data: st.DataObject, swap_seqs: bool) -> None:
    """Both ways: the entries change places keeping their seq fields, or (a database's ``UPDATE … SET seq``)
    they take each other's seq so ``ORDER BY seq`` returns them swapped."""
    entries, head = built
    i, j = sorted(data.draw(st.lists(st.integers(0, len(entries) - 1), min_size=2, max_size=2, unique=True)))
    swapped = list(entries)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    if swap_seqs:
        swapped = renumbered(swapped)
    report = verify(swapped, head)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == (ProblemKind.reordered, i + 1), report.problem


@given(chains.filter(lambda b: len(b[0]) >= 3), st.data())
def test_removing_an_entry_and_renumbering_the_rest_is_caught_where_it_happened(
        built: tuple[list[AuditEntry], AuditHead], data: st.DataObject) -> None:
    entries, head = built
    i = data.draw(st.integers(0, len(entries) - 2))
    tampered = renumbered(entries[:i] + entries[i + 1:])
    report = verify(tampered, AuditHead(len(tampered), tampered[-1].hash))  # even with the head rewritten
    assert report.problem is not None and report.problem.seq == i + 1


def test_removing_the_newest_entries_is_caught_by_the_head() -> None:
    entries, head = build([{"at": datetime(2026, 1, 1, tzinfo=UTC), "actor": AuditActor("admin", "u", "x"),
                            "action": "a", "subject": f"user:u{n}", "data": {"n": n}} for n in range(5)])
    report = verify(entries[:3], head)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq, report.checked) == (ProblemKind.removed, 4, 3)
    assert "4–5" in report.problem.detail
    everything = verify([], head)
    assert everything.problem is not None and (everything.problem.kind, everything.problem.seq) == ("removed", 1)


def test_a_missing_head_entries_beyond_it_and_a_rewritten_last_entry_are_reported() -> None:
    entries, head = build([{"at": datetime(2026, 1, 1, tzinfo=UTC), "actor": AuditActor("admin", "u", "x"),
                            "action": "a", "subject": "user:u", "data": {"n": n}} for n in range(4)])
    missing = verify(entries, None)
    assert missing.problem is not None and (missing.problem.kind, missing.problem.seq) == ("removed", 5)
    beyond = verify(entries, head_after(entries[1]))
    assert beyond.problem is not None and (beyond.problem.kind, beyond.problem.seq) == ("added", 3)
    forged_last = chain(head_after(entries[2]), at=entries[3].at, actor=entries[3].actor, action="a",
                        subject="user:u", data={"n": "forged"})  # re-hashed, so it is self-consistent
    rewritten = verify(entries[:3] + [forged_last], head)
    assert rewritten.problem is not None and (rewritten.problem.kind, rewritten.problem.seq) == ("altered", 4)


def test_a_chain_rewritten_with_its_head_passes_unless_an_anchor_was_noted() -> None:
    """What verify cannot prove on its own (docs/audit.md): only a hash kept outside the database catches this."""
    specs = [{"at": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=n), "actor": AuditActor("admin", "u", "x"),
              "action": "a", "subject": "user:u", "data": {"n": n}} for n in range(6)]
    original, original_head = build(specs)
    forged, forged_head = build(specs[:2] + [{**specs[2], "data": {"n": "forged"}}] + specs[3:])
    assert verify(forged, forged_head).ok
    caught = verify(forged, forged_head, anchors={original_head.last_seq: original_head.last_hash})
    assert caught.problem is not None and (caught.problem.kind, caught.problem.seq) == ("altered", 6)
    early = verify(forged, forged_head, anchors={2: original[1].hash, 4: original[3].hash})
    assert early.problem is not None and early.problem.seq == 4 and early.anchors_checked == 1
    truncated = verify(original[:4], head_after(original[3]), anchors={6: original_head.last_hash})
    assert truncated.problem is not None and (truncated.problem.kind, truncated.problem.seq) == ("removed", 5)
    assert verify(original, original_head, anchors={6: original_head.last_hash.upper()}).anchors_checked == 1


# -- making entries -------------------------------------------------------------------


def test_data_is_stored_exactly_as_it_was_hashed() -> None:
    entry = chain(EMPTY_HEAD, at=datetime(2026, 1, 1, 7, tzinfo=VN), actor=AuditActor("admin", "u", "x"), action="a",
                  subject="user:u", data={"when": datetime(2026, 1, 1, 9, tzinfo=VN), "day": date(2026, 1, 2),
                                          "ids": (1, 2), "nested": {"b": 1, "a": [None, True, 1.5]}})
    assert entry.data == {"when": "2026-01-01T02:00:00.000000Z", "day": "2026-01-02", "ids": [1, 2],
                          "nested": {"a": [None, True, 1.5], "b": 1}}
    assert entry.at == datetime(2026, 1, 1, 0, tzinfo=UTC) and entry.at.tzinfo is UTC
    assert entry_hash(entry) == entry.hash and entry_hash(entry, seq=2) != entry.hash


@pytest.mark.parametrize(("change", "message"), [
    ({"at": datetime(2026, 1, 1)}, "naive datetime"),
    ({"subject": "H74.718-261012-0001"}, "kind:id"),
    ({"action": ""}, "needs an action"),
    ({"data": {"tags": {"a"}}}, "not JSON"),
    ({"data": {"x": float("nan")}}, "not JSON"),
    ({"data": {1: "a"}}, "keys must be strings"),
    ({"data": ["not", "an", "object"]}, "JSON object"),
])
def test_what_cannot_be_hashed_faithfully_is_refused_when_the_entry_is_made(change: dict[str, Any],
                                                                             message: str) -> None:
    args: dict[str, Any] = {"at": datetime(2026, 1, 1, tzinfo=UTC), "actor": AuditActor("admin", "u", "x"),
                            "action": "a", "subject": "user:u", "data": {}}
    with pytest.raises(AuditError, match=message):
        chain(EMPTY_HEAD, **(args | change))
