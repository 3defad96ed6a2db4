"""Downloadable forms of a procedure (biểu mẫu, tờ khai): what may be published, decided from the bytes.

The administrator publishes, per procedure of the catalogue, the blank forms a
citizen fills in (e.g. "Tờ khai đăng ký khai sinh"); anyone downloads them
(issue 11). Unlike a dossier's attachments (``cloud.domain.attachments``),
a form is a PDF **or a DOCX** (offices keep their forms in Word), and
nothing else:

* **the type is read from the bytes**, never from the browser's
  ``Content-Type`` or the name: ``%PDF-`` is a PDF; a ZIP (``PK\\x03\\x04``) is
  only a candidate, accepted as DOCX once its entries show a Word document
  (``[Content_Types].xml`` and ``word/document.xml``) without macros
  (``vbaProject.bin``): :func:`is_docx`, given the entry names by the rim;
* **the title is what people read** and what the download is named: NFC,
  no control characters, 1–200 characters; :func:`download_name` makes a
  file name of it (characters a file system refuses replaced).

Pure: no I/O. ``cloud.dossiers.procedure_forms`` stores what this lets through.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from cloud.domain.attachments import BadText, Refusal

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORM_TYPES: dict[str, tuple[str, str]] = {PDF: ("PDF", ".pdf"), DOCX: ("DOCX", ".docx")}
"""Media type → (label a listing shows, extension of the download)."""
ALLOWED_VI = "PDF hoặc DOCX (Word)"
MAX_TITLE = 200
"""Characters of a form's title."""

WRONG_TYPE = Refusal(415, "unsupported_type", "the file is not a PDF or a DOCX without macros (read from its bytes)",
                     f"Chỉ nhận biểu mẫu dạng {ALLOWED_VI}; nội dung tệp này không thuộc các loại đó.")


def sniff_form(head: bytes) -> str | None:
    """The type the first bytes announce: PDF, DOCX (a ZIP, still to be confirmed by :func:`is_docx`), or None."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return DOCX
    return None


def is_docx(entries: Iterable[str]) -> bool:
    """Whether a ZIP's entry names are those of a Word document without macros (not an XLSX, a JAR, a DOCM)."""
    names = set(entries)
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def clean_title(raw: str | None) -> str:
    """The title as stored: NFC, inner runs of spaces as one, trimmed; :class:`BadText` when unusable."""
    title = re.sub(r" {2,}", " ", unicodedata.normalize("NFC", raw or "").strip())
    if not title:
        raise BadText("title_required", "the form has no title",
                      "Vui lòng nhập tên biểu mẫu (ví dụ: Tờ khai đăng ký khai sinh).")
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} for ch in title):
        raise BadText("bad_title", "the title holds control characters",
                      "Tên biểu mẫu có ký tự điều khiển không hợp lệ.")
    if len(title) > MAX_TITLE:
        raise BadText("title_too_long", f"the title has {len(title)} characters; at most {MAX_TITLE}",
                      f"Tên biểu mẫu quá dài (tối đa {MAX_TITLE} ký tự).")
    return title


def download_name(title: str, media_type: str) -> str:
    """The file name a download is saved under: the title, characters file systems refuse as ``-``, the extension."""
    stem = re.sub(r'[\\/:*?"<>|]+', "-", title).strip(" .") or "bieu-mau"
    return stem + FORM_TYPES.get(media_type, ("", ""))[1]
