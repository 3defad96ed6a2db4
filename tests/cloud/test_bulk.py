"""BulkStatement stores exactly what SQLAlchemy's own executemany would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import Engine, delete

from cloud.db import migrate
from cloud.db.bulk import BulkStatement
from cloud.db.engine import make_engine
from cloud.db.tables import event_table, ticket_table
from cloud.ingest.tickets import upsert_statement

HANOI = timezone(timedelta(hours=7))
TS = datetime(2026, 11, 23, 9, 0, tzinfo=HANOI)
EVENTS = [{"id": "e1", "office": "sai-gon", "node": "hub", "epoch": 0, "seq": 1, "type": "ticket.issued", "ts": TS,
           "data": {"number": "A001", "nested": [1, "Hộ tịch"]}, "received_at": datetime.now(UTC)}]
FACTS = [
    {"office": "sai-gon", "ticket_id": "t1", "number": "A001", "field": None, "priority": True, "status": "waiting",
     "counter": None, "day": TS.date(), "issued_at": TS, "called_at": None, "finished_at": None,
     "officer_id": None, "officer_name": None, "dossiers": None},
    {"office": "sai-gon", "ticket_id": "t1", "number": None, "field": "ho-tich", "priority": False, "status": "called",
     "counter": 2, "day": TS.date(), "issued_at": None, "called_at": TS + timedelta(minutes=3), "finished_at": None,
     "officer_id": "tiepnhan", "officer_name": "Trần Ngọc Lan", "dossiers": None},
]


def raw_rows(engine: Engine) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return (conn.exec_driver_sql("SELECT * FROM event").fetchall(),
                conn.exec_driver_sql("SELECT * FROM ticket").fetchall())


def test_bulk_and_core_store_the_same_bytes(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cloud.db'}")
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(event_table.insert(), EVENTS)
        conn.execute(upsert_statement(engine.dialect.name), FACTS)
    by_core = raw_rows(engine)
    with engine.begin() as conn:
        conn.execute(delete(event_table))
        conn.execute(delete(ticket_table))
    with engine.begin() as conn:
        BulkStatement(event_table.insert(), engine.dialect).execute(conn, EVENTS)
        BulkStatement(upsert_statement(engine.dialect.name), engine.dialect).execute(conn, FACTS)
    assert raw_rows(engine) == by_core
    events, tickets = by_core
    assert events[0][5] == "2026-11-23 02:00:00.000000"  # stored in UTC
    assert tickets[0][5] == "called" and tickets[0][3] == "ho-tich"  # the upsert's literals were bound
