"""The clerk's console page (văn thư): signed results waiting to be registered, one form each, and the year's register.

The clerk reads the number and symbol, the signing date and the signer's
name off the signed paper, ticks the seal, and the system gives the
register's number (``125/2026``) in the same transaction as the dossier's
change and its audit entry (cloud.dossiers.register). The form is checked
here first, with a Vietnamese message per field, so the clerk never sees the
API's English; what only the workflow can refuse (a date before the
dossier was received, a result already registered) comes back as its own
Vietnamese sentence. A write from another site is refused (require_same_origin).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from cloud.api.deps import DossiersDep, Principal, PrincipalDep, ScopeDep, require_same_origin
from cloud.api.errors import ApiError
from cloud.domain.roles import Role
from cloud.domain.scope import Scope
from cloud.domain.workflow import STATE_LABELS_VI, DossierState, TransitionRefused
from cloud.dossiers import records
from cloud.dossiers.register import register_of
from cloud.dossiers.store import BadPayload, DossierNotFound, DossierStore, StaleDossier, StoredDossier
from cloud.web.console import SignInRedirect, templates

router = APIRouter(include_in_schema=False)

PAGE = "/console/register"
WAITING_STATES = (DossierState.approved, DossierState.refused)
SYMBOL = re.compile(r"^[0-9A-Za-zÀ-ỹĐđ.\-/ ]+$")
"""What a number and symbol may hold, as the payload's pattern (cloud.domain.workflow.payloads.DOCUMENT_SYMBOL)."""
DEFAULT_SYMBOL = {DossierState.approved: "QĐ-UBND", DossierState.refused: "TB-UBND"}
"""A decision (quyết định) for a result, a notice (thông báo) for a refusal: the form's suggestion."""


def _clerk(request: Request, principal: PrincipalDep) -> Principal:
    if principal.user is None or principal.role is not Role.clerk:
        raise SignInRedirect(request.url.path)
    return principal


Clerk = Annotated[Principal, Depends(_clerk)]


def _waiting(store: DossierStore, office: str, scope: Scope) -> list[StoredDossier]:
    found = [s for state in WAITING_STATES for s in store.list(office=office, state=state, scope=scope, limit=200)]
    return sorted((s for s in found if s.dossier.registration is None), key=lambda s: s.dossier.updated_at)


def _page(request: Request, user: Principal, store: DossierStore, scope: Scope, *,
          errors: dict[str, list[str]] | None = None, values: dict[str, dict[str, str]] | None = None,
          done: str | None = None, status: int = 200) -> HTMLResponse:
    """The page, with ``errors`` and the typed ``values`` of a refused form (by dossier code) kept in it."""
    assert user.user is not None
    office = user.user.unit
    waiting = _waiting(store, office, scope)
    today = store.calendar_of(office).local(store.clock()).date()
    lines = register_of(store.engine, office, today.year)
    people = records.officer_names(store.engine, [
        *(s.dossier.decided_by.officer for s in waiting if s.dossier.decided_by),
        *(line.registered_by for line in lines)])
    rows = []
    for s in waiting:
        d = s.dossier
        signer = people.get(d.decided_by.officer, "") if d.decided_by and d.decided_by.officer else ""
        given = (values or {}).get(d.code, {})
        rows.append({
            "code": d.code, "procedure": d.terms.name, "applicant": s.applicant_name,
            "outcome": STATE_LABELS_VI[d.state], "refused": d.state is DossierState.refused, "due": d.clock.due,
            "values": {"document_symbol": DEFAULT_SYMBOL[d.state], "document_number": "",
                       "signed_on": f"{today:%d/%m/%Y}", "signer": signer, "stamped": "", **given},
            "errors": (errors or {}).get(d.code, []),
        })
    return templates.TemplateResponse(request, "register.html", {
        "user": user, "rows": rows, "lines": lines, "year": today.year,
        "people": people, "done": done,
    }, status_code=status)


@router.get(PAGE, response_class=HTMLResponse)
def register_page(request: Request, user: Clerk, store: DossiersDep, scope: ScopeDep,
                  done: str | None = None) -> HTMLResponse:
    """Results of the clerk's office waiting for the register, and the register of the year."""
    return _page(request, user, store, scope, done=done[:80] if done else None)


