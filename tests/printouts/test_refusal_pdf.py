"""Mẫu 03 rendered (cloud.printouts.render_refusal): the refusal to receive, with every reason, on one A5 page.

No endpoint yet (the desk does not record a refusal); the renderer is
checked alone, read back by OCR like the other forms.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cloud.printouts import RefusalPrintout, render_refusal
from tests.printouts.reading import ocr, page_images, pdf_fonts, pdf_info
from tests.printouts.test_receipt_pdf import A5

REASONS = ("Hồ sơ không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường Sài Gòn",
           "Người nộp không phải là người có quyền yêu cầu")
REFUSAL = RefusalPrintout(
    issuer=("ỦY BAN NHÂN DÂN PHƯỜNG SÀI GÒN", "Bộ phận tiếp nhận và trả kết quả phường Sài Gòn"),
    office_name="Bộ phận tiếp nhận và trả kết quả phường Sài Gòn", unit_name="Phường Sài Gòn",
    applicant_name="Võ Văn Kiệt", procedure_code="HT.01", procedure_name="Đăng ký khai sinh",
    refused_at=datetime(2026, 10, 12, 9, 15, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), reasons=REASONS,
    refused_by="Nguyễn Thị Lan")


def test_the_refusal_prints_every_reason_for_the_citizen(tmp_path: Path) -> None:
    pdf = tmp_path / "mau03.pdf"
    pdf.write_bytes(render_refusal(REFUSAL))
    info = pdf_info(pdf)
    assert info["Pages"].strip() == "1" and info["Page size"].strip() == A5
    assert all(embedded for _, embedded in pdf_fonts(pdf))
    [image] = page_images(pdf)
    page = ocr(image)
    flat = " ".join(page.split())
    for line in ("ỦY BAN NHÂN DÂN PHƯỜNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "Sài Gòn, ngày 12 tháng 10 năm 2026", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
                 "Đăng ký khai sinh (HT.01)", "của: Võ Văn Kiệt", "Nguyễn Thị Lan"):
        assert line in page, f"{line!r} not read on the page:\n{page}"
    for reason in REASONS:  # a long reason wraps in its cell
        assert reason in flat, f"{reason!r} not read on the page:\n{page}"


def test_a_refusal_without_a_reason_is_not_printed() -> None:
    with pytest.raises(ValueError, match="at least one reason"):
        render_refusal(REFUSAL.model_copy(update={"reasons": ()}))
