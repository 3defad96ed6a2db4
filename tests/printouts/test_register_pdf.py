"""Mẫu 06 printed (GET /offices/{office}/register.pdf): the office's dossier register for a period, A4 landscape.

Dossiers are received over HTTP on several days (and one at another office),
one walked to the citizen and one apologised for; the register is read back
by OCR (the title, the agency, the motto, the period, codes, applicants,
dates) and its text layer (which cell is which), and its page numbers.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cloud.api.routes import printouts
from tests.dossiers.conftest import Clock, bc_reception, desk, head, it, new_dossier, reception, specialist
from tests.dossiers.flows import act, advance
from tests.printouts.reading import ocr, page_images, pdf_fonts, pdf_info, region_image, run

PDF = "/api/v1/offices/{}/register.pdf"
A4_LANDSCAPE = "841.89 x 595.276 pts (A4)"  # 297 × 210 mm: wider than high
TITLE_BLOCK = (100.0, 22.0, 100.0, 10.0)
"""mm: the title, read alone at 200 dpi (at 300 dpi tesseract's model reads the bold capital Ổ as Ố)."""
PERIOD = {"from": "2026-10-12", "to": "2026-10-16"}


def test_the_register_lists_the_dossiers_received_in_the_period(client: TestClient, clock: Clock, tmp_path: Path) -> None:
    first = new_dossier(client, applicant="Nguyễn Văn Một")["code"]  # Monday 12/10
    advance(client, first, "result_at_desk")
    assert act(client, first, "return_result", desk, {"channel": "in_person", "id_checked": True}).status_code == 200
    bc = new_dossier(client, applicant="Lê Thị Bến Cát", office="bc-bptn", headers=bc_reception)["code"]
    clock.advance(timedelta(days=2))  # Wednesday 14/10
    sorry = new_dossier(client, applicant="Trần Thị Hai")["code"]
    assert act(client, sorry, "assign", head, {"officer": "cv.an"}).status_code == 200
    assert act(client, sorry, "start", specialist).status_code == 200
    assert act(client, sorry, "apologise", head, {"reason": "Chờ ý kiến cơ quan thuế",
                                                  "new_appointment": "2026-10-21T10:00:00+07:00"}).status_code == 200
    crowd = [new_dossier(client, applicant=f"Người nộp số {n}")["code"] for n in range(24)]  # a second page
    clock.advance(timedelta(days=7))  # Wednesday 21/10: outside the period
    late = new_dossier(client, applicant="Võ Thị Ngoài Kỳ")["code"]

    started = time.perf_counter()
    response = client.get(PDF.format("tdm-bptn"), headers=reception, params=PERIOD)
    elapsed_ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == 'inline; filename="tdm-bptn-so-theo-doi-2026-10-12-2026-10-16.pdf"'
    pdf = tmp_path / "mau06.pdf"
    pdf.write_bytes(response.content)
    info = pdf_info(pdf)
    pages = int(info["Pages"])
    assert info["Page size"].strip() == A4_LANDSCAPE and pages >= 2, info
    assert all(embedded for _, embedded in pdf_fonts(pdf))

    images = page_images(pdf)
    first_page = ocr(images[0])
    agency = " ".join(ocr(region_image(pdf, 1, (12.0, 8.0, 113.0, 12.0))).split())
    assert agency.startswith("ỦY BAN NHÂN DÂN THÀNH PHỐ THỦ DẦU MỘT BỘ PHẬN TIẾP NHẬN VÀ TRẢ"), agency
    title = ocr(region_image(pdf, 1, TITLE_BLOCK, dpi=200))
    assert title == "SỔ THEO DÕI HỒ SƠ", title
    for line in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "THEO DÕI HỒ SƠ",
                 "Hồ sơ tiếp nhận từ ngày 12/10/2026 đến ngày 16/10/2026 (26 hồ sơ)", first, "Nguyễn Văn Một",
                 sorry, "Trần Thị Hai", "12/10/2026", "14/10/2026"):
        assert line in first_page, f"{line!r} not read on the first page:\n{first_page}"
    for number, image in enumerate(images, start=1):  # every page numbered in its corner
        corner = ocr(region_image(pdf, number, (230.0, 195.0, 60.0, 12.0)))
        assert f"Trang {number}/{pages}" in corner, corner
        assert "Mã hồ sơ" in ocr(image)  # the table's head repeats on every page

    layer = " ".join(run("pdftotext", pdf, "-").split())
    assert all(code in layer for code in crowd)
    assert bc not in layer and late not in layer  # another office's, and one received after the period
    assert layer.index(first) < layer.index(sorry) < layer.index(crowd[0]) < layer.index(crowd[-1])  # as received
    assert "Xin lỗi, hẹn lại 21/10/2026" in layer  # the apology's new date in the note
    assert "Cán bộ cv.an" in layer  # handed to the specialist, by name
    assert "Phòng Tài chính – Kế hoạch" in layer and "tdm.ptckh" not in layer
    print(f"register.pdf: {len(crowd) + 2} rows, {pages} pages, {elapsed_ms:.0f} ms, {len(response.content)} bytes")


def test_the_register_refuses_bad_periods_with_clear_messages(client: TestClient, monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    def ask(office: str = "tdm-bptn", headers: dict[str, str] = reception, **params: str):
        return client.get(PDF.format(office), headers=headers, params=params)

    for params, code in (({"from": "12/10/2026", "to": "2026-10-16"}, "invalid_date"),
                         ({"from": "2026-10-12", "to": "2026-02-30"}, "invalid_date"),
                         ({"from": "2026-10-16", "to": "2026-10-12"}, "invalid_period"),
                         ({"from": "2025-10-12", "to": "2026-10-16"}, "period_too_long")):
        answer = ask(**params)
        assert answer.status_code == 422 and answer.json()["code"] == code, answer.text
        assert answer.json()["message_vi"], answer.text  # said in Vietnamese to the officer
    assert ask(**{"from": "2026-10-12"}).status_code == 422  # no end: FastAPI's own 422
    assert ask(**{"from": "2025-10-16", "to": "2026-10-16"}).status_code == 200  # 366 days: allowed
    other = ask(headers=bc_reception, **PERIOD)  # Bến Cát's desk asks for Thủ Dầu Một's book
    assert other.status_code == 404 and other.json()["code"] == "office_not_found"
    assert ask(office="khong-co", **PERIOD).status_code == 404
    assert ask(headers=it, **PERIOD).status_code == 403
    assert client.get(PDF.format("tdm-bptn"), params=PERIOD).status_code == 401
    monkeypatch.setattr(printouts, "MAX_REGISTER_ROWS", 1)
    new_dossier(client)
    new_dossier(client)
    too_long = ask(**PERIOD)
    assert too_long.status_code == 422 and too_long.json()["code"] == "register_too_long", too_long.text
    assert "khoảng thời gian ngắn hơn" in too_long.json()["message_vi"]
