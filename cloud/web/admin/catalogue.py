"""The procedure catalogue (danh mục thủ tục): search it, and edit a procedure's card.

Editable: name, time limit, fees, legal basis, who may apply, required papers
(add, remove, rename, how many originals and copies), the internal steps
with their time budgets. The form becomes a draft that the domain's
:class:`~cloud.domain.catalogue.Procedure` validates, then the catalogue's own
cross-checks (:func:`~cloud.domain.catalogue.procedure_problems`: known field,
step budgets within the time limit); a refused draft is shown again as typed,
with the reasons in Vietnamese. Saving is :mod:`cloud.dossiers.catalogue_edit`.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import select
from starlette.concurrency import run_in_threadpool

from cloud.api.deps import EngineDep, SessionDep, SettingsDep
from cloud.db.dossiers import ProcedureRow
from cloud.domain.catalogue import MAX_QUERY, Procedure, procedure_problems, search
from cloud.domain.datafile import DataError
from cloud.domain.deadlines import TimeLimit
from cloud.domain.roles import ROLE_LABELS_VI, Role
from cloud.dossiers import catalogue_edit
from cloud.dossiers.seed import load_reference
from cloud.web.admin.common import CatalogueManager, form_of, one
from cloud.web.admin.form_views import FORM_DONE, forms_context
from cloud.web.console import templates

router = APIRouter(include_in_schema=False)
BASE = "/console/admin/catalogue"
UNITS = {"same_day": "Trong ngày", "working_days": "ngày làm việc", "working_hours": "giờ làm việc"}
FEE_KINDS = {"charge": "Lệ phí", "fee": "Phí"}
FEE_PER = {"dossier": "hồ sơ", "page": "trang", "copy": "bản", "case": "trường hợp", "contract": "hợp đồng",
           "certificate": "giấy chứng nhận", "licence": "giấy phép", "person": "người"}
STEP_ROLES = [Role.reception, Role.department_head, Role.specialist, Role.leader, Role.clerk, Role.results_desk]
SECTIONS = {"name": "Tên thủ tục", "time_limit": "Thời hạn giải quyết", "fees": "Phí, lệ phí",
            "documents": "Thành phần hồ sơ", "steps": "Quy trình", "legal_basis": "Căn cứ pháp lý",
            "applicants": "Đối tượng thực hiện"}


@lru_cache(maxsize=4)
def _agencies(reference_data: Path) -> frozenset[str]:
    """Partner agencies' codes of the catalogue file (fees collected for them must name a known one)."""
    try:
        return frozenset(a.code for a in load_reference(reference_data).catalogue.agencies)
    except DataError:
        return frozenset()


def _field_names(request: Request) -> dict[str, str]:
    return dict(request.app.state.registry.catalogue_fields)


@router.get(BASE, response_class=HTMLResponse)
def catalogue_page(request: Request, user: CatalogueManager, session: SessionDep, q: str | None = None) -> HTMLResponse:
    """Every procedure by code, or those the desk's search finds for ``q`` (accents optional)."""
    rows = session.exec(select(ProcedureRow).order_by(ProcedureRow.code)).all()
    query = (q or "").strip()[:MAX_QUERY]
    found = [m.procedure for m in search(rows, query)] if query else list(rows)
    names = _field_names(request)
    return templates.TemplateResponse(request, "admin/catalogue.html", {
        "user": user, "q": query, "rows": [{
            "code": r.code, "name": r.name, "field": names.get(r.field, r.field),
            "limit": TimeLimit.model_validate(r.time_limit).label_vi} for r in found]})


