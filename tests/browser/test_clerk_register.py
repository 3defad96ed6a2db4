"""The clerk (văn thư) registers a signed result in the browser: the demo accounts take a dossier to the register."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import expect

from cloud.auth.demo import DEMO_PASSWORD, ensure_demo_users
from cloud.auth.users import UserStore
from cloud.db.engine import make_engine
from tests.browser.shots import keep

pytestmark = pytest.mark.browser


def demo_headers(db_url: str) -> dict[str, dict[str, str]]:
    """API headers of the demo officers who take a dossier to the leader's signature."""
    engine = make_engine(db_url)
    try:
        users = UserStore(engine)
        ensure_demo_users(users)
        who = {}
        for username in ("tiepnhan", "truongphong", "chuyenvien", "lanhdao"):
            users.issue_token(username, kind="api", name="tests", ttl=timedelta(hours=1), secret=f"demo-{username}")
            who[username] = {"Authorization": f"Bearer demo-{username}"}
        return who
    finally:
        engine.dispose()


def papers_of(api: httpx.Client, procedure: str) -> list[dict[str, str]]:
    card = api.get(f"/api/v1/catalogue/{procedure}").json()
    return [{"code": doc["code"]} for doc in card["documents"] if not doc.get("conditional")]


def signed_result(api: httpx.Client, who: dict[str, dict[str, str]], applicant: str) -> str:
    received = api.post("/api/v1/dossiers", headers=who["tiepnhan"], json={
        "procedure": "KD.01", "office": "sai-gon", "applicant_name": applicant, "documents": papers_of(api, "KD.01")})
    assert received.status_code == 201, received.text
    code = str(received.json()["code"])
    for action, username, payload in (
        ("assign", "truongphong", {"officer": "chuyenvien"}),
        ("start", "chuyenvien", {}),
        ("submit", "chuyenvien", {"officer": "lanhdao", "unit": "hcm.sai_gon"}),
        ("approve", "lanhdao", {"result_ref": "GCN 41A8012345"}),
    ):
        response = api.post(f"/api/v1/dossiers/{code}/actions/{action}", headers=who[username], json=payload)
        assert response.status_code == 200, (action, response.text)
    return code


def test_the_clerk_numbers_stamps_and_registers_a_signed_result(cloud_service, browser, tmp_path):
    settings, api = cloud_service
    who = demo_headers(settings.db_url)
    first = signed_result(api, who, "Nguyễn Văn Bình")
    second = signed_result(api, who, "Trần Thị Hoa")

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = context.new_page()
    base = str(api.base_url).rstrip("/")
    page.goto(f"{base}/login")
    page.get_by_test_id("login-username").fill("vanthu")
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{base}/console/register")  # the clerk's home
    expect(page.get_by_test_id("console-user")).to_contain_text("Huỳnh Thị Thanh Hương · Văn thư")

    form = page.get_by_test_id(f"register-form-{first}")
    expect(form).to_contain_text("Nguyễn Văn Bình")
    expect(form.get_by_test_id("register-signer")).to_have_value("Phạm Quang Minh")  # the leader who signed
    form.get_by_test_id("register-signer").fill("")
    form.get_by_test_id("register-submit").click()
    form = page.get_by_test_id(f"register-form-{first}")
    expect(form.get_by_test_id("register-errors")).to_contain_text("Nhập họ và tên người ký.")
    form.get_by_test_id("register-signer").fill("Phạm Quang Minh")
    form.get_by_test_id("register-stamped").check()
    form.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("register-done")).to_contain_text("Đã vào sổ số 1/")
    expect(page.get_by_test_id("register-line-1")).to_contain_text("1/QĐ-UBND")
    expect(page.get_by_test_id(f"register-form-{first}")).to_have_count(0)

    form = page.get_by_test_id(f"register-form-{second}")
    form.get_by_test_id("register-symbol").fill("")
    form.get_by_test_id("register-number").fill("45/QĐ-UBND")
    form.get_by_test_id("register-stamped").check()
    keep(page, tmp_path, "clerk-register")  # the guide's picture: a filled form above the year's register
    form.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("register-done")).to_contain_text("Đã vào sổ số 2/")
    line = page.get_by_test_id("register-line-2")
    expect(line).to_contain_text("45/QĐ-UBND")
    expect(line).to_contain_text("Có")
    expect(line).to_contain_text("Huỳnh Thị Thanh Hương")
    expect(page.get_by_test_id("register-waiting-empty")).to_be_visible()
    keep(page, tmp_path, "clerk-register-done")
    context.close()
