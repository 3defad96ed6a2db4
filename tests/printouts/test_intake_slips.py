"""The slips of intakes that create no dossier (GET /intake-outcomes/{reference}/slip.pdf), read back by OCR.

Mẫu 02 for a supplement asked at the counter (every missing item once, the
reference as QR), Mẫu 03 for a refusal (its reasons) and for a redirect
(naming the competent agency); each with the applicant and its reference.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.dossiers.conftest import OFFICE, reception
from tests.printouts.reading import ocr, page_images, pdf_fonts, pdf_info, scanned_codes
from tests.printouts.test_receipt_pdf import A5

APPLICANT = {"applicant_name": "Lê Thị Hồng", "applicant_id_number": "074185009876",
             "applicant_address": "8 Đinh Bộ Lĩnh, phường Phú Cường"}
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def printed(client: TestClient, tmp_path: Path, **body: object) -> tuple[str, str, Path]:
    made = client.post("/api/v1/intake-outcomes", headers=reception,
                       json={"office": OFFICE, "procedure": "HT.01", **APPLICANT, **body})
    assert made.status_code == 201, made.text
    reference = made.json()["reference"]
    response = client.get(f"/api/v1/intake-outcomes/{reference}/slip.pdf", headers=reception)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / f"{reference}.pdf"
    pdf.write_bytes(response.content)
    info = pdf_info(pdf)
    assert info["Pages"].strip() == "1" and info["Page size"].strip() == A5
    assert all(embedded for _, embedded in pdf_fonts(pdf))
    [image] = page_images(pdf)
    return reference, ocr(image), image


def test_a_supplement_at_the_counter_prints_every_missing_item_once(client: TestClient, tmp_path: Path) -> None:
    reference, page, image = printed(client, tmp_path, kind="supplement", papers=["HT.01-1"],
                                     items=["Bản sao giấy chứng nhận kết hôn của cha mẹ"])
    flat = " ".join(page.split())
    for line in (*MOTTO, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", f"Số phiếu: {reference}",
                 "Hồ sơ của: Lê Thị Hồng", "Đăng ký khai sinh (HT.01)", "Cán bộ tn.lan"):
        assert line in page, f"{line!r} not read on the page:\n{page}"
    for item in ("Giấy chứng sinh", "Bản sao giấy chứng nhận kết hôn của cha mẹ"):
        assert flat.count(item) == 1, f"{item!r} not read once on the page:\n{page}"
    assert "Tờ khai đăng ký khai sinh" not in flat, "a paper received is listed as missing"
    assert scanned_codes(image) == {"QR-Code": reference}


def test_a_refusal_prints_its_reasons_and_reference(client: TestClient, tmp_path: Path) -> None:
    reasons = ["Người nộp không phải là người có quyền yêu cầu", "Giấy tờ tùy thân đã hết hạn sử dụng"]
    reference, page, _ = printed(client, tmp_path, kind="refusal", items=reasons)
    flat = " ".join(page.split())
    for line in (*MOTTO, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", f"Số phiếu: {reference}",
                 "của: Lê Thị Hồng", "Đăng ký khai sinh (HT.01)"):
        assert line in page, f"{line!r} not read on the page:\n{page}"
    for reason in reasons:
        assert reason in flat, f"{reason!r} not read on the page:\n{page}"


def test_a_redirect_names_the_competent_agency(client: TestClient, tmp_path: Path) -> None:
    reference, page, _ = printed(client, tmp_path, kind="redirect", agency="Ủy ban nhân dân phường Phú Cường")
    flat = " ".join(page.split())
    assert reference.startswith("CQ-") and f"Số phiếu: {reference}" in page, page
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in page
    assert "không thuộc thẩm quyền giải quyết" in flat and "Ủy ban nhân dân phường Phú Cường" in flat, page
