"""Tiếp nhận tại quầy: the reception officer's intake at a counter, from the called ticket to its printout.

``/console/offices/{office}/counters/{n}/intake`` starts from the ticket the
counter is serving: find the procedure (code or name, accents optional: a
plain GET form, so it works without JavaScript), read its papers, fees and
time limit, enter the applicant, tick the papers received, then one of four
outcomes (:mod:`cloud.domain.intake`): receive (a dossier, Mẫu 01 in two
copies), request a supplement (Mẫu 02), refuse (Mẫu 03) or redirect to the
competent agency (Mẫu 03 naming it). Everything is checked on the server:
a wrong field is shown under its input with the values kept (HTTP 422), and
nothing is saved.

It writes through the same code as the API (``DossierStore.create``,
:func:`cloud.dossiers.intake.record_outcome`), so an intake made here is the
one ``POST /api/v1/dossiers`` or ``POST /api/v1/intake-outcomes`` would make,
with its audit entry.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from cloud.api.deps import DossiersDep, Principal, PrincipalDep, ScopeDep, SessionDep, sees_office
from cloud.api.errors import ApiError
from cloud.api.routes.dossiers import ProcedureFound, list_procedures
from cloud.api.routes.procedure_forms import form_views
from cloud.api.routes.registry import RegistryDep
from cloud.db import intake_outcomes
from cloud.db.tables import ticket_table
from cloud.domain.access import Permission, may
from cloud.domain.catalogue import MAX_QUERY
from cloud.domain.deadlines import DeadlineError
from cloud.domain.intake import KIND_LABELS_VI, OutcomeKind, check_applicant, lines
from cloud.domain.workflow import DossierIncomplete, ReceivedPaper, TransitionRefused, UnknownDocuments
from cloud.dossiers import records
from cloud.dossiers.intake import IntakeInvalid, IntakeOfficeUnknown, OutcomeRequest, record_outcome
from cloud.dossiers.store import (
    DossierNotFound,
    DossierStore,
    NewDossier,
    NoHandlingUnit,
    OfficeNotFound,
    ProcedureNotFound,
)
from cloud.dossiers.tickets import TicketNotAttachable, TicketNotFound
from cloud.web.console import SignInRedirect, templates

router = APIRouter(include_in_schema=False)

BASE = "/console/offices/{office}/counters/{counter}/intake"
OUTCOMES = ("receive", "supplement", "refusal", "redirect")
FIELDS = ("procedure", "applicant_name", "id_number", "address", "phone", "supplement_items", "reasons", "agency",
          "ticket")
MAX_FIELD = 2000
"""Longer form values are cut before checking (the checks then say what is too long)."""


def _receptionist(request: Request, principal: PrincipalDep) -> Principal:
    """The officer who receives dossiers (reception); anyone else signs in as them first."""
    if not may(principal.role, Permission.dossier_create):
        raise SignInRedirect(request.url.path)
    return principal


Receptionist = Annotated[Principal, Depends(_receptionist)]


def _office(store: DossierStore, scope: Any, office: str) -> Any:
    """The admin unit of ``office`` if the officer's scope reaches it (None: "not found", as the API)."""
    if not sees_office(scope, office):
        return None
    return records.office_unit(store.engine, office)


def called_ticket(store: DossierStore, office: str, counter: int) -> Any:
    """The ticket this counter called last and is serving today (None when it serves no one)."""
    t = ticket_table.c
    day = store.calendar_of(office).local(store.clock()).date()
    with store.engine.connect() as conn:
        return conn.execute(select(ticket_table).where(t.office == office, t.counter == counter, t.day == day,
                                                       t.status == "called")
                            .order_by(t.called_at.desc()).limit(1)).first()


def _search(session: Any, registry: Any, office: str, q: str) -> tuple[list[ProcedureFound], str | None]:
    """Procedures ``q`` finds, the office's own first (the catalogue API's search), or why not."""
    if len(q) > MAX_QUERY:
        return [], f"Từ khóa tìm kiếm quá dài (tối đa {MAX_QUERY} ký tự)."
    try:
        return list_procedures(session, registry, q=q, office=office, limit=20), None
    except ApiError:  # an office of the province not in the queue registry: search the whole catalogue
        return list_procedures(session, registry, q=q, limit=20), None