def _amount(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def draft_of(p: Procedure) -> dict[str, Any]:
    """The editor's form values of a procedure (strings, as the form sends them back)."""
    return {
        "name": p.name, "time_unit": p.time_limit.unit,
        "time_amount": "" if p.time_limit.unit == "same_day" else _amount(p.time_limit.amount),
        "applicants": "\n".join(p.applicants), "legal_basis": "\n".join(p.legal_basis),
        "fees": [{"name": f.name, "kind": f.kind, "amount": str(f.amount_vnd), "per": f.per, "note": f.note or ""}
                 for f in p.fees],
        "documents": [{"name": d.name, "originals": str(d.originals), "copies": str(d.copies),
                       "conditional": d.conditional, "note": d.note or ""} for d in p.documents],
        "steps": [{"name": s.name, "role": s.role.value, "unit": s.budget.unit, "amount": _amount(s.budget.amount)}
                  for s in p.steps],
    }


def _rows(form: dict[str, list[str]], prefix: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """``prefix-N-key`` fields as rows in N order; a row whose name is blank is dropped (that is how one is
    removed, and the blank row at the end adds one only when filled in)."""
    indices = sorted({int(k.split("-")[1]) for k in form if k.startswith(prefix + "-") and k.split("-")[1].isdigit()})
    rows = []
    for i in indices:
        row: dict[str, Any] = {k: one(form, f"{prefix}-{i}-{k}") for k in keys}
        row["index"] = i
        if row["name"]:
            rows.append(row)
    return rows


def draft_from(form: dict[str, list[str]]) -> dict[str, Any]:
    documents = _rows(form, "doc", ("name", "originals", "copies", "conditional", "note"))
    for d in documents:
        d["conditional"] = bool(d["conditional"])
    return {
        "name": one(form, "name"), "time_unit": one(form, "time_unit"), "time_amount": one(form, "time_amount"),
        "applicants": one(form, "applicants"), "legal_basis": one(form, "legal_basis"),
        "fees": _rows(form, "fee", ("name", "kind", "amount", "per", "note")),
        "documents": documents, "steps": _rows(form, "step", ("name", "role", "unit", "amount")),
    }


def _number(text: str, errors: list[str], what: str, *, whole: bool = True, positive: bool = False) -> float:
    try:
        value = float(text.replace(",", ".")) if text else 0.0
    except ValueError:
        value = -1.0
    if value < 0 or (whole and value != int(value)) or (positive and value <= 0):
        errors.append(f"{what}: phải là số {'nguyên ' if whole else ''}{'dương' if positive else 'không âm'}.")
        return 0.0
    return value


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def procedure_of(old: Procedure, draft: dict[str, Any], fields: dict[str, str],
                 agencies: frozenset[str]) -> tuple[Procedure | None, list[str]]:
    """The draft as a validated Procedure (what it does not edit kept from ``old``), or the reasons in Vietnamese."""
    errors: list[str] = []
    if not draft["name"]:
        errors.append("Tên thủ tục: bắt buộc.")
    unit = draft["time_unit"] if draft["time_unit"] in UNITS else "working_days"
    limit: dict[str, Any] = {"unit": unit, "amount": 0}
    if unit != "same_day":
        limit["amount"] = _number(draft["time_amount"], errors, "Thời hạn giải quyết",
                                  whole=unit == "working_days", positive=True)
    fees = []
    for n, f in enumerate(draft["fees"], 1):
        kept = old.fees[f["index"]].model_dump() if f["index"] < len(old.fees) else {}
        fees.append({**kept, "name": f["name"], "kind": f["kind"] if f["kind"] in FEE_KINDS else "charge",
                     "amount_vnd": int(_number(f["amount"], errors, f"Phí, lệ phí dòng {n}: số tiền")),
                     "per": f["per"] if f["per"] in FEE_PER else "dossier", "note": f["note"] or None})
    documents = []
    for n, d in enumerate(draft["documents"], 1):
        originals = int(_number(d["originals"], errors, f"Thành phần hồ sơ dòng {n}: số bản chính"))
        copies = int(_number(d["copies"], errors, f"Thành phần hồ sơ dòng {n}: số bản sao"))
        if originals + copies == 0:
            errors.append(f"Thành phần hồ sơ dòng {n} ({d['name']}): cần ít nhất một bản chính hoặc bản sao.")
        if originals > 20 or copies > 20:
            errors.append(f"Thành phần hồ sơ dòng {n}: tối đa 20 bản.")
        documents.append({"name": d["name"], "originals": originals, "copies": copies,
                          "conditional": d["conditional"], "note": d["note"] or None})
    if not documents:
        errors.append("Thành phần hồ sơ: cần ít nhất một giấy tờ.")
    steps = []
    for n, s in enumerate(draft["steps"], 1):
        kept = old.steps[s["index"]].model_dump(mode="json") if s["index"] < len(old.steps) else {}
        if s["role"] not in {r.value for r in STEP_ROLES}:
            errors.append(f"Quy trình bước {n}: chọn người thực hiện.")
        step_unit = s["unit"] if s["unit"] in ("working_days", "working_hours") else "working_hours"
        amount = _number(s["amount"], errors, f"Quy trình bước {n}: thời gian", whole=False, positive=True)
        steps.append({**kept, "name": s["name"], "role": s["role"], "budget": {"unit": step_unit, "amount": amount}})
    if errors:
        return None, errors
    data = {**old.model_dump(mode="json"), "name": draft["name"], "time_limit": limit, "fees": fees,
            "documents": documents, "steps": steps, "legal_basis": _lines(draft["legal_basis"]),
            "applicants": _lines(draft["applicants"])}
    try:
        new = Procedure.model_validate(data)
    except ValidationError as exc:
        return None, [_vi(e) for e in exc.errors()]
    problems = procedure_problems(new, fields, agencies)
    for problem in problems:
        if problem.startswith("steps:"):
            errors.append("Quy trình: tổng thời gian các bước vượt thời hạn giải quyết (một ngày tính 8 giờ làm "
                          f"việc): {problem.removeprefix('steps: ')}.")
        else:
            errors.append(f"Thủ tục không khớp danh mục: {problem}.")
    return (None, errors) if errors else (new, [])


def _vi(error: Any) -> str:
    loc = [str(x) for x in error.get("loc", ())]
    where = SECTIONS.get(loc[0], loc[0]) if loc else "Thủ tục"
    if len(loc) > 1 and loc[1].isdigit():
        where += f" dòng {int(loc[1]) + 1}"
    if error.get("type") == "string_too_long":
        return f"{where}: quá dài (tối đa 500 ký tự)."
    if error.get("type") == "string_too_short":
        return f"{where}: không được để trống."
    return f"{where}: không hợp lệ ({error.get('msg')})."


def _editor(request: Request, user: CatalogueManager, code: str, draft: dict[str, Any], read_at: datetime, *,
            errors: list[str] | None = None, done: str | None = None, status: int = 200) -> HTMLResponse:
    blank = {"fees": {"name": "", "kind": "charge", "amount": "0", "per": "dossier", "note": ""},
             "documents": {"name": "", "originals": "1", "copies": "0", "conditional": False, "note": ""},
             "steps": {"name": "", "role": "specialist", "unit": "working_hours", "amount": ""}}
    shown = {**draft, **{k: [*draft[k], v] for k, v in blank.items()}}  # one empty row each, to add
    return templates.TemplateResponse(request, "admin/procedure.html", {
        "user": user, "code": code, "d": shown, "read_at": read_at.isoformat(), "errors": errors or [],
        "done": done, "units": UNITS, "fee_kinds": FEE_KINDS, "fee_per": FEE_PER, "step_roles": STEP_ROLES,
        "role_labels": ROLE_LABELS_VI, **forms_context(request, code),
    }, status_code=status)


def _missing(request: Request, user: CatalogueManager, code: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "admin/procedure_missing.html", {"user": user, "code": code[:40]},
                                      status_code=404)


@router.get(BASE + "/{code}", response_class=HTMLResponse)
async def procedure_page(request: Request, code: str, user: CatalogueManager, engine: EngineDep,
                         done: str | None = None) -> HTMLResponse:
    try:
        stored = await run_in_threadpool(catalogue_edit.read, engine, code[:40])
    except catalogue_edit.ProcedureMissing:
        return _missing(request, user, code)
    return _editor(request, user, stored.procedure.code, draft_of(stored.procedure), stored.updated_at,
                   done=FORM_DONE.get(done, "Đã lưu thủ tục; bộ phận một cửa dùng ngay nội dung mới.") if done else None)


@router.post(BASE + "/{code}", response_class=HTMLResponse)
async def save_procedure(request: Request, code: str, user: CatalogueManager, engine: EngineDep,
                         settings: SettingsDep) -> Response:
    """Validate the edited card and store it with its audit entry; refused: shown again as typed, unchanged."""
    try:
        stored = await run_in_threadpool(catalogue_edit.read, engine, code[:40])
    except catalogue_edit.ProcedureMissing:
        return _missing(request, user, code)
    form = await form_of(request)
    draft = draft_from(form)
    try:
        read_at = datetime.fromisoformat(one(form, "read_at"))
    except ValueError:
        read_at = stored.updated_at
    new, errors = procedure_of(stored.procedure, draft, _field_names(request), _agencies(settings.reference_data))
    if new is not None:
        try:
            await run_in_threadpool(catalogue_edit.save, engine, new, read_at, user.actor)
        except catalogue_edit.ProcedureChangedMeanwhile:
            errors = ["Thủ tục vừa được người khác sửa sau khi anh/chị mở trang; hãy tải lại trang để xem nội "
                      "dung mới rồi sửa lại."]
        else:
            return RedirectResponse(f"{BASE}/{stored.procedure.code}?done=1", status_code=303)
    return _editor(request, user, stored.procedure.code, draft, read_at, errors=errors, status=422)
