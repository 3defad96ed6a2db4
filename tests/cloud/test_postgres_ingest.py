"""The ingest writer on PostgreSQL as on SQLite: what PostgreSQL's stricter types used to break.

Two inputs the protocol allows failed whole batches on PostgreSQL only: a
``seq`` past 2**31 - 1 (INTEGER is 32 bits there; 64 since migration 0006)
and a payload with a NUL byte, which could not even become a dead letter
(PostgreSQL's text refuses NUL; ``cloud.db.types.ReadableText``). The rest
checks the writer's ordinary work on both: events stored once, the
projection's upsert, aware UTC instants, cursors.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, select

from cloud.db import migrate
from cloud.db.engine import make_engine
from cloud.db.tables import cursor_table, dead_letter_table, event_table, ticket_table
from cloud.ingest.inbox import Inbound, Kind
from cloud.ingest.writer import IngestWriter
from protocol import decode_cursor, dumps, make_event, topics
from protocol.envelope import MAX_SEQ
from protocol.messages import CounterOpened, Message, TicketIssued
from tests.cloud.conftest import DEMO_YAML
from tests.registry.seeding import seed_and_load_offices

HANOI = timezone(timedelta(hours=7))
TS = datetime(2026, 11, 23, 9, 0, tzinfo=HANOI)
NUL_PAYLOAD = b'{"v": 1, "id": "\x00"}'


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    seed_and_load_offices(engine, DEMO_YAML.parent)
    yield engine
    engine.dispose()


def inbound(node: str, seq: int, data: Message) -> Inbound:
    env = make_event("sai-gon", node, seq, TS, data)
    return Inbound(Kind.EVENT, topics.evt("sai-gon", node, env.type), dumps(env), datetime.now(UTC))


def test_the_writer_stores_big_seqs_nul_payloads_and_each_event_once(engine: Engine) -> None:
    published: list[tuple[str, bytes]] = []
    writer = IngestWriter(engine, lambda topic, payload, qos, retain: published.append((topic, payload)) or True)
    writer.reload_offices()
    writer.nodes["sai-gon"] |= {"kiosk"}  # a second node of the office, as a satellite will be (docs/cloud.md, "Nodes")
    batch = [
        inbound("hub", 1, TicketIssued(ticket_id="20261123-090000-0001", number="A001", field="ho-tich",
                                       day=TS.date(), waiting_ahead=0)),
        inbound("kiosk", 1, CounterOpened(counter=1, fields=["ho-tich"])),
        inbound("kiosk", MAX_SEQ, CounterOpened(counter=2, fields=["ho-tich"])),
        Inbound(Kind.EVENT, topics.evt("sai-gon", "hub", "counter.opened"), NUL_PAYLOAD, datetime.now(UTC)),
    ]

    writer._process(batch)
    writer._process(batch[:3])  # delivered again: stored once

    assert (writer.stats.failed_batches, writer.stats.stored, writer.stats.duplicates) == (0, 3, 3)
    with engine.connect() as conn:
        assert sorted(conn.execute(select(event_table.c.node, event_table.c.seq)).all()) == [
            ("hub", 1), ("kiosk", 1), ("kiosk", MAX_SEQ)]
        assert sorted(conn.execute(select(cursor_table.c.node, cursor_table.c.seq, cursor_table.c.max_seq)).all()) == [
            ("hub", 1, 1), ("kiosk", 1, MAX_SEQ)]
        ticket = conn.execute(select(ticket_table)).one()
        dead = conn.execute(select(dead_letter_table)).one()
    assert ticket.status == "waiting" and ticket.number == "A001" and ticket.issued_at == TS
    assert ticket.issued_at.tzinfo == UTC
    assert dead.payload_raw == NUL_PAYLOAD and dead.reason.startswith("invalid event envelope")
    assert dead.payload.replace("\ufffd", "\x00") == NUL_PAYLOAD.decode()
    assert {(c.node, c.seq) for c in (decode_cursor(t, p) for t, p in published)} == {("hub", 1), ("kiosk", 1)}
