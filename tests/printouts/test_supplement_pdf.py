"""Mẫu 02 printed (GET /dossiers/{code}/supplement-request.pdf): what is missing, all of it, on one A5 page.

Read back as tests/printouts/test_receipt_pdf.py reads form 01: OCR for the
lines, zbarimg for the code.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.dossiers.conftest import head, new_dossier, reception, specialist
from tests.dossiers.flows import act
from tests.printouts.reading import ocr, page_images, pdf_fonts, pdf_info, scanned_codes
from tests.printouts.test_receipt_pdf import A5

PDF = "/api/v1/dossiers/{}/supplement-request.pdf"
MISSING = ("Bản sao Căn cước công dân của chủ hộ kinh doanh", "Giấy tờ chứng minh địa điểm kinh doanh")


def test_the_supplement_request_prints_every_missing_item_once(client: TestClient, tmp_path: Path) -> None:
    code = new_dossier(client, applicant="Trần Thị Hoa")["code"]
    assert client.get(PDF.format(code), headers=reception).status_code == 409  # nothing requested yet: no paper
    act(client, code, "assign", head, {"officer": "cv.an"})
    act(client, code, "start", specialist)
    asked = act(client, code, "request_supplement", specialist,
                {"missing_items": list(MISSING), "note": "Địa chỉ kinh doanh khác địa chỉ thường trú"})
    assert asked.status_code == 200, asked.text

    response = client.get(PDF.format(code), headers=reception)  # the desk prints it for the citizen
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "mau02.pdf"
    pdf.write_bytes(response.content)
    info = pdf_info(pdf)
    assert info["Pages"].strip() == "1" and info["Page size"].strip() == A5
    assert all(embedded for _, embedded in pdf_fonts(pdf))

    [image] = page_images(pdf)
    page = ocr(image)
    for line in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", f"Mã hồ sơ: {code}", "Hồ sơ của: Trần Thị Hoa",
                 "Đăng ký thành lập hộ kinh doanh", *MISSING,
                 "Lý do: Địa chỉ kinh doanh khác địa chỉ thường trú",
                 "Cán bộ cv.an"):  # the specialist who asked, by the name in these tests' user table
        assert line in page, f"{line!r} not read on the page:\n{page}"
    assert "ỦY BAN NHÂN DÂN THÀNH PHỐ" in page
    assert scanned_codes(image) == {"QR-Code": code}
