"""The console live in a browser against the whole system (brokers, bridge, hub with simulated devices, cloud).

A ticket printed at the virtual office's kiosk appears on the open office page without a reload, the
N key calls it at the officer's own counter, the overview counts it, and a desk's scanner records a
hand-over in one step. Screenshots: counter-live, office-overview, scan-handover.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from cloud.auth.demo import DEMO_PASSWORD, ensure_demo_users
from cloud.auth.users import UserStore
from cloud.db.engine import make_engine
from tests.browser.shots import keep
from tests.dossiers.conftest import papers
from tests.staff import sign_in_browser
from workdays import VN_TZ

pytestmark = pytest.mark.browser


def test_a_kiosk_ticket_appears_live_and_the_n_key_calls_it(stack, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    office, console = context.new_page(), context.new_page()
    office.goto(f"{stack.display_url}/office")
    sign_in_browser(console, stack.cloud_url, "/console/offices/sai-gon")
    console.evaluate("window.__sameDocument = true")  # gone if the page reloaded
    expect(console.get_by_test_id("shortcut-target")).to_contain_text("Hãy nhận quầy")

    console.get_by_test_id("sign-in-1").click()
    expect(console.get_by_test_id("counter-1-mine")).to_be_visible()  # the hub's answer, over the stream
    expect(console.get_by_test_id("shortcut-target")).to_have_text("(đang dùng cho Quầy 1)")

    office.get_by_test_id("kiosk-ho-tich").click()
    expect(office.get_by_test_id("receipt").first).to_contain_text("A001")
    expect(console.get_by_test_id("waiting-ho-tich")).to_contain_text("A001")
    expect(console.get_by_test_id("waiting-count-ho-tich")).to_have_text("1")
    expect(console.get_by_test_id("count-issued")).to_have_text("1")

    console.locator("body").click(position={"x": 5, "y": 5})  # nothing focused: the page has the keyboard
    console.keyboard.press("n")
    expect(console.get_by_test_id("counter-1-current")).to_have_text("A001")
    expect(console.get_by_test_id("counter-1-message")).to_have_text("Đã gọi số A001 tới quầy 1.")
    expect(office.frame_locator("iframe").get_by_test_id("hall-now-number")).to_have_text("A001")
    expect(console.get_by_test_id("waiting-count-ho-tich")).to_have_text("0")

    console.get_by_test_id("transfer-to-1").focus()
    console.keyboard.press("d")  # typing in a field: no shortcut
    expect(console.get_by_test_id("counter-1-current")).to_have_text("A001")
    # A scanner typing while no field has the focus: its letters (d, v, t, r, n…) are a scan, not shortcuts.
    console.locator("body").click(position={"x": 5, "y": 5})
    console.keyboard.type("https://dichvucong.gov.vn/tra-cuu?code=H29.79.01-261202-9999", delay=2)
    console.keyboard.press("Enter")
    expect(console.get_by_test_id("scan-result").first).to_have_text("Không tìm thấy hồ sơ “H29.79.01-261202-9999”.")
    expect(console.get_by_test_id("counter-1-current")).to_have_text("A001")
    expect(console.get_by_test_id("counter-1-message")).to_have_text("Đã gọi số A001 tới quầy 1.")  # no other command
    assert console.evaluate("window.__sameDocument") is True
    keep(console, tmp_path, "counter-live")

    console.goto(f"{stack.cloud_url}/console/offices/sai-gon/overview")
    expect(console.get_by_test_id("overview-issued")).to_have_text("1")
    expect(console.get_by_test_id("overview-waiting")).to_have_text("0")
    expect(console.get_by_test_id("overview-average-wait")).not_to_have_text("—")
    office.get_by_test_id("kiosk-ho-tich").click()  # a second ticket, while the overview is open
    expect(console.get_by_test_id("overview-issued")).to_have_text("2")
    expect(console.get_by_test_id("overview-waiting")).to_have_text("1")
    keep(console, tmp_path, "office-overview")
    context.close()


def _registered_dossier(stack) -> str:
    """A dossier of Phường Sài Gòn taken by the demo officers up to the clerk's register, over the API."""
    engine = make_engine(stack.settings.db_url)
    try:
        users = UserStore(engine)
        ensure_demo_users(users)
        for name in ("tiepnhan", "truongphong", "chuyenvien", "lanhdao", "vanthu"):
            users.issue_token(name, kind="api", name="tests", ttl=timedelta(hours=1), secret=f"live-{name}")
    finally:
        engine.dispose()

    def who(name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer live-{name}"}

    with httpx.Client(base_url=stack.cloud_url, timeout=15) as api:
        received = api.post("/api/v1/dossiers", headers=who("tiepnhan"), json={
            "procedure": "KD.01", "office": "sai-gon", "applicant_name": "Nguyễn Văn Bình",
            "documents": papers(api, "KD.01")})  # type: ignore[arg-type]  # papers() returns loosely typed JSON, which httpx's json= accepts at runtime
        assert received.status_code == 201, received.text
        code = str(received.json()["code"])
        for action, name, payload in (("assign", "truongphong", {"officer": "chuyenvien"}), ("start", "chuyenvien", {}),
                                      ("submit", "chuyenvien", {"officer": "lanhdao", "unit": "hcm.sai_gon"}),
                                      ("approve", "lanhdao", {"result_ref": "GCN 41A8012345"})):
            moved = api.post(f"/api/v1/dossiers/{code}/actions/{action}", headers=who(name), json=payload)
            assert moved.status_code == 200, (action, moved.text)
        signed = datetime.fromisoformat(api.get(f"/api/v1/dossiers/{code}", headers=who("vanthu")).json()
                                        ["dossier"]["updated_at"]).astimezone(VN_TZ).date()
        registered = api.post(f"/api/v1/dossiers/{code}/actions/register_result", headers=who("vanthu"), json={
            "document_symbol": "GCN-UBND", "signed_on": signed.isoformat(), "signer": "Phạm Quang Minh",
            "stamped": True})
        assert registered.status_code == 200, registered.text
    return code


def test_the_results_desk_scans_a_slip_and_the_hand_over_is_recorded(stack, page, tmp_path):
    code = _registered_dossier(stack)
    page.goto(f"{stack.cloud_url}/login?next=/console/dossiers")
    page.get_by_test_id("login-username").fill("trakq")
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{stack.cloud_url}/console/dossiers")
    expect(page.get_by_test_id("scan-input")).to_be_focused()  # the scanner types straight into it
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")
    line = page.get_by_test_id("scan-result").first
    expect(line).to_contain_text(f"Đã nhận hồ sơ {code} (Đăng ký thành lập hộ kinh doanh) từ Huỳnh Thị Thanh Hương")
    expect(page.get_by_test_id("scan-input")).to_have_value("")
    expect(page.locator(f'tr[data-code="{code}"]')).to_contain_text("Có kết quả, chờ trả")  # the list follows
    expect(page.get_by_test_id("scan-input")).to_be_focused()  # ready for the next slip

    page.keyboard.type(code, delay=5)  # the same slip again: refused, said in words
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("scan-result").first).to_contain_text("đang ở trạng thái “Có kết quả, chờ trả”")
    keep(page, tmp_path, "scan-handover")
    page.goto(f"{stack.cloud_url}/console/dossiers/{code}")
    expect(page.locator("body")).to_contain_text("Võ Thị Mai")  # the desk holds it now
