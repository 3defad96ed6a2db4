"""The reception officer's intake in a real browser (issue 11): from the called ticket to the printed Mẫu 01.

Signed in as the demo's reception officer (tiepnhan) at counter 1 of Phường
Sài Gòn: a citizen takes a ticket at the kiosk, the officer calls it, opens
the intake, finds "Đăng ký khai sinh" typed without accents, enters the
applicant, ticks the papers and receives; the receipt slip is a PDF.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cloud.auth.demo import DEMO_PASSWORD, ensure_demo_users
from cloud.auth.users import UserStore
from cloud.db.engine import make_engine
from tests.browser.shots import keep

pytestmark = pytest.mark.browser


def test_reception_receives_a_dossier_from_the_called_ticket(stack, browser, tmp_path):
    engine = make_engine(stack.settings.db_url)
    try:
        ensure_demo_users(UserStore(engine))
    finally:
        engine.dispose()
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    office = context.new_page()
    console = context.new_page()
    office.goto(f"{stack.display_url}/office")
    office.get_by_test_id("kiosk-ho-tich").click()
    expect(office.get_by_test_id("receipt").first).to_contain_text("A001")

    console.goto(f"{stack.cloud_url}/console/offices/sai-gon")
    console.get_by_test_id("login-username").fill("tiepnhan")
    console.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    console.get_by_test_id("login-submit").click()
    console.wait_for_url(f"{stack.cloud_url}/console/offices/sai-gon")
    console.get_by_test_id("sign-in-1").click()
    expect(console.get_by_test_id("counter-1-officer")).to_have_text("Nguyễn Thị Lan")
    expect(console.get_by_test_id("waiting-ho-tich")).to_contain_text("A001")
    console.get_by_test_id("call-next-1").click()
    expect(console.get_by_test_id("counter-1-current")).to_contain_text("A001")

    console.get_by_test_id("intake-1").click()
    expect(console.get_by_test_id("intake-ticket")).to_contain_text("A001")
    console.get_by_test_id("procedure-query").fill("dang ky khai sinh")
    results = console.get_by_test_id("procedure-results").locator("a").first
    expect(results).to_have_text("Đăng ký khai sinh")  # while typing (intake.js), before the form is sent
    console.get_by_test_id("procedure-search-submit").click()  # the plain GET form, as without JavaScript
    expect(console).to_have_url(re.compile(r"/intake\?q=dang\+ky\+khai\+sinh$"))
    expect(console.get_by_test_id("procedure-results").locator("a").first).to_have_text("Đăng ký khai sinh")
    keep(console, tmp_path, "intake-search")

    console.get_by_test_id("procedure-HT.01").click()
    expect(console.get_by_test_id("procedure-card")).to_contain_text("Trong ngày")
    console.get_by_test_id("applicant-applicant_name").fill("Nguyễn Thị Bình")
    console.get_by_test_id("applicant-id_number").fill("079190001234")
    console.get_by_test_id("applicant-address").fill("12 Lê Lợi, phường Sài Gòn, Thành phố Hồ Chí Minh")
    console.get_by_test_id("applicant-phone").fill("0912 345 678")
    console.get_by_test_id("paper-HT.01-1").check()
    console.get_by_test_id("paper-HT.01-2").check()
    keep(console, tmp_path, "intake-papers")

    console.get_by_test_id("outcome-receive").click()
    expect(console.get_by_test_id("intake-done-title")).to_contain_text("Đã tiếp nhận hồ sơ")
    code = console.get_by_test_id("intake-dossier-code").inner_text().strip()
    keep(console, tmp_path, "intake-received")
    receipt = console.get_by_test_id("print-receipt").get_attribute("href")
    assert receipt == f"/api/v1/dossiers/{code}/receipt.pdf"
    pdf = console.request.get(f"{stack.cloud_url}{receipt}")  # the page's own session cookie
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"
    detail = stack.api.get(f"/api/v1/dossiers/{code}").json()
    assert detail["ticket"]["number"] == "A001" and detail["ticket"]["counter"] == 1
    assert detail["applicant_name"] == "Nguyễn Thị Bình" and detail["received_by"] == "Nguyễn Thị Lan"
    context.close()
