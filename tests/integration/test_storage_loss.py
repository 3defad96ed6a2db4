"""A hub that lost its database: the real hub, both brokers and the cloud ingest.

The hub's SQLite file is deleted mid-day and the hub starts again from seq 1,
while the cloud's retained cursor still says seq 5 for the lost database.
Without storage epochs that cursor "confirmed" the new events 1…3: the hub
sent none of them and deleted them at the next cursor, although the cloud had
never seen them. With epochs the old cursor confirms nothing of the new
database, every new event is stored, and the outbox empties only once the
cloud's cursor of the new epoch arrives.
"""

from __future__ import annotations

from pathlib import Path

from edge.agent import HubAgent
from protocol import Cursor, decode_cursor, decode_event, topics
from tests.integration.test_walking_skeleton import KIOSK
from tests.stack import start_hub
from tests.waiting import wait_until

PINS = list(KIOSK.values())
BEFORE_LOSS, AFTER_LOSS = 5, 3  # the old cursor (5) covers every new seq (1…3)


def _issue(hub: HubAgent, tickets: int) -> None:
    assert hub.sim is not None
    for i in range(tickets):
        hub.sim.press(PINS[i % len(PINS)])
    hub.sim.printer.wait_for_receipts(tickets, timeout=10)


def _outbox_ids(hub: HubAgent) -> dict[str, int]:
    """id → seq of what the hub still holds."""
    return {decode_event(topics.evt("sai-gon", "hub", p.type), p.payload).envelope.id: p.seq for p in hub.outbox.pending()}


def _cloud_events(stack) -> dict[str, tuple[int, int]]:
    """id → (epoch, seq) of every event the cloud stored for the demo hub."""
    with stack.cloud_db() as db:
        return {i: (e, s) for i, e, s in db.execute("SELECT id, epoch, seq FROM event WHERE office = 'sai-gon'")}


def _cursor_seen(hub: HubAgent) -> Cursor | None:
    """The retained cursor has reached the hub (the lost database's: the cloud is unreachable)."""
    return hub.forwarder.last_cursor


def test_a_hub_that_lost_its_database_gets_every_new_event_to_the_cloud(stack, mqtt_probe, tmp_path: Path):
    old = stack.hub
    _issue(old, BEFORE_LOSS)
    wait_until(lambda: old.outbox.count() == 0 and old.outbox.confirmed() == BEFORE_LOSS, timeout=30,
               what="the first events confirmed by the cloud")
    before = {i: seq for i, (_, seq) in _cloud_events(stack).items()}
    assert sorted(before.values()) == list(range(1, BEFORE_LOSS + 1))

    old.stop()
    for name in ("hub.db", "hub.db-wal", "hub.db-shm"):
        (old.options.data_dir / name).unlink(missing_ok=True)
    assert not list(old.options.data_dir.glob("hub.db*"))

    # The WAN is down: the new events can get no further than the office broker, and what
    # the hub hears is the retained cursor of the lost database.
    stack.cloud_broker.process.stop()
    new = start_hub(tmp_path, stack.office_broker)
    try:
        assert new.client.wait_connected(10)
        retained = wait_until(lambda: _cursor_seen(new), timeout=20, what="the retained cursor at the new hub")
        assert retained.seq == BEFORE_LOSS
        _issue(new, AFTER_LOSS)
        held = _outbox_ids(new)
        assert sorted(held.values()) == list(range(1, AFTER_LOSS + 1))  # counted again from 1
        assert not set(held) & set(before)
        assert new.outbox.confirmed() == 0, "the lost database's cursor confirmed the new one's seqs"
        assert _outbox_ids(new) == held, "events pruned that the cloud has never seen"

        stack.cloud_broker.process.start()  # the cloud re-publishes the old cursor on reconnect, then stores

        def drained() -> bool:
            # Read the outbox first: an event gone from it then must already be in the cloud.
            holding = _outbox_ids(new)
            stored = _cloud_events(stack)
            lost = [i for i in held if i not in holding and i not in stored]
            assert not lost, f"pruned from the outbox before the cloud stored them: {lost}"
            return not holding

        wait_until(drained, timeout=60, what="the new events stored and the outbox empty")
        assert new.outbox.confirmed() == AFTER_LOSS

        stored = _cloud_events(stack)
        assert len(stored) == BEFORE_LOSS + AFTER_LOSS  # nothing lost, nothing twice
        assert set(held) | set(before) == set(stored)
        epochs = {e for e, _ in stored.values()}
        old_epoch, new_epoch = retained.epoch, new.outbox.epoch
        assert new_epoch > old_epoch > 0 and epochs == {old_epoch, new_epoch}
        assert {i: s for i, (e, s) in stored.items() if e == old_epoch} == before
        assert {i: s for i, (e, s) in stored.items() if e == new_epoch} == held

        cloud = mqtt_probe(stack.cloud_broker)
        cloud.subscribe(topics.cursor("sai-gon", "hub"))
        message = cloud.next_message(timeout=10)  # retained: the cursor of the newest epoch
        assert (decode_cursor(message.topic, message.payload).epoch, decode_cursor(message.topic, message.payload).seq) \
            == (new_epoch, AFTER_LOSS)
    finally:
        new.stop()
