"""The hub's SQLite database: queue state and the event outbox in one file.

They share a file so that a queue change and the event that reports it are
committed in one transaction (a transactional outbox): after a power cut
either both exist or neither does, and nothing the citizen saw is missing
from what the cloud will eventually receive.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    type       TEXT NOT NULL,
    payload    BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tickets (
    ticket_id   TEXT PRIMARY KEY,
    day         TEXT NOT NULL,
    daily_seq   INTEGER NOT NULL,
    number      TEXT NOT NULL,
    field       TEXT NOT NULL,
    priority    INTEGER NOT NULL,
    status      TEXT NOT NULL,
    counter     INTEGER,
    issued_at   TEXT NOT NULL,
    called_at   TEXT,
    finished_at TEXT,
    UNIQUE (day, daily_seq),
    UNIQUE (day, number)
);
CREATE INDEX IF NOT EXISTS tickets_waiting ON tickets (day, status, field, priority, daily_seq);
CREATE TABLE IF NOT EXISTS counters (
    number          INTEGER PRIMARY KEY,
    open_day        TEXT,
    current_ticket  TEXT
);
CREATE TABLE IF NOT EXISTS commands (
    id          TEXT PRIMARY KEY,
    ack         BLOB NOT NULL,
    received_at TEXT NOT NULL
);
"""


class Store:
    """One connection, one lock: the hub's write load is a few events a minute."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        # FULL: a ticket handed to a citizen must survive a power cut at the office.
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(SCHEMA)
        self.lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self.lock:
            self._conn.close()


def get_meta(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
