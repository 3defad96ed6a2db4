"""A cursor above the highest seq the hub has issued is refused (issue 9).

An outside probe published ``{"seq": 1000000000}`` on the demo hub's cursor
topic: the hub stored it as confirmed, pruned its outbox, and never sent the
next kiosk tickets. The cloud only counts what it received, so such a cursor
is forged (or from a restored backup): the hub keeps every event, keeps
sending, and raises one ``node.alert`` that reaches the cloud like any fact.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog

from edge.forwarder import Forwarder
from edge.outbox import CursorAhead, Outbox
from edge.queue.engine import QueueEngine
from edge.store import Store
from protocol import Cursor, decode_event, dumps, topics
from tests.edge.test_queue_engine import DEMO, Clock
from tests.integration.test_walking_skeleton import KIOSK
from tests.stack import cloud_service, stack  # noqa: F401  (fixtures: the real cloud service, brokers and hub)
from tests.waiting import wait_until
from transport import MqttClient, MqttSettings

FORGED_SEQ = 1_000_000_000
TOPIC = topics.cursor("sai-gon", "hub")


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "hub.db")
    yield s
    s.close()


def _cursor(epoch: int, seq: int, ts: datetime | None = None) -> bytes:
    return dumps(Cursor(office="sai-gon", node="hub", epoch=epoch, seq=seq, ts=ts or datetime.now(UTC)))


def _alerts(outbox: Outbox) -> list[dict]:
    return [decode_event(topics.evt("sai-gon", "hub", p.type), p.payload).envelope.data
            for p in outbox.pending() if p.type == "node.alert"]


def test_the_outbox_refuses_a_cursor_above_its_last_seq_and_prunes_nothing(store: Store) -> None:
    engine = QueueEngine(store, DEMO, "hub", Clock())
    for _ in range(3):
        engine.issue("ho-tich")
    outbox = Outbox(store)
    with pytest.raises(CursorAhead, match="above the highest seq this hub has issued \\(3\\)"):
        outbox.confirm(FORGED_SEQ, outbox.epoch)
    with pytest.raises(CursorAhead):
        outbox.confirm(4)  # one above is as impossible as a billion above
    assert (outbox.count(), outbox.confirmed()) == (3, 0)
    assert outbox.confirm(3, outbox.epoch) == 3  # the highest issued seq is a fair cursor
    assert (outbox.count(), outbox.confirmed()) == (0, 3)


def test_the_forwarder_keeps_its_events_and_raises_one_alert_per_forged_cursor(store: Store) -> None:
    engine = QueueEngine(store, DEMO, "hub", Clock())
    for _ in range(3):
        engine.issue("ho-tich")
    outbox = Outbox(store)
    client = MqttClient("demo-hub-test", MqttSettings(port=1))  # never started: the handler is called as paho would
    forwarder = Forwarder(client, outbox, "sai-gon", "hub")
    forged = _cursor(outbox.epoch, FORGED_SEQ)

    with structlog.testing.capture_logs() as logs:
        forwarder._on_cursor(TOPIC, forged)
        forwarder._on_cursor(TOPIC, forged)  # the retained one again, on a reconnect
    refused = [e for e in logs if e["event"] == "cursor.ahead_refused"]
    assert [(e["log_level"], e["cursor_seq"]) for e in refused] == [("error", FORGED_SEQ)] * 2
    assert refused[0]["last_seq"] == 3
    assert outbox.confirmed() == 0
    assert [p.seq for p in outbox.pending()] == [1, 2, 3, 4]  # every ticket kept, and the alert is seq 4
    (alert,) = _alerts(outbox)
    assert alert["code"] == "cursor_ahead"
    assert alert["details"]["cursor_seq"] == FORGED_SEQ and alert["details"]["last_seq"] == 3
    assert "nothing was pruned" in alert["message"]

    # A later ticket is still sent: pending() starts after what was confirmed, not after the forged seq.
    engine.issue("dat-dai")
    assert [p.seq for p in outbox.pending(after_seq=outbox.confirmed())] == [1, 2, 3, 4, 5]
    # A forged cursor just one above what was issued is refused too, and stays refused when the
    # alert's own seq reaches it (it is the retained one, delivered again).
    just_above = _cursor(outbox.epoch, 6)
    forwarder._on_cursor(TOPIC, just_above)
    assert outbox.last_seq() == 6 and len(_alerts(outbox)) == 2
    forwarder._on_cursor(TOPIC, just_above)
    assert outbox.confirmed() == 0 and len(_alerts(outbox)) == 2
    # The cloud's own cursor still prunes as before.
    forwarder._on_cursor(TOPIC, _cursor(outbox.epoch, 4))
    assert [p.seq for p in outbox.pending()] == [5, 6]


def test_a_forged_cursor_from_the_cloud_side_does_not_silence_the_office(stack, mqtt_probe) -> None:  # noqa: F811
    """Injected on the cloud broker as the service user would publish it, carried down by the bridge."""
    hub = stack.hub
    assert hub.sim is not None
    hub.sim.press(KIOSK["ho-tich"])
    wait_until(lambda: hub.outbox.count() == 0 and hub.outbox.confirmed() == 1, timeout=30,
               what="the first ticket confirmed by the cloud")

    service = mqtt_probe(stack.cloud_broker)
    service.publish(TOPIC, _cursor(hub.outbox.epoch, FORGED_SEQ), qos=1, retain=True)
    wait_until(lambda: hub.forwarder.last_cursor is not None and hub.forwarder.last_cursor.seq == FORGED_SEQ,
               timeout=20, what="the forged cursor at the hub")
    assert hub.outbox.confirmed() <= hub.outbox.last_seq() < FORGED_SEQ

    for field in ("dat-dai", "chung-thuc"):
        hub.sim.press(KIOSK[field])
    hub.sim.printer.wait_for_receipts(3, timeout=10)

    def stored() -> dict[str, list[dict]]:
        with stack.cloud_db() as db:
            rows = db.execute("SELECT type, data FROM event WHERE office = 'sai-gon' AND node = 'hub'").fetchall()
        found: dict[str, list[dict]] = {}
        for type_, data in rows:
            found.setdefault(type_, []).append(json.loads(data))
        return found

    # The later tickets and the alert reach the cloud's store (not its dead letters), and the
    # cloud's own cursor, published after that commit, empties the outbox.
    wait_until(lambda: len(stored().get("ticket.issued", [])) == 3 and stored().get("node.alert"), timeout=30,
               what="the later tickets and the alert in the cloud")
    (alert,) = stored()["node.alert"]
    assert (alert["code"], alert["details"]["cursor_seq"]) == ("cursor_ahead", FORGED_SEQ)
    wait_until(lambda: hub.outbox.count() == 0 and hub.outbox.confirmed() == hub.outbox.last_seq(), timeout=30,
               what="the outbox confirmed by the cloud's real cursor")
    with stack.cloud_db() as db:
        assert db.execute("SELECT COUNT(*) FROM dead_letter").fetchone()[0] == 0
