"""The hub agent with simulated devices and a real office broker (no cloud)."""

from __future__ import annotations

import json
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from broker.process import free_port
from edge.agent import HubAgent, HubOptions
from edge.config_file import load_office_config
from protocol import decode_ack, dumps, make_command, topics
from protocol.messages import CounterStatusSet, OfficerRef, QueueCallNext, QueueFinish, QueueRecall, QueueTransfer
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
CONFIG = load_office_config(ROOT / "firmware_configs/sai-gon.yaml")
PIN = {"ho-tich": 17, "dat-dai": 27, "chung-thuc": 22, "ho-tich-priority": 24}
NEXT_1, RECALL_1, DONE_1 = 5, 6, 13
NEXT_3 = 21
LAN = OfficerRef(id="tiepnhan", name="Nguyễn Thị Lan")
MINH = OfficerRef(id="minh.tran", name="Trần Văn Minh")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hồ Chí Minh City

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hub(tmp_path, office_broker, clock):
    office = office_broker("sai-gon", bridged=False)
    agent = HubAgent(CONFIG, HubOptions(data_dir=tmp_path / "edge", simulate=True, mqtt_port=office.port,
                                        mqtt_password=office.hub_password, display_port=free_port()), clock=clock)
    agent.start()
    assert agent.client.wait_connected(10)
    agent.office_broker = office  # type: ignore[attr-defined]  # the fixture hangs its broker on the agent for the tests that use both
    yield agent
    agent.stop()


def test_kiosk_press_prints_a_vietnamese_ticket_with_its_number_and_qr(hub):
    hub.sim.press(PIN["dat-dai"])
    receipt = hub.sim.printer.wait_for_receipts(1, timeout=5)[0]
    assert "B001" in receipt.lines
    assert "Đất đai" in receipt.lines
    assert "UBND phường Sài Gòn" in receipt.lines
    assert receipt.qr_codes == ["20261123-090000-0001"]


def test_outside_opening_hours_nothing_is_printed_and_the_kiosk_says_why(hub, clock):
    clock.now = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 12:00, lunch break
    hub.sim.press(PIN["ho-tich"])
    assert "Ngoài giờ tiếp nhận" in hub.kiosk_message["text"]
    clock.now = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)  # 13:30, open again
    hub.sim.press(PIN["ho-tich"])
    receipts = hub.sim.printer.wait_for_receipts(1, timeout=5)
    assert "A001" in receipts[0].lines  # the refused press took no number and printed nothing
    assert len(hub.sim.printer.receipts) == 1


def test_keypad_next_shows_the_number_on_the_led_board_speaks_it_and_updates_the_hall_display(hub):
    hub.sim.press(PIN["ho-tich"])
    hub.sim.press(PIN["ho-tich-priority"])
    hub.sim.press(NEXT_1)
    hub.sim.led_bus.wait_for(lambda twin: twin.displays.get(1) == "A002", timeout=5)  # priority first
    announcement = wait_until(lambda: hub.announcement, timeout=20, what="a spoken announcement")
    assert "A002" in announcement["text"] or "quầy số 1" in announcement["text"]
    with wave.open(str(hub.options.data_dir / "audio" / Path(announcement["url"]).name)) as wav:
        assert wav.getnframes() / wav.getframerate() > 0.5
    state = httpx.get(f"{hub.server.url}/api/state").json()
    assert state["last_called"][0] == {"number": "A002", "counter": 1, "recall": False}
    assert state["counters"][0]["current"] == "A002"
    assert state["fields"][0]["waiting"] == ["A001"]


def test_hall_display_stream_pushes_a_call_without_reload(hub):
    port = hub.server.port
    hub.sim.press(PIN["ho-tich"])
    with httpx.Client(timeout=10) as client, client.stream("GET", f"http://127.0.0.1:{port}/events") as stream:
        lines = stream.iter_lines()
        first = _next_state(lines)
        assert first["last_called"] == []
        hub.sim.press(NEXT_1)
        for _ in range(20):
            state = _next_state(lines)
            if state["last_called"]:
                break
        assert state["last_called"][0]["number"] == "A001"


def _next_state(lines) -> dict:
    for line in lines:
        if line.startswith("data:"):
            return json.loads(line[5:])
    raise AssertionError("stream ended")


