"""The hall display in a real browser: states that tell the truth, the office's time, the state after a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from broker.process import free_port
from edge.agent import HubAgent, HubOptions
from edge.config_file import load_office_config
from protocol import decode_ack, dumps, make_command, topics
from protocol.messages import CounterStatusSet, OfficerRef

ROOT = Path(__file__).resolve().parents[2]
CONFIG = load_office_config(ROOT / "firmware_configs/sai-gon.yaml")
pytestmark = pytest.mark.browser
KIOSK_HO_TICH, NEXT_1 = 17, 5


class Hubs:
    """Starts hub agents on one data directory, one after the other, and stops what is still running."""

    def __init__(self, data_dir: Path, office) -> None:
        self.data_dir, self.office, self.running = data_dir, office, []

    def start(self) -> HubAgent:
        agent = HubAgent(CONFIG, HubOptions(data_dir=self.data_dir, simulate=True, mqtt_port=self.office.port,
                                            mqtt_password=self.office.hub_password, display_port=free_port(),
                                            open_all_day=True))
        agent.start()
        self.running.append(agent)
        assert agent.client.wait_connected(10)
        return agent

    def stop(self, agent: HubAgent) -> None:
        self.running.remove(agent)
        agent.stop()


@pytest.fixture
def hubs(tmp_path, office_broker):
    office = office_broker("sai-gon", bridged=False)
    hubs = Hubs(tmp_path / "edge", office)
    hubs.cloud_login = office.cloud_login  # type: ignore[attr-defined]  # the fixture hangs the broker's cloud login on Hubs for the tests
    yield hubs
    for agent in list(hubs.running):
        hubs.stop(agent)


def _set_status(probe, data: CounterStatusSet) -> None:
    now = datetime.now(UTC)
    command = make_command("sai-gon", "hub", now, now + timedelta(seconds=30), data)
    probe.publish(topics.cmd("sai-gon", "hub", command.name), dumps(command))
    assert decode_ack(topics.ack("sai-gon", "hub"), probe.next_message(timeout=5).payload).ok


def test_the_clock_shows_the_offices_time_in_a_browser_set_to_utc(hubs, browser):
    hub = hubs.start()
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN", timezone_id="UTC")
    page = context.new_page()
    page.clock.set_fixed_time(datetime(2026, 11, 23, 21, 8, tzinfo=UTC))  # 04:08 on the 24th in Hồ Chí Minh City
    page.goto(hub.server.url)
    assert page.evaluate("new Date().getHours()") == 21  # the browser itself is on UTC
    expect(page.get_by_test_id("hall-clock-time")).to_have_text("04:08")
    expect(page.get_by_test_id("hall-idle-time")).to_have_text("04:08")
    expect(page.get_by_test_id("hall-clock")).to_contain_text("24/11/2026")
    context.close()


def test_idle_closed_open_and_on_break_are_told_apart_and_a_restart_keeps_the_call(hubs, browser, mqtt_probe, tmp_path):
    hub = hubs.start()
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(hub.server.url)
    hub.sim.press(KIOSK_HO_TICH)
    hub.sim.press(KIOSK_HO_TICH)

    # Citizens wait, nobody has been called and nobody sits at a counter: a calm screen, counters closed.
    expect(page.get_by_test_id("hall-idle")).to_contain_text("Mời công dân lấy số thứ tự")
    expect(page.get_by_test_id("hall-idle-waiting-ho-tich")).to_have_text("2")
    expect(page.get_by_test_id("hall-calling")).to_be_hidden()
    for n in (1, 2, 3):
        expect(page.get_by_test_id(f"hall-counter-{n}-status")).to_have_text("Đóng")
    expect(page.locator("body")).not_to_contain_text("Tạm nghỉ")
    page.screenshot(path=str(tmp_path / "hall-idle.png"), full_page=True)

    probe = mqtt_probe(*hubs.cloud_login())  # plays the cloud, where officers sign in
    probe.subscribe(topics.ack("sai-gon", "hub"))
    _set_status(probe, CounterStatusSet(counter=1, status="open", officer=OfficerRef(id="tiepnhan", name="Nguyễn Thị Lan")))
    _set_status(probe, CounterStatusSet(counter=3, status="paused", officer=OfficerRef(id="minh.tran", name="Trần Văn Minh")))
    expect(page.get_by_test_id("hall-counter-1-status")).to_have_text("Đang tiếp nhận")
    expect(page.get_by_test_id("hall-counter-1-officer")).to_have_text("Nguyễn Thị Lan")
    expect(page.get_by_test_id("hall-counter-3-status")).to_have_text("Tạm nghỉ")
    expect(page.get_by_test_id("hall-counter-2-status")).to_have_text("Đóng")

    hub.sim.press(NEXT_1)
    expect(page.get_by_test_id("hall-now-number")).to_have_text("A001")
    expect(page.get_by_test_id("hall-now-counter")).to_have_text("1")
    expect(page.get_by_test_id("hall-idle")).to_be_hidden()
    expect(page.get_by_test_id("hall-counter-1-current")).to_have_text("A001")
    page.screenshot(path=str(tmp_path / "hall-calling.png"), full_page=True)

    hubs.stop(hub)
    restarted = hubs.start()  # on the same data directory
    page.goto(restarted.server.url)
    expect(page.get_by_test_id("hall-now-number")).to_have_text("A001")  # not "—"
    expect(page.get_by_test_id("hall-now-counter")).to_have_text("1")
    expect(page.get_by_test_id("hall-counter-1-current")).to_have_text("A001")
    expect(page.get_by_test_id("hall-counter-1-officer")).to_have_text("Nguyễn Thị Lan")  # kept across the restart
    expect(page.get_by_test_id("hall-counter-3-status")).to_have_text("Tạm nghỉ")
    page.screenshot(path=str(tmp_path / "hall-restarted.png"), full_page=True)
    context.close()
