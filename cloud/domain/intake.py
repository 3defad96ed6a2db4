"""The reception officer's intake at a counter: what the desk checks before a dossier exists.

A citizen called to a counter asks for a procedure. The officer checks the
papers against the procedure's card and ends the turn with one of four
outcomes (Decree 61/2018/NĐ-CP, Art. 19; Circular 01/2018/TT-VPCP forms):

* **receive** – the set is complete: a dossier is created (Mẫu 01);
* **supplement** – papers are missing: a request to supplement (Mẫu 02) that
  lists *every* missing item, once, so the citizen comes back only once;
* **refusal** – the request cannot be received, with reasons (Mẫu 03);
* **redirect** – another agency is competent: the citizen is told which.

The last three create no dossier; the cloud records them as *intake
outcomes* with a reference of their own (``BS-261012-0001``: kind, the
local day, a number of that kind and day). This module holds their rules
without I/O: checking what the officer typed (messages in Vietnamese, one
per field, so a form can show each under its input), the missing items and
the references.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cloud.domain.catalogue import Procedure
from cloud.domain.contact import normalise_phone
from cloud.domain.workflow import document_code


class OutcomeKind(StrEnum):
    supplement = "supplement"
    refusal = "refusal"
    redirect = "redirect"


PREFIX: Mapping[OutcomeKind, str] = {
    OutcomeKind.supplement: "BS",  # bổ sung
    OutcomeKind.refusal: "TC",  # từ chối
    OutcomeKind.redirect: "CQ",  # cơ quan có thẩm quyền
}
KIND_LABELS_VI: Mapping[OutcomeKind, str] = {
    OutcomeKind.supplement: "Hướng dẫn bổ sung hồ sơ",
    OutcomeKind.refusal: "Từ chối tiếp nhận",
    OutcomeKind.redirect: "Hướng dẫn đến cơ quan có thẩm quyền",
}
AUDIT_ACTIONS: Mapping[OutcomeKind, str] = {
    OutcomeKind.supplement: "intake_supplement_requested",
    OutcomeKind.refusal: "intake_refused",
    OutcomeKind.redirect: "intake_redirected",
}
"""The audit log's verbs for the outcomes (subject ``intake_outcome:<reference>``, docs/audit.md)."""