def test_cloud_command_is_executed_once_and_a_duplicate_gets_the_same_ack(hub, mqtt_probe):
    hub.sim.press(PIN["ho-tich"])
    hub.sim.press(PIN["ho-tich"])
    probe = mqtt_probe(*hub.office_broker.cloud_login())  # plays the cloud: only it may send commands
    probe.subscribe(topics.ack("sai-gon", "hub"))
    now = datetime.now(UTC)
    command = make_command("sai-gon", "hub", now, now + timedelta(seconds=30), QueueCallNext(counter=1))
    payload = dumps(command)
    probe.publish(topics.cmd("sai-gon", "hub", command.name), payload)
    first = decode_ack(topics.ack("sai-gon", "hub"), probe.next_message(timeout=5).payload)
    assert first.ok and first.command_id == command.id
    assert first.result["number"] == "A001"
    probe.publish(topics.cmd("sai-gon", "hub", command.name), payload)
    again = decode_ack(topics.ack("sai-gon", "hub"), probe.next_message(timeout=5).payload)
    assert again == first
    called = hub.store.query("SELECT COUNT(*) FROM outbox WHERE type = 'ticket.called'")[0][0]
    assert called == 1
    assert hub.engine.snapshot().waiting["ho-tich"][0].number == "A002"


def test_expired_and_failing_commands_are_refused_with_a_reason(hub, mqtt_probe):
    probe = mqtt_probe(*hub.office_broker.cloud_login())  # plays the cloud: only it may send commands
    probe.subscribe(topics.ack("sai-gon", "hub"))
    past = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # expired an hour before the hub's clock
    expired = make_command("sai-gon", "hub", past, past + timedelta(seconds=5), QueueCallNext(counter=1))
    probe.publish(topics.cmd("sai-gon", "hub", expired.name), dumps(expired))
    ack = decode_ack(topics.ack("sai-gon", "hub"), probe.next_message(timeout=5).payload)
    assert not ack.ok and ack.error.code == "expired"
    now = datetime.now(UTC)
    for data, code in ((QueueCallNext(counter=1), "queue_empty"), (QueueCallNext(counter=9), "unknown_counter"),
                       (QueueRecall(counter=2), "nothing_called")):
        cmd = make_command("sai-gon", "hub", now, now + timedelta(seconds=30), data)
        probe.publish(topics.cmd("sai-gon", "hub", cmd.name), dumps(cmd))
        ack = decode_ack(topics.ack("sai-gon", "hub"), probe.next_message(timeout=5).payload)
        assert (ack.ok, ack.error.code) == (False, code)
        assert ack.error.message_vi


def test_a_command_with_bad_data_is_answered_invalid_at_once(hub, mqtt_probe):
    probe = mqtt_probe(*hub.office_broker.cloud_login())  # plays the cloud: only it may send commands
    probe.subscribe(topics.ack("sai-gon", "hub"))
    now = datetime.now(UTC)
    command = make_command("sai-gon", "hub", now, now + timedelta(seconds=30), QueueCallNext(counter=1))
    payload = json.loads(dumps(command))
    payload["data"] = {"counter": "một"}
    probe.publish(topics.cmd("sai-gon", "hub", command.name), json.dumps(payload))
    ack = decode_ack(topics.ack("sai-gon", "hub"), probe.next_message(timeout=5).payload)
    assert (ack.ok, ack.command_id, ack.error.code) == (False, command.id, "invalid_command")
    assert "counter" in ack.error.message


def _command(probe, data):
    """Send a command as the cloud does and return its ack."""
    now = datetime.now(UTC)
    command = make_command("sai-gon", "hub", now, now + timedelta(seconds=30), data)
    probe.publish(topics.cmd("sai-gon", "hub", command.name), dumps(command))
    return command, decode_ack(topics.ack("sai-gon", "hub"), probe.next_message(timeout=5).payload)


def _outbox(hub, type_: str) -> list[dict]:
    rows = hub.store.query("SELECT type, payload FROM outbox WHERE type = ? ORDER BY seq", (type_,))
    return [json.loads(r["payload"])["data"] for r in rows]


