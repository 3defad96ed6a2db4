"""Per-node cursors: the highest ``seq`` up to which every fact of a node is stored.

The edge deletes an event from its outbox once the cursor passes it, so the
cursor must never pass a gap: with seq 1, 2 and 4 stored the cursor is 2, and
event 3 stays in the hub's outbox (and keeps being re-sent) until it arrives;
then the cursor jumps to 4.

Each row also keeps ``max_seq``, the highest seq stored for the node. While
``max_seq == seq`` (no gap: the normal case) the new cursor follows from the
batch alone; only a node with events stored beyond a gap needs its stored
seqs walked (on the ``(office, node, seq)`` index). So a batch costs one
SELECT and one upsert for all its nodes, however many offices it spans.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, case, select, tuple_

from cloud.db.tables import cursor_table, event_table
from cloud.db.upsert import insert

NodeKey = tuple[str, str]
_WALK_CHUNK = 1000
_IN_CHUNK = 400


def _stored_cursors(conn: Connection, keys: list[NodeKey]) -> dict[NodeKey, tuple[int, int]]:
    """(seq, max_seq) of each node that has a cursor row."""
    c = cursor_table.c
    found: dict[NodeKey, tuple[int, int]] = {}
    for start in range(0, len(keys), _IN_CHUNK):
        chunk = keys[start:start + _IN_CHUNK]
        rows = conn.execute(select(c.office, c.node, c.seq, c.max_seq).where(tuple_(c.office, c.node).in_(chunk)))
        for office, node, seq, max_seq in rows:
            found[(office, node)] = (seq, max_seq)
    return found


def _walk(conn: Connection, office: str, node: str, start: int) -> int:
    """Highest contiguous seq reachable from ``start`` through stored events."""
    e = event_table.c
    reached = start
    while True:
        seqs = conn.execute(
            select(e.seq).where(e.office == office, e.node == node, e.seq > reached)
            .order_by(e.seq).limit(_WALK_CHUNK)
        ).scalars().all()
        for seq in seqs:
            if seq == reached + 1:
                reached = seq
            elif seq > reached + 1:
                return reached  # a gap: stop in front of it
            # seq == reached: the same seq under another id (a node bug); the fact is stored, go on
        if len(seqs) < _WALK_CHUNK:
            return reached


def advance(conn: Connection, touched: dict[NodeKey, Iterable[int]]) -> dict[NodeKey, int]:
    """Advance the cursor of every touched node given the seqs this batch stored; return their cursors."""
    stored = _stored_cursors(conn, list(touched))
    result: dict[NodeKey, int] = {}
    changed: list[dict[str, object]] = []
    for key, new in touched.items():
        new_seqs = set(new)
        before, max_before = stored.get(key, (0, 0))
        after = before
        while after + 1 in new_seqs:
            after += 1
        max_after = max(max_before, max(new_seqs, default=0))
        if max_before > after:  # events were stored beyond a gap: they may continue the run
            after = _walk(conn, key[0], key[1], after)
        if key not in stored or (after, max_after) != (before, max_before):
            changed.append({"office": key[0], "node": key[1], "seq": after, "max_seq": max_after})
        result[key] = after
    if changed:
        c = cursor_table.c
        upsert = insert(conn.dialect.name, cursor_table)
        new_row = upsert.excluded
        conn.execute(upsert.on_conflict_do_update(
            index_elements=[c.office, c.node],
            # never backwards, even with two ingest workers racing
            set_={"seq": case((new_row.seq > c.seq, new_row.seq), else_=c.seq),
                  "max_seq": case((new_row.max_seq > c.max_seq, new_row.max_seq), else_=c.max_seq)},
        ), changed)
    return result


def all_cursors(conn: Connection) -> dict[NodeKey, int]:
    c = cursor_table.c
    return {(o, n): s for o, n, s in conn.execute(select(c.office, c.node, c.seq))}
