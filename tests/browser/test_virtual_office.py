"""The virtual office page in a real browser, hub only."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from broker.process import free_port
from edge.agent import HubAgent, HubOptions
from edge.config_file import load_office_config

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser


@pytest.fixture
def hub(tmp_path, office_broker):
    office = office_broker("sai-gon", bridged=False)
    agent = HubAgent(load_office_config(ROOT / "firmware_configs/sai-gon.yaml"),
                     HubOptions(data_dir=tmp_path / "edge", simulate=True, mqtt_port=office.port,
                                mqtt_password=office.hub_password, display_port=free_port(), open_all_day=True))
    agent.start()
    yield agent
    agent.stop()


def test_kiosk_and_keypad_buttons_drive_the_simulated_room(hub, page, tmp_path):
    base = hub.server.url
    page.goto(f"{base}/office")
    page.get_by_test_id("kiosk-dat-dai").click()
    receipt = page.get_by_test_id("receipt").first
    expect(receipt).to_contain_text("B001")
    expect(receipt).to_contain_text("Đất đai")
    expect(page.get_by_test_id("kiosk-message")).to_contain_text("Số của bạn: B001")
    page.get_by_test_id("key-2-next").click()
    expect(page.get_by_test_id("led-2")).to_have_text("B001")
    hall = page.frame_locator("iframe")
    expect(hall.get_by_test_id("hall-now-number")).to_have_text("B001")
    expect(hall.get_by_test_id("hall-now-counter")).to_have_text("2")
    page.screenshot(path=str(tmp_path / "virtual-office.png"), full_page=True)
