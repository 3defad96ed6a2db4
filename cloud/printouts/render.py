"""Render a printout: the form's Jinja2 template, then WeasyPrint to PDF.

Why WeasyPrint: the forms are HTML + CSS (``@page { size: A5 }``), the same
templates the console can show on screen, and WeasyPrint embeds (subsets)
the fonts it lays out with, so the PDF carries its own Vietnamese glyphs.
The fonts are Debian's ``fonts-dejavu-core`` files, named by path in the
stylesheet so the output does not depend on what fontconfig would pick.

Times are printed in Vietnam's time (one zone, no daylight saving) the way
the forms word them: "08 giờ 30 phút, ngày 12 tháng 10 năm 2026".
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from pydantic import BaseModel, ConfigDict

from cloud.domain.contact import display_phone
from cloud.domain.receipts import AcknowledgementSlip
from cloud.printouts.codes import barcode_svg, qr_svg
from workdays import VN_TZ

log = structlog.get_logger(__name__)

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {"regular": "DejaVuSerif.ttf", "bold": "DejaVuSerif-Bold.ttf"}
"""Both in Debian's fonts-dejavu-core (scripts/bootstrap.sh installs it); no italic there, so the forms use none."""

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")

COPIES = ("Liên 1: Giao người nộp hồ sơ", "Liên 2: Lưu tại Bộ phận tiếp nhận và trả kết quả")
"""The two copies of form 01, in this order: the citizen's, then the file's."""

_LEVEL_WORDS = re.compile(r"^(Thành phố|Tỉnh|Quận|Huyện|Thị xã|Thị trấn|Phường|Xã|Đặc khu)\s+", re.IGNORECASE)


class FontsMissing(RuntimeError):
    """The DejaVu font files are not installed: the PDF could not carry Vietnamese glyphs."""


class ReceiptPrintout(BaseModel):
    """What Mẫu 01 prints: the slip of the domain plus what the form asks that the slip does not hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slip: AcknowledgementSlip
    unit_name: str
    """The people's committee's unit ("Phường Sài Gòn"): the place line is its name without the level word."""
    field_name: str | None = None
    applicant_phone: str | None = None
    applicant_address: str | None = None


class FormHead(BaseModel):
    """What heads every form after Mẫu 01: the agency lines top left and the unit of the place line."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issuer: tuple[str, str]
    """The committee and the office, as the slip's (Mẫu 01) agency lines."""
    unit_name: str
    """The people's committee's unit ("Phường Sài Gòn"): the place line is its name without the level word."""


class DossierFormHead(FormHead):
    """The head of a form about one received dossier (Mẫu 02, 04, 05): whose, for what, since when."""

    code: str
    applicant_name: str
    procedure_code: str
    procedure_name: str
    received_at: datetime


class SupplementPrintout(DossierFormHead):
    """What Mẫu 02 prints: the dossier's latest supplement request, everything missing listed once."""

    title: str = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
    office_name: str
    code_label: str = "Mã hồ sơ"
    """What ``code`` is: a dossier's code, or the reference of an intake that created no dossier ("Số phiếu")."""
    requested_at: datetime
    missing_items: tuple[str, ...]
    note: str | None = None
    requested_by: str
    """The full name of the officer who asks (the guide's signature block)."""


class RefusalPrintout(FormHead):
    """What Mẫu 03 prints: the desk refuses to receive a request, with its reasons.

    No dossier code: a refused request was never received, so it has none (its record, once the desk keeps one,
    carries a reference of its own)."""

    title: str = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
    office_name: str
    applicant_name: str
    procedure_code: str
    procedure_name: str
    refused_at: datetime
    reasons: tuple[str, ...]
    refused_by: str
    """The receiving officer's full name."""
    reference: str | None = None
    """The desk's record of the refusal (``TC-261012-0001``), printed when it keeps one."""


def vn_datetime(at: datetime) -> str:
    """``at`` as the forms write a moment, in Vietnam's time."""
    t = at.astimezone(VN_TZ)
    return f"{t:%H} giờ {t:%M} phút, ngày {t:%d} tháng {t:%m} năm {t:%Y}"


