"""The forms printed after receipt (issue #11): Mẫu 04, 05 and 06 of Circular 01/2018/TT-VPCP.

* ``GET /dossiers/{code}/apology.pdf``: the latest apology letter and its new
  appointment (form 04, A5); 404 ``no_apology`` when the dossier has none.
* ``GET /dossiers/{code}/control-sheet.pdf``: every hand-over of the dossier,
  from whom to whom by name, when handed and when received, early / on time /
  late against the step's budget (form 05, A5, onto a second page if long).
* ``GET /offices/{office}/register.pdf?from=YYYY-MM-DD&to=YYYY-MM-DD``: the
  office's dossier register for a period (form 06, A4 landscape): one row per
  dossier received, at most :data:`MAX_SPAN_DAYS` days and
  :data:`MAX_REGISTER_ROWS` rows (422 ``period_too_long`` / ``register_too_long``).

All read personal data: ``dossier.read`` and the caller's read scope, as
``receipt.pdf`` (another administration's dossier or office is 404).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from cloud.api.deps import DossiersDep, ScopeDep, allow, office_not_found, sees_office
from cloud.api.errors import ApiError, responses
from cloud.api.routes.dossiers import DossierCode, visible_dossier
from cloud.domain.access import Permission as P
from cloud.domain.deadlines import timing
from cloud.domain.roles import Role
from cloud.domain.workflow import STATE_LABELS_VI, Action, DossierState, HandOver, Holder
from cloud.domain.workflow.states import APPLICANT_UNIT, POST_UNIT
from cloud.dossiers import records
from cloud.dossiers.store import DossierStore, EventRecord, StoredDossier
from cloud.printouts.followup import (
    TIMING_VI,
    ApologyPrintout,
    ControlRow,
    ControlSheetPrintout,
    RegisterPrintout,
    RegisterRow,
    render_apology,
    render_control_sheet,
    render_register,
)
from workdays import VN_TZ

router = APIRouter(tags=["dossiers"], dependencies=[allow(P.dossier_read)])

MAX_SPAN_DAYS = 366
MAX_REGISTER_ROWS = 1000
"""A register longer than this is asked for by shorter periods: WeasyPrint lays out a row in ~20-140 ms
(docs/workflow.md, printouts), so 1,000 rows (~70 pages) is already a long wait at the desk."""

SIGNER_TITLES = {Role.leader: "THỦ TRƯỞNG CƠ QUAN", Role.department_head: "TRƯỞNG PHÒNG",
                 Role.specialist: "CÁN BỘ THỤ LÝ HỒ SƠ"}

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

PDF_200: dict[str, Any] = {"content": {"application/pdf": {}}}


def unit_name(store: DossierStore, units: dict[str, str], code: str) -> str:
    """A unit's name by its code; a unit the registry does not list under an administrative unit ("tdm.ubnd":
    its committee's leadership) by its committee's name, so a code is never what the paper shows if avoidable."""
    if code in units:
        return units[code]
    parent = code.rpartition(".")[0]
    if parent in store.admin_units() and parent in units:
        return f"Ủy ban nhân dân {units[parent]}"
    return code


def _pdf_response(pdf: bytes, filename: str) -> Response:
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'})


def _issuer(store: DossierStore, office: str) -> tuple[tuple[str, str], str, str]:
    """The agency lines (committee, office), the office's name and its unit's name (the place line)."""
    unit = records.office_unit(store.engine, office)
    if unit is None:
        return (office, office), office, office
    name, office_name = str(unit.name), str(unit.office_name)
    return (f"ỦY BAN NHÂN DÂN {name.upper()}", office_name), office_name, name  # as the slip's (Mẫu 01)


@router.get("/dossiers/{code}/apology.pdf", response_class=Response, responses={
    **responses(401, 403, 404), 200: {**PDF_200, "description": "Form 04, one A5 page"}})
def apology_pdf(code: DossierCode, store: DossiersDep, scope: ScopeDep) -> Response:
    """The apology letter with the new appointment (phiếu xin lỗi và hẹn lại ngày trả kết quả, Mẫu 04), its latest."""
    stored = visible_dossier(store, code, scope)
    d = stored.dossier
    if not d.clock.apologies:
        raise ApiError(404, "no_apology", f"dossier {code} has no apology letter to print",
                       "Hồ sơ chưa có phiếu xin lỗi và hẹn lại ngày trả kết quả nào để in.")
    apology = d.clock.apologies[-1]
    history = store.history(d.code)
    by = next((e for e in reversed(history) if e.action == Action.apologise.value), None)
    names = records.officer_names(store.engine, [by.actor_officer if by else None])
    issuer, office_name, unit_name = _issuer(store, d.office)
    printout = ApologyPrintout(
        issuer=issuer, office_name=office_name, unit_name=unit_name, code=d.code,
        applicant_name=stored.applicant_name, procedure_code=d.terms.code, procedure_name=d.terms.name,
        received_at=d.created_at, previous_appointment=apology.previous_appointment,
        new_appointment=apology.new_appointment, reason=apology.reason, issued_at=apology.issued_at,
        signer_title=SIGNER_TITLES.get(Role(by.actor_role), "CÁN BỘ THỤ LÝ HỒ SƠ") if by else "THỦ TRƯỞNG CƠ QUAN",
        signer_name=(names.get(by.actor_officer) or by.actor_officer) if by else "")
    return _pdf_response(render_apology(printout), f"{d.code}-mau04.pdf")


# -- Mẫu 05 ---------------------------------------------------------------------------


def receipt_event(handover: HandOver, index: int, history: list[EventRecord]) -> EventRecord | None:
    """The event by which the receiver of ``handover`` took the dossier: their first action from the hand-over's own
    event (``history[index]``) on.

    The hand-over is recorded by the giver's action; the receiver's first move on the dossier (the specialist's
    "start", the head's "assign", the desk's "deliver") is the moment it reached them, and names who took it when
    it went to a unit."""
    receiver = handover.receiver
    for e in history[index:]:
        if e.at >= handover.at and ((e.actor_officer == receiver.officer) if receiver.officer
                                    else (e.actor_unit == receiver.unit)):
            return e
    return None


def _event_index(handover: HandOver, history: list[EventRecord]) -> int | None:
    """The position of the event that recorded ``handover`` (same action, same moment)."""
    return next((i for i, e in enumerate(history) if e.action == handover.action.value and e.at == handover.at), None)


def control_rows(store: DossierStore, stored: StoredDossier, history: list[EventRecord]
                 ) -> tuple[list[ControlRow], list[str]]:
    """Form 05's rows for ``d``, and the names of the units it was sent to for verification.

    A hand-over to or from a unit (the department, before its head assigns) names the person who acted for it:
    the giver's event and the receiver's first action say who."""
    d = stored.dossier
    units = store.unit_names()
    logins = [h.officer for ho in d.handovers for h in (ho.sender, ho.receiver)] + [e.actor_officer for e in history]
    people = records.officer_names(store.engine, logins)
    calendar = store.calendar_of(d.office)

    def unit(h: Holder) -> str:
        return unit_name(store, units, h.unit)

    def person(h: Holder, acted: EventRecord | None) -> str | None:
        login = h.officer or (acted.actor_officer if acted is not None and acted.actor_unit == h.unit else None)
        return (people.get(login) or login) if login else None

    rows = []
    for ho in d.handovers:
        due, step_timing = ho.step_due, ho.timing
        if step_timing is None and ho.from_state is not None:  # no budget for the giver's step: the dossier's due
            due, step_timing = d.clock.due, timing(calendar, d.clock.due, ho.at)
        index = _event_index(ho, history)
        given = history[index] if index is not None else None
        taken: EventRecord | None = None
        taken_at: datetime | None = ho.at
        if ho.receiver.unit in (APPLICANT_UNIT, POST_UNIT):  # the citizen and the post take it as it is handed
            receiver = stored.applicant_name if ho.receiver.unit == APPLICANT_UNIT else None
        else:
            taken = receipt_event(ho, index or 0, history)
            taken_at = taken.at if taken else None
            receiver = person(ho.receiver, taken)
        rows.append(ControlRow(
            sender_unit=unit(ho.sender), sender_person=person(ho.sender, given), receiver_unit=unit(ho.receiver),
            receiver_person=receiver, handed_at=ho.at, received_at=taken_at, due=due,
            timing=step_timing, note=f"Liên thông: {unit(ho.receiver)}" if ho.subtask is not None else None))
    partners = list(dict.fromkeys(unit_name(store, units, t.unit) for t in d.subtasks))
    return rows, partners


@router.get("/dossiers/{code}/control-sheet.pdf", response_class=Response, responses={
    **responses(401, 403, 404), 200: {**PDF_200, "description": "Form 05, A5 (a second page when long)"}})
def control_sheet_pdf(code: DossierCode, store: DossiersDep, scope: ScopeDep) -> Response:
    """The process-control sheet (phiếu kiểm soát quá trình giải quyết hồ sơ, Mẫu 05): every hand-over by name."""
    stored = visible_dossier(store, code, scope)
    d = stored.dossier
    rows, partners = control_rows(store, stored, store.history(d.code))
    issuer, _, unit_name = _issuer(store, d.office)
    units = store.unit_names()
    printout = ControlSheetPrintout(
        issuer=issuer, unit_name=unit_name, code=d.code, applicant_name=stored.applicant_name,
        procedure_code=d.terms.code, procedure_name=d.terms.name, received_at=d.created_at, due=d.clock.due,
        handling_unit=units.get(d.handling_unit, d.handling_unit), partners=tuple(partners), rows=tuple(rows),
        printed_at=store.clock())
    return _pdf_response(render_control_sheet(printout), f"{d.code}-mau05.pdf")


# -- Mẫu 06 ---------------------------------------------------------------------------


def _day(value: str, name: str) -> date:
    try:
        if not _ISO_DAY.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(422, "invalid_date", f"{name} must be a date YYYY-MM-DD, got {value!r}",
                       f"Ngày “{value}” không hợp lệ; nhập theo dạng NNNN-TT-NN, ví dụ 2026-10-12.") from None


def _register_row(stored: StoredDossier, units: dict[str, str], people: dict[str, str]) -> RegisterRow:
    d = stored.dossier
    first = d.handovers[0] if d.handovers else None
    moved = {ho.action: ho.at for ho in d.handovers}
    assignee = d.assignee.officer if d.assignee else None
    notes = []
    if d.clock.apologies:
        notes.append(f"Xin lỗi, hẹn lại {d.clock.apologies[-1].new_appointment.astimezone(VN_TZ):%d/%m/%Y}")
    if d.completion is not None:
        notes.append(f"Giải quyết {TIMING_VI[d.completion].lower()}")
    if d.state is not DossierState.returned:
        notes.append(STATE_LABELS_VI[d.state])
    return RegisterRow(
        code=d.code, procedure_name=d.terms.name, applicant_name=stored.applicant_name,
        applicant_phone=stored.applicant_phone, handling_unit=units.get(d.handling_unit, d.handling_unit),
        received_at=d.created_at, appointment=d.clock.appointment, handed_at=first.at if first else None,
        handed_to=(people.get(assignee) or assignee) if assignee else (units.get(first.receiver.unit) if first else None),
        result_at=moved.get(Action.deliver_result), returned_at=moved.get(Action.return_result),
        note="; ".join(notes) or None)


@router.get("/offices/{office}/register.pdf", response_class=Response, responses={
    **responses(401, 403, 404, 422), 200: {**PDF_200, "description": "Form 06, A4 landscape, pages numbered"}})
def register_pdf(
    store: DossiersDep, scope: ScopeDep,
    office: Annotated[str, Path(max_length=64, description="One-stop office id, e.g. sai-gon")],
    first: Annotated[str, Query(alias="from", max_length=32, description="First day received, YYYY-MM-DD")],
    last: Annotated[str, Query(alias="to", max_length=32, description="Last day received (included), YYYY-MM-DD")],
) -> Response:
    """The dossier register (sổ theo dõi hồ sơ, Mẫu 06) of ``office``: every dossier received in the period."""
    unit = records.office_unit(store.engine, office)
    if unit is None or not sees_office(scope, office):
        raise office_not_found(office)
    start, end = _day(first, "from"), _day(last, "to")
    if end < start:
        raise ApiError(422, "invalid_period", f"to ({end}) is before from ({start})",
                       "Ngày kết thúc phải từ ngày bắt đầu trở về sau.")
    if (end - start).days + 1 > MAX_SPAN_DAYS:
        raise ApiError(422, "period_too_long", f"the period may span at most {MAX_SPAN_DAYS} days",
                       f"Mỗi lần in sổ tối đa {MAX_SPAN_DAYS} ngày; vui lòng chọn khoảng thời gian ngắn hơn.")
    found = store.list(office=office, scope=scope, limit=MAX_REGISTER_ROWS + 1,
                       received_from=datetime.combine(start, time(), VN_TZ),
                       received_before=datetime.combine(end + timedelta(days=1), time(), VN_TZ))
    if len(found) > MAX_REGISTER_ROWS:
        raise ApiError(422, "register_too_long", f"more than {MAX_REGISTER_ROWS} dossiers in the period",
                       f"Khoảng thời gian này có hơn {MAX_REGISTER_ROWS} hồ sơ; vui lòng chọn khoảng thời gian ngắn hơn.")
    units = store.unit_names()
    people = records.officer_names(store.engine, [s.dossier.assignee.officer for s in found if s.dossier.assignee])
    issuer, _, unit_name = _issuer(store, office)
    printout = RegisterPrintout(issuer=issuer, unit_name=unit_name, first=start, last=end, printed_at=store.clock(),
                                rows=tuple(_register_row(s, units, people) for s in reversed(found)))
    return _pdf_response(render_register(printout), f"{office}-so-theo-doi-{start}-{end}.pdf")