def _procedure(session: Any, registry: Any, office: str, code: str) -> ProcedureFound | None:
    code = code.strip()[:40]
    if not code:
        return None
    found, _ = _search(session, registry, office, code)
    return next((p for p in found if p.code == code), None)


def _page(request: Request, user: Principal, store: DossierStore, session: Any, registry: Any, unit: Any,
          office: str, counter: int, *, q: str = "", values: dict[str, str] | None = None,
          papers: list[str] | None = None, errors: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    values = values or {}
    ticket = called_ticket(store, office, counter)
    if not values.get("ticket") and ticket is not None:
        values["ticket"] = ticket.ticket_id
    results, search_error = _search(session, registry, office, q) if q.strip() else ([], None)
    procedure = _procedure(session, registry, office, values.get("procedure", ""))
    return templates.TemplateResponse(request, "intake.html", {
        "user": user, "office": office, "office_name": unit.office_name, "counter": counter, "ticket": ticket,
        "q": q, "results": results, "search_error": search_error, "procedure": procedure, "values": values,
        "papers": set(papers or ()),  # none ticked until the officer has checked them
        "errors": errors or {}, "base": BASE.format(office=office, counter=counter),
        "forms": form_views(request.app.state.procedure_forms.forms(procedure.code)) if procedure else [],
    }, status_code=status)


def _not_found(request: Request, user: Principal, office: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "not_found.html", {"office": office, "user": user}, status_code=404)


@router.get(BASE, response_class=HTMLResponse)
def intake_page(request: Request, office: str, counter: int, user: Receptionist, store: DossiersDep, scope: ScopeDep,
                session: SessionDep, registry: RegistryDep,
                q: Annotated[str, Query(max_length=MAX_FIELD)] = "",
                procedure: Annotated[str, Query(max_length=40)] = "") -> HTMLResponse:
    """The intake form: search, the chosen procedure's card, the applicant and the papers received."""
    unit = _office(store, scope, office)
    if unit is None or not 1 <= counter <= 999:
        return _not_found(request, user, office)
    return _page(request, user, store, session, registry, unit, office, counter, q=q, values={"procedure": procedure},
                 papers=None)


@router.post(BASE, response_class=HTMLResponse)
async def intake_submit(request: Request, office: str, counter: int, user: Receptionist, store: DossiersDep,
                        scope: ScopeDep, session: SessionDep, registry: RegistryDep) -> Response:
    """One of the four outcomes; on a wrong field the form again, every value kept, nothing saved."""
    unit = _office(store, scope, office)
    if unit is None or not 1 <= counter <= 999:
        return _not_found(request, user, office)
    form = await request.form()
    values = {name: str(form.get(name) or "")[:MAX_FIELD] for name in FIELDS}
    papers = [str(p)[:60] for p in form.getlist("papers")][:50]
    outcome = str(form.get("outcome") or "")
    values["_outcome"] = outcome  # which outcome's box shows the items' message
    errors: dict[str, str] = {}
    target: str | None = None
    base = BASE.format(office=office, counter=counter)
    if outcome not in OUTCOMES:
        errors["outcome"] = "Vui lòng chọn một kết quả tiếp nhận."
    elif outcome == "receive":
        target, errors = _receive(store, user, office, base, values, papers)
    else:
        request_ = OutcomeRequest(
            kind=OutcomeKind(outcome), office=office, procedure=values["procedure"],
            applicant_name=values["applicant_name"], applicant_id_number=values["id_number"],
            applicant_address=values["address"], applicant_phone=values["phone"], papers=tuple(papers),
            items=tuple(lines(values["supplement_items"] if outcome == "supplement" else values["reasons"])),
            agency=values["agency"], ticket=values["ticket"] or None, counter=counter)
        try:
            stored = record_outcome(store, request_, user.actor)
            target = f"{base}/done?reference={stored.reference}"
        except IntakeInvalid as exc:
            errors = dict(exc.errors)
        except (TicketNotFound, TicketNotAttachable, IntakeOfficeUnknown) as exc:
            errors = {"ticket": _ticket_message(exc, values["ticket"])}
    if target is not None:
        return RedirectResponse(target, status_code=303)
    return _page(request, user, store, session, registry, unit, office, counter, values=values, papers=papers,
                 errors=errors, status=422)


def _ticket_message(exc: Exception, ticket: str) -> str:
    if isinstance(exc, TicketNotAttachable):
        return exc.reason_vi
    if isinstance(exc, TicketNotFound):
        return f"Không tìm thấy số thứ tự “{ticket}” của bộ phận này."
    return "Không tìm thấy bộ phận một cửa này."


def _receive(store: DossierStore, user: Principal, office: str, base: str, values: dict[str, str],
             papers: list[str]) -> tuple[str | None, dict[str, str]]:
    """Create the dossier (the API's ``POST /dossiers``); the result page's address, or the form's errors."""
    applicant, errors = check_applicant(values["applicant_name"], values["id_number"], values["address"],
                                        values["phone"])
    if not values["procedure"].strip():
        errors["procedure"] = "Vui lòng chọn thủ tục hành chính trong danh mục."
    if not papers:
        errors["papers"] = "Vui lòng đánh dấu các thành phần hồ sơ đã nhận."
    if errors or applicant is None:
        return None, errors
    new = NewDossier(procedure=values["procedure"].strip(), office=office, applicant_name=applicant.name,
                     applicant_phone=applicant.phone, documents=tuple(ReceivedPaper(code=p) for p in papers),
                     ticket=values["ticket"] or None)
    try:
        stored = store.create(new, user.actor)
    except DossierIncomplete as exc:
        return None, {"papers": "Hồ sơ chưa đủ thành phần, chưa thể tiếp nhận: " + "; ".join(exc.missing)
                      + ". Hãy chọn “Yêu cầu bổ sung hồ sơ”."}
    except UnknownDocuments as exc:
        return None, {"papers": "Thành phần hồ sơ không có trong danh mục của thủ tục: " + ", ".join(exc.unknown) + "."}
    except (TicketNotFound, TicketNotAttachable) as exc:
        return None, {"ticket": _ticket_message(exc, values["ticket"])}
    except ProcedureNotFound:
        return None, {"procedure": "Vui lòng chọn thủ tục hành chính trong danh mục."}
    except NoHandlingUnit:
        return None, {"procedure": "Chưa có phòng chuyên môn nào của đơn vị giải quyết lĩnh vực của thủ tục này; "
                                   "vui lòng báo quản trị hệ thống."}
    except (OfficeNotFound, TransitionRefused, DeadlineError):
        return None, {"procedure": "Không thể tiếp nhận hồ sơ cho thủ tục này tại bộ phận này."}
    return f"{base}/done?dossier={stored.dossier.code}", {}


@router.get(BASE + "/done", response_class=HTMLResponse)
def intake_done(request: Request, office: str, counter: int, user: Receptionist, store: DossiersDep, scope: ScopeDep,
                dossier: Annotated[str | None, Query(max_length=80)] = None,
                reference: Annotated[str | None, Query(max_length=40)] = None) -> HTMLResponse:
    """What the intake ended with, and its printout: Mẫu 01 (two copies), or the outcome's Mẫu 02 / 03."""
    unit = _office(store, scope, office)
    if unit is None:
        return _not_found(request, user, office)
    context: dict[str, Any] = {"user": user, "office": office, "office_name": unit.office_name, "counter": counter,
                               "base": BASE.format(office=office, counter=counter), "dossier": None, "outcome": None}
    if dossier:
        try:
            stored = store.get(dossier.strip().upper())
        except DossierNotFound:
            stored = None
        if stored is None or not scope.sees(stored.dossier):
            return _not_found(request, user, office)
        context["dossier"] = {"code": stored.dossier.code, "procedure": stored.dossier.terms.name,
                              "applicant": stored.applicant_name, "due": stored.dossier.clock.appointment}
    elif reference:
        found = intake_outcomes.get(store.engine, reference.strip().upper())
        if found is None or not sees_office(scope, found.office):
            return _not_found(request, user, office)
        context["outcome"] = found
        context["label"] = KIND_LABELS_VI[found.kind]
    else:
        return _not_found(request, user, office)
    return templates.TemplateResponse(request, "intake_done.html", context)
