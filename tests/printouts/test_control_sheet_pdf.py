"""Mẫu 05 printed (GET /dossiers/{code}/control-sheet.pdf): every hand-over, by name, early / on time / late.

The dossier is walked through the workflow over HTTP (tests/dossiers/flows.py)
with the clock moved between steps, so one step is late and the others are
not; the sheet is read back by OCR and zbarimg.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from tests.dossiers.conftest import REGISTER, Clock, bc_reception, clerk, desk, head, leader, new_dossier, reception, specialist
from tests.dossiers.flows import act
from tests.printouts.reading import ocr, page_images, pdf_fonts, pdf_info, region_image, run, scanned_codes
from tests.printouts.test_receipt_pdf import A5, AGENCY_BLOCK

PDF = "/api/v1/dossiers/{}/control-sheet.pdf"
PEOPLE = ("Cán bộ tn.lan", "Cán bộ tp.hung", "Cán bộ cv.an", "Cán bộ pct.minh", "Cán bộ tkq.mai")
"""The officers of the hand-overs, by the full names of these tests' user table (not their logins)."""


def walk(client: TestClient, clock: Clock, code: str) -> None:
    """Received Monday 08:00; assigned at 09:00, started 09:30, submitted Thursday (late), then signed and returned."""
    steps = [
        (timedelta(hours=1), "assign", head, {"officer": "cv.an"}),
        (timedelta(minutes=30), "start", specialist, {}),
        (timedelta(days=3), "submit", specialist, {"officer": "pct.minh", "unit": "tdm.ubnd"}),
        (timedelta(hours=1), "approve", leader, {"result_ref": "GCN 46A8012345"}),
        (timedelta(minutes=15), "register_result", clerk, REGISTER),
        (timedelta(minutes=15), "deliver_result", desk, {}),
        (timedelta(hours=1), "return_result", desk, {"channel": "in_person", "id_checked": True}),
    ]
    for delay, action, who, payload in steps:
        clock.advance(delay)
        response = act(client, code, action, who, payload)
        assert response.status_code == 200, response.text


def test_the_control_sheet_lists_every_hand_over_by_name(client: TestClient, clock: Clock, tmp_path: Path) -> None:
    code = new_dossier(client, applicant="Đỗ Thị Mười")["code"]
    walk(client, clock, code)
    response = client.get(PDF.format(code), headers=reception)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == f'inline; filename="{code}-mau05.pdf"'
    pdf = tmp_path / "mau05.pdf"
    pdf.write_bytes(response.content)
    info = pdf_info(pdf)
    assert info["Page size"].strip() == A5 and int(info["Pages"]) in (1, 2)
    assert all(embedded for _, embedded in pdf_fonts(pdf))

    images = page_images(pdf)
    pages = [ocr(image) for image in images]
    text = "\n".join(pages)
    flat = " ".join(text.split())
    agency = " ".join(ocr(region_image(pdf, 1, AGENCY_BLOCK)).split())
    assert agency.startswith("ỦY BAN NHÂN DÂN THÀNH PHỐ THỦ DẦU MỘT BỘ PHẬN TIẾP NHẬN VÀ TRẢ"), agency
    for line in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", f"Mã hồ sơ: {code}",
                 "Người nộp hồ sơ: Đỗ Thị Mười", "Đăng ký thành lập hộ kinh doanh",
                 "Nhận hồ sơ: 08 giờ 00 phút, ngày 12 tháng 10 năm 2026",
                 "Hạn giải quyết: 17 giờ 00 phút, ngày 15 tháng 10 năm 2026"):
        assert line in text, f"{line!r} not read on the sheet:\n{text}"
    for person in PEOPLE:
        assert person in flat, f"{person!r} not read on the sheet:\n{text}"
    for moment in ("08:00 12/10/2026", "09:00 12/10/2026", "09:30 12/10/2026"):  # received, assigned, started
        assert moment in flat, f"{moment!r} not read on the sheet:\n{text}"
    assert "Trước hạn" in flat and "Quá hạn" in flat  # the head assigned early; the specialist submitted late
    # the text layer says which cell is which (OCR reads a table's cells across each other)
    layer = " ".join(run("pdftotext", pdf, "-").split())
    assert "Nhận: Người nộp hồ sơ – Đỗ Thị Mười" in layer  # the last hand-over: to the citizen, by name
    moves = client.get(f"/api/v1/dossiers/{code}", headers=reception).json()["dossier"]["handovers"]
    assert len(moves) >= 5  # receive, assign, submit, deliver, return at least
    assert layer.count("Giao:") == 2 * len(moves)  # each hand-over a row: a giver and a time
    assert "Ủy ban nhân dân Thành phố Thủ Dầu Một" in layer  # the leader's unit by name, not "tdm.ubnd"
    assert "tdm.ptckh" not in layer and "tdm-bptn" not in layer  # units by name, never by code
    assert scanned_codes(images[0]) == {"QR-Code": code}


def test_a_dossier_of_another_office_has_no_control_sheet_for_you(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    other = client.get(PDF.format(code), headers=bc_reception)
    assert other.status_code == 404 and other.json()["code"] == "dossier_not_found"
    assert client.get(PDF.format(code), headers=head).status_code == 200  # the handling department reads it
