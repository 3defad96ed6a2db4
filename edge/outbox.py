"""Durable store-and-forward of the node's events.

Every event gets the next ``seq`` of this node (kept in the database, so it
survives restarts) and stays in the outbox until the cloud's retained
``cursor`` says it has committed that seq. Sending is therefore allowed to be
sloppy, at least once, in any number of retries: the cloud drops ids it has.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from protocol import EventEnvelope, dumps, make_event
from protocol.envelope import Message

from edge.store import Store, get_meta, set_meta


@dataclass(frozen=True)
class PendingEvent:
    seq: int
    type: str
    payload: bytes


def append(conn: sqlite3.Connection, office: str, node: str, ts: datetime, data: Message) -> EventEnvelope:
    """Add an event inside the caller's transaction, so it commits with the state change it reports."""
    seq = int(get_meta(conn, "last_seq", "0") or 0) + 1
    envelope = make_event(office, node, seq, ts, data)
    conn.execute(
        "INSERT INTO outbox (seq, id, type, payload, created_at) VALUES (?, ?, ?, ?, ?)",
        (seq, envelope.id, envelope.type, dumps(envelope), envelope.ts.isoformat()),
    )
    set_meta(conn, "last_seq", str(seq))
    return envelope


class Outbox:
    def __init__(self, store: Store) -> None:
        self.store = store

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
        rows = self.store.query("SELECT value FROM meta WHERE key = 'cursor'")
        return int(rows[0][0]) if rows else 0

    def confirm(self, cursor_seq: int) -> int:
        """The cloud has everything up to ``cursor_seq``: drop it. Returns rows pruned."""
        with self.store.transaction() as conn:
            current = int(get_meta(conn, "cursor", "0") or 0)
            if cursor_seq > current:
                set_meta(conn, "cursor", str(cursor_seq))
            return conn.execute("DELETE FROM outbox WHERE seq <= ?", (cursor_seq,)).rowcount