def test_a_counter_status_command_is_kept_acked_once_and_stamps_keypad_presses(hub, mqtt_probe):
    probe = mqtt_probe(*hub.office_broker.cloud_login())  # plays the cloud: only it may send commands
    probe.subscribe(topics.ack("sai-gon", "hub"))
    hub.sim.press(PIN["ho-tich"])
    hub.sim.press(PIN["ho-tich"])

    command, ack = _command(probe, CounterStatusSet(counter=1, status="open", officer=LAN))
    assert (ack.ok, ack.result) == (True, {"counter": 1, "status": "open"})
    # The event was committed with the change and the ack record, once, even when the command comes again.
    probe.publish(topics.cmd("sai-gon", "hub", command.name), dumps(command))
    assert decode_ack(topics.ack("sai-gon", "hub"), probe.next_message(timeout=5).payload) == ack
    assert _outbox(hub, "counter.status") == [
        {"counter": 1, "status": "open", "officer": {"id": "tiepnhan", "name": "Nguyễn Thị Lan"}}]
    state = httpx.get(f"{hub.server.url}/api/state").json()
    assert [(c["status"], c["officer"]) for c in state["counters"]] == [
        ("open", "Nguyễn Thị Lan"), ("closed", None), ("closed", None)]

    hub.sim.press(NEXT_1)  # the keypad, not the cloud: who served is known all the same
    hub.sim.press(DONE_1)
    officers = {t: [d.get("officer") for d in _outbox(hub, t)] for t in ("ticket.called", "ticket.served")}
    assert officers == {"ticket.called": [LAN.model_dump()], "ticket.served": [LAN.model_dump()]}


def test_a_paused_counter_refuses_next_from_the_keypad_and_the_cloud_alike(hub, mqtt_probe):
    probe = mqtt_probe(*hub.office_broker.cloud_login())
    probe.subscribe(topics.ack("sai-gon", "hub"))
    hub.sim.press(PIN["ho-tich"])
    assert _command(probe, CounterStatusSet(counter=1, status="paused", officer=LAN))[1].ok

    _, refused = _command(probe, QueueCallNext(counter=1))
    assert (refused.ok, refused.error.code) == (False, "counter_paused")
    assert refused.error.message_vi == "Quầy 1 đang tạm nghỉ. Mở lại quầy để gọi số tiếp theo."
    hub.sim.press(NEXT_1)
    hub.sim.led_bus.wait_for(lambda twin: twin.displays.get(1) == "----", timeout=5)
    state = httpx.get(f"{hub.server.url}/api/state").json()
    assert state["counters"][0]["message"] == "Quầy 1 đang tạm nghỉ. Mở lại quầy để gọi số tiếp theo."
    assert (state["counters"][0]["status"], state["fields"][0]["waiting"]) == ("paused", ["A001"])
    assert _outbox(hub, "ticket.called") == []

    _, closed = _command(probe, CounterStatusSet(counter=1, status="closed"))  # closing stays possible
    assert (closed.ok, closed.result) == (True, {"counter": 1, "status": "closed"})
    hub.sim.press(NEXT_1)
    hub.sim.led_bus.wait_for(lambda twin: twin.displays.get(1) == "A001", timeout=5)
    assert httpx.get(f"{hub.server.url}/api/state").json()["counters"][0]["message"] is None


