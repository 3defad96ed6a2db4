"""Queue rules at the hub, with an injected clock (no sleeping, no network)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from edge.agent import HubAgent, HubOptions
from edge.outbox import Outbox
from edge.queue.engine import (
    ClosedOnDayOff,
    NothingCalled,
    OutsideOpeningHours,
    QueueEmpty,
    QueueEngine,
    SameCounter,
    TargetCounterClosed,
    UnknownCounter,
)
from edge.store import Store
from protocol import decode_event, topics
from protocol.messages import CounterStatusSet, OfficerRef
from protocol.office_config import parse_office_config
from workdays import CalendarOverrides

ROOT = Path(__file__).resolve().parents[2]
DEMO = parse_office_config(yaml.safe_load((ROOT / "firmware_configs/sai-gon.yaml").read_text()), "sai-gon.yaml")
LAN = OfficerRef(id="tiepnhan", name="Nguyễn Thị Lan")


class Clock:
    """A settable clock; 2026-11-23 is a Monday, 08:00 in Hồ Chí Minh City is 01:00 UTC."""

    def __init__(self, local: str = "2026-11-23 08:00") -> None:
        self.now = _local(local)

    def __call__(self) -> datetime:
        return self.now

    def set(self, local: str) -> None:
        self.now = _local(local)

    def tick(self, seconds: int = 1) -> None:
        self.now += timedelta(seconds=seconds)


def _local(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC) - timedelta(hours=7)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "hub.db")
    yield s
    s.close()


@pytest.fixture
def engine(store: Store, clock: Clock) -> QueueEngine:
    return QueueEngine(store, DEMO, "hub", clock)


def test_ticket_numbers_carry_the_field_prefix_and_ids_carry_date_time_and_daily_sequence(engine, clock):
    a = engine.issue("ho-tich").ticket
    clock.tick(61)
    b = engine.issue("dat-dai").ticket
    clock.tick(1)
    c = engine.issue("ho-tich").ticket
    assert (a.number, b.number, c.number) == ("A001", "B001", "A002")
    assert a.ticket_id == "20261123-080000-0001"
    assert b.ticket_id == "20261123-080101-0002"
    assert c.ticket_id == "20261123-080102-0003"


def test_numbers_restart_at_local_midnight_not_utc_midnight(engine, clock):
    # Monday 30/11 → Tuesday 1/12/2026. (This test used Tuesday 24/11, Ngày Văn hóa Việt Nam: a day
    # off in the calendar, on which the kiosk now refuses tickets.)
    clock.set("2026-11-30 16:59")
    assert engine.issue("ho-tich").ticket.number == "A001"
    # 07:30 local on Tuesday is 00:30 UTC: still "today" in UTC terms until 17:00 UTC Monday.
    clock.set("2026-12-01 07:30")
    t = engine.issue("ho-tich").ticket
    assert t.number == "A001"
    assert t.ticket_id.startswith("20261201-073000-0001")


def test_yesterdays_waiting_tickets_are_not_called_today(engine, clock):
    clock.set("2026-11-23 16:30")
    engine.issue("ho-tich")
    clock.set("2026-11-24 07:30")
    with pytest.raises(QueueEmpty):
        engine.call_next(1)


@pytest.mark.parametrize("local", ["2026-11-23 07:29", "2026-11-23 11:30", "2026-11-23 13:29", "2026-11-23 12:00", "2026-11-23 17:00",
                                   "2026-11-28 13:00", "2026-11-29 09:00"])
def test_no_ticket_outside_opening_hours(engine, clock, store, local):
    clock.set(local)
    with pytest.raises(OutsideOpeningHours) as err:
        engine.issue("ho-tich")
    assert "Ngoài giờ tiếp nhận" in err.value.message_vi
    assert store.query("SELECT COUNT(*) FROM tickets")[0][0] == 0
    assert Outbox(store).count() == 0


def test_opening_hours_message_lists_todays_periods(engine, clock):
    clock.set("2026-11-23 12:00")
    with pytest.raises(OutsideOpeningHours) as err:
        engine.issue("ho-tich")
    assert "07:30–11:30, 13:30–17:00" in err.value.message_vi
    clock.set("2026-11-29 09:00")  # Sunday
    with pytest.raises(OutsideOpeningHours) as err:
        engine.issue("ho-tich")
    assert "không tiếp nhận" in err.value.message_vi


@pytest.mark.parametrize("local", ["2026-11-23 07:30", "2026-11-23 11:29", "2026-11-23 13:30", "2026-11-23 16:59",
                                   "2026-11-28 07:30", "2026-11-28 11:29"])
def test_the_queue_opens_with_the_office_hours_the_deadlines_use(engine, clock, local):
    """One schedule: the demo's hours are the calendar's 07:30-11:30 and 13:30-17:00, Saturday-morning reception."""
    clock.set(local)
    assert engine.issue("ho-tich").ticket.number == "A001"


def test_saturday_morning_closed_in_the_hours_closes_the_saturday_queue(store, clock):
    data = yaml.safe_load((ROOT / "firmware_configs/sai-gon.yaml").read_text())
    data["hours"]["saturday_morning"] = "closed"
    engine = QueueEngine(store, parse_office_config(data, "sai-gon.yaml"), "hub", clock)
    clock.set("2026-11-28 08:00")
    with pytest.raises(OutsideOpeningHours):
        engine.issue("ho-tich")
    clock.set("2026-11-27 08:00")  # the Friday before still opens
    assert engine.issue("ho-tich").ticket.number == "A001"


def test_saturday_morning_reception_is_open(engine, clock):
    clock.set("2026-11-28 08:00")
    assert engine.issue("ho-tich").ticket.number == "A001"


def test_priority_goes_first_within_the_field_then_first_come_first_served(engine, clock):
    first = engine.issue("ho-tich").ticket
    clock.tick()
    second = engine.issue("ho-tich").ticket
    clock.tick()
    elderly = engine.issue("ho-tich", priority=True).ticket
    order = [engine.call_next(1).ticket.number for _ in range(3)]
    assert order == [elderly.number, first.number, second.number]


def test_a_counter_only_calls_tickets_of_its_own_fields(engine, clock):
    engine.issue("dat-dai")  # counter 2 only
    clock.tick()
    civil = engine.issue("ho-tich").ticket
    assert engine.call_next(1).ticket.ticket_id == civil.ticket_id
    with pytest.raises(QueueEmpty) as err:
        engine.call_next(1)
    assert err.value.code == "queue_empty"
    assert engine.call_next(2).ticket.field == "dat-dai"


def test_unknown_counter_and_nothing_to_recall(engine):
    with pytest.raises(UnknownCounter):
        engine.call_next(42)
    with pytest.raises(NothingCalled):
        engine.recall(1)


def test_next_closes_the_previous_ticket_in_the_same_fact(engine, clock):
    a = engine.issue("ho-tich").ticket
    b = engine.issue("ho-tich").ticket
    first = engine.call_next(1)
    assert [e.type for e in first.events] == ["counter.opened", "ticket.called"]
    second = engine.call_next(1)
    assert [e.type for e in second.events] == ["ticket.called"]
    assert second.events[0].data["previous_ticket_id"] == a.ticket_id
    assert second.ticket.ticket_id == b.ticket_id
    assert engine.snapshot().served_today == 1


def test_done_no_show_and_recall_emit_their_events(engine):
    engine.issue("ho-tich")
    engine.issue("ho-tich")
    engine.call_next(1)
    assert engine.recall(1).events[0].type == "ticket.recalled"
    assert engine.finish(1, served=True).events[0].type == "ticket.served"
    engine.call_next(1)
    assert engine.finish(1, served=False).events[0].type == "ticket.no_show"
    with pytest.raises(NothingCalled):
        engine.finish(1, served=True)
    assert engine.close_counter(1).events[0].type == "counter.closed"


def test_every_event_is_in_the_outbox_with_a_gapless_seq_that_survives_restart(tmp_path, clock):
    store = Store(tmp_path / "hub.db")
    engine = QueueEngine(store, DEMO, "hub", clock)
    for _ in range(3):
        engine.issue("ho-tich")
    store.close()
    store = Store(tmp_path / "hub.db")
    engine = QueueEngine(store, DEMO, "hub", clock)
    engine.issue("ho-tich")
    pending = Outbox(store).pending()
    assert [p.seq for p in pending] == [1, 2, 3, 4]
    for p in pending:
        event = decode_event(topics.evt("sai-gon", "hub", p.type), p.payload)
        assert event.envelope.seq == p.seq
    assert len({decode_event(topics.evt("sai-gon", "hub", p.type), p.payload).envelope.id for p in pending}) == 4
    assert Outbox(store).confirm(3) == 3
    assert [p.seq for p in Outbox(store).pending()] == [4]
    store.close()


def test_waiting_ahead_counts_who_is_called_first(engine):
    engine.issue("ho-tich")
    engine.issue("ho-tich")
    assert engine.issue("ho-tich").waiting_ahead == 2
    assert engine.issue("ho-tich", priority=True).waiting_ahead == 0
    assert engine.issue("dat-dai").waiting_ahead == 0


# -- days off: the calendar the cloud's deadlines use (workdays) --------------------------------


def _nothing_written(store: Store) -> None:
    assert store.query("SELECT COUNT(*) FROM tickets")[0][0] == 0
    assert Outbox(store).count() == 0


@pytest.mark.parametrize(("local", "message"), [
    # Tết Đinh Mùi 2027 in the holidays package: 29 Tết (Thu 4/2) to Mùng năm (Wed 10/2).
    ("2027-02-08 09:00", "Hôm nay là ngày nghỉ lễ (Mùng ba Tết Nguyên Đán). "
                         "Bộ phận một cửa tiếp nhận trở lại từ thứ Năm, 11/02/2027."),
    # Saturday 6/2/2027 is Tết itself: it closes the demo's Saturday-morning reception too.
    ("2027-02-06 08:00", "Hôm nay là ngày nghỉ lễ (Tết Nguyên Đán). "
                         "Bộ phận một cửa tiếp nhận trở lại từ thứ Năm, 11/02/2027."),
    # The weekday given off in the package's Quốc khánh 2026 swap; 1–2/9 are holidays too.
    ("2026-08-31 09:00", "Hôm nay là ngày nghỉ (thay cho ngày 22/08/2026). "
                         "Bộ phận một cửa tiếp nhận trở lại từ thứ Năm, 03/09/2026."),
    # The New Year 2026 swap of the override file; the demo opens on Saturday mornings.
    ("2026-01-02 09:00", "Hôm nay là ngày nghỉ lễ (Tết Dương lịch 2026: nghỉ thứ Sáu 02/01, làm bù thứ Bảy 10/01). "
                         "Bộ phận một cửa tiếp nhận trở lại từ thứ Bảy, 03/01/2026."),
])
def test_no_ticket_on_a_public_holiday_and_the_kiosk_names_it(engine, clock, store, local, message):
    clock.set(local)
    with pytest.raises(ClosedOnDayOff) as err:
        engine.issue("ho-tich")
    assert err.value.code == "day_off"
    assert err.value.message_vi == message
    assert not engine.is_open()
    assert engine.snapshot().open_now is False
    assert engine.hours_text(engine.local_now()) == "không tiếp nhận"
    _nothing_written(store)


def test_a_normal_day_around_tet_issues_tickets(engine, clock):
    clock.set("2027-02-03 09:00")  # Wednesday before Tết
    assert engine.issue("ho-tich").ticket.number == "A001"
    clock.set("2027-02-11 07:30")  # Thursday after
    assert engine.issue("ho-tich").ticket.ticket_id == "20270211-073000-0001"


@pytest.mark.parametrize("local", ["2026-01-10 14:00", "2026-08-22 14:00"])
def test_a_make_up_saturday_opens_with_weekday_hours(engine, clock, local):
    # 10/1/2026 from the override file, 22/8/2026 from the package's weekend_workdays. At 14:00 an
    # ordinary Saturday is closed (the demo receives 07:30-11:30); a make-up day has Monday's hours.
    clock.set("2026-01-17 14:00")
    with pytest.raises(OutsideOpeningHours) as err:
        engine.issue("ho-tich")
    assert err.value.code == "closed"
    clock.set(local)
    assert engine.is_open()
    assert engine.hours_text(engine.local_now()) == "07:30–11:30, 13:30–17:00"
    assert engine.issue("ho-tich").ticket.number == "A001"
    clock.set(local[:11] + "17:00")
    with pytest.raises(OutsideOpeningHours, match="outside opening hours"):
        engine.issue("ho-tich")


def _with_days_off(days_off: list[dict[str, str]]):
    data = yaml.safe_load((ROOT / "firmware_configs/sai-gon.yaml").read_text())
    data["days_off"] = days_off
    return parse_office_config(data, "sai-gon.yaml")


def test_a_local_day_off_of_the_office_config(store, clock):
    config = _with_days_off([{"date": "2027-03-10", "name": "Ngày giải phóng tỉnh (địa phương)"}])
    engine = QueueEngine(store, config, "hub", clock)
    clock.set("2027-03-10 09:00")
    with pytest.raises(ClosedOnDayOff) as err:
        engine.issue("dat-dai")
    assert err.value.code == "day_off"
    assert err.value.message_vi == ("Hôm nay là ngày nghỉ (Ngày giải phóng tỉnh (địa phương)). "
                                    "Bộ phận một cửa tiếp nhận trở lại từ thứ Năm, 11/03/2027.")
    _nothing_written(store)
    clock.set("2027-03-11 09:00")
    assert engine.issue("dat-dai").ticket.number == "B001"


def test_the_demo_office_is_open_on_that_date_without_the_local_day_off(engine, clock):
    clock.set("2027-03-10 09:00")
    assert engine.issue("dat-dai").ticket.number == "B001"


def test_overrides_newer_than_the_package_reach_the_kiosk(store, clock):
    overrides = CalendarOverrides(days_off={date(2027, 3, 12): "Nghỉ bù theo thông báo mới"})
    engine = QueueEngine(store, DEMO, "hub", clock, overrides=overrides)
    clock.set("2027-03-12 09:00")
    with pytest.raises(ClosedOnDayOff, match="day off"):
        engine.issue("ho-tich")
    _nothing_written(store)


def test_open_all_day_ignores_days_off_too(tmp_path, clock):
    """The demo on a laptop on a holiday: HubOptions.open_all_day issues tickets on Tết at night."""
    clock.set("2027-02-06 22:00")
    agent = HubAgent(DEMO, HubOptions(data_dir=tmp_path / "edge", open_all_day=True), clock=clock)
    try:
        assert agent.engine.issue("ho-tich").ticket.ticket_id == "20270206-220000-0001"
    finally:
        agent.store.close()


def test_the_kiosk_screen_shows_the_day_off_and_nothing_is_printed(tmp_path, clock):
    clock.set("2027-02-08 09:00")
    agent = HubAgent(DEMO, HubOptions(data_dir=tmp_path / "edge"), clock=clock)
    try:
        agent.on_kiosk("ho-tich", False)
        assert agent.kiosk_message == {"text": "Hôm nay là ngày nghỉ lễ (Mùng ba Tết Nguyên Đán). "
                                               "Bộ phận một cửa tiếp nhận trở lại từ thứ Năm, 11/02/2027.",
                                       "level": "error"}
        _nothing_written(agent.store)
    finally:
        agent.store.close()


# -- transfer to another counter (chuyển quầy) ---------------------------------------------------


def test_a_transferred_ticket_waits_at_the_head_of_the_other_counters_queue_whatever_its_field(engine, clock):
    civil = engine.issue("ho-tich").ticket  # counter 1 and 3 serve ho-tich, counter 2 only dat-dai
    clock.tick()
    civil_next = engine.issue("ho-tich").ticket
    clock.tick()
    land = engine.issue("dat-dai").ticket
    clock.tick()
    land_elderly = engine.issue("dat-dai", priority=True).ticket
    clock.tick()
    engine.issue("dat-dai")
    engine.call_next(2)  # counter 2 at work: serving the elderly citizen
    engine.call_next(1)
    engine.set_status(CounterStatusSet(counter=1, status="open", officer=LAN))

    moved = engine.transfer(1, 2)

    assert [e.type for e in moved.events] == ["ticket.transferred"]
    assert moved.events[0].data == {"ticket_id": civil.ticket_id, "number": "A001", "field": "ho-tich",
                                    "from_counter": 1, "to_counter": 2,
                                    "officer": {"id": "tiepnhan", "name": "Nguyễn Thị Lan"}}
    assert (moved.ticket.status, moved.ticket.counter) == ("waiting", 2)
    views = {c.number: c for c in engine.snapshot().counters}
    assert views[1].current is None and views[2].current.ticket_id == land_elderly.ticket_id
    with pytest.raises(NothingCalled):
        engine.recall(1)
    # counter 1 does not take it back; counter 2 takes it before its own field's tickets, announced there
    assert engine.call_next(1).ticket.ticket_id == civil_next.ticket_id
    called = engine.call_next(2)
    assert (called.ticket.ticket_id, called.ticket.counter) == (civil.ticket_id, 2)
    assert called.events[-1].data["counter"] == 2
    assert called.events[-1].data["previous_ticket_id"] == land_elderly.ticket_id
    assert engine.call_next(2).ticket.ticket_id == land.ticket_id


def test_a_transfer_is_refused_without_a_ticket_to_a_closed_or_unknown_counter_and_changes_nothing(engine, clock):
    with pytest.raises(NothingCalled):
        engine.transfer(1, 3)
    engine.issue("ho-tich")
    engine.call_next(1)
    with pytest.raises(TargetCounterClosed) as err:
        engine.transfer(1, 3)  # nobody signed in at counter 3 and its keypad called nobody today
    assert err.value.code == "counter_closed"
    assert err.value.message_vi == "Quầy 3 chưa có cán bộ nhận quầy. Hãy chuyển sang quầy đang làm việc."
    with pytest.raises(UnknownCounter):
        engine.transfer(1, 42)
    with pytest.raises(SameCounter):
        engine.transfer(1, 1)
    assert engine.recall(1).ticket.number == "A001"  # still counter 1's
    engine.set_status(CounterStatusSet(counter=3, status="paused", officer=LAN))
    assert engine.transfer(1, 3).ticket.counter == 3  # a break ends: the ticket waits for the officer's return
    types = [r["type"] for r in engine.store.query("SELECT type FROM outbox ORDER BY seq")]
    assert types == ["ticket.issued", "counter.opened", "ticket.called", "ticket.recalled", "counter.status",
                     "ticket.transferred"]
