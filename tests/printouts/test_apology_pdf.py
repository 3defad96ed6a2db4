"""Mẫu 04 printed (GET /dossiers/{code}/apology.pdf): the apology and the new date, on one A5 page.

The apology is made through the workflow (action ``apologise``) and read back
by OCR and zbarimg, as tests/printouts/test_receipt_pdf.py reads form 01.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from fastapi.testclient import TestClient

from tests.dossiers.conftest import bc_reception, head, it, new_dossier, reception
from tests.dossiers.flows import act, advance
from tests.printouts.reading import ocr, page_images, pdf_fonts, pdf_info, region_image, scanned_codes
from tests.printouts.test_receipt_pdf import A5, AGENCY_BLOCK, VN

PDF = "/api/v1/dossiers/{}/apology.pdf"
REASON = "Chờ ý kiến của cơ quan thuế về địa điểm kinh doanh"


def test_the_apology_prints_the_reason_and_the_new_date_for_the_citizen(client: TestClient, tmp_path: Path) -> None:
    created = new_dossier(client, applicant="Phạm Văn Đồng")
    code = created["code"]
    missing = client.get(PDF.format(code), headers=reception)
    assert missing.status_code == 404 and missing.json()["code"] == "no_apology"  # nothing to apologise for yet
    assert "chưa có phiếu xin lỗi" in missing.json()["message_vi"]
    advance(client, code, "in_process")
    sorry = act(client, code, "apologise", head, {"reason": REASON, "new_appointment": "2026-10-19T10:00:00+07:00"})
    assert sorry.status_code == 200, sorry.text

    started = time.perf_counter()
    response = client.get(PDF.format(code), headers=reception)  # the desk prints it for the citizen
    elapsed_ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'inline; filename="{code}-mau04.pdf"'
    pdf = tmp_path / "mau04.pdf"
    pdf.write_bytes(response.content)
    info = pdf_info(pdf)
    assert info["Pages"].strip() == "1" and info["Page size"].strip() == A5
    assert all(embedded for _, embedded in pdf_fonts(pdf))

    [image] = page_images(pdf)
    page = ocr(image)
    flat = " ".join(page.split())
    agency = " ".join(ocr(region_image(pdf, 1, AGENCY_BLOCK)).split())
    assert agency.startswith("ỦY BAN NHÂN DÂN THÀNH PHỐ THỦ DẦU MỘT BỘ PHẬN TIẾP NHẬN VÀ TRẢ"), agency
    due = datetime.fromisoformat(created["appointment"]).astimezone(VN)
    for line in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "Thủ Dầu Một, ngày 12 tháng 10 năm 2026",  # the day the letter was issued
                 "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", f"Mã hồ sơ: {code}", "Kính gửi: Phạm Văn Đồng",
                 "Đăng ký thành lập hộ kinh doanh",
                 "10 giờ 00 phút, ngày 19 tháng 10 năm 2026",  # the new appointment, in its box
                 "TRƯỞNG PHÒNG", "Cán bộ tp.hung"):  # the department head who apologised, by name
        assert line in page, f"{line!r} not read on the page:\n{page}"
    for line in (f"Lý do: {REASON}",  # wraps
                 f"{due:%H} giờ {due:%M} phút, ngày {due:%d} tháng {due:%m} năm {due:%Y}"):  # the slip's date
        assert line in flat, f"{line!r} not read on the page:\n{page}"
    assert scanned_codes(image) == {"QR-Code": code}
    print(f"apology.pdf: {elapsed_ms:.0f} ms, {len(response.content)} bytes")


def test_the_apology_answers_like_the_receipt_to_callers_outside_its_scope(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    advance(client, code, "in_process")
    assert act(client, code, "apologise", head, {"reason": REASON, "new_appointment": "2026-10-19T10:00:00+07:00"}
               ).status_code == 200
    other = client.get(PDF.format(code), headers=bc_reception)  # Bến Cát's desk: as if the dossier did not exist
    assert other.status_code == 404 and other.json()["code"] == "dossier_not_found"
    assert client.get(PDF.format(code)).status_code == 401
    assert client.get(PDF.format(code), headers=it).status_code == 403


def test_the_dossier_page_links_the_control_sheet_always_and_the_apology_once_made(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    page = client.get(f"/console/dossiers/{code}", headers=reception).text
    assert f'href="/api/v1/dossiers/{code}/control-sheet.pdf"' in page and "In phiếu kiểm soát (Mẫu 05)" in page
    assert "Mẫu 04" not in page  # no apology: nothing to print
    advance(client, code, "in_process")
    assert act(client, code, "apologise", head, {"reason": REASON, "new_appointment": "2026-10-19T10:00:00+07:00"}
               ).status_code == 200
    page = client.get(f"/console/dossiers/{code}", headers=reception).text
    link = f'href="/api/v1/dossiers/{code}/apology.pdf"'
    assert link in page and "In phiếu xin lỗi (Mẫu 04)" in page
    assert client.get(f"/api/v1/dossiers/{code}/apology.pdf", headers=reception).content[:5] == b"%PDF-"
