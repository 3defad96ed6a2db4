"""An office's counters and the queue fields each serves, its opening hours and local days off.

The page calls the registry's own functions (:class:`cloud.registry.RegistryStore`,
as ``/api/v1/registry`` does), so its rules are the registry's: a counter
serves known queue fields, a counter held by an assigned officer is not
removed, hours are ``workdays.OfficeHours``. Each change is one transaction
with its audit entry (``office:<id>``), and the dossier store's calendars are
dropped right after, so deadlines count with the new hours at once. A
foreign office (outside the administrator's scope) is "not found".
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from cloud.api.deps import DossiersDep, ScopeDep, sees_office
from cloud.api.routes.registry import get_registry
from cloud.registry import OfficeRecord, RegistryError, RegistryStore, UnknownOffice
from cloud.web.admin.common import RegistryManager, form_of, one
from cloud.web.console import templates
from protocol.errors import validation_text
from protocol.office_config import LocalDayOff
from workdays import OfficeHours
from workdays.hours import WEEKDAY_NAMES_VI

router = APIRouter(include_in_schema=False)
BASE = "/console/admin/offices"
SATURDAY_LABELS = {"closed": "Nghỉ", "reception": "Chỉ tiếp nhận, trả kết quả (không tính vào thời hạn)",
                   "working": "Làm việc (tính vào thời hạn)"}
DONE = {"counter": "Đã lưu quầy.", "removed": "Đã xóa quầy.", "hours": "Đã lưu giờ làm việc.",
        "days_off": "Đã lưu ngày nghỉ riêng."}


def _registry(request: Request) -> RegistryStore:
    registry: RegistryStore = request.app.state.registry
    return registry


@router.get(BASE, response_class=HTMLResponse)
async def offices_list(request: Request, user: RegistryManager, scope: ScopeDep) -> HTMLResponse:
    registry = await get_registry(request)
    records = [r for r in await run_in_threadpool(registry.list) if sees_office(scope, r.id)]
    return templates.TemplateResponse(request, "admin/offices.html", {"user": user, "records": records})


def _hours_form(hours: OfficeHours) -> dict[str, Any]:
    return {"periods": ", ".join(str(p) for p in hours.periods), "weekdays": [str(d) for d in hours.weekdays],
            "saturday_morning": hours.saturday_morning, "saturday_period": str(hours.saturday_period),
            "cutoff": f"{hours.cutoff:%H:%M}" if hours.cutoff else ""}


def _page(request: Request, user: RegistryManager, record: OfficeRecord, *, errors: list[str] | None = None,
          done: str | None = None, hours_form: dict[str, Any] | None = None, new_counter: dict[str, Any] | None = None,
          status: int = 200) -> HTMLResponse:
    office = record.office
    return templates.TemplateResponse(request, "admin/office.html", {
        "user": user, "record": record, "office": office, "field_names": {f.code: f.name for f in office.fields},
        "errors": errors or [], "done": done, "hours": hours_form or _hours_form(office.hours),
        "weekday_names": WEEKDAY_NAMES_VI, "saturday_labels": SATURDAY_LABELS,
        "new_counter": new_counter or {}, "officers_at": {
            c.number: [o.full_name for o in record.officers if c.number in o.counters] for c in office.counters},
    }, status_code=status)


def _found(request: Request, user: RegistryManager, office: str, scope: Any) -> OfficeRecord | None:
    if not sees_office(scope, office):
        return None
    try:
        return _registry(request).show(office)
    except UnknownOffice:
        return None


def _not_found(request: Request, user: RegistryManager, office: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "not_found.html", {"office": office[:63], "user": user},
                                      status_code=404)


@router.get(BASE + "/{office}", response_class=HTMLResponse)
async def office_page(request: Request, office: str, user: RegistryManager, scope: ScopeDep,
                      done: str | None = None) -> HTMLResponse:
    record = await run_in_threadpool(_found, request, user, office, scope)
    if record is None:
        return _not_found(request, user, office)
    return _page(request, user, record, done=DONE.get(done or ""))


async def _apply(request: Request, user: RegistryManager, office: str, scope: Any, dossiers: Any,
                 change: Any, done: str, vi: str, **kept: Any) -> Response:
    """Run one registry change; its refusal re-shows the page with the Vietnamese reason and nothing changed."""
    record = await run_in_threadpool(_found, request, user, office, scope)
    if record is None:
        return _not_found(request, user, office)
    errors = kept.pop("errors", None)
    if not errors:
        try:
            await run_in_threadpool(change, _registry(request))
        except RegistryError as exc:
            errors = [f"{vi} (chi tiết: {exc})"]
        else:
            dossiers.offices_changed()  # deadlines and lists follow the registry at once
            return RedirectResponse(f"{BASE}/{office}?done={done}", status_code=303)
    return _page(request, user, record, errors=errors, status=422, **kept)


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() and 1 <= int(text) <= 999 else None


@router.post(BASE + "/{office}/counters", response_class=HTMLResponse)
async def set_counter(request: Request, office: str, user: RegistryManager, scope: ScopeDep,
                      dossiers: DossiersDep) -> Response:
    """Add a counter or change the queue fields it serves (the form of each counter, and the new one's)."""
    form = await form_of(request)
    number, fields = _number(one(form, "number")), form.get("fields", [])
    errors = []
    if number is None:
        errors.append("Số quầy: một số nguyên từ 1 đến 999.")
    if not fields:
        errors.append("Chọn ít nhất một lĩnh vực quầy phục vụ.")
    return await _apply(request, user, office, scope, dossiers,
                        lambda r: r.set_counter(office, number or 0, fields, by=user.actor), "counter",
                        f"Không lưu được quầy {number}", errors=errors,
                        new_counter={"number": one(form, "number"), "fields": fields})


@router.post(BASE + "/{office}/counters/{number}/remove", response_class=HTMLResponse)
async def remove_counter(request: Request, office: str, number: int, user: RegistryManager, scope: ScopeDep,
                         dossiers: DossiersDep) -> Response:
    return await _apply(request, user, office, scope, dossiers,
                        lambda r: r.remove_counter(office, number, by=user.actor), "removed",
                        f"Không xóa được quầy {number}: quầy không có, là quầy cuối cùng của bộ phận, "
                        "hoặc có cán bộ chỉ được phân công ngồi quầy này")


def _time(text: str) -> time | None:
    try:
        return time.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.post(BASE + "/{office}/hours", response_class=HTMLResponse)
async def set_hours(request: Request, office: str, user: RegistryManager, scope: ScopeDep,
                    dossiers: DossiersDep) -> Response:
    """The office's one schedule: the kiosk's reception periods, the counters' and the deadlines' working time."""
    form = await form_of(request)
    periods, weekdays, cutoff_text = one(form, "periods"), form.get("weekdays", []), one(form, "cutoff")
    kept: dict[str, Any] = {"periods": periods, "weekdays": weekdays, "saturday_morning": one(form, "saturday_morning"),
                            "saturday_period": one(form, "saturday_period"), "cutoff": cutoff_text}
    errors: list[str] = []
    hours = None
    cutoff = _time(cutoff_text)
    if cutoff_text and cutoff is None:
        errors.append("Giờ chốt tiếp nhận: viết dạng 15:00, hoặc để trống nếu không áp dụng.")
    try:
        hours = OfficeHours.model_validate({
            "periods": [p for p in periods.split(",") if p.strip()],
            "weekdays": [int(d) for d in weekdays if d.isdigit()],
            "saturday_morning": kept["saturday_morning"] or "closed",
            "saturday_period": kept["saturday_period"] or "07:30-11:30", "cutoff": cutoff})
    except (ValidationError, ValueError) as exc:
        detail = validation_text(exc, separator="; ") if isinstance(exc, ValidationError) else str(exc)
        errors.append("Giờ làm việc không hợp lệ: các buổi viết dạng 07:30-11:30, 13:30-17:00, theo thứ tự, "
                      "không chồng nhau; chọn ít nhất một ngày làm việc; nếu thứ Bảy đã là ngày làm việc cả "
                      f"ngày thì sáng thứ Bảy để “Nghỉ” (chi tiết: {detail}).")
    return await _apply(request, user, office, scope, dossiers,
                        lambda r: r.set_hours(office, hours, by=user.actor), "hours",
                        "Không lưu được giờ làm việc", errors=errors, hours_form=kept)


@router.post(BASE + "/{office}/days-off", response_class=HTMLResponse)
async def set_days_off(request: Request, office: str, user: RegistryManager, scope: ScopeDep,
                       dossiers: DossiersDep) -> Response:
    """Add a local day off (date and the name the kiosk shows) or remove listed ones."""
    form = await form_of(request)
    record = await run_in_threadpool(_found, request, user, office, scope)
    if record is None:
        return _not_found(request, user, office)
    remove = set(form.get("remove", []))
    days = [d for d in record.office.days_off if d.date.isoformat() not in remove]
    errors = []
    day_text, name = one(form, "date"), one(form, "name")
    if day_text or name:
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            errors.append("Ngày nghỉ: chọn một ngày hợp lệ.")
        else:
            if not name or len(name) > 120:
                errors.append("Tên ngày nghỉ (hiện trên máy lấy số): bắt buộc, tối đa 120 ký tự.")
            elif any(d.date == day for d in days):
                errors.append(f"Ngày {day:%d/%m/%Y} đã có trong danh sách ngày nghỉ.")
            else:
                days.append(LocalDayOff(date=day, name=name))
    return await _apply(request, user, office, scope, dossiers,
                        lambda r: r.set_days_off(office, days, by=user.actor), "days_off",
                        "Không lưu được ngày nghỉ", errors=errors)
