"""Notes and attached files of a dossier: what may be stored, decided from the bytes and the words alone.

A specialist attaches the scan of a site visit, a partner's answer, a photo
of a paper the citizen brought late (issue 11). The cloud keeps the file, so
the rules here are the guard in front of its disk:

* **the type is read from the bytes** (their magic numbers), never from the
  browser's ``Content-Type`` or the name's extension, which the sender
  chooses: a PDF, a JPEG or a PNG, and nothing else (a ZIP or a DOCX could
  carry anything and officers' PCs open them);
* **the name is only for display**: the file is stored under its SHA-256, so
  no name reaches a path. What a browser sends is cut to its last path
  component (old browsers send ``C:\\Users\\…\\scan.pdf``; a hostile client
  ``../../etc/passwd``), normalised to NFC, and refused when it holds control
  characters (a newline or an RTL override that would garble a listing or a
  ``Content-Disposition`` header) or is empty or too long;
* **who may add**: whoever handles the dossier, i.e. the unit holding it, the
  unit handling it, the receiving office's desk, or the officer it is
  assigned to; everyone else who reads it may read its notes and files.

Pure: no I/O. ``cloud.dossiers.files`` stores what this lets through.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from cloud.domain.workflow import Actor, Dossier

MAX_FILENAME = 200
"""Characters of a displayed file name (after cutting the path away)."""
MAX_NOTE = 4000
"""Characters of one note: a paragraph or two, not a document (attach that)."""
SNIFF_BYTES = 16
"""How many leading bytes :func:`sniff` needs."""

MEDIA_TYPES: dict[str, str] = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
}
"""The types an attachment may have, with the label a listing shows."""
ALLOWED_VI = "PDF, JPEG hoặc PNG"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff(head: bytes) -> str | None:
    """The media type the file's first bytes announce, or None when it is none of the allowed ones."""
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    return None


class BadText(ValueError):
    """A file name or note that cannot be stored; ``message_vi`` says why to the officer."""

    def __init__(self, code: str, detail: str, message_vi: str) -> None:
        super().__init__(detail)
        self.code = code
        self.message_vi = message_vi


def _has_control(text: str, allowed: str = "") -> bool:
    """Control, format (bidi overrides, zero-width) and separator characters other than a plain space."""
    return any(ch not in allowed and (unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"}) for ch in text)


def clean_filename(raw: str | None) -> str:
    """The name to show for an uploaded file: its last path component, NFC; :class:`BadText` when unusable."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if _has_control(name):
        raise BadText("bad_filename", "the file name holds control characters",
                      "Tên tệp có ký tự điều khiển không hợp lệ; vui lòng đổi tên tệp rồi tải lên lại.")
    if name in {"", ".", ".."}:
        raise BadText("bad_filename", "the file has no name",
                      "Tệp không có tên hợp lệ; vui lòng đặt tên tệp rồi tải lên lại.")
    if len(name) > MAX_FILENAME:
        raise BadText("bad_filename", f"the file name has {len(name)} characters; at most {MAX_FILENAME}",
                      f"Tên tệp quá dài (tối đa {MAX_FILENAME} ký tự); vui lòng đặt tên ngắn hơn.")
    return name


def clean_note(raw: str | None) -> str:
    """A note's text as stored: NFC, line ends as ``\\n``, trimmed; :class:`BadText` when empty or too long."""
    text = unicodedata.normalize("NFC", (raw or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        raise BadText("empty_note", "the note is empty", "Vui lòng nhập nội dung ghi chú.")
    if len(text) > MAX_NOTE:
        raise BadText("note_too_long", f"the note has {len(text)} characters; at most {MAX_NOTE}",
                      f"Ghi chú quá dài (tối đa {MAX_NOTE} ký tự).")
    if _has_control(text, allowed="\n\t"):
        raise BadText("bad_note", "the note holds control characters",
                      "Ghi chú có ký tự điều khiển không hợp lệ.")
    return text


def handles(dossier: Dossier, actor: Actor) -> bool:
    """Whether ``actor`` takes part in handling ``dossier`` now, and so may add notes and files to it."""
    units = {dossier.office, dossier.handling_unit, dossier.holder.unit}
    officers = {dossier.holder.officer, dossier.assignee.officer if dossier.assignee else None} - {None}
    return actor.unit in units or actor.officer in officers


def size_label(size: int) -> str:
    """A file's size as a listing shows it, Vietnamese decimal comma: ``850 KB``, ``1,4 MB``, ``10 MB``."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0").replace(".", ",") + " MB"


@dataclass(frozen=True)
class Refusal:
    """Why an upload was refused, as the API answers it (status, code, English detail, Vietnamese message)."""

    status: int
    code: str
    detail: str
    message_vi: str


def too_large(limit: int) -> Refusal:
    return Refusal(413, "file_too_large", f"the file is larger than {limit} bytes",
                   f"Tệp vượt quá dung lượng cho phép ({size_label(limit)}).")


EMPTY = Refusal(422, "empty_file", "the file is empty", "Tệp rỗng; vui lòng chọn lại tệp.")
WRONG_TYPE = Refusal(415, "unsupported_type", "the file is not a PDF, JPEG or PNG (read from its bytes)",
                     f"Chỉ nhận tệp {ALLOWED_VI}; nội dung tệp này không thuộc các loại đó.")
