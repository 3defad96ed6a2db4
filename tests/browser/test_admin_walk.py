"""The administrator's walk (issue 11): quantri changes a procedure's time limit and a counter's fields in the
console, and the desk sees both at once, without a restart.

Screenshots ``admin-catalogue`` and ``admin-office`` picture the administration guide.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from cloud.app import CloudServer
from cloud.auth.demo import DEMO_PASSWORD, ensure_demo_users
from cloud.domain.roles import Role
from tests.auth.conftest import add_accounts, as_role, settings_in
from tests.browser.shots import keep
from tests.staff import prepare_office

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CloudServer]:
    """The app under uvicorn with the demo office, one account per role and the demo's accounts (quantri)."""
    settings = settings_in(tmp_path)
    unit = prepare_office(settings.db_url, settings.reference_data)
    with CloudServer(settings) as running:
        add_accounts(running.app.state.users, unit)
        ensure_demo_users(running.app.state.users)
        yield running


def test_quantri_edits_a_time_limit_and_a_counters_fields_and_both_are_in_force(server: CloudServer, page,
                                                                                  tmp_path: Path) -> None:
    base = server.url
    page.goto(f"{base}/console/home")
    page.get_by_test_id("login-username").fill("quantri")
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{base}/console/admin")  # the admin's home
    expect(page.get_by_test_id("console-user")).to_contain_text("Đặng Văn Quân")

    page.get_by_test_id("admin-catalogue-link").click()
    page.get_by_test_id("admin-catalogue-q").fill("dang ky khai sinh")
    page.get_by_test_id("admin-catalogue-q").press("Enter")
    page.get_by_test_id("admin-procedure-HT.01-link").click()
    page.get_by_test_id("procedure-time-unit").select_option("working_days")
    page.get_by_test_id("procedure-time-amount").fill("2")
    page.get_by_test_id("procedure-save").click()
    expect(page.get_by_test_id("admin-done")).to_contain_text("Đã lưu thủ tục")
    keep(page, tmp_path, "admin-catalogue")
    with httpx.Client(base_url=base) as api:
        found = api.get("/api/v1/catalogue", params={"q": "dang ky khai sinh"}).json()[0]
        assert found["code"] == "HT.01" and found["time_limit_vi"] == "02 ngày làm việc"

    page.goto(f"{base}/console/admin")
    page.get_by_test_id("admin-offices-link").click()
    page.get_by_test_id("admin-office-sai-gon-link").click()
    page.get_by_test_id("admin-counter-2-field-ho-tich").check()
    page.get_by_test_id("admin-counter-2-save").click()
    expect(page.get_by_test_id("admin-done")).to_contain_text("Đã lưu quầy")
    expect(page.get_by_test_id("admin-counter-2-fields")).to_have_text("Đang phục vụ: Hộ tịch, Đất đai")
    keep(page, tmp_path, "admin-office")
    with httpx.Client(base_url=base, headers=as_role(Role.reception)) as api:
        office = api.get("/api/v1/offices/sai-gon").json()
        assert sorted(next(c["fields"] for c in office["counters"] if c["number"] == 2)) == ["dat-dai", "ho-tich"]
    page.goto(f"{base}/console/offices/sai-gon")  # the counters' page the officers work from
    expect(page.locator("body")).to_contain_text("Quầy 2")