def _day(text: str) -> date | None:
    """A date as officers write it (``05/12/2026``, ``5/12/2026``), or ISO (``2026-12-05``); None if neither."""
    text = text.strip()
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day) if year >= 1000 else None
        return date.fromisoformat(text)
    except ValueError:
        return None


def check_form(document_symbol: str, document_number: str, signed_on: str, signer: str,
               stamped: str | None) -> tuple[dict[str, Any], list[str]]:
    """The register_result payload of a filled form, or what is wrong with it, in Vietnamese."""
    problems = []
    symbol, number, name = document_symbol.strip(), document_number.strip(), " ".join(signer.split())
    if not symbol and not number:
        problems.append("Nhập ký hiệu văn bản (ví dụ QĐ-UBND) hoặc số, ký hiệu đầy đủ (ví dụ 125/QĐ-UBND).")
    for label, text, longest in (("Ký hiệu", symbol, 40), ("Số, ký hiệu", number, 60)):
        if text and (len(text) > longest or not SYMBOL.match(text)):
            problems.append(f"{label} “{text[:60]}” không hợp lệ: chỉ gồm chữ, số và các dấu . - / "
                            f"(tối đa {longest} ký tự).")
    day = _day(signed_on)
    if day is None:
        problems.append(f"Ngày ký “{signed_on.strip()[:20]}” không hợp lệ; ghi theo dạng ngày/tháng/năm, "
                        "ví dụ 05/12/2026.")
    if not name:
        problems.append("Nhập họ và tên người ký.")
    elif len(name) > 200:
        problems.append("Họ và tên người ký quá dài (tối đa 200 ký tự).")
    payload: dict[str, Any] = {"signer": name, "stamped": stamped == "yes",
                               "signed_on": day.isoformat() if day else None}
    payload |= {"document_number": number} if number else {"document_symbol": symbol}
    return payload, problems


@router.post(PAGE + "/{code}", response_class=HTMLResponse)
def register_result(request: Request, code: str, user: Clerk, store: DossiersDep, scope: ScopeDep,
                    document_symbol: Annotated[str, Form(max_length=400)] = "",
                    document_number: Annotated[str, Form(max_length=400)] = "",
                    signed_on: Annotated[str, Form(max_length=40)] = "",
                    signer: Annotated[str, Form(max_length=400)] = "",
                    stamped: Annotated[str | None, Form(max_length=8)] = None) -> Response:
    """Register one result from its form; back to the page with the register's number, or with the problems."""
    try:
        require_same_origin(request)
    except ApiError as exc:
        return templates.TemplateResponse(request, "register_refused.html", {
            "user": user, "message": exc.body.message_vi}, status_code=exc.status)
    code = code.strip().upper()[:80]
    values = {code: {"document_symbol": document_symbol, "document_number": document_number,
                     "signed_on": signed_on, "signer": signer, "stamped": stamped or ""}}
    payload, problems = check_form(document_symbol, document_number, signed_on, signer, stamped)
    if problems:
        return _page(request, user, store, scope, errors={code: problems}, values=values, status=422)
    try:
        stored = store.act(code, "register_result", user.actor, payload, scope=scope)
    except DossierNotFound:
        problems = [f"Không tìm thấy hồ sơ “{code}”."]
    except TransitionRefused as exc:
        problems = [exc.reason_vi or "Hồ sơ không ở trạng thái chờ vào sổ (đã vào sổ hoặc chưa được ký duyệt)."]
    except StaleDossier:
        problems = ["Hồ sơ vừa được người khác cập nhật; vui lòng tải lại trang."]
    except (BadPayload, ValidationError):
        problems = ["Dữ liệu vào sổ không hợp lệ; kiểm tra lại các ô."]
    else:
        entry = stored.dossier.registration
        assert entry is not None  # register_result's effect sets it
        return RedirectResponse(f"{PAGE}?done={entry.register_number}", status_code=303)
    return _page(request, user, store, scope, errors={code: problems}, values=values, status=409)
