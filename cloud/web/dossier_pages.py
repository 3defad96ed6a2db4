"""The console's dossier pages: the list an officer works from and one dossier's record.

Until these pages, everything about dossiers was API-only (``/console/dossiers``
was 404). They render on the server from the same store and read scopes as
``GET /api/v1/dossiers`` (an officer sees the dossiers of their administration
and those sent to their unit; another's dossier is "not found", so codes
cannot be probed), and people read names everywhere: the procedure's, the
units', the officers', never logins or unit codes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from cloud.api.deps import DossiersDep, Principal, PrincipalDep, ScopeDep, UsersDep
from cloud.auth.users import UserStore
from cloud.domain.access import Permission, may
from cloud.domain.roles import Role
from cloud.domain.scope import Scope
from cloud.domain.workflow import ACTION_LABELS_VI, STATE_LABELS_VI, DossierState
from cloud.dossiers import records
from cloud.dossiers.store import CLOCK_RUNNING, DossierNotFound, DossierStore, DossierSummary, StoredDossier, summary_of
from cloud.web.action_forms import available
from cloud.web.action_panel import choices_for, forget_flash, read_flash
from cloud.web.console import WORK_PAGES, SignInRedirect, templates
from cloud.web.dossier_files import page_context as files_context
from workdays import VN_TZ

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 100
ACTION_LABELS = {action.value: label for action, label in ACTION_LABELS_VI.items()}
STATE_LABELS = {state.value: label for state, label in STATE_LABELS_VI.items()}
"""History rows store plain strings: look them up by value (an unknown one shows as stored)."""


def _dossier_reader(request: Request, principal: PrincipalDep) -> Principal:
    """Anyone whose role reads dossiers (specialists and leaders too, who do not operate queues)."""
    if not may(principal.role, Permission.dossier_read):
        raise SignInRedirect(request.url.path)
    return principal


DossierReader = Annotated[Principal, Depends(_dossier_reader)]


def local(moment: datetime | None) -> str:
    """``dd/mm/yyyy HH:MM`` in Vietnam's time, as officers write dates."""
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M") if moment else "—"


templates.env.filters["local"] = local
templates.env.globals["action_labels"] = ACTION_LABELS_VI


def _row(d: DossierSummary, now: datetime, units: dict[str, str], people: dict[str, str]) -> dict[str, Any]:
    holder = d.holder_officer
    return {
        "code": d.code, "procedure": d.procedure_name, "procedure_code": d.procedure, "applicant": d.applicant_name,
        "state": d.state, "label": STATE_LABELS_VI[d.state], "office": units.get(d.office, d.office),
        "holder": units.get(d.holder_unit, d.holder_unit), "holder_officer": people.get(holder, holder) if holder else None,
        "due": d.due_at, "appointment": d.appointment,
        "overdue": d.state in CLOCK_RUNNING and d.due_at < now,
    }


@router.get("/console/dossiers", response_class=HTMLResponse)
def dossiers_page(request: Request, user: DossierReader, store: DossiersDep, scope: ScopeDep,
                  state: Annotated[DossierState | None, Query()] = None,
                  overdue: Annotated[bool | None, Query()] = None) -> HTMLResponse:
    """The dossiers the officer may read, newest first, filtered by state or overdue."""
    found = store.summaries(scope=scope, state=state, overdue=overdue, limit=PAGE_SIZE)
    units = store.unit_names()
    people = records.officer_names(store.engine, [s.holder_officer for s in found])
    now = store.clock()
    return templates.TemplateResponse(request, "dossiers.html", {
        "user": user, "rows": [_row(s, now, units, people) for s in found], "states": STATE_LABELS_VI,
        "state": state, "overdue": overdue, "page_size": PAGE_SIZE,
    })


@router.get("/console/dossiers/{code}", response_class=HTMLResponse)
def dossier_page(request: Request, code: str, user: DossierReader, store: DossiersDep, users: UsersDep,
                 scope: ScopeDep) -> HTMLResponse:
    """One dossier: its procedure, applicant, dates, queue ticket, every hand-over by name, and the forms of
    the actions the officer may take on it now."""
    stored = visible(store, scope, code)
    if stored is None:
        return not_found(request, user, code)
    return render_dossier(request, user, store, users, stored)


def visible(store: DossierStore, scope: Scope, code: str) -> StoredDossier | None:
    """Dossier ``code`` if the reader's scope sees it (None: show "not found", as for an unknown code)."""
    try:
        stored = store.get(code.strip().upper()[:64])
    except DossierNotFound:
        return None
    return stored if scope.sees(stored.dossier) else None


def not_found(request: Request, user: Principal, code: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "dossier_not_found.html", {"code": code, "user": user}, status_code=404)


def render_dossier(request: Request, user: Principal, store: DossierStore, users: UserStore, stored: StoredDossier, *,
                   failed: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    """The dossier page; ``failed``: the action whose form was refused, its message and what was typed."""
    d = stored.dossier
    forms = available(d, user.actor) if user.user is not None and may(user.role, Permission.dossier_act) else []
    history = list(stored.history) if stored.history is not None else store.history(d.code)
    units = store.unit_names()
    logins = [d.holder.officer, d.received_by.officer, *(e.actor_officer for e in history)]
    people = records.officer_names(store.engine, logins)
    steps = [{
        "at": e.at, "action": ACTION_LABELS.get(e.action, e.action),
        "who": people.get(e.actor_officer, e.actor_officer), "unit": units.get(e.actor_unit, e.actor_unit),
        "to": STATE_LABELS.get(e.to_state, e.to_state),
    } for e in history]
    flash = read_flash(request)
    if failed and failed["action"] not in {f.action.value for f in forms}:
        flash = {"kind": "error", "text": failed["message"]}  # no form to show it next to: on top of the page
    work = WORK_PAGES.get(user.role)
    response = templates.TemplateResponse(request, "dossier.html", {
        "user": user, "d": _row(summary_of(stored), store.clock(), units, people), "steps": steps,
        "received_by": people.get(d.received_by.officer, d.received_by.officer) if d.received_by.officer else None,
        "ticket": d.ticket, "ticket_officer": d.ticket.officer_name if d.ticket else None,
        "handling": units.get(d.handling_unit, d.handling_unit),
        "has_apology": bool(d.clock.apologies),  # Mẫu 04 is printed only for a dossier apologised for
        "forms": forms, "choices": choices_for(store, users, d, user.actor, forms) if forms else None,
        "failed": failed or {}, "flash": flash, "dossier": d, "units": units, "people": people,
        "version": stored.version, "next": work[0] if user.role is Role.leader and work else None,
        "back": work[0] if work else None, "back_label": work[1] if work else None,
        "registration": d.registration,
        **files_context(request, stored, user),
    }, status_code=status)
    if flash is not None:
        forget_flash(response)
    return response
