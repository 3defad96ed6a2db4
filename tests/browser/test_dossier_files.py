"""A specialist writes a note and uploads a real PDF on a dossier's page, in Debian's chromium (issue 11).

The PDF is one chromium itself prints (a site-visit report with Vietnamese
text), so the file is what a scanner or a word processor would give, not a
few magic bytes. The upload goes through the page's form (multipart, the
console's CSRF check by Origin), and the file downloaded again over the API
has the checksum the page's listing promised. The screenshot
``specialist-attachments`` is kept for the processing user guide.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from broker.process import free_port
from cloud.app import CloudServer
from cloud.auth.demo import DEMO_PASSWORD, ensure_demo_users
from cloud.auth.users import UserStore
from cloud.db.engine import make_engine
from cloud.settings import Settings
from tests.browser.shots import keep
from tests.staff import prepare_office

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser

REPORT = """<!doctype html><html lang="vi"><meta charset="utf-8"><body style="font-family: sans-serif">
<h1>Biên bản xác minh thực địa</h1><p>Địa điểm kinh doanh số 12 Lê Lợi, phường Sài Gòn: đúng như hồ sơ.</p>
</body></html>"""


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The service with the demo accounts and one KD.01 dossier assigned to chuyenvien; (url, its code)."""
    settings = Settings(data_dir=tmp_path / "cloud", mqtt_port=free_port(), startup_connect_timeout_s=0,
                        http_port=0, firmware_configs=ROOT / "firmware_configs")
    prepare_office(settings.db_url, settings.reference_data)
    engine = make_engine(settings.db_url)
    users = UserStore(engine)
    ensure_demo_users(users)
    for login in ("tiepnhan", "truongphong"):
        users.issue_token(login, kind="api", name="tests", ttl=timedelta(hours=1), secret=f"test-{login}")
    engine.dispose()
    server = CloudServer(settings).start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as api:
            card = api.get("/api/v1/catalogue/KD.01").json()
            papers = [{"code": d["code"]} for d in card["documents"] if not d.get("conditional")]
            received = api.post("/api/v1/dossiers", headers={"Authorization": "Bearer test-tiepnhan"}, json={
                "procedure": "KD.01", "office": "sai-gon", "applicant_name": "Nguyễn Văn Bình", "documents": papers})
            assert received.status_code == 201, received.text
            code = received.json()["code"]
            assigned = api.post(f"/api/v1/dossiers/{code}/actions/assign",
                                headers={"Authorization": "Bearer test-truongphong"}, json={"officer": "chuyenvien"})
            assert assigned.status_code == 200, assigned.text
        yield server.url, {"code": code}
    finally:
        server.stop()


def test_a_specialist_notes_and_attaches_a_pdf_on_the_dossier_page(cloud, browser, page, tmp_path: Path) -> None:
    url, facts = cloud
    code = facts["code"]
    printer = browser.new_page()
    printer.set_content(REPORT)
    pdf = tmp_path / "Biên bản xác minh.pdf"
    pdf.write_bytes(printer.pdf(format="A4"))
    printer.close()
    assert pdf.read_bytes().startswith(b"%PDF-")

    page.goto(f"{url}/console/dossiers/{code}")
    page.get_by_test_id("login-username").fill("chuyenvien")
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{url}/console/dossiers/{code}")
    expect(page.get_by_test_id("notes-empty")).to_have_text("Chưa có ghi chú.")

    page.get_by_test_id("note-text").fill("Đã xác minh thực địa cùng UBND phường; địa điểm đúng như hồ sơ.")
    page.get_by_test_id("note-submit").click()
    expect(page.get_by_test_id("files-done")).to_have_text("Đã lưu ghi chú.")
    expect(page.get_by_test_id("note")).to_contain_text("Trần Thị Ngọc Ánh")

    page.get_by_test_id("attachment-file").set_input_files(str(pdf))
    page.get_by_test_id("attachment-submit").click()
    expect(page.get_by_test_id("files-done")).to_have_text("Đã tải tệp lên hồ sơ.")
    row = page.get_by_test_id("attachment")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Biên bản xác minh.pdf")
    expect(row).to_contain_text("PDF")
    expect(row).to_contain_text("Trần Thị Ngọc Ánh")
    expect(row).to_contain_text("KB")
    keep(page, tmp_path, "specialist-attachments")

    # The download the link offers is the same bytes, of the type read from them.
    href = page.get_by_test_id("attachment-link").get_attribute("href")
    assert href is not None
    downloaded = page.request.get(f"{url}{href}")
    assert downloaded.status == 200 and downloaded.headers["content-type"] == "application/pdf"
    assert downloaded.headers["x-content-type-options"] == "nosniff"
    assert hashlib.sha256(downloaded.body()).hexdigest() == hashlib.sha256(pdf.read_bytes()).hexdigest()
    listed = page.request.get(f"{url}/api/v1/dossiers/{code}/attachments").json()
    assert [a["sha256"] for a in listed] == [hashlib.sha256(pdf.read_bytes()).hexdigest()]

    # A file that only calls itself a PDF is refused with the reason, and nothing is listed for it.
    fake = tmp_path / "giả.pdf"
    fake.write_bytes(b"<html><script>alert(1)</script></html>")
    page.get_by_test_id("attachment-file").set_input_files(str(fake))
    page.get_by_test_id("attachment-submit").click()
    expect(page.get_by_test_id("files-error")).to_contain_text("Chỉ nhận tệp PDF, JPEG hoặc PNG")
    expect(page.get_by_test_id("attachment")).to_have_count(1)
