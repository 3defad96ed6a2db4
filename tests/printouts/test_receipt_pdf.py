"""Mẫu 01 printed (GET /dossiers/{code}/receipt.pdf): two A5 pages that a person can read and a scanner can scan.

Read back with Debian's tools only (tests/printouts/reading.py): the page
rendered to an image, its text read by tesseract's Vietnamese model, its
codes by zbarimg. A line asserted here is one that OCR found on the page,
not one found in the template.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from tests.dossiers.conftest import head, it, new_dossier, papers, reception
from tests.printouts.reading import ocr, page_images, pdf_fonts, pdf_info, region_image, run, scanned_codes

PDF = "/api/v1/dossiers/{}/receipt.pdf"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
A5 = "419.528 x 595.276 pts"  # 148 × 210 mm
AGENCY_BLOCK = (10.0, 10.0, 58.0, 24.0)  # mm: the top-left column, read alone (whole-page OCR interleaves the motto)


def receive(client: TestClient, applicant: str, **extra: object) -> dict:
    response = client.post("/api/v1/dossiers", headers=reception, json={
        "procedure": "KD.01", "office": "tdm-bptn", "applicant_name": applicant, "documents": papers(client, "KD.01"),
        **extra})
    assert response.status_code == 201, response.text
    return response.json()


def test_the_receipt_prints_as_two_a5_copies_with_the_lines_a_person_reads(client: TestClient, tmp_path: Path) -> None:
    created = receive(client, "Nguyễn Thị Bình", applicant_phone="0912 345 678")
    code = created["code"]
    started = time.perf_counter()
    response = client.get(PDF.format(code), headers=reception)
    elapsed_ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'inline; filename="{code}-mau01.pdf"'
    pdf = tmp_path / "mau01.pdf"
    pdf.write_bytes(response.content)

    info = pdf_info(pdf)
    assert info["Pages"].strip() == "2" and info["Page size"].strip() == A5  # the citizen's copy and the file's
    fonts = pdf_fonts(pdf)
    assert fonts and all(embedded for _, embedded in fonts), fonts  # the glyphs travel with the file

    due = datetime.fromisoformat(created["appointment"]).astimezone(VN)
    pages = [ocr(image) for image in page_images(pdf)]
    copies = ("Liên 1: Giao người nộp hồ sơ", "Liên 2: Lưu tại Bộ phận tiếp nhận")
    for number, (page, copy) in enumerate(zip(pages, copies, strict=True), start=1):
        agency = " ".join(ocr(region_image(pdf, number, AGENCY_BLOCK)).split())
        assert agency.startswith("ỦY BAN NHÂN DÂN THÀNH PHỐ THỦ DẦU MỘT BỘ PHẬN TIẾP NHẬN VÀ TRẢ"), agency
        for line in (
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Thủ Dầu Một, ngày 12 tháng 10 năm 2026",  # the place and date of receipt
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            f"Mã hồ sơ: {code}",
            "Tiếp nhận hồ sơ của: Nguyễn Thị Bình",
            "Số điện thoại: 0912 345 678",  # as people write it (stored as +84912345678)
            "Lĩnh vực: Đăng ký kinh doanh (hộ kinh doanh, hợp tác xã)",
            "Đăng ký thành lập hộ kinh doanh",
            "Giấy đề nghị đăng ký hộ kinh doanh theo mẫu",  # the paper the desk counted
            "Thời gian giải quyết hồ sơ theo quy định: 03 ngày làm việc",
            f"Thời gian trả kết quả: {due:%H} giờ {due:%M} phút, ngày {due:%d} tháng {due:%m} năm {due:%Y}",
            "Cán bộ tn.lan",  # the receiving officer's full name in these tests' user table (not the login alone)
            copy,
        ):
            assert line in page, f"{line!r} not read on the page:\n{page}"
        notice = "khi nhận kết quả: xuất trình Căn cước công dân"  # show your ID card to collect (wraps in its box)
        assert notice in " ".join(page.split()), page
    started = time.perf_counter()
    assert client.get(PDF.format(code), headers=reception).content[:5] == b"%PDF-"
    warm_ms = (time.perf_counter() - started) * 1000
    print(f"receipt.pdf: first {elapsed_ms:.0f} ms (imports WeasyPrint), then {warm_ms:.0f} ms, {len(response.content)} bytes")


def test_the_qr_and_the_barcode_scan_back_to_the_dossier_code(client: TestClient, tmp_path: Path) -> None:
    code = new_dossier(client)["code"]
    pdf = tmp_path / "mau01.pdf"
    pdf.write_bytes(client.get(PDF.format(code), headers=head).content)  # any reader of the dossier may reprint it
    for image in page_images(pdf, dpi=200):
        assert scanned_codes(image) == {"QR-Code": code, "CODE-128": code}


def test_the_printout_lists_exactly_the_papers_received(client: TestClient, tmp_path: Path) -> None:
    """The card's conditional paper (the household's minutes, "nếu có") was not handed in: not on the paper."""
    card = client.get("/api/v1/catalogue/KD.01").json()["documents"]
    created = client.post("/api/v1/dossiers", headers=reception, json={
        "procedure": "KD.01", "office": "tdm-bptn", "applicant_name": "Lê Văn Tư",
        "documents": [{"code": "KD.01-1", "originals": 2}]})
    assert created.status_code == 201, created.text
    pdf = tmp_path / "mau01.pdf"
    pdf.write_bytes(client.get(PDF.format(created.json()["code"]), headers=reception).content)
    text = " ".join(run("pdftotext", "-layout", pdf, "-").split())
    assert text.count(f"1 {card[0]['name']} 2 0") == 2  # one row per copy: 2 originals, 0 copies
    assert "biên bản họp thành viên" not in text  # the card's second paper (card[1]), not handed in
    assert "Số điện thoại" not in text  # no phone given: no empty phone line


def test_the_printout_answers_like_the_json_slip_to_bad_calls(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    missing = client.get(PDF.format("H74.718-261012-9999"), headers=reception)
    assert missing.status_code == 404 and missing.json()["code"] == "dossier_not_found"
    assert client.get(PDF.format(code)).status_code == 401
    assert client.get(PDF.format(code), headers=it).status_code == 403  # IT reads no dossiers
    assert client.get(PDF.format("x" * 81), headers=reception).status_code == 422


def test_an_unreadable_catalogue_file_costs_the_field_line_not_the_print(client: TestClient, tmp_path: Path) -> None:
    """Field names come from the reference file the service was seeded from; the database keeps none."""
    code = new_dossier(client)["code"]
    client.app.state.settings.reference_data = tmp_path / "moved-away"  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state
    response = client.get(PDF.format(code), headers=reception)
    assert response.status_code == 200, response.text
    pdf = tmp_path / "mau01.pdf"
    pdf.write_bytes(response.content)
    text = run("pdftotext", pdf, "-")
    assert code in text and "Lĩnh vực" not in text
