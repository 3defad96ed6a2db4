"""Per-node cursors: the highest ``seq`` up to which every fact of a node's epoch is stored.

The edge deletes an event from its outbox once the cursor passes it, so the
cursor must never pass a gap: with seq 1, 2 and 4 stored the cursor is 2, and
event 3 stays in the hub's outbox (and keeps being re-sent) until it arrives;
then the cursor jumps to 4.

A node's seqs count within its storage **epoch** (``protocol.envelope``): a
hub that lost its database starts again at seq 1 under a higher epoch. So a
cursor row belongs to one (office, node, epoch), and the cursor a node is
sent is that of the highest epoch stored for it. An event of an older epoch
that arrives late (a re-send from a queue) is stored and advances its own
epoch's row, but the node, which has moved on, keeps getting the cursor of
its current epoch. (Two ingest workers storing two epochs of one node at
once may publish the older epoch's cursor last; the node ignores it, and its
next batch publishes the right one again.)

Each row also keeps ``max_seq``, the highest seq stored for the epoch. While
``max_seq == seq`` (no gap: the normal case) the new cursor follows from the
batch alone; only an epoch with events stored beyond a gap needs its stored
seqs walked (on the ``(office, node, epoch, seq)`` index). So a batch costs
one SELECT (every epoch's row of the touched nodes, one or two a node) and
one upsert for all its nodes, however many offices it spans.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import Connection, case, select, tuple_

from cloud.db.tables import cursor_table, event_table
from cloud.db.upsert import insert

#: (office, node)
NodeKey = tuple[str, str]
#: (office, node, epoch): one run of seqs 1, 2, 3…
EpochKey = tuple[str, str, int]
#: (epoch, seq) of a node's published cursor
Position = tuple[int, int]
_WALK_CHUNK = 1000
_IN_CHUNK = 400


def _stored_cursors(conn: Connection, nodes: list[NodeKey]) -> dict[EpochKey, tuple[int, int]]:
    """(seq, max_seq) of every epoch of each node that has a cursor row."""
    c = cursor_table.c
    found: dict[EpochKey, tuple[int, int]] = {}
    for start in range(0, len(nodes), _IN_CHUNK):
        chunk = nodes[start:start + _IN_CHUNK]
        rows = conn.execute(select(c.office, c.node, c.epoch, c.seq, c.max_seq).where(tuple_(c.office, c.node).in_(chunk)))
        for office, node, epoch, seq, max_seq in rows:
            found[(office, node, epoch)] = (seq, max_seq)
    return found


def _walk(conn: Connection, key: EpochKey, start: int) -> int:
    """Highest contiguous seq of the epoch reachable from ``start`` through stored events."""
    e = event_table.c
    office, node, epoch = key
    reached = start
    while True:
        seqs = conn.execute(
            select(e.seq).where(e.office == office, e.node == node, e.epoch == epoch, e.seq > reached)
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


def advance(conn: Connection, touched: Mapping[EpochKey, Iterable[int]]) -> dict[NodeKey, Position]:
    """Advance the cursor of every touched epoch given the seqs this batch stored.

    Returns, for each touched node, the cursor to publish: its highest epoch's.
    """
    stored = _stored_cursors(conn, list({(office, node) for office, node, _ in touched}))
    after_batch = dict(stored)  # every epoch of the touched nodes, as this batch leaves them
    changed: list[dict[str, object]] = []
    for key, new in touched.items():
        new_seqs = set(new)
        before, max_before = stored.get(key, (0, 0))
        after = before
        while after + 1 in new_seqs:
            after += 1
        max_after = max(max_before, max(new_seqs, default=0))
        if max_before > after:  # events were stored beyond a gap: they may continue the run
            after = _walk(conn, key, after)
        if key not in stored or (after, max_after) != (before, max_before):
            changed.append({"office": key[0], "node": key[1], "epoch": key[2], "seq": after, "max_seq": max_after})
        after_batch[key] = (after, max_after)
    if changed:
        c = cursor_table.c
        upsert = insert(conn.dialect.name, cursor_table)
        new_row = upsert.excluded
        conn.execute(upsert.on_conflict_do_update(
            index_elements=[c.office, c.node, c.epoch],
            # never backwards, even with two ingest workers racing
            set_={"seq": case((new_row.seq > c.seq, new_row.seq), else_=c.seq),
                  "max_seq": case((new_row.max_seq > c.max_seq, new_row.max_seq), else_=c.max_seq)},
        ), changed)
    return _newest_epochs(after_batch)


def _newest_epochs(cursors: dict[EpochKey, tuple[int, int]]) -> dict[NodeKey, Position]:
    newest: dict[NodeKey, Position] = {}
    for (office, node, epoch), (seq, _max_seq) in cursors.items():
        if (office, node) not in newest or epoch > newest[(office, node)][0]:
            newest[(office, node)] = (epoch, seq)
    return newest


def all_cursors(conn: Connection) -> dict[NodeKey, Position]:
    """The cursor of every node's highest epoch: what is published (retained) for it."""
    c = cursor_table.c
    rows = conn.execute(select(c.office, c.node, c.epoch, c.seq, c.max_seq))
    return _newest_epochs({(o, n, e): (s, m) for o, n, e, s, m in rows})
