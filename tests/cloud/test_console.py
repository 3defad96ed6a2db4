"""The staff console: Vietnamese pages with stable test ids, kept current by polling,
and counter buttons whose result or error the officer can read."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from protocol.messages import CounterStatusSet, OfficerRef
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.cloud.fakes import FakeHub, OfficeEdge, ack_error, called, like_a_hub
from tests.cloud.test_ingest import issued
from tests.staff import sign_in_browser


def test_the_office_list_shows_each_office_and_whether_it_is_online(api: httpx.Client) -> None:
    page = api.get("/console")
    assert page.status_code == 200
    assert "Các bộ phận một cửa" in page.text and "UBND phường Sài Gòn" in page.text
    assert 'data-testid="office-sai-gon-status">Mất kết nối<' in page.text
    assert "broken" not in page.text  # the invalid firmware config was skipped


def test_the_office_page_is_complete_without_javascript(api: httpx.Client, edge: OfficeEdge) -> None:
    edge.publish_event(1, issued(1, "A001"))
    edge.publish_event(2, issued(2, "A002", priority=True))
    edge.publish_state(online=True)
    edge.expect_cursor(2)
    page = api.get("/console/offices/sai-gon").text
    for text in ("Bảng điều khiển", "Đang chờ", "Quầy 1", "Gọi số tiếp theo", "Gọi lại", "Hộ tịch, Chứng thực",
                 'data-testid="call-next-1"', 'data-testid="counter-3-current"', 'data-testid="waiting-dat-dai"'):
        assert text in page, text
    waiting = page.split('data-testid="waiting-ho-tich">')[1].split("</ol>")[0]
    assert waiting.index("A002") < waiting.index("A001")  # priority first
    assert 'data-testid="node-hub-status">Trực tuyến<' in page


def test_an_unknown_office_page_is_a_vietnamese_404(api: httpx.Client) -> None:
    page = api.get("/console/offices/ghost")
    assert page.status_code == 404
    assert "Không tìm thấy bộ phận “ghost”" in page.text


def run_in_own_thread(scenario: Callable[[Any], None]) -> None:
    """Run ``scenario(page)`` with its own Playwright, on its own thread.

    Playwright's sync API refuses to start in a thread whose asyncio loop is
    running, which is the case for the main thread once the session-wide
    browser of tests/browser has started; a fresh thread has no loop.
    """
    playwright_api = pytest.importorskip("playwright.sync_api")
    failure: list[BaseException] = []

    def run() -> None:
        try:
            with playwright_api.sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                try:
                    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
                    scenario(context.new_page())
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001  (re-raised on the test's thread)
            failure.append(exc)

    thread = threading.Thread(target=run, name="playwright")
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "the browser scenario did not finish within 120 s"
    if failure:
        raise failure[0]


@pytest.mark.browser
def test_the_console_updates_itself_and_shows_what_the_hub_answered(
    api: httpx.Client, edge: OfficeEdge, fake_hub: Callable[..., FakeHub], tmp_path: Path
) -> None:
    answers = iter([called("A001", "ho-tich", 1),
                    lambda c: ack_error(c, "queue_empty", "no ticket", "Không còn khách chờ cho quầy 1.")])
    fake_hub(lambda command: next(answers)(command))

    def scenario(page: Any) -> None:
        from playwright.sync_api import expect

        sign_in_browser(page, str(api.base_url), "/console/offices/sai-gon")
        expect(page.get_by_test_id("node-hub-status")).to_have_text("Mất kết nối")

        edge.publish_state(online=True)
        edge.publish_event(1, issued(1, "A001"))
        expect(page.get_by_test_id("node-hub-status")).to_have_text("Trực tuyến")  # no reload
        expect(page.get_by_test_id("waiting-ho-tich")).to_contain_text("A001")
        expect(page.get_by_test_id("waiting-count-ho-tich")).to_have_text("1")

        page.get_by_test_id("call-next-1").click()
        expect(page.get_by_test_id("counter-1-message")).to_have_text("Đã gọi số A001 tới quầy 1.")
        page.get_by_test_id("call-next-1").click()
        expect(page.get_by_test_id("counter-1-message")).to_have_text("Không còn khách chờ cho quầy 1.")
        page.screenshot(path=str(tmp_path / "console.png"), full_page=True)

        edge.publish_state(online=False)
        expect(page.get_by_test_id("node-hub-status")).to_have_text("Mất kết nối")

    run_in_own_thread(scenario)


def test_the_office_page_shows_who_sits_at_each_counter_and_the_sign_in_buttons(api: httpx.Client,
                                                                               edge: OfficeEdge) -> None:
    edge.publish_event(1, CounterStatusSet(counter=2, status="paused", officer=OfficerRef(id="tiepnhan",
                                                                                          name="Trần Ngọc Lan")))
    edge.expect_cursor(1)
    page = api.get("/console/offices/sai-gon").text
    for text in ("Nhận quầy", "Tạm nghỉ", "Tiếp tục", "Rời quầy", 'data-testid="sign-in-1"', 'data-testid="sign-out-3"'):
        assert text in page, text
    assert 'data-testid="counter-2-officer">Trần Ngọc Lan<' in page
    assert 'data-testid="counter-2-status">Tạm nghỉ<' in page and 'data-testid="counter-1-status">Đóng<' in page


@pytest.mark.browser
def test_an_officer_signs_in_at_a_counter_from_the_console(
    api: httpx.Client, fake_hub: Callable[..., FakeHub], tmp_path: Path
) -> None:
    fake_hub(like_a_hub())

    def scenario(page: Any) -> None:
        from playwright.sync_api import expect

        sign_in_browser(page, str(api.base_url), "/console/offices/sai-gon")
        expect(page.get_by_test_id("counter-1-officer")).to_have_text("—")
        page.get_by_test_id("sign-in-1").click()
        expect(page.get_by_test_id("counter-1-message")).to_have_text("Cán bộ vận hành (kiểm thử) đã nhận quầy 1.")
        expect(page.get_by_test_id("counter-1-officer")).to_have_text("Cán bộ vận hành (kiểm thử)")  # by polling
        expect(page.get_by_test_id("counter-1-status")).to_have_text("Đang mở")
        page.get_by_test_id("sign-in-2").click()
        expect(page.get_by_test_id("counter-2-message")).to_contain_text("Bạn đang nhận quầy 1")
        page.get_by_test_id("pause-1").click()
        expect(page.get_by_test_id("counter-1-status")).to_have_text("Tạm nghỉ")
        page.get_by_test_id("sign-out-1").click()
        expect(page.get_by_test_id("counter-1-officer")).to_have_text("—")
        page.screenshot(path=str(tmp_path / "sign-in.png"), full_page=True)

    run_in_own_thread(scenario)