def test_done_no_show_and_transfer_from_the_cloud_are_acked_with_their_events_and_clear_the_board(hub, mqtt_probe):
    probe = mqtt_probe(*hub.office_broker.cloud_login())  # plays the cloud: only it may send commands
    probe.subscribe(topics.ack("sai-gon", "hub"))
    for _ in range(3):
        hub.sim.press(PIN["ho-tich"])
    hub.sim.printer.wait_for_receipts(3, timeout=5)
    assert _command(probe, CounterStatusSet(counter=1, status="open", officer=LAN))[1].ok

    assert _command(probe, QueueCallNext(counter=1))[1].result["number"] == "A001"
    hub.sim.led_bus.wait_for(lambda twin: twin.displays.get(1) == "A001", timeout=5)
    _, done = _command(probe, QueueFinish(counter=1, outcome="served"))
    assert done.result == {"ticket_id": "20261123-090000-0001", "number": "A001", "field": "ho-tich", "counter": 1,
                           "outcome": "served"}
    hub.sim.led_bus.wait_for(lambda twin: twin.displays.get(1) == "", timeout=5)

    _command(probe, QueueCallNext(counter=1))
    _, absent = _command(probe, QueueFinish(counter=1, outcome="no_show"))
    assert (absent.result["number"], absent.result["outcome"]) == ("A002", "no_show")
    assert [(d["number"], d["officer"]["name"]) for d in _outbox(hub, "ticket.served") + _outbox(hub, "ticket.no_show")
            ] == [("A001", "Nguyễn Thị Lan"), ("A002", "Nguyễn Thị Lan")]

    _, refused = _command(probe, QueueTransfer(counter=1, to_counter=3))
    assert (refused.ok, refused.error.code) == (False, "nothing_called")
    _command(probe, QueueCallNext(counter=1))
    hub.sim.led_bus.wait_for(lambda twin: twin.displays.get(1) == "A003", timeout=5)
    _, closed = _command(probe, QueueTransfer(counter=1, to_counter=3))
    assert (closed.ok, closed.error.code) == (False, "counter_closed")  # nobody at counter 3 yet
    assert _command(probe, CounterStatusSet(counter=3, status="open", officer=MINH))[1].ok
    command, moved = _command(probe, QueueTransfer(counter=1, to_counter=3))
    assert moved.result == {"ticket_id": "20261123-090000-0003", "number": "A003", "field": "ho-tich",
                            "from_counter": 1, "to_counter": 3}
    probe.publish(topics.cmd("sai-gon", "hub", command.name), dumps(command))  # redelivered: the same ack, once
    assert decode_ack(topics.ack("sai-gon", "hub"), probe.next_message(timeout=5).payload) == moved
    assert _outbox(hub, "ticket.transferred") == [{
        "ticket_id": "20261123-090000-0003", "number": "A003", "field": "ho-tich", "from_counter": 1, "to_counter": 3,
        "officer": {"id": "tiepnhan", "name": "Nguyễn Thị Lan"}}]
    hub.sim.led_bus.wait_for(lambda twin: twin.displays.get(1) == "", timeout=5)

    hub.sim.press(NEXT_3)  # the target counter's next call announces the transferred citizen there
    hub.sim.led_bus.wait_for(lambda twin: twin.displays.get(3) == "A003", timeout=5)
    assert _outbox(hub, "ticket.called")[-1]["officer"] == MINH.model_dump()
    state = httpx.get(f"{hub.server.url}/api/state").json()
    assert state["last_called"][0] == {"number": "A003", "counter": 3, "recall": False}


def test_after_a_restart_the_boards_and_the_hall_display_show_what_was_called(tmp_path, office_broker, clock):
    office = office_broker("sai-gon", bridged=False)

    def agent() -> HubAgent:
        return HubAgent(CONFIG, HubOptions(data_dir=tmp_path / "edge", simulate=True, mqtt_port=office.port,
                                           mqtt_password=office.hub_password, display_port=free_port()), clock=clock)

    first = agent()
    first.start()
    try:
        for field in ("ho-tich", "ho-tich", "chung-thuc"):
            first.sim.press(PIN[field])
        first.sim.press(NEXT_1)  # A001 at counter 1
        clock.now += timedelta(seconds=30)
        first.sim.press(NEXT_3)  # C001 at counter 3 (kinh doanh, chứng thực)
        clock.now += timedelta(seconds=30)
        first.sim.press(NEXT_1)  # A002 at counter 1, A001 served
        first.sim.led_bus.wait_for(lambda twin: twin.displays == {1: "A002", 2: "", 3: "C001"}, timeout=5)
        before = httpx.get(f"{first.server.url}/api/state").json()
    finally:
        first.stop()

    second = agent()  # the same data directory; new devices, which show nothing until told
    second.start()
    try:
        second.sim.led_bus.wait_for(lambda twin: twin.displays == {1: "A002", 2: "", 3: "C001"}, timeout=5)
        assert not second.sim.led_bus.blinking  # shown steadily: nobody is being called right now
        after = httpx.get(f"{second.server.url}/api/state").json()
        assert after["last_called"] == before["last_called"] == [
            {"number": "A002", "counter": 1, "recall": False}, {"number": "C001", "counter": 3, "recall": False},
            {"number": "A001", "counter": 1, "recall": False}]
        assert [c["current"] for c in after["counters"]] == [c["current"] for c in before["counters"]] == ["A002", None, "C001"]
    finally:
        second.stop()