def svg_data_uri(svg: str) -> str:
    """An SVG as an ``<img>`` source: a separate document, so two copies on one PDF do not repeat element ids and
    its presentation attributes are read by the SVG renderer rather than as the page's CSS."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def vn_date(at: datetime) -> str:
    """The day of ``at`` in Vietnam, as the forms write it: "ngày 12 tháng 10 năm 2026"."""
    t = at.astimezone(VN_TZ)
    return f"ngày {t:%d} tháng {t:%m} năm {t:%Y}"


def place_and_date(unit_name: str, at: datetime) -> str:
    """The place line under the motto: "Sài Gòn, ngày 12 tháng 10 năm 2026"."""
    return f"{_LEVEL_WORDS.sub('', unit_name.strip())}, {vn_date(at)}"


_env = Environment(loader=PackageLoader("cloud.printouts", "templates"), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_env.filters["vn_datetime"] = vn_datetime
_env.filters["vn_date"] = vn_date
_env.filters["phone"] = display_phone


def _font_faces() -> dict[str, str]:
    missing = [name for name in FONTS.values() if not (FONT_DIR / name).is_file()]
    if missing:
        raise FontsMissing(f"font files {', '.join(missing)} not found in {FONT_DIR}: apt-get install fonts-dejavu-core")
    return {weight: (FONT_DIR / name).as_uri() for weight, name in FONTS.items()}


def render_html(template: str, **context: Any) -> str:
    """The form's HTML, as WeasyPrint will lay it out (also what a test or the console may show)."""
    return _env.get_template(template).render(fonts=_font_faces(), motto=MOTTO, **context)


def _pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: it loads pango through cffi, ~0.3 s, paid only by a print

    pdf = HTML(string=html, base_url=str(FONT_DIR)).write_pdf()  # without a target: the document's bytes
    if not isinstance(pdf, bytes):
        raise TypeError(f"WeasyPrint returned {type(pdf).__name__}, not the PDF's bytes")
    return pdf


def render_form(form: str, template: str, printout: FormHead, at: datetime, *, qr_of: str | None = None,
                **context: Any) -> bytes:
    """A form after Mẫu 01 as PDF: its template with the agency lines, the place line dated ``at`` and, given
    ``qr_of``, that code as QR (so the desk finds the dossier when the citizen comes back with the paper)."""
    if qr_of is not None:
        context["qr"] = svg_data_uri(qr_svg(qr_of))
    html = render_html(template, p=printout, issuer=printout.issuer,
                       place_date=place_and_date(printout.unit_name, at), **context)
    pdf = _pdf(html)
    log.info("printout.rendered", form=form, dossier=getattr(printout, "code", None), bytes=len(pdf))
    return pdf


def render_receipt(printout: ReceiptPrintout) -> bytes:
    """Mẫu 01 as PDF: two A5 pages, the citizen's copy and the file's, each with the code as QR and barcode."""
    slip = printout.slip
    html = render_html("mau01.html", p=printout, slip=slip, copies=COPIES,
                       place_date=place_and_date(printout.unit_name, slip.received_at),
                       qr=svg_data_uri(qr_svg(slip.barcode)), bars=svg_data_uri(barcode_svg(slip.barcode)))
    pdf = _pdf(html)
    log.info("printout.rendered", form="01", dossier=slip.code, bytes=len(pdf))
    return pdf


def render_refusal(printout: RefusalPrintout) -> bytes:
    """Mẫu 03 as PDF: one A5 page for the citizen, every reason listed."""
    if not printout.reasons:
        raise ValueError("a refusal (form 03) needs at least one reason")
    return render_form("03", "mau03.html", printout, printout.refused_at)


def render_supplement_request(printout: SupplementPrintout) -> bytes:
    """Mẫu 02 as PDF: one A5 page for the citizen, listing every missing item at once (Decree 61/2018: the office
    asks for a supplement once, naming everything), with the dossier code as QR so the desk finds it on return."""
    return render_form("02", "mau02.html", printout, printout.requested_at, qr_of=printout.code)
