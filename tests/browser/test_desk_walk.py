"""A dossier's way through the console in chromium: head assigns, specialist starts and submits, leader approves
on a tablet and on a phone, results desk delivers and returns in person.

Each officer signs in with the demo account of their role (cloud/auth/demo.py) in their own browser context,
lands on their own work page, and only taps what the page offers. The screenshots are kept for the user guide
(tests/browser/shots.py) and looked at.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from broker.process import free_port
from cloud.auth.demo import DEMO_PASSWORD, ensure_demo_users
from cloud.auth.users import UserStore
from cloud.db.engine import make_engine
from tests.browser.shots import keep
from tests.staff import prepare_office
from workdays import VN_TZ

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
TABLET = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def console(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The cloud service with the demo accounts (no broker: the dossier pages do not need one); yields its URL
    and a new dossier's code, received at Phường Sài Gòn's desk by the demo reception officer over the API."""
    from cloud.app import CloudServer
    from cloud.settings import Settings

    settings = Settings(data_dir=tmp_path / "cloud", http_port=0, mqtt_port=free_port(), startup_connect_timeout_s=0,
                        firmware_configs=ROOT / "firmware_configs")
    prepare_office(settings.db_url, settings.reference_data)
    engine = make_engine(settings.db_url)
    users = UserStore(engine)
    ensure_demo_users(users)
    users.issue_token("tiepnhan", kind="api", name="walk", ttl=timedelta(hours=1), secret="walk-tiepnhan")
    users.issue_token("vanthu", kind="api", name="walk", ttl=timedelta(hours=1), secret="walk-vanthu")
    engine.dispose()
    server = CloudServer(settings).start()
    try:
        with httpx.Client(base_url=server.url, timeout=10, headers={"Authorization": "Bearer walk-tiepnhan"}) as api:
            card = api.get("/api/v1/catalogue/KD.01").json()
            papers = [{"code": d["code"]} for d in card["documents"] if not d.get("conditional")]
            made = api.post("/api/v1/dossiers", json={"procedure": "KD.01", "office": "sai-gon",
                                                      "applicant_name": "Nguyễn Văn Phúc", "documents": papers})
            assert made.status_code == 201, made.text
            yield server.url, made.json()["code"], api
    finally:
        server.stop()


def signed_in(browser, base: str, username: str, viewport: dict[str, int], **options):
    """A new browser context signed in as ``username``, on the page the sign-in form lands it on."""
    context = browser.new_context(viewport=viewport, locale="vi-VN", **options)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    return context, page


def opened(page, action: str):
    """The form of ``action`` on the dossier page, unfolded (the page opens its main form by itself)."""
    form = page.get_by_test_id(f"action-{action}")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    return form


