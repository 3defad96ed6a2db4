"""The administrator publishes a procedure's downloadable form in the browser; anyone downloads it at once.

Screenshot ``admin-forms`` pictures the administration guide (Biểu mẫu tải về).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from cloud.app import CloudServer
from cloud.auth.demo import DEMO_PASSWORD
from tests.browser.shots import keep
from tests.browser.test_admin_walk import server  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_quantri_publishes_a_form_and_a_citizen_downloads_it(server: CloudServer, page,  # noqa: F811
                                                             tmp_path: Path) -> None:
    base = server.url
    form_file = tmp_path / "to-khai-khai-sinh.pdf"
    form_file.write_bytes(PDF)
    page.goto(f"{base}/console/home")
    page.get_by_test_id("login-username").fill("quantri")
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{base}/console/admin")
    page.goto(f"{base}/console/admin/catalogue/HT.01")
    page.get_by_test_id("procedure-form-title").fill("Tờ khai đăng ký khai sinh")
    page.get_by_test_id("procedure-form-file").set_input_files(str(form_file))
    page.get_by_test_id("procedure-form-submit").click()
    expect(page.get_by_test_id("admin-done")).to_contain_text("Đã tải biểu mẫu lên")
    expect(page.get_by_test_id("procedure-forms-list")).to_contain_text("Tờ khai đăng ký khai sinh")
    page.get_by_test_id("procedure-forms").scroll_into_view_if_needed()
    keep(page, tmp_path, "admin-forms")
    with httpx.Client(base_url=base) as citizen:  # no account
        [listed] = citizen.get("/api/v1/catalogue/HT.01/forms").json()
        got = citizen.get(listed["url"])
        assert got.status_code == 200 and hashlib.sha256(got.content).digest() == hashlib.sha256(PDF).digest()
