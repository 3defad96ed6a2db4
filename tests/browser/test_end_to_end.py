"""A person at the virtual office and an officer at the console, in two live pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.shots import keep
from tests.staff import sign_in_browser

pytestmark = pytest.mark.browser


def test_ticket_from_the_kiosk_is_called_from_the_console_without_reloading(stack, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    office = context.new_page()
    console = context.new_page()
    office.goto(f"{stack.display_url}/office")
    console.goto(f"{stack.cloud_url}/login")
    keep(console, tmp_path, "sign-in")
    sign_in_browser(console, stack.cloud_url, "/console/offices/sai-gon")

    office.get_by_test_id("kiosk-ho-tich").click()
    expect(office.get_by_test_id("receipt").first).to_contain_text("A001")
    expect(console.get_by_test_id("waiting-ho-tich")).to_contain_text("A001")  # the console updated itself

    console.get_by_test_id("call-next-1").click()
    hall = office.frame_locator("iframe")
    expect(hall.get_by_test_id("hall-now-number")).to_have_text("A001")
    expect(hall.get_by_test_id("hall-now-counter")).to_have_text("1")
    expect(office.get_by_test_id("led-1")).to_have_text("A001")
    expect(console.get_by_test_id("counter-1-current")).to_contain_text("A001")
    keep(office, tmp_path, "virtual-office")
    keep(console, tmp_path, "counter-panel")
    context.close()


def test_the_api_page_renders_without_internet(cloud_service, browser):
    _settings, api = cloud_service
    context = browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{str(api.base_url).rstrip('/')}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Một cửa")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert all(url.startswith(str(api.base_url).rstrip("/")) for url in requested), requested
    context.close()
