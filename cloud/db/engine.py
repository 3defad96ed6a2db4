"""Engines and write transactions, tuned for SQLite and correct on PostgreSQL.

SQLite is the embedded default, and the ingest writer, the command bus and the
API share one file from several threads, so every connection gets:

* ``journal_mode=WAL``: readers never block the writer, nor the writer them;
* ``busy_timeout``: a writer waits for the lock instead of failing at once;
* ``synchronous=NORMAL``: in WAL mode a commit survives a process crash; a
  power cut may lose the last commits, which the edge re-sends because the
  cursor told it nothing past them.

The file holds applicants' names and phones and password and token hashes:
it is created 0600 in a 0700 directory before SQLite opens it, and its
``-wal``/``-shm`` inherit that mode (``transport.private_files``).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from transport.private_files import private_sqlite

BUSY_TIMEOUT_MS = 5000


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        private_sqlite(Path(parsed.database))  # applicants, password hashes: 0600 in a 0700 directory
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_write_locks: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_write_locks_guard = threading.Lock()


def _write_lock(engine: Engine) -> threading.Lock:
    with _write_locks_guard:
        return _write_locks.setdefault(engine, threading.Lock())


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that takes SQLite's write lock up front.

    A deferred SQLite transaction that reads and then writes fails with
    SQLITE_BUSY (no waiting) when another connection committed in between;
    ``BEGIN IMMEDIATE`` waits for the lock (busy_timeout) before the first
    read instead. Other databases use their normal transaction.

    On SQLite the writers of this process also queue on a lock of their own
    first: SQLite's busy handler waits by sleeping (1, 2, 5 … 100 ms) and
    retrying, so eight API threads contending for the file spent most of
    their time asleep (144 requests/s, p99 370 ms in bench/dossiers.py). A
    queue hands the lock over at once. Other processes (``onestop seed``
    while the service runs) still meet the busy timeout.
    """
    if engine.dialect.name != "sqlite":
        with engine.connect() as conn, conn.begin():
            yield conn
        return
    with _write_lock(engine), engine.connect() as conn:
        with conn.begin():
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn
