"""Durable store-and-forward of the node's events.

Every event gets the next ``seq`` of this node (kept in the database, so it
survives restarts) and stays in the outbox until the cloud's retained
``cursor`` says it has committed that seq. Sending is therefore allowed to be
sloppy, at least once, in any number of retries: the cloud drops ids it has.

A seq means something only within the database that counted it, so every
event also carries the database's **epoch** (its incarnation), and a cursor
prunes only the events of the epoch it names. A hub whose SQLite file is lost
starts again at seq 1 under a new epoch: the retained cursor of the lost file
(say seq 500 of the old epoch) no longer "confirms" the new events 1…500, which
the cloud has never seen. The epoch is chosen once, in the first transaction
of a new database, and kept in ``meta``:

* a database from before epochs (it has a ``last_seq`` but no ``epoch``) is
  epoch 0, which is what its events were sent as;
* a new (or wiped) database takes the UTC time in milliseconds, which is
  larger than any earlier incarnation's as long as the clock is set (NTP).

A cursor can never rightly exceed the highest seq this database has issued:
the cloud only counts what it received. One that does (forged by whoever can
publish on the cursor topic, or from a restored backup) would prune events the
cloud never got and, stored as "confirmed", stop every later event from being
sent. :meth:`Outbox.confirm` therefore refuses it with :class:`CursorAhead`
and changes nothing; the forwarder raises a ``node.alert``.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime

from edge.store import Store, get_meta, set_meta
from protocol import EventEnvelope, dumps, make_event
from protocol.envelope import Message


class CursorAhead(ValueError):
    """A cursor of our epoch above the highest seq we have issued: it confirms nothing."""

    def __init__(self, cursor_seq: int, last_seq: int) -> None:
        super().__init__(f"cursor seq {cursor_seq} is above the highest seq this hub has issued ({last_seq})")
        self.cursor_seq = cursor_seq
        self.last_seq = last_seq


@dataclass(frozen=True)
class PendingEvent:
    seq: int
    type: str
    payload: bytes


def _new_epoch() -> int:
    """UTC milliseconds now; never 0, which means "from before epochs"."""
    return max(1, time.time_ns() // 1_000_000)


def storage_epoch(conn: sqlite3.Connection) -> int:
    """This database's epoch, chosen and stored in the caller's transaction if it has none yet."""
    stored = get_meta(conn, "epoch")
    if stored is not None:
        return int(stored)
    epoch = 0 if get_meta(conn, "last_seq") is not None else _new_epoch()
    set_meta(conn, "epoch", str(epoch))
    return epoch


def append(conn: sqlite3.Connection, office: str, node: str, ts: datetime, data: Message) -> EventEnvelope:
    """Add an event inside the caller's transaction, so it commits with the state change it reports."""
    epoch = storage_epoch(conn)
    seq = int(get_meta(conn, "last_seq", "0") or 0) + 1
    envelope = make_event(office, node, seq, ts, data, epoch=epoch)
    conn.execute(
        "INSERT INTO outbox (seq, id, type, payload, created_at) VALUES (?, ?, ?, ?, ?)",
        (seq, envelope.id, envelope.type, dumps(envelope), envelope.ts.isoformat()),
    )
    set_meta(conn, "last_seq", str(seq))
    return envelope


class Outbox:
    """The events of this database's epoch that the cloud has not confirmed yet."""

    def __init__(self, store: Store) -> None:
        self.store = store
        with store.transaction() as conn:
            self.epoch = storage_epoch(conn)

    def append(self, office: str, node: str, ts: datetime, data: Message) -> EventEnvelope:
        """Add an event that changes no other state (an alert), in its own transaction."""
        with self.store.transaction() as conn:
            return append(conn, office, node, ts, data)

    def pending(self, after_seq: int = 0, limit: int = 500) -> list[PendingEvent]:
        rows = self.store.query(
            "SELECT seq, type, payload FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", (after_seq, limit)
        )
        return [PendingEvent(r["seq"], r["type"], bytes(r["payload"])) for r in rows]

    def count(self) -> int:
        return int(self.store.query("SELECT COUNT(*) FROM outbox")[0][0])

    def last_seq(self) -> int:
        with self.store.lock:
            rows = self.store.query("SELECT value FROM meta WHERE key = 'last_seq'")
        return int(rows[0][0]) if rows else 0

    def confirmed(self) -> int:
        """Highest seq of this epoch the cloud has confirmed; 0 before its first cursor of this epoch."""
        rows = self.store.query("SELECT value FROM meta WHERE key = 'cursor'")
        return int(rows[0][0]) if rows else 0

    def confirm(self, cursor_seq: int, epoch: int | None = None) -> int:
        """The cloud has everything of ``epoch`` (default: ours) up to ``cursor_seq``: drop it. Returns rows pruned.

        A cursor of another epoch counts another database's seqs: it confirms
        nothing here, and prunes nothing. One of our epoch above the highest
        seq we have issued raises :class:`CursorAhead`, also without a change;
        it is checked in the pruning transaction, against the seq counter itself.
        """
        if epoch is not None and epoch != self.epoch:
            return 0
        with self.store.transaction() as conn:
            issued = int(get_meta(conn, "last_seq", "0") or 0)
            if cursor_seq > issued:
                raise CursorAhead(cursor_seq, issued)
            current = int(get_meta(conn, "cursor", "0") or 0)
            if cursor_seq > current:
                set_meta(conn, "cursor", str(cursor_seq))
            return conn.execute("DELETE FROM outbox WHERE seq <= ?", (cursor_seq,)).rowcount
