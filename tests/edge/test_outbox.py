"""The outbox's storage epoch: chosen once per database, 0 for a database from before epochs,
and only a cursor of the outbox's own epoch prunes it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import structlog

from edge.forwarder import Forwarder
from edge.outbox import Outbox
from edge.queue.engine import QueueEngine
from edge.store import Store
from protocol import Cursor, decode_event, dumps, make_event, topics
from protocol.messages import CounterClosed
from tests.edge.test_queue_engine import DEMO, Clock
from tests.waiting import wait_until
from transport import MqttClient, MqttSettings


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _epochs(store: Store) -> list[int]:
    """The epoch of every event in the outbox, as the cloud will read it."""
    return [decode_event(topics.evt("sai-gon", "hub", p.type), p.payload).envelope.epoch for p in Outbox(store).pending()]


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "hub.db")
    yield s
    s.close()


def test_a_new_database_takes_the_time_in_ms_as_its_epoch_once(tmp_path: Path) -> None:
    before = _now_ms()
    store = Store(tmp_path / "hub.db")
    epoch = Outbox(store).epoch
    assert before <= epoch <= _now_ms()
    assert Outbox(store).epoch == epoch  # chosen once, not per Outbox
    store.close()
    reopened = Store(tmp_path / "hub.db")
    assert Outbox(reopened).epoch == epoch  # it survives a restart
    assert reopened.query("SELECT value FROM meta WHERE key = 'epoch'")[0][0] == str(epoch)
    reopened.close()


def test_every_event_carries_the_epoch_even_when_it_is_the_first_write(store: Store) -> None:
    engine = QueueEngine(store, DEMO, "hub", Clock())
    engine.issue("ho-tich")  # before any Outbox exists: the event's own transaction picks the epoch
    engine.issue("ho-tich")
    epoch = Outbox(store).epoch
    assert epoch > 0 and _epochs(store) == [epoch, epoch]


def _legacy_database(path: Path, events: int) -> None:
    """What a hub from before epochs left: events, last_seq and a cursor in meta, no epoch."""
    store = Store(path)
    with store.transaction() as db:  # the rows the old edge.outbox.append wrote, by hand
        for seq in range(1, events + 1):
            env = make_event("sai-gon", "hub", seq, Clock()(), CounterClosed(counter=1))
            db.execute("INSERT INTO outbox (seq, id, type, payload, created_at) VALUES (?, ?, ?, ?, ?)",
                       (seq, env.id, env.type, dumps(env), env.ts.isoformat()))
        db.execute("INSERT INTO meta (key, value) VALUES ('last_seq', ?), ('cursor', '1')", (str(events),))
    store.close()


def test_a_database_from_before_epochs_is_epoch_0_and_keeps_counting(tmp_path: Path) -> None:
    _legacy_database(tmp_path / "hub.db", events=2)
    store = Store(tmp_path / "hub.db")
    outbox = Outbox(store)
    assert outbox.epoch == 0 and outbox.confirmed() == 1
    QueueEngine(store, DEMO, "hub", Clock()).issue("ho-tich")
    assert [p.seq for p in outbox.pending()] == [1, 2, 3]
    assert _epochs(store) == [0, 0, 0]
    assert "epoch" not in json.loads(outbox.pending()[-1].payload)  # a cloud from before epochs still reads it
    assert outbox.confirm(2, epoch=0) == 2
    store.close()


def test_a_wiped_database_starts_a_later_epoch_at_seq_1(tmp_path: Path) -> None:
    store = Store(tmp_path / "hub.db")
    engine = QueueEngine(store, DEMO, "hub", Clock())
    for _ in range(3):
        engine.issue("ho-tich")
    lost = Outbox(store).epoch
    store.close()
    for name in ("hub.db", "hub.db-wal", "hub.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    wait_until(lambda: _now_ms() > lost, what="the next millisecond")

    store = Store(tmp_path / "hub.db")
    QueueEngine(store, DEMO, "hub", Clock()).issue("ho-tich")
    outbox = Outbox(store)
    assert outbox.epoch > lost
    assert [p.seq for p in outbox.pending()] == [1] and _epochs(store) == [outbox.epoch]
    store.close()


def test_only_a_cursor_of_the_own_epoch_prunes(store: Store) -> None:
    engine = QueueEngine(store, DEMO, "hub", Clock())
    for _ in range(3):
        engine.issue("ho-tich")
    outbox = Outbox(store)
    for other in (0, outbox.epoch - 1, outbox.epoch + 1):
        assert outbox.confirm(10, epoch=other) == 0
    assert outbox.count() == 3 and outbox.confirmed() == 0
    assert outbox.confirm(2, epoch=outbox.epoch) == 2
    assert (outbox.count(), outbox.confirmed()) == (1, 2)


def test_the_forwarder_ignores_and_logs_a_cursor_of_another_epoch(store: Store) -> None:
    engine = QueueEngine(store, DEMO, "hub", Clock())
    for _ in range(3):
        engine.issue("ho-tich")
    outbox = Outbox(store)
    client = MqttClient("demo-hub-test", MqttSettings(port=1))  # never started: the handler is called directly
    forwarder = Forwarder(client, outbox, "sai-gon", "hub")
    topic = topics.cursor("sai-gon", "hub")

    def cursor(epoch: int, seq: int) -> bytes:
        return dumps(Cursor(office="sai-gon", node="hub", epoch=epoch, seq=seq, ts=Clock()()))

    with structlog.testing.capture_logs() as logs:
        forwarder._on_cursor(topic, cursor(outbox.epoch - 5, 500))  # the lost database's
        forwarder._on_cursor(topic, cursor(outbox.epoch + 5, 500))  # a later one: the clock was behind
    assert [(e["event"], e["log_level"], e["cursor_seq"]) for e in logs] == [
        ("cursor.older_epoch_ignored", "info", 500), ("cursor.newer_epoch_ignored", "warning", 500)]
    assert outbox.count() == 3 and outbox.confirmed() == 0
    assert forwarder.last_cursor is not None and forwarder.last_cursor.epoch == outbox.epoch + 5

    forwarder._on_cursor(topic, cursor(outbox.epoch, 2))
    assert (outbox.count(), outbox.confirmed()) == (1, 2)
