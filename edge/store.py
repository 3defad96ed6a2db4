"""The hub's SQLite database: queue state and the event outbox in one file.

They share a file so that a queue change and the event that reports it are
committed in one transaction (a transactional outbox): after a power cut
either both exist or neither does, and nothing the citizen saw is missing
from what the cloud will eventually receive.

The file lives on Pis in the field and is upgraded in place, so its schema is
versioned (SQLite's ``PRAGMA user_version``) and changed only by appending a
step to :data:`MIGRATIONS`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import structlog

from transport.private_files import private_sqlite

log = structlog.get_logger(__name__)

#: The schema's history: step N takes a database from version N-1 to N. Steps
#: are appended, never edited or removed, because a hub may still be at any
#: earlier version; each runs in one transaction with its version bump, so a
#: power cut mid-upgrade leaves the previous version intact.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the schema the first hubs shipped with, unversioned (user_version 0).
    # IF NOT EXISTS lets those databases, which already hold these tables,
    # adopt version 1 as they are.
    (
        """CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
)""",
        """CREATE TABLE IF NOT EXISTS outbox (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    type       TEXT NOT NULL,
    payload    BLOB NOT NULL,
    created_at TEXT NOT NULL
)""",
        """CREATE TABLE IF NOT EXISTS tickets (
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
)""",
        "CREATE INDEX IF NOT EXISTS tickets_waiting ON tickets (day, status, field, priority, daily_seq)",
        """CREATE TABLE IF NOT EXISTS counters (
    number          INTEGER PRIMARY KEY,
    open_day        TEXT,
    current_ticket  TEXT
)""",
        """CREATE TABLE IF NOT EXISTS commands (
    id          TEXT PRIMARY KEY,
    ack         BLOB NOT NULL,
    received_at TEXT NOT NULL
)""",
    ),
    # 2: who serves at each counter (counter.set_status), kept across restarts so that the
    # counter's ticket events carry its officer offline too. A table of its own rather than
    # columns of ``counters``: the rows of a day in progress stay as they were.
    (
        """CREATE TABLE counter_status (
    number       INTEGER PRIMARY KEY,
    day          TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'paused', 'closed')),
    officer_id   TEXT,
    officer_name TEXT,
    set_at       TEXT NOT NULL,
    CHECK ((status = 'closed') = (officer_id IS NULL))
)""",
    ),
)

#: The version this code writes; a database at a higher one is refused.
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(RuntimeError):
    """The database was written by a newer release: refuse it rather than guess at its tables."""

    def __init__(self, path: Path, found: int) -> None:
        super().__init__(
            f"hub database {path} has schema version {found}, but this release knows versions up to "
            f"{SCHEMA_VERSION}: it was written by a newer onestop. Install that release (or a newer one) "
            "again; the database was left unchanged."
        )
        self.path = path
        self.found = found


class Store:
    """One connection, one lock: the hub's write load is a few events a minute."""

    def __init__(self, path: Path) -> None:
        # Owner-only (0600 in a 0700 directory) before SQLite opens it: the office's record of the day,
        # the commands the cloud sent, and the announcements' audio beside it (transport/private_files.py).
        private_sqlite(path)
        self.path = path
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        try:
            # Before anything writes (even the journal mode is written to the file):
            # a newer release's database is not touched.
            self._check_version(_user_version(self._conn))
            self._conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a ticket handed to a citizen must survive a power cut at the office.
            self._conn.execute("PRAGMA synchronous=FULL")
            self._migrate()
        except BaseException:
            self._conn.close()
            raise
        self.lock = threading.RLock()
        self._depth = 0  # transactions open on the thread holding the lock

    @property
    def version(self) -> int:
        return _user_version(self._conn)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; called inside another on the same thread, it joins that one.

        A cloud command's effect (the queue engine's own transaction) and the
        record of its ack must commit together, or a power cut between them
        makes a redelivered command run twice. The inner part runs in a
        SAVEPOINT: when it raises (the queue refuses), only its own writes are
        undone and the outer transaction can still record the refusal.
        """
        rollback: tuple[str, ...]
        with self.lock:
            if self._depth:
                name = f"nested_{self._depth}"
                begin, commit, rollback = f"SAVEPOINT {name}", f"RELEASE {name}", (f"ROLLBACK TO {name}", f"RELEASE {name}")
            else:
                begin, commit, rollback = "BEGIN IMMEDIATE", "COMMIT", ("ROLLBACK",)
            self._conn.execute(begin)
            self._depth += 1
            try:
                yield self._conn
            except BaseException:
                for statement in rollback:
                    self._conn.execute(statement)
                raise
            else:
                self._conn.execute(commit)
            finally:
                self._depth -= 1

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection under the lock, for a view made of several queries.

        This process is the file's only writer and every write holds the lock,
        so the queries of one ``reading()`` block see one state of the queue.
        """
        with self.lock:
            yield self._conn

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self.lock:
            self._conn.close()

    def _check_version(self, found: int) -> None:
        if found > SCHEMA_VERSION:
            raise SchemaTooNew(self.path, found)

    def _migrate(self) -> None:
        """Run the steps the database lacks, one transaction each.

        The version is read again inside each transaction, so a second process
        opening the file at the same moment neither repeats a step nor skips one.
        """
        while True:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                current = _user_version(self._conn)
                self._check_version(current)
                if current == SCHEMA_VERSION:
                    self._conn.execute("COMMIT")
                    return
                for statement in MIGRATIONS[current]:
                    self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {current + 1}")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            log.info("store.migrated", path=str(self.path), version=current + 1)


def _user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def get_meta(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