REFERENCE = re.compile(r"^(BS|TC|CQ)-(\d{6})-(\d{4,})$")
MAX_NAME = 200
MAX_ADDRESS = 300
MAX_ITEM = 300
MAX_ITEMS = 30
MAX_AGENCY = 200
_ID_NUMBER = re.compile(r"\d{12}|\d{9}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def reference(kind: OutcomeKind, day: date, seq: int) -> str:
    """``BS-261012-0001``: the kind's prefix, the local day (yymmdd) and its number of that kind and day."""
    return f"{PREFIX[kind]}-{day:%y%m%d}-{seq:04d}"


def clean(text: str | None) -> str:
    """Text as typed, NFC, runs of blanks one space, trimmed (what is stored and printed)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()


@dataclass(frozen=True)
class Applicant:
    """The citizen at the counter, checked: name, ID card number, address, phone (E.164, optional)."""

    name: str
    id_number: str
    address: str
    phone: str | None = None


def check_applicant(name: str | None, id_number: str | None, address: str | None,
                    phone: str | None) -> tuple[Applicant | None, dict[str, str]]:
    """The applicant, or one Vietnamese message per field that is wrong (``name``, ``id_number``, ``address``,
    ``phone``). The ID is a citizen's identity card (12 digits) or an old identity card (9 digits)."""
    errors: dict[str, str] = {}
    values = {"name": clean(name), "id_number": re.sub(r"[\s.]", "", id_number or ""), "address": clean(address),
              "phone": clean(phone)}
    for field, value in values.items():
        if _CONTROL.search(value):
            errors[field] = "Có ký tự không hợp lệ."
    if not values["name"]:
        errors.setdefault("name", "Vui lòng nhập họ và tên người nộp hồ sơ.")
    elif len(values["name"]) > MAX_NAME:
        errors.setdefault("name", f"Họ và tên quá dài (tối đa {MAX_NAME} ký tự).")
    elif any(c.isdigit() for c in values["name"]):
        errors.setdefault("name", "Họ và tên không được chứa chữ số.")
    if not values["id_number"]:
        errors.setdefault("id_number", "Vui lòng nhập số căn cước hoặc chứng minh nhân dân.")
    elif not _ID_NUMBER.fullmatch(values["id_number"]):
        errors.setdefault("id_number", "Số căn cước gồm 12 chữ số (chứng minh nhân dân cũ: 9 chữ số).")
    if not values["address"]:
        errors.setdefault("address", "Vui lòng nhập địa chỉ của người nộp hồ sơ.")
    elif len(values["address"]) > MAX_ADDRESS:
        errors.setdefault("address", f"Địa chỉ quá dài (tối đa {MAX_ADDRESS} ký tự).")
    stored_phone: str | None = None
    if values["phone"] and "phone" not in errors:
        try:
            stored_phone = normalise_phone(values["phone"])
        except ValueError:
            errors["phone"] = "Số điện thoại không hợp lệ (di động: 0 và 9 chữ số, ví dụ 0912 345 678)."
    if errors:
        return None, errors
    return Applicant(values["name"], values["id_number"], values["address"], stored_phone), {}


def lines(text: str | None) -> list[str]:
    """The items an officer typed one per line, cleaned, blanks dropped."""
    return [c for line in (text or "").splitlines() if (c := clean(line))]


def once(items: Iterable[str]) -> tuple[str, ...]:
    """Each item once, in first order; the same words with other spacing or case count as the same item."""
    seen: dict[str, str] = {}
    for item in items:
        text = clean(item)
        if text and text.casefold() not in seen:
            seen[text.casefold()] = text
    return tuple(seen.values())


def paper_label(name: str, originals: int, copies: int) -> str:
    """How a missing paper is worded on Mẫu 02: its name and the counts the card asks for."""
    counts = [f"{originals} bản chính"] if originals else []
    counts += [f"{copies} bản sao"] if copies else []
    return f"{name} ({', '.join(counts)})" if counts else name


def missing_papers(procedure: Procedure, ticked: Sequence[str]) -> tuple[str, ...]:
    """The papers of the card the officer did not tick (the conditional "nếu có" ones aside), as Mẫu 02 lists
    them. ``ticked``: paper codes (``HT.01-1``), as the catalogue numbers them."""
    have = {code.strip() for code in ticked}
    return tuple(paper_label(doc.name, doc.originals, doc.copies) for i, doc in enumerate(procedure.documents)
                 if not doc.conditional and document_code(procedure.code, i) not in have)


def check_items(kind: OutcomeKind, items: Sequence[str], agency: str | None) -> tuple[tuple[str, ...], str | None,
                                                                                      dict[str, str]]:
    """The outcome's items (missing papers, reasons) once each, its agency, or Vietnamese messages by field
    (``items``, ``agency``)."""
    errors: dict[str, str] = {}
    kept = once(items)
    where = clean(agency) or None
    if any(_CONTROL.search(i) for i in kept):
        errors["items"] = "Có ký tự không hợp lệ."
    elif any(len(i) > MAX_ITEM for i in kept):
        errors["items"] = f"Mỗi nội dung tối đa {MAX_ITEM} ký tự."
    elif len(kept) > MAX_ITEMS:
        errors["items"] = f"Tối đa {MAX_ITEMS} nội dung."
    if kind is OutcomeKind.supplement and not kept:
        errors.setdefault("items", "Hồ sơ đã đủ thành phần: hãy tiếp nhận, hoặc ghi rõ nội dung cần bổ sung.")
    if kind is OutcomeKind.refusal and not kept:
        errors.setdefault("items", "Vui lòng ghi ít nhất một lý do từ chối tiếp nhận.")
    if kind is OutcomeKind.redirect:
        if where is None:
            errors["agency"] = "Vui lòng ghi tên cơ quan có thẩm quyền giải quyết."
        elif len(where) > MAX_AGENCY or _CONTROL.search(where):
            errors["agency"] = f"Tên cơ quan không hợp lệ (tối đa {MAX_AGENCY} ký tự)."
    return kept, where, errors


def redirect_reasons(agency: str, items: Sequence[str]) -> tuple[str, ...]:
    """What Mẫu 03 prints for a redirect: the request is not the office's to decide, who decides it, any note."""
    return once([f"Hồ sơ không thuộc thẩm quyền giải quyết; đề nghị ông/bà liên hệ {agency} để được giải quyết",
                 *items])
