"""The hub database: versioned in place, and transactions that nest.

Hubs in the field hold a database written by an earlier release, first of all
the unversioned one of the first release (``user_version`` 0), and must keep
every ticket and every unconfirmed event across an upgrade.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
import yaml
from structlog.testing import capture_logs

from edge import store as store_module
from edge.outbox import Outbox
from edge.queue.engine import QueueEngine
from edge.store import SCHEMA_VERSION, SchemaTooNew, Store
from protocol.office_config import parse_office_config
from tests.edge.test_queue_engine import Clock

ROOT = Path(__file__).resolve().parents[2]
DEMO = parse_office_config(yaml.safe_load((ROOT / "firmware_configs/sai-gon.yaml").read_text()), "sai-gon.yaml")

#: The DDL of the first release, copied from it (edge/store.py's SCHEMA string), not imported:
#: it is what the databases on deployed hubs were created with.
FIRST_RELEASE_DDL = """
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

TABLES = ("meta", "outbox", "tickets", "counters", "commands")


def _first_release_database(path: Path) -> None:
    """A hub of the first release in the middle of a day: one citizen at counter 1, one waiting."""
    with sqlite3.connect(path) as conn:
        conn.executescript(FIRST_RELEASE_DDL)
        conn.executemany(
            "INSERT INTO tickets (ticket_id, day, daily_seq, number, field, priority, status, counter, issued_at, called_at)"
            " VALUES (?, '2026-11-23', ?, ?, 'ho-tich', 0, ?, ?, ?, ?)",
            [("20261123-080000-0001", 1, "A001", "called", 1, "2026-11-23T01:00:00+00:00", "2026-11-23T01:05:00+00:00"),
             ("20261123-080100-0002", 2, "A002", "waiting", None, "2026-11-23T01:01:00+00:00", None)],
        )
        conn.execute("INSERT INTO counters VALUES (1, '2026-11-23', '20261123-080000-0001')")
        conn.executemany("INSERT INTO outbox VALUES (?, ?, ?, ?, '2026-11-23T01:00:00+00:00')",
                         [(1, "e1", "ticket.issued", b'{"seq":1}'), (2, "e2", "ticket.issued", b'{"seq":2}'),
                          (3, "e3", "ticket.called", b'{"seq":3}')])
        conn.executemany("INSERT INTO meta VALUES (?, ?)", [("last_seq", "3"), ("cursor", "0")])
        conn.execute("INSERT INTO commands VALUES ('c1', x'7b7d', '2026-11-23T01:05:00+00:00')")
    conn.close()


def _rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as conn:
        rows = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}
    conn.close()
    return rows


def _schema(path: Path) -> set[tuple[str, str, str]]:
    with sqlite3.connect(path) as conn:
        schema = set(conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall())
    conn.close()
    return schema


def _user_version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    conn.close()
    return version


def test_a_first_release_database_is_migrated_in_place_with_its_tickets_and_outbox(tmp_path):
    db = tmp_path / "hub.db"
    _first_release_database(db)
    before = _rows(db)
    assert _user_version(db) == 0

    store = Store(db)
    assert store.version == SCHEMA_VERSION
    store.close()
    assert _rows(db) == before
    assert _user_version(db) == SCHEMA_VERSION
    fresh = tmp_path / "fresh.db"
    Store(fresh).close()
    assert _schema(db) == _schema(fresh)  # an upgraded hub has exactly the schema of a new one

    # And the day goes on where it was: the next number, the next seq, the called citizen closed.
    store = Store(db)
    engine = QueueEngine(store, DEMO, "hub", Clock("2026-11-23 08:30"))
    issued = engine.issue("ho-tich")
    assert (issued.ticket.number, issued.events[0].seq) == ("A003", 4)
    called = engine.call_next(1)
    assert (called.ticket.number, called.previous.number) == ("A002", "A001")
    assert [p.seq for p in Outbox(store).pending()] == [1, 2, 3, 4, 5]
    store.close()


def test_a_fresh_database_gets_the_latest_version_and_reopening_changes_nothing(tmp_path):
    db = tmp_path / "hub.db"
    with capture_logs() as first:
        Store(db).close()
    assert [e["version"] for e in first if e["event"] == "store.migrated"] == list(range(1, SCHEMA_VERSION + 1))
    assert _user_version(db) == SCHEMA_VERSION
    schema = _schema(db)
    with capture_logs() as again:
        Store(db).close()
    assert [e for e in again if e["event"] == "store.migrated"] == []
    assert (_user_version(db), _schema(db)) == (SCHEMA_VERSION, schema)


def test_a_database_of_a_newer_release_is_refused_and_left_untouched(tmp_path):
    db = tmp_path / "hub.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE from_the_future (x TEXT)")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    digest = hashlib.sha256(db.read_bytes()).hexdigest()

    with pytest.raises(SchemaTooNew, match=f"schema version {SCHEMA_VERSION + 1}.*up to {SCHEMA_VERSION}.*newer"):
        Store(db)

    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    assert not db.with_name("hub.db-wal").exists()  # not even switched to WAL
    assert {name for _type, name, _sql in _schema(db)} == {"from_the_future"}


def test_a_failing_migration_step_leaves_the_previous_version_whole(tmp_path, monkeypatch):
    db = tmp_path / "hub.db"
    Store(db).close()
    broken = ("CREATE TABLE half_done (x TEXT)", "CREATE TABLE broken (")
    monkeypatch.setattr(store_module, "MIGRATIONS", (*store_module.MIGRATIONS, broken))
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)

    with pytest.raises(sqlite3.OperationalError):
        Store(db)

    assert _user_version(db) == SCHEMA_VERSION
    assert "half_done" not in {name for _type, name, _sql in _schema(db)}


def test_a_nested_transaction_joins_the_outer_one(tmp_path):
    store = Store(tmp_path / "hub.db")
    engine = QueueEngine(store, DEMO, "hub", Clock("2026-11-23 08:30"))
    with pytest.raises(RuntimeError), store.transaction():
        engine.issue("ho-tich")  # commits nothing by itself inside an outer transaction
        raise RuntimeError("power cut before the outer commit")
    assert store.query("SELECT COUNT(*) FROM tickets")[0][0] == 0
    assert Outbox(store).count() == 0
    assert Outbox(store).last_seq() == 0

    with store.transaction() as conn:
        conn.execute("INSERT INTO meta VALUES ('outer', '1')")
        with pytest.raises(RuntimeError), store.transaction() as inner:
            inner.execute("INSERT INTO meta VALUES ('inner', '1')")
            raise RuntimeError("the inner part is refused")
        engine.issue("ho-tich")
    # the refused inner part alone is undone; the outer one and a later inner one commit
    # (epoch: the database's storage epoch, written by the first Outbox above)
    assert [r[0] for r in store.query("SELECT key FROM meta ORDER BY key")] == ["epoch", "last_seq", "outer"]
    assert Outbox(store).count() == 1
    store.close()


def test_a_version_1_database_gets_the_counter_status_table_and_keeps_its_day(tmp_path):
    """The release before counter.set_status left version 1: its hub upgrades with the day's queue intact."""
    db = tmp_path / "hub.db"
    _first_release_database(db)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    before = _rows(db)

    store = Store(db)
    assert store.version == SCHEMA_VERSION >= 2
    assert store.query("SELECT COUNT(*) FROM counter_status")[0][0] == 0  # nobody signed in yet
    engine = QueueEngine(store, DEMO, "hub", Clock("2026-11-23 08:30"))
    assert engine.snapshot().counters[0].current.number == "A001"
    store.close()
    assert _rows(db) == before
