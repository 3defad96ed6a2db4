"""Engines and write transactions, tuned for SQLite and correct on PostgreSQL.

SQLite is the embedded default, and the ingest writer, the command bus and the
API share one file from several threads, so every connection gets:

* ``journal_mode=WAL``: readers never block the writer, nor the writer them;
* ``busy_timeout``: a writer waits for the lock instead of failing at once;
* ``synchronous=NORMAL``: in WAL mode a commit survives a process crash; a
  power cut may lose the last commits, which the edge re-sends because the
  cursor told it nothing past them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

BUSY_TIMEOUT_MS = 5000


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
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


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that takes SQLite's write lock up front.

    A deferred SQLite transaction that reads and then writes fails with
    SQLITE_BUSY (no waiting) when another connection committed in between;
    ``BEGIN IMMEDIATE`` waits for the lock (busy_timeout) before the first
    read instead. Other databases use their normal transaction.
    """
    with engine.connect() as conn:
        with conn.begin():
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn
