"""The procedure catalogue and dossiers (issue #4): receive, act, look up.

The rules are the pure ``cloud.domain.workflow``; ``cloud.dossiers.store``
persists what they return. The acting person is the signed-in account
(``cloud.api.deps.get_actor``); each route states its permission with
``allow`` (docs/access.md). Status codes:

* 401: not signed in; 403: the role lacks the route's permission;
* 422: malformed body or payload, unknown action, unknown procedure,
  office, paper code or ticket in a new dossier, text the database cannot store,
  a catalogue search over 100 characters (``query_too_long``) or for an office
  not in the registry;
* 404: unknown dossier or procedure in the path, or a dossier outside the
  caller's read scope (the same answer, checked before anything else, so a
  code of another administration cannot be probed);
* 409: the workflow refused (``transition_refused``: wrong state, wrong role,
  wrong person; the ``detail`` says why), a new dossier lacks papers
  (``dossier_incomplete``: ``detail`` and ``message_vi`` name each one), its
  ticket is not a called ticket of today (``ticket_not_attachable``), or
  someone else changed the dossier first (``dossier_changed``). A refusal
  changes nothing.

People read names: the detail shows who received the dossier, and the
public lookup the holding unit's and officers' names, not their codes.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query
from pydantic import BaseModel, Field, ValidationError
from sqlmodel import select

from cloud.api.deps import ActorDep, DossiersDep, ScopeDep, SessionDep, allow
from cloud.api.dossier_schemas import (
    DossierCreate,
    DossierDetail,
    DossierSummary,
    ProcedureSummary,
    PublicDossier,
)
from cloud.api.errors import ApiError, responses
from cloud.api.routes.registry import RegistryDep
from cloud.db.dossiers import ProcedureRow
from cloud.domain.access import Permission as P
from cloud.domain.catalogue import MAX_QUERY, search
from cloud.domain.deadlines import DeadlineError, TimeLimit
from cloud.domain.roles import Role
from cloud.domain.scope import Scope
from cloud.domain.workflow import (
    STATE_LABELS_VI,
    Actor,
    DossierIncomplete,
    DossierState,
    TransitionRefused,
    UnknownDocuments,
    allowed_actions,
    document_code,
    public_status,
)
from cloud.dossiers import records
from cloud.dossiers.store import (
    CLOCK_RUNNING,
    BadPayload,
    DossierNotFound,
    DossierStore,
    NewDossier,
    NoHandlingUnit,
    OfficeNotFound,
    ProcedureNotFound,
    StaleDossier,
    StoredDossier,
    TicketNotAttachable,
    TicketNotFound,
    UnknownAction,
)
from cloud.registry import UnknownOffice
from protocol.errors import validation_text
from workdays import VN_TZ

router = APIRouter(tags=["dossiers"])

DossierCode = Annotated[str, Path(max_length=80, description="Dossier code, e.g. H74.718-261123-0001")]


# -- catalogue ----------------------------------------------------------------


class PaperView(BaseModel):
    """A paper of the procedure's card, with the code the desk ticks when it receives it."""

    code: str = Field(examples=["HT.01-1"])
    name: str
    originals: int = 0
    copies: int = 0
    conditional: bool = False
    note: str | None = None


class ProcedureFound(ProcedureSummary):
    """What the desk needs to start an intake: the procedure, its time limit, fees and papers."""

    field_name: str = Field(examples=["Hộ tịch"])
    time_limit_vi: str = Field(examples=["Trong ngày"], description="The time limit as the receipt slip words it.")
    documents: list[PaperView]
    served: bool = Field(description="Of a catalogue field the ``office``'s queue fields serve (true without office).")


def _papers(row: ProcedureRow) -> list[PaperView]:
    return [PaperView(code=document_code(row.code, i), **doc) for i, doc in enumerate(row.data.get("documents", []))]


def _found(row: ProcedureRow, field_names: dict[str, str], served: bool = True) -> ProcedureFound:
    return ProcedureFound(code=row.code, name=row.name, field=row.field, level=row.level, time_limit=row.time_limit,
                          fees=row.fees, online_level=row.data.get("online_level", 2),
                          postal_return=row.data.get("postal_return", False),
                          field_name=field_names.get(row.field, row.field),
                          time_limit_vi=TimeLimit.model_validate(row.time_limit).label_vi,
                          documents=_papers(row), served=served)


@router.get("/catalogue", response_model=list[ProcedureFound], responses=responses(422),
            dependencies=[allow(P.catalogue_read)])
def list_procedures(
    session: SessionDep, registry: RegistryDep,
    field: Annotated[str | None, Query(max_length=40, description="Field code, e.g. ho_tich")] = None,
    q: Annotated[str | None, Query(description=f"Code or words of the name, accents optional (at most {MAX_QUERY} "
                                               "characters): 'dang ky khai sinh', 'HT.01', 'ht01'")] = None,
    office: Annotated[str | None, Query(max_length=63, description="Office id: procedures of the catalogue fields "
                                                                    "its queue fields serve come first")] = None,
    served_only: Annotated[bool, Query(description="With office: only the procedures it serves")] = False,
    limit: Annotated[int, Query(ge=1, le=100, description="Most results of a search (q given)")] = 20,
) -> list[ProcedureFound]:
    """Procedures of the catalogue: all by code (optionally of one field), or the ones ``q`` finds, best first.

    The search (``cloud.domain.catalogue.search``) ranks the exact code, then a code prefix, then
    the name's words in a row, all of them in any order, and word prefixes; the whole name before
    longer names containing it. With ``office``, the procedures it serves come first at every rank
    (``served``), so the desk still finds one it must redirect to the competent agency.
    """
    if q is not None and len(q) > MAX_QUERY:
        raise ApiError(422, "query_too_long", f"q has {len(q)} characters; at most {MAX_QUERY}",
                       f"Từ khóa tìm kiếm quá dài (tối đa {MAX_QUERY} ký tự).")
    served: set[str] | None = None
    if office is not None:
        try:
            config = registry.get(office)
        except UnknownOffice:
            raise ApiError(422, "office_not_found", f"no office {office!r} in the registry",
                           f"Không tìm thấy bộ phận một cửa “{office}”.") from None
        served = {slug for queue_field in config.fields for slug in queue_field.catalogue}
    query = select(ProcedureRow).order_by(ProcedureRow.code)
    if field is not None:
        query = query.where(ProcedureRow.field == field)
    rows = session.exec(query).all()
    names = registry.catalogue_fields
    if q is None and office is None:
        return [_found(row, names) for row in rows]
    matches = search(rows, q or "", served=served, served_only=served_only, limit=limit if q is not None else None)
    return [_found(m.procedure, names, m.served) for m in matches]


@router.get("/catalogue/{code}", response_model=dict[str, Any], responses=responses(404),
            dependencies=[allow(P.catalogue_read)])
def get_procedure(session: SessionDep, code: Annotated[str, Path(max_length=40)]) -> dict[str, Any]:
    """A procedure's whole card: documents (each with the code the desk ticks), fees, steps, time limit, liên thông."""
    row = session.get(ProcedureRow, code)
    if row is None:
        raise ApiError(404, "procedure_not_found", f"no procedure {code!r} in the catalogue",
                       f"Không tìm thấy thủ tục “{code}”.")
    documents = [{"code": document_code(row.code, i), **doc} for i, doc in enumerate(row.data.get("documents", []))]
    return {**row.data, "documents": documents}


# -- dossiers -----------------------------------------------------------------


def refused(exc: TransitionRefused | DeadlineError) -> ApiError:
    if isinstance(exc, DossierIncomplete):
        return ApiError(409, "dossier_incomplete", exc.reason,
                        "Hồ sơ chưa đủ thành phần, chưa thể tiếp nhận (hướng dẫn công dân bổ sung): "
                        + "; ".join(exc.missing) + ".")
    reason = exc.reason if isinstance(exc, TransitionRefused) else str(exc)
    return ApiError(409, "transition_refused", reason,
                    exc.reason_vi or "Thao tác không được phép với hồ sơ ở trạng thái hiện tại.")


def dossier_not_found(code: str) -> ApiError:
    return ApiError(404, "dossier_not_found", f"no dossier {code!r}", f"Không tìm thấy hồ sơ “{code}”.")


def _summary_of(stored: StoredDossier, now: datetime, names: dict[str, str] | None = None) -> dict[str, Any]:
    """The summary's fields; ``names``: officer login → full name (for who received it)."""
    d = stored.dossier
    received_by = d.received_by.officer
    return dict(
        ticket=d.ticket.model_dump() if d.ticket else None,
        received_by=(names or {}).get(received_by, received_by) if received_by else None,
        code=d.code, procedure=d.terms.code, procedure_name=d.terms.name, office=d.office,
        handling_unit=d.handling_unit, state=d.state, label_vi=STATE_LABELS_VI[d.state], holder_unit=d.holder.unit,
        holder_officer=d.holder.officer, assignee=d.assignee.officer if d.assignee else None,
        applicant_name=stored.applicant_name, applicant_phone=stored.applicant_phone,
        applicant_email=stored.applicant_email, channel=d.channel, received_at=d.created_at, due_at=d.clock.due,
        appointment=d.clock.appointment, overdue=d.state in CLOCK_RUNNING and d.clock.due < now,
        version=stored.version,
    )


def dossier_detail(store: DossierStore, stored: StoredDossier, role: Role) -> DossierDetail:
    d = stored.dossier
    history = list(stored.history) if stored.history is not None else store.history(d.code)
    names = records.officer_names(store.engine, [d.received_by.officer])
    return DossierDetail(**_summary_of(stored, store.clock(), names), allowed_actions=[a.value for a in allowed_actions(d, role)],
                         history=history, dossier=d.model_dump(mode="json"))


@router.post("/dossiers", status_code=201, response_model=DossierDetail, responses=responses(401, 403, 409, 422),
             dependencies=[allow(P.dossier_create)])
def create_dossier(body: DossierCreate, actor: ActorDep, store: DossiersDep) -> DossierDetail:
    """Receive a complete dossier at a one-stop office (reception role of that office): allocates its code.

    ``documents`` says which papers of the procedure's card were handed in (the receipt lists them);
    ``ticket`` attaches the queue ticket of the citizen's turn (several dossiers may share one)."""
    new = NewDossier(procedure=body.procedure, office=body.office, applicant_name=body.applicant_name,
                     channel=body.channel, handling_unit=body.handling_unit, applicant_phone=body.applicant_phone,
                     applicant_email=body.applicant_email, documents=tuple(body.documents), ticket=body.ticket)
    try:
        stored = store.create(new, actor)
    except UnknownDocuments as exc:
        raise ApiError(422, "unknown_document", str(exc),
                       "Thành phần hồ sơ không có trong danh mục của thủ tục: " + ", ".join(exc.unknown) + ".") from None
    except TicketNotFound:
        raise ApiError(422, "ticket_not_found",
                       f"no ticket {body.ticket!r} at office {body.office!r} as far as the cloud knows (if the "
                       "counter called it just now, its event may still be on its way: try again in a moment)",
                       f"Không tìm thấy số thứ tự “{body.ticket}” của bộ phận này.") from None
    except TicketNotAttachable as exc:
        raise ApiError(409, "ticket_not_attachable", str(exc), exc.reason_vi) from None
    except ProcedureNotFound:
        raise ApiError(422, "procedure_not_found", f"no procedure {body.procedure!r} in the catalogue",
                       f"Không tìm thấy thủ tục “{body.procedure}”.") from None
    except OfficeNotFound:
        raise ApiError(422, "office_not_found", f"no one-stop office {body.office!r} in the province's units",
                       f"Không tìm thấy bộ phận một cửa “{body.office}”.") from None
    except NoHandlingUnit as exc:
        raise ApiError(422, "no_handling_unit", str(exc)) from None
    except (TransitionRefused, DeadlineError) as exc:
        raise refused(exc) from None
    return dossier_detail(store, stored, actor.role)


@router.get("/dossiers", response_model=list[DossierSummary], responses=responses(401, 403),
            dependencies=[allow(P.dossier_read)])
def list_dossiers(
    actor: ActorDep, store: DossiersDep, scope: ScopeDep,
    office: Annotated[str | None, Query(max_length=40, description="Receiving office code")] = None,
    state: DossierState | None = None,
    overdue: Annotated[bool | None, Query(description="true: past the legal due date and not resolved")] = None,
    field: Annotated[str | None, Query(max_length=40, description="Field of the procedure, e.g. dat_dai")] = None,
    officer: Annotated[str | None, Query(max_length=200, description="Officer id holding it or assigned to it")] = None,
    due_from: Annotated[str | None, Query(max_length=40, description=(
        "Legal due at or after this moment or day (2026-10-15: from its start; no time zone: Vietnam's)"))] = None,
    due_to: Annotated[str | None, Query(max_length=40, description=(
        "Legal due at or before this moment or day (2026-10-15: to its end; no time zone: Vietnam's)"))] = None,
    subtask_unit: Annotated[str | None, Query(max_length=40, description="A sub-task was sent to this unit")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[DossierSummary]:
    """Dossiers, newest first, filtered by office, state, overdue, field, officer, legal due range, sub-task unit."""
    start, end = moment_param("due_from", due_from), moment_param("due_to", due_to, end_of_day=True)
    if start is not None and end is not None and start > end:
        raise ApiError(422, "invalid_range", f"due_from {start.isoformat()} is after due_to {end.isoformat()}",
                       "Khoảng thời hạn không hợp lệ: ngày bắt đầu sau ngày kết thúc.")
    now = store.clock()
    found = store.list(scope=scope, office=office, state=state, overdue=overdue, field=field, officer=officer, due_from=start,
                       due_to=end, subtask_unit=subtask_unit, limit=limit, offset=offset)
    names = records.officer_names(store.engine, [s.dossier.received_by.officer for s in found])
    return [DossierSummary(**_summary_of(s, now, names)) for s in found]


def moment_param(name: str, text: str | None, *, end_of_day: bool = False) -> datetime | None:
    """A query parameter's moment: ISO 8601, a bare day meaning its start (or end), Vietnam's time when no zone."""
    if text is None:
        return None
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time.max if end_of_day else time.min, tzinfo=VN_TZ)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(422, "invalid_query", f"{name}={text!r} is not a day (2026-10-15) or a moment "
                       "(2026-10-15T17:00+07:00)", "Ngày giờ không hợp lệ.") from None
    return moment.replace(tzinfo=VN_TZ) if moment.tzinfo is None else moment


@router.get("/dossiers/{code}", response_model=DossierDetail, responses=responses(401, 403, 404),
            dependencies=[allow(P.dossier_read)])
def get_dossier(code: DossierCode, actor: ActorDep, store: DossiersDep, scope: ScopeDep) -> DossierDetail:
    """A dossier with its history (every action, who took it, when) and the caller's possible actions."""
    return dossier_detail(store, visible_dossier(store, code, scope), actor.role)


def visible_dossier(store: DossierStore, code: str, scope: Scope) -> StoredDossier:
    """Dossier ``code`` if the caller's scope reads it; 404 otherwise, as if it did not exist, so codes of
    other administrations cannot be probed (cloud/domain/scope.py)."""
    try:
        stored = store.get(code)
    except DossierNotFound:
        raise dossier_not_found(code) from None
    if not scope.sees(stored.dossier):
        raise dossier_not_found(code)
    return stored


@router.post("/dossiers/{code}/actions/{action}", response_model=DossierDetail,
             responses=responses(401, 403, 404, 409, 422), dependencies=[allow(P.dossier_act)])
def act(
    code: DossierCode,
    action: Annotated[str, Path(max_length=40, description="assign, start, submit, approve… (docs/workflow.md)")],
    actor: ActorDep, store: DossiersDep, scope: ScopeDep,
    payload: Annotated[dict[str, Any] | None, Body(description="The action's data (docs/workflow.md, 'requires')")] = None,
    if_match: Annotated[int | None, Header(description="Optional: the version you read; 409 if it moved on")] = None,
) -> DossierDetail:
    """Take a workflow action on a dossier."""
    stored = take_action(store, code, action, actor, payload, scope=scope, expected_version=if_match)
    return dossier_detail(store, stored, actor.role)


def take_action(store: DossierStore, code: str, action: str, actor: Actor, payload: dict[str, Any] | None, *,
                scope: Scope, expected_version: int | None = None, via: str | None = None) -> StoredDossier:
    """``store.act`` with its errors as the API answers them (the action endpoint and the scanner's).

    A dossier outside the caller's read ``scope`` is 404 before anything else is checked, as
    :func:`visible_dossier` answers: a 409 naming its state or its receiving office, or a 422 about
    the action, would confirm that the code exists.
    """
    try:
        return store.act(code, action, actor, payload, expected_version=expected_version, via=via, scope=scope)
    except DossierNotFound:
        raise dossier_not_found(code) from None
    except UnknownAction as exc:
        raise ApiError(422, "unknown_action", exc.args[0], "Thao tác không tồn tại.") from None
    except BadPayload as exc:
        raise ApiError(422, "invalid_payload", str(exc), "Dữ liệu kèm theo thao tác không hợp lệ.") from None
    except (TransitionRefused, DeadlineError) as exc:
        raise refused(exc) from None
    except StaleDossier as exc:
        raise ApiError(409, "dossier_changed", str(exc), "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại.") from None
    except ValidationError as exc:  # the new state broke a model rule: refuse rather than answer 500
        raise ApiError(422, "invalid_payload", f"{action} would leave the dossier invalid: {exc.error_count()} problem(s): "
                       + validation_text(exc, plain=True)) from None


@router.get("/public/dossiers/{code}", response_model=PublicDossier, tags=["public"], responses=responses(404),
            dependencies=[allow(P.dossier_lookup)])
def public_lookup(code: DossierCode, store: DossiersDep) -> PublicDossier:
    """Public status by code (the receipt's barcode/QR): state, who holds it, due date. No personal data."""
    try:
        stored = store.get(code.strip().upper())
    except DossierNotFound:
        raise dossier_not_found(code) from None
    status = public_status(stored.dossier)
    # Once the dossier has left the administration its "holder" is the recipient (a person's
    # name) or the post: public_status never shows that name. Units and officers by their names.
    units = store.unit_names()
    people = records.officer_names(store.engine, [status.officer, status.handled_by])
    return PublicDossier(
        code=status.code, procedure=status.procedure, state=status.state, label_vi=status.label_vi,
        unit=units.get(status.unit, status.unit), unit_code=status.unit,
        officer=people.get(status.officer, status.officer) if status.officer else None,
        handled_by=people.get(status.handled_by, status.handled_by) if status.handled_by else None,
        due=stored.dossier.clock.due, appointment=status.appointment,
        waiting_for=[units.get(u, u) for u in status.waiting_for], refusal_reasons=list(status.refusal_reasons),
    )


