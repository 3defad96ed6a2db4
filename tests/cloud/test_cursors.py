"""Cursors per storage epoch, on SQLite and PostgreSQL: contiguity within an epoch, the highest
epoch's cursor is the one published, one SELECT and one upsert a batch, and migration 0008."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic.command import downgrade
from sqlalchemy import Engine, event, select, text

from cloud.db import migrate
from cloud.db.engine import make_engine
from cloud.db.tables import cursor_table, event_table
from cloud.ingest import cursors
from cloud.ingest.inbox import Inbound, Kind
from cloud.ingest.writer import IngestWriter
from protocol import decode_cursor, dumps, make_event, topics
from protocol.messages import CounterOpened
from tests.cloud.conftest import DEMO_YAML
from tests.registry.seeding import seed_and_load_offices

LOST, NEW = 1795396499000, 1795400000000  # two incarnations of the hub's database
Published = list[tuple[str, bytes]]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    seed_and_load_offices(engine, DEMO_YAML.parent)
    yield engine
    engine.dispose()


@pytest.fixture
def published() -> Published:
    return []


@pytest.fixture
def writer(engine: Engine, published: Published) -> IngestWriter:
    w = IngestWriter(engine, lambda topic, payload, qos, retain: published.append((topic, payload)) or True)
    w.reload_offices()
    w.nodes["sai-gon"] |= {"kiosk"}  # a second node of the office, as a satellite will be (docs/cloud.md, "Nodes")
    return w


def inbound(epoch: int, seq: int, node: str = "hub", id: str | None = None) -> Inbound:
    env = make_event("sai-gon", node, seq, datetime.now(UTC), CounterOpened(counter=1, fields=["ho-tich"]), id=id,
                     epoch=epoch)
    return Inbound(Kind.EVENT, topics.evt("sai-gon", node, env.type), dumps(env), datetime.now(UTC))


def sent(published: Published) -> list[tuple[str, int, int]]:
    """(node, epoch, seq) of each cursor published, then forgotten."""
    out = [(c.node, c.epoch, c.seq) for c in (decode_cursor(t, p) for t, p in published)]
    published.clear()
    return out


def rows(engine: Engine) -> list[tuple[str, int, int, int]]:
    c = cursor_table.c
    with engine.connect() as conn:
        return sorted(conn.execute(select(c.node, c.epoch, c.seq, c.max_seq)).all())


def test_seqs_are_contiguous_within_an_epoch_only(writer: IngestWriter, engine: Engine, published: Published) -> None:
    writer._process([inbound(LOST, 1), inbound(LOST, 2), inbound(LOST, 4)])
    assert sent(published) == [("hub", LOST, 2)]
    writer._process([inbound(NEW, 3), inbound(NEW, 1)])  # NEW's 3 does not fill LOST's gap
    assert sent(published) == [("hub", NEW, 1)]
    writer._process([inbound(NEW, 2)])
    assert sent(published) == [("hub", NEW, 3)]
    assert rows(engine) == [("hub", LOST, 2, 4), ("hub", NEW, 3, 3)]


def test_the_newest_epoch_wins_the_published_cursor(writer: IngestWriter, engine: Engine, published: Published) -> None:
    writer._process([inbound(LOST, seq) for seq in range(1, 6)])
    assert sent(published) == [("hub", LOST, 5)]
    # The hub lost its database: its new events 1…3 must not be taken as covered by cursor 5.
    writer._process([inbound(NEW, seq) for seq in range(1, 4)])
    assert sent(published) == [("hub", NEW, 3)]

    # A late re-send of the lost database (say from a broker's queue) is stored, once, and moves its
    # own epoch's row, but the hub, now in NEW, keeps getting NEW's cursor.
    late = inbound(LOST, 6, id="late-of-the-lost-database")
    writer._process([late])
    assert sent(published) == [("hub", NEW, 3)]
    writer._process([late])
    assert sent(published) == [("hub", NEW, 3)]
    assert (writer.stats.stored, writer.stats.duplicates) == (9, 1)
    assert rows(engine) == [("hub", LOST, 6, 6), ("hub", NEW, 3, 3)]

    with engine.connect() as conn:
        assert cursors.all_cursors(conn) == {("sai-gon", "hub"): (NEW, 3)}
        stored = conn.execute(select(event_table.c.epoch, event_table.c.seq)
                              .where(event_table.c.id == "late-of-the-lost-database")).one()
    assert tuple(stored) == (LOST, 6)


def test_one_batch_of_several_epochs_and_nodes(writer: IngestWriter, published: Published) -> None:
    writer._process([inbound(LOST, 1), inbound(NEW, 1), inbound(NEW, 2), inbound(0, 1, node="kiosk")])
    assert sorted(sent(published)) == [("hub", NEW, 2), ("kiosk", 0, 1)]


def test_republishing_sends_each_nodes_newest_epoch(writer: IngestWriter, published: Published) -> None:
    writer._process([inbound(LOST, 1), inbound(LOST, 2), inbound(NEW, 1), inbound(0, 1, node="kiosk")])
    published.clear()
    writer._publish_all_cursors()
    assert sorted(sent(published)) == [("hub", NEW, 1), ("kiosk", 0, 1)]


def test_an_epoch_0_cursor_is_published_without_the_key(writer: IngestWriter, published: Published) -> None:
    """A hub from before epochs refuses unknown keys in a cursor: its cursor must look as it always did."""
    writer._process([inbound(0, 1)])
    (topic, payload), = published
    assert set(json.loads(payload)) == {"v", "office", "node", "seq", "ts"}


def _statements(engine: Engine) -> list[tuple[str, Any]]:
    """(SQL, parameters) of every statement the engine runs from now on."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    return seen


