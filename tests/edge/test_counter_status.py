"""Who serves at a counter: the status its officer set, kept by the hub and stamped on its ticket events.

The engine runs on a real SQLite file with an injected clock; a restart is a
new ``Store`` and ``QueueEngine`` on the same file, as after a power cut.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from edge.outbox import Outbox
from edge.queue.engine import CounterPaused, QueueEngine, QueueError, Staffing, UnknownCounter
from edge.store import Store
from protocol import decode_event, topics
from protocol.messages import CounterStatusSet, OfficerRef
from tests.edge.test_queue_engine import DEMO, Clock

LAN = OfficerRef(id="tiepnhan", name="Nguyễn Thị Lan")
MINH = OfficerRef(id="minh.tran", name="Trần Văn Minh")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "hub.db")
    yield s
    s.close()


@pytest.fixture
def engine(store: Store, clock: Clock) -> QueueEngine:
    return QueueEngine(store, DEMO, "hub", clock)


def _events(store: Store) -> list[tuple[str, dict]]:
    """Every event in the outbox, decoded: (type, data) in seq order."""
    out = []
    for pending in Outbox(store).pending():
        env = decode_event(topics.evt("sai-gon", "hub", pending.type), pending.payload).envelope
        out.append((env.type, env.data))
    return out


def _officer(data: dict) -> str | None:
    return data["officer"]["name"] if data.get("officer") else None


def test_signing_in_stamps_the_officer_on_every_ticket_event_of_that_counter_only(engine, store, clock):
    for _ in range(3):
        engine.issue("ho-tich")
    engine.issue("dat-dai")
    status = engine.set_status(CounterStatusSet(counter=1, status="open", officer=LAN))
    assert [e.type for e in status.events] == ["counter.status"]
    clock.tick()
    engine.call_next(1)  # A001
    engine.recall(1)
    engine.call_next(1)  # A002, closing A001 as served
    engine.finish(1, served=True)
    engine.call_next(1)  # A003
    engine.finish(1, served=False)
    engine.call_next(2)  # B001 at counter 2, where nobody signed in

    events = _events(store)
    stamped = [(t, _officer(d)) for t, d in events if t.startswith("ticket.") and t != "ticket.issued"]
    assert stamped == [
        ("ticket.called", "Nguyễn Thị Lan"), ("ticket.recalled", "Nguyễn Thị Lan"), ("ticket.called", "Nguyễn Thị Lan"),
        ("ticket.served", "Nguyễn Thị Lan"), ("ticket.called", "Nguyễn Thị Lan"), ("ticket.no_show", "Nguyễn Thị Lan"),
        ("ticket.called", None),
    ]
    assert [d for t, d in events if t == "counter.status"] == [
        {"counter": 1, "status": "open", "officer": {"id": "tiepnhan", "name": "Nguyễn Thị Lan"}}]


def test_a_paused_counter_refuses_to_call_but_finishes_its_citizen_and_can_close(engine, store):
    engine.issue("ho-tich")
    engine.issue("ho-tich")
    engine.set_status(CounterStatusSet(counter=1, status="open", officer=LAN))
    engine.call_next(1)
    engine.set_status(CounterStatusSet(counter=1, status="paused", officer=LAN))
    before = Outbox(store).count()

    with pytest.raises(CounterPaused) as refused:
        engine.call_next(1)
    assert refused.value.code == "counter_paused"
    assert refused.value.message_vi == "Quầy 1 đang tạm nghỉ. Mở lại quầy để gọi số tiếp theo."
    assert Outbox(store).count() == before  # the refusal wrote nothing
    assert [t.number for t in engine.snapshot().waiting["ho-tich"]] == ["A002"]

    served = engine.finish(1, served=True)  # the citizen at the desk is still served, and by whom is known
    assert _officer(served.events[0].data) == "Nguyễn Thị Lan"
    closed = engine.set_status(CounterStatusSet(counter=1, status="closed"))
    assert closed.events[0].data == {"counter": 1, "status": "closed", "officer": None}
    assert engine.call_next(1).events[-1].data["officer"] is None  # signed out: a keypad press is nobody's


def test_the_status_survives_a_restart_and_lapses_with_the_day(tmp_path, clock):
    db = tmp_path / "hub.db"
    store = Store(db)
    engine = QueueEngine(store, DEMO, "hub", clock)
    engine.issue("ho-tich")
    engine.set_status(CounterStatusSet(counter=1, status="open", officer=MINH))
    store.close()

    store = Store(db)  # the hub restarted, offline
    engine = QueueEngine(store, DEMO, "hub", clock)
    assert engine.snapshot().counters[0].staffing == Staffing("open", MINH)
    assert _officer(engine.call_next(1).events[-1].data) == "Trần Văn Minh"

    clock.set("2026-11-25 08:00")  # the next working day: nobody has signed in yet
    engine.issue("ho-tich")
    assert engine.snapshot().counters[0].staffing == Staffing("closed")
    assert engine.call_next(1).events[-1].data["officer"] is None
    store.close()


def test_the_views_status_tells_open_closed_and_on_break_apart(engine, clock):
    engine.issue("ho-tich")
    engine.issue("ho-tich")
    staffing = {c.number: c.staffing for c in engine.snapshot().counters}
    # Citizens wait, but nobody is at any counter: closed, not "on a break".
    assert staffing == {1: Staffing("closed"), 2: Staffing("closed"), 3: Staffing("closed")}

    clock.tick()
    engine.call_next(1)  # the keypad is in use by someone who did not sign in
    assert engine.snapshot().counters[0].staffing == Staffing("open")
    clock.tick()
    engine.set_status(CounterStatusSet(counter=3, status="open", officer=LAN))
    engine.set_status(CounterStatusSet(counter=1, status="paused", officer=MINH))
    staffing = {c.number: c.staffing for c in engine.snapshot().counters}
    assert staffing == {1: Staffing("paused", MINH), 2: Staffing("closed"), 3: Staffing("open", LAN)}

    clock.tick()
    engine.set_status(CounterStatusSet(counter=1, status="closed"))
    assert engine.snapshot().counters[0].staffing == Staffing("closed")  # signed out after its last call
    clock.tick()
    engine.call_next(1)
    assert engine.snapshot().counters[0].staffing == Staffing("open")  # and its keypad in use again


def test_a_status_for_an_unknown_counter_is_refused_and_writes_nothing(engine, store):
    with pytest.raises(UnknownCounter):
        engine.set_status(CounterStatusSet(counter=9, status="open", officer=LAN))
    assert Outbox(store).count() == 0
    assert store.query("SELECT COUNT(*) FROM counter_status")[0][0] == 0


def test_the_database_refuses_a_closed_status_with_an_officer(store):
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as conn:
        conn.execute("INSERT INTO counter_status VALUES (1, '2026-11-23', 'closed', 'tiepnhan', 'Nguyễn Thị Lan', 'x')")


def test_every_refusal_a_command_can_get_is_in_the_protocol_readmes_error_table():
    readme = (Path(__file__).resolve().parents[2] / "protocol" / "README.md").read_text(encoding="utf-8")
    table = {line.split("|")[1].strip().strip("`") for line in readme.splitlines() if line.startswith("| `")}
    kiosk_only = {"closed", "day_off", "unknown_field"}  # the kiosk's refusals, shown on its screen, never acked

    def codes(cls: type[QueueError]) -> set[str]:
        return {cls.code}.union(*(codes(sub) for sub in cls.__subclasses__()))

    assert "counter_paused" in codes(QueueError)
    assert codes(QueueError) - {"queue_error"} - kiosk_only <= table
