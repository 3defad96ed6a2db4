"""The ingest writer on its own (no broker): batching, failure isolation, cursors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from cloud.db import migrate
from cloud.db.bulk import BulkStatement
from cloud.db.engine import make_engine
from cloud.db.tables import dead_letter_table, event_table
from cloud.ingest.inbox import Inbound, Kind
from cloud.ingest.writer import IngestWriter
from protocol import decode_cursor, dumps, make_event, topics
from protocol.messages import CounterOpened, TicketIssued
from tests.cloud.conftest import DEMO_YAML
from tests.registry.seeding import seed_and_load_offices
from tests.waiting import wait_until

Published = list[tuple[str, bytes, int, bool]]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'cloud.db'}")
    migrate.upgrade(engine)
    seed_and_load_offices(engine, DEMO_YAML.parent)
    yield engine
    engine.dispose()


@pytest.fixture
def published() -> Published:
    return []


@pytest.fixture
def writer(engine: Engine, published: Published) -> IngestWriter:
    def publish(topic: str, payload: bytes, qos: int, retain: bool) -> bool:
        published.append((topic, payload, qos, retain))
        return True

    w = IngestWriter(engine, publish, batch_size=100)
    w.reload_offices()
    w.nodes["sai-gon"] |= {"kiosk"}  # a second node of the office, as a satellite will be (docs/cloud.md, "Nodes")
    return w


def inbound(seq: int, node: str = "hub", id: str | None = None) -> Inbound:
    env = make_event("sai-gon", node, seq, datetime.now(UTC), CounterOpened(counter=1, fields=["ho-tich"]), id=id)
    return Inbound(Kind.EVENT, topics.evt("sai-gon", node, env.type), dumps(env), datetime.now(UTC))


def cursors(published: Published) -> list[tuple[str, int]]:
    out = []
    for topic, payload, qos, retain in published:
        assert (qos, retain) == (1, True)
        cursor = decode_cursor(topic, payload)
        out.append((cursor.node, cursor.seq))
    return out


def count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)  # type: ignore[arg-type]  # table is any table object; the stub wants a FromClause


def test_cursors_follow_contiguous_seqs_per_node_across_batches(writer: IngestWriter, published: Published) -> None:
    writer._process([inbound(1), inbound(2), inbound(4), inbound(1, node="kiosk")])
    assert sorted(cursors(published)) == [("hub", 2), ("kiosk", 1)]
    published.clear()
    writer._process([inbound(5), inbound(6)])
    assert cursors(published) == [("hub", 2)]  # 3 still missing: published again, unchanged
    published.clear()
    writer._process([inbound(3)])
    assert cursors(published) == [("hub", 6)]  # the gap filled: jumps over what was stored behind it


def test_the_same_seq_under_another_id_does_not_stop_the_cursor(writer: IngestWriter, published: Published) -> None:
    writer._process([inbound(1), inbound(1), inbound(2)])  # a node bug: seq 1 twice with different ids
    assert cursors(published) == [("hub", 2)]


def test_a_failing_batch_becomes_dead_letters_and_the_writer_goes_on(
    writer: IngestWriter, engine: Engine, published: Published
) -> None:
    writer._ticket_upsert = BulkStatement(text("this is not sql"), engine.dialect)
    issued = make_event("sai-gon", "hub", 1, datetime.now(UTC), TicketIssued(
        ticket_id="20261123-090000-0001", number="A001", field="ho-tich", day=datetime(2026, 11, 23).date(),
        waiting_ahead=0))
    bad_batch = [Inbound(Kind.EVENT, topics.evt("sai-gon", "hub", issued.type), dumps(issued), datetime.now(UTC)),
                 inbound(2)]
    writer._process(bad_batch)
    assert writer.stats.failed_batches == 1
    assert count(engine, event_table) == 0  # rolled back as a whole
    with engine.connect() as conn:
        reasons = conn.execute(select(dead_letter_table.c.reason)).scalars().all()
    assert len(reasons) == 2 and all(r.startswith("ingest failed: OperationalError") for r in reasons)
    assert published == []  # nothing committed, nothing confirmed: the edge will re-send

    writer._process([inbound(3)])  # counter.* events project no tickets: this batch works
    assert count(engine, event_table) == 1


def test_stop_finishes_what_is_queued(writer: IngestWriter, engine: Engine) -> None:
    writer.start()
    for seq in range(1, 251):
        writer.put(inbound(seq))
    writer.stop()
    assert count(engine, event_table) == 250
    assert writer.stats.batches >= 3  # at most 100 per batch


def test_republishing_sends_every_stored_cursor(writer: IngestWriter, published: Published) -> None:
    writer._process([inbound(1), inbound(1, node="kiosk"), inbound(2, node="kiosk")])
    published.clear()
    writer.start()
    writer.republish_cursors()
    wait_until(lambda: len(published) == 2, what="two cursors re-published")
    writer.stop()
    assert sorted(cursors(published)) == [("hub", 1), ("kiosk", 2)]



def test_a_batch_is_settled_only_after_its_commit(writer: IngestWriter, engine: Engine) -> None:
    """The receiver acks the broker when settled: by then the batch must be readable by anyone."""
    settled: list[tuple[bool, int]] = []
    first, second = inbound(1), inbound(2)
    writer.start()
    writer.put_batch([first, second], lambda committed: settled.append((committed, count(engine, event_table))))
    writer.put_batch([second], lambda committed: settled.append((committed, count(engine, event_table))))
    wait_until(lambda: len(settled) == 2, what="both batches settled")
    writer.stop()
    assert settled == [(True, 2), (True, 2)]  # a duplicate is settled too: it is stored, once


def test_dead_letters_are_settled_once_committed_and_an_uncommitted_batch_is_not(
    writer: IngestWriter, engine: Engine
) -> None:
    settled: list[bool] = []
    bad = Inbound(Kind.EVENT, topics.evt("sai-gon", "hub", "ticket.issued"), b"not json", datetime.now(UTC))
    writer.start()
    writer.put_batch([bad], settled.append)
    wait_until(lambda: settled == [True], what="the dead letter settled")
    assert count(engine, dead_letter_table) == 1

    writer._ticket_upsert = BulkStatement(text("this is not sql"), engine.dialect)  # the batch fails …
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE dead_letter"))  # … and so do its dead letters
    issued = make_event("sai-gon", "hub", 1, datetime.now(UTC), TicketIssued(
        ticket_id="20261123-090000-0001", number="A001", field="ho-tich", day=datetime(2026, 11, 23).date(),
        waiting_ahead=0))
    writer.put_batch([Inbound(Kind.EVENT, topics.evt("sai-gon", "hub", issued.type), dumps(issued), datetime.now(UTC))],
                     settled.append)
    wait_until(lambda: len(settled) == 2, timeout=60, what="the failed batch settled")  # two logged tracebacks
    writer.stop()
    assert settled == [True, False]  # not committed: the broker must deliver it again
    assert count(engine, event_table) == 0