def test_a_batch_costs_one_select_and_one_upsert(engine: Engine) -> None:
    with engine.begin() as conn:
        cursors.advance(conn, {("sai-gon", "hub", LOST): {1, 2}, ("sai-gon", "kiosk", 0): {1}})
    statements = _statements(engine)
    with engine.begin() as conn:
        assert cursors.advance(conn, {("sai-gon", "hub", NEW): {1, 2, 3}, ("sai-gon", "hub", LOST): {3},
                                      ("sai-gon", "kiosk", 0): {2, 3}}) == {
            ("sai-gon", "hub"): (NEW, 3), ("sai-gon", "kiosk"): (0, 3)}
    ours = [s for s, _ in statements if "node_cursor" in s]
    assert len(ours) == 2 and ours[0].lstrip().upper().startswith("SELECT") and "ON CONFLICT" in ours[1].upper()


def test_the_walk_over_a_gap_uses_the_epoch_index(writer: IngestWriter, engine: Engine) -> None:
    writer._process([inbound(NEW, 1), inbound(NEW, 3), inbound(NEW, 4)])  # 2 missing: 3 and 4 wait behind it
    statements = _statements(engine)
    writer._process([inbound(NEW, 2)])
    assert rows(engine) == [("hub", NEW, 4, 4)]
    (walk, parameters), = [(s, p) for s, p in statements if "FROM event" in s and "ORDER BY event.seq" in s]
    assert "event.epoch" in walk
    if engine.dialect.name == "sqlite":  # PostgreSQL's planner scans a table this small whatever the index
        with engine.connect() as conn:
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {walk}", parameters))
        assert "INDEX ix_event_office_node_epoch_seq (office=? AND node=? AND epoch=? AND seq>?)" in plan, plan


def test_migration_0008_puts_every_stored_row_in_epoch_0(engine: Engine, published: Published) -> None:
    downgrade(migrate.alembic_config(engine), "0007")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO event (id, office, node, seq, type, ts, data, received_at) VALUES "
                          "('before-epochs', 'sai-gon', 'hub', 1, 'counter.opened', :ts, '{}', :ts)"),
                     {"ts": datetime.now(UTC)})
        conn.execute(text("INSERT INTO node_cursor (office, node, seq, max_seq) VALUES ('sai-gon', 'hub', 1, 1)"))
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(select(event_table.c.epoch).where(event_table.c.id == "before-epochs")).scalar() == 0
    assert rows(engine) == [("hub", 0, 1, 1)]

    writer = IngestWriter(engine, lambda topic, payload, qos, retain: published.append((topic, payload)) or True)
    writer.reload_offices()
    writer._process([inbound(0, 2)])  # the same hub, not upgraded: its cursor goes on from 1
    assert sent(published) == [("hub", 0, 2)]
    writer._process([inbound(NEW, 1)])  # and after a storage loss, the new epoch is its own
    assert sent(published) == [("hub", NEW, 1)]

    downgrade(migrate.alembic_config(engine), "0007")  # back to one cursor a node: the newest epoch's
    with engine.connect() as conn:
        assert sorted(conn.execute(text("SELECT node, seq FROM node_cursor")).all()) == [("hub", 1)]
    migrate.upgrade(engine)