def test_a_dossier_walks_from_the_head_to_the_results_desk(console, browser, tmp_path):
    base, code, api = console
    desk_size = {"width": 1366, "height": 900}

    # The department head: the new dossier is on the team page; assign it to the specialist by name.
    context, head = signed_in(browser, base, "truongphong", desk_size)
    head.wait_for_url(f"{base}/console/team")
    expect(head.get_by_test_id(f"assign-{code}")).to_be_visible()
    head.get_by_test_id(f"assign-officer-{code}").select_option(label="Trần Thị Ngọc Ánh")
    keep(head, tmp_path, "head-team")
    head.get_by_test_id(f"assign-submit-{code}").click()
    expect(head.get_by_test_id("flash")).to_have_text(f"Đã phân công hồ sơ {code} cho Trần Thị Ngọc Ánh.")
    expect(head.get_by_test_id(f"assign-{code}")).to_have_count(0)
    expect(head.get_by_test_id("team-load")).to_contain_text("Trần Thị Ngọc Ánh")
    context.close()

    # The specialist: the dossier is in the inbox; start, then submit it to the leader by name.
    context, specialist = signed_in(browser, base, "chuyenvien", desk_size)
    specialist.wait_for_url(f"{base}/console/inbox")
    expect(specialist.get_by_test_id("inbox")).to_contain_text(code)
    keep(specialist, tmp_path, "specialist-inbox")
    specialist.get_by_test_id(f"open-{code}").click()
    specialist.get_by_test_id("do-start").click()
    expect(specialist.get_by_test_id("flash")).to_have_text(f"Đã bắt đầu thụ lý hồ sơ {code}.")
    expect(specialist.get_by_test_id("dossier-state")).to_contain_text("Đang thụ lý")
    submit = opened(specialist, "submit")
    submit.get_by_test_id("field-leader").select_option(label="Phạm Quang Minh – Phường Sài Gòn")
    submit.get_by_test_id("field-summary").fill("Hồ sơ đủ điều kiện, đề nghị cấp giấy chứng nhận.")
    keep(specialist, tmp_path, "specialist-dossier")
    submit.get_by_test_id("do-submit").click()
    expect(specialist.get_by_test_id("flash")).to_have_text(f"Đã trình hồ sơ {code} cho Phạm Quang Minh phê duyệt.")
    context.close()

    # The leader on a 10" tablet: the three decisions are big buttons side by side.
    context, tablet = signed_in(browser, base, "lanhdao", TABLET, has_touch=True)
    tablet.wait_for_url(f"{base}/console/approvals")
    tablet.get_by_test_id(f"open-{code}").click()
    approve = tablet.get_by_test_id("do-approve")
    expect(approve).to_be_visible()
    assert approve.bounding_box()["height"] >= 48, "a decision must be a big touch target"
    boxes = [tablet.get_by_test_id(f"action-{a}").bounding_box() for a in ("approve", "refuse", "send_back")]
    assert len({round(b["y"]) for b in boxes}) == 1, "on a tablet the three decisions stand in one row"
    keep(tablet, tmp_path, "leader-approve-tablet", full_page=False)
    assert tablet.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    context.close()

    # … and on a phone, where the leader approves with one tap.
    context, phone = signed_in(browser, base, "lanhdao", PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)
    phone.wait_for_url(f"{base}/console/approvals")
    phone.get_by_test_id(f"open-{code}").tap()
    approve = phone.get_by_test_id("do-approve")
    expect(approve).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the page scrolls sideways"
    assert approve.bounding_box()["width"] >= PHONE["width"] * 0.7
    keep(phone, tmp_path, "leader-approve-phone", full_page=False)
    approve.tap()
    phone.wait_for_url(f"{base}/console/approvals")
    expect(phone.get_by_test_id("flash")).to_have_text(f"Đã phê duyệt hồ sơ {code}.")
    expect(phone.get_by_test_id("approvals-empty")).to_be_visible()
    context.close()

    # The clerk numbers and registers the signed result (the clerk's own page is tested with it).
    registered = api.post(f"/api/v1/dossiers/{code}/actions/register_result", headers={
        "Authorization": "Bearer walk-vanthu"}, json={"document_symbol": "GCN-UBND", "signer": "Phạm Quang Minh",
                                                     "signed_on": datetime.now(VN_TZ).date().isoformat(), "stamped": True})
    assert registered.status_code == 200, registered.text

    # The results desk: receive the result from the department, then return it in person, ID checked.
    context, desk = signed_in(browser, base, "trakq", desk_size)
    desk.wait_for_url(f"{base}/console/results")
    desk.get_by_test_id(f"open-{code}").click()
    desk.get_by_test_id("do-deliver_result").click()
    expect(desk.get_by_test_id("dossier-state")).to_contain_text("Có kết quả, chờ trả")
    back = opened(desk, "return_result")
    back.get_by_test_id("do-return_result").click()
    expect(desk.get_by_test_id("form-error")).to_contain_text("Phải kiểm tra căn cước")  # not yet checked
    back = desk.get_by_test_id("action-return_result")
    back.get_by_test_id("field-id-checked").check()
    back.get_by_test_id("field-recipient").fill("Nguyễn Văn Phúc")
    keep(desk, tmp_path, "results-return")
    back.get_by_test_id("do-return_result").click()
    expect(desk.get_by_test_id("dossier-state")).to_contain_text("Đã trả kết quả")
    expect(desk.get_by_test_id("dossier-history")).to_contain_text("Trả kết quả")
    context.close()
