"""The work pages of the people who process dossiers, and the action forms' endpoint.

* ``/console/team``: the department head's incoming dossiers (received, not
  yet assigned), each with its assign form, and each specialist's load and
  overdue count;
* ``/console/inbox``: the specialist's dossiers, soonest due first, marked
  "Sắp đến hạn" (due within two days) or "Quá hạn";
* ``/console/approvals``: what waits for the leader's decision;
* ``/console/results``: the results desk's results to receive and return.

``POST /console/dossiers/{code}/actions/{action}`` takes one action from its
form (``cloud.web.action_forms``) through the API's own path
(``take_action``: scope, workflow, audit, one transaction), after the
same-origin check. A refusal re-renders the dossier page with the message in
Vietnamese next to the form and what was typed, nothing saved; success
redirects back with a message, so a reload does not repeat the action.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from cloud.api.deps import DossiersDep, Principal, PrincipalDep, ScopeDep, UsersDep, allow, require_same_origin
from cloud.api.errors import ApiError
from cloud.api.routes.dossiers import take_action
from cloud.auth.users import UserStore
from cloud.domain.access import Permission
from cloud.domain.roles import Role
from cloud.domain.scope import Scope
from cloud.domain.workflow import ACTION_LABELS_VI, Action, DossierState, transition
from cloud.dossiers import records
from cloud.dossiers.store import CLOCK_RUNNING, DossierStore, DossierSummary, StoredDossier, summary_of
from cloud.dossiers.worklists import OPEN_STATES, department_load, worklist, worklist_count, worklist_summaries
from cloud.web.action_forms import FORMS, Choice, Fields, FormError, available, form_of
from cloud.web.action_panel import choices_for, day, forget_flash, officers, read_flash, set_flash, vnd
from cloud.web.console import SignInRedirect, _safe_next, templates
from cloud.web.dossier_pages import _row, not_found, render_dossier, visible

router = APIRouter(include_in_schema=False)

TEAM_PAGE = 50
"""Incoming dossiers the team page shows (soonest due first) with the count of all of them: a head assigns
the urgent ones first, and 15,000 rows (a page of 270 KB, seconds to render) helped nobody (issue 11)."""
INBOX_PAGE = 100
"""Dossiers the inbox shows, soonest due first, with the count of all the specialist holds."""
DUE_SOON = timedelta(days=2)
"""A dossier due within this is marked "Sắp đến hạn" (two days: time to ask for help or apologise)."""
S = DossierState


def _worker(role: Role) -> Any:
    """A page for officers acting in ``role``: anyone else is sent to sign in (as that role)."""

    def check(request: Request, principal: PrincipalDep) -> Principal:
        if principal.user is None or principal.role is not role:
            raise SignInRedirect(request.url.path)
        return principal

    return Depends(check)


Head = Annotated[Principal, _worker(Role.department_head)]
Specialist = Annotated[Principal, _worker(Role.specialist)]
Leader = Annotated[Principal, _worker(Role.leader)]
ResultsDesk = Annotated[Principal, _worker(Role.results_desk)]


def _rows(store: DossierStore, found: list[DossierSummary]) -> list[dict[str, Any]]:
    """The list rows by name, with "Quá hạn" / "Sắp đến hạn" marks."""
    units = store.unit_names()
    people = records.officer_names(store.engine, [s.holder_officer for s in found]
                                   + [s.assignee_officer for s in found])
    now = store.clock()
    rows = []
    for s in found:
        row = _row(s, now, units, people)
        running = s.state in CLOCK_RUNNING
        row["soon"] = running and not row["overdue"] and s.due_at - now <= DUE_SOON
        assignee = s.assignee_officer
        row["assignee"] = people.get(assignee, assignee) if assignee else None
        row["version"] = s.version
        rows.append(row)
    return rows


def _page(request: Request, template: str, context: dict[str, Any]) -> HTMLResponse:
    """A work page, with the message the last action left (after an assign from the team page, a decision)."""
    flash = read_flash(request)
    response = templates.TemplateResponse(request, template, {**context, "flash": flash})
    if flash is not None:
        forget_flash(response)
    return response


@router.get("/console/team", response_class=HTMLResponse)
def team_page(request: Request, user: Head, store: DossiersDep, users: UsersDep) -> HTMLResponse:
    """The department's incoming dossiers to assign, and each specialist's load and overdue count."""
    assert user.user is not None
    unit = user.user.unit
    incoming = worklist_summaries(store.engine, states=[S.received], handling_unit=unit, limit=TEAM_PAGE)
    total = len(incoming) if len(incoming) < TEAM_PAGE else worklist_count(
        store.engine, states=[S.received], handling_unit=unit)
    loads = department_load(store.engine, unit, store.clock())
    specialists = officers(users, Role.specialist, [unit])
    team = [{"login": login, "name": name, "open": loads[login].open if login in loads else 0,
             "overdue": loads[login].overdue if login in loads else 0} for login, name, _ in specialists]
    return _page(request, "team.html", {
        "user": user, "rows": _rows(store, incoming), "total": total, "team": team,
        "specialists": [Choice(login, name) for login, name, _ in specialists],
        "unit_name": store.unit_names().get(unit, unit),
    })


@router.get("/console/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, user: Specialist, store: DossiersDep) -> HTMLResponse:
    """The dossiers the specialist holds, soonest due first."""
    assert user.user is not None
    holder = (user.user.unit, user.user.username)
    found = worklist_summaries(store.engine, states=OPEN_STATES, holder=holder, limit=INBOX_PAGE)
    total = len(found) if len(found) < INBOX_PAGE else worklist_count(store.engine, states=OPEN_STATES, holder=holder)
    return _page(request, "worklist.html", {
        "user": user, "rows": _rows(store, found), "total": total, "title": "Hồ sơ của tôi", "testid": "inbox",
        "intro": "Hồ sơ đang giao cho anh/chị, hồ sơ đến hạn sớm nhất ở trên cùng.",
        "empty": "Hiện không có hồ sơ nào được giao cho anh/chị.",
    })


@router.get("/console/approvals", response_class=HTMLResponse)
def approvals_page(request: Request, user: Leader, store: DossiersDep) -> HTMLResponse:
    """The dossiers submitted to this leader for approval, soonest due first."""
    assert user.user is not None
    found = worklist_summaries(store.engine, states=[S.submitted_for_approval],
                               holder=(user.user.unit, user.user.username))
    return _page(request, "worklist.html", {
        "user": user, "rows": _rows(store, found), "title": "Hồ sơ chờ phê duyệt", "testid": "approvals",
        "intro": "Chạm vào một hồ sơ để xem và phê duyệt, từ chối hoặc trả lại.",
        "empty": "Không có hồ sơ nào chờ anh/chị phê duyệt.",
    })


@router.get("/console/results", response_class=HTMLResponse)
def results_page(request: Request, user: ResultsDesk, store: DossiersDep) -> HTMLResponse:
    """Results of the desk's office: registered by the clerk (to receive) and at the desk (to return)."""
    assert user.user is not None
    found = [summary_of(s) for s in worklist(store.engine, states=[S.approved, S.refused, S.result_at_desk],
                                             office=user.user.unit)
             if s.dossier.state is S.result_at_desk or s.dossier.registration is not None]  # the clerk's register first
    return _page(request, "worklist.html", {
        "user": user, "rows": _rows(store, found), "title": "Kết quả chờ trả", "testid": "results",
        "intro": "Kết quả đã có quyết định: nhận về bộ phận một cửa, thu phí và trả cho công dân.",
        "empty": "Chưa có kết quả nào chờ trả.",
    })


# -- the action forms' endpoint ------------------------------------------------------


@router.post("/console/dossiers/{code}/actions/{action}", response_class=HTMLResponse,
             dependencies=[allow(Permission.dossier_act)])
async def act_from_form(request: Request, code: str, action: str, user: PrincipalDep, store: DossiersDep,
                        users: UsersDep, scope: ScopeDep) -> Response:
    """Take ``action`` on dossier ``code`` from its console form; see the module's docstring."""
    require_same_origin(request)
    form = await request.form(max_fields=100)
    fields = {key: [str(v) for v in form.getlist(key)] for key in form}
    return await run_in_threadpool(_act, request, code[:80], action[:40], fields, user, store, users, scope)


def _act(request: Request, code: str, action: str, fields: Fields, user: Principal, store: DossierStore,
         users: UserStore, scope: Scope) -> Response:
    stored = visible(store, scope, code)
    form = form_of(action)
    if stored is None or form is None or user.user is None:
        return not_found(request, user, code)
    d = stored.dossier
    actor = user.actor

    def again(message: str, status: int) -> HTMLResponse:
        failed = {"action": form.action.value, "message": message, "values": fields}
        return render_dossier(request, user, store, users, stored, failed=failed, status=status)

    if form not in available(d, actor):
        row = transition(form.action)
        if d.state not in row.sources:
            return again("Hồ sơ không còn ở bước này (có thể người khác vừa xử lý); vui lòng xem lại.", 409)
        doing = _doing(form.action)
        if actor.role not in row.roles:
            return again(f"Vai trò của anh/chị không được {doing}.", 403)
        return again(row.guard.refusal_vi.format(action=doing) or f"Anh/chị không được {doing} hồ sơ này.", 403)
    try:
        payload = form.parse(fields, choices_for(store, users, d, actor, [form]))
    except FormError as exc:
        return again(exc.message_vi, 422)
    version = (fields.get("version") or [""])[0]
    try:
        done = take_action(store, d.code, form.action.value, actor, payload, scope=scope,
                           expected_version=int(version) if version.isdigit() else None)
    except ApiError as exc:
        return again(exc.body.message_vi or "Thao tác không thực hiện được.", exc.status)
    target = _safe_next((fields.get("next") or [""])[0] or None)
    if target == "/console/home":
        target = f"/console/dossiers/{d.code}"
    response = RedirectResponse(target, status_code=303)
    set_flash(response, "ok", _done_message(store, done, form.action, payload))
    return response


def _done_message(store: DossierStore, done: StoredDossier, action: Action, payload: dict[str, Any]) -> str:
    """What the officer reads after the action: what happened, to whom, and the numbers to write down."""
    d = done.dossier
    people = records.officer_names(store.engine, [payload.get("officer")])
    recorded = done.history[-1].payload if done.history else {}
    who = people.get(payload.get("officer") or "", payload.get("officer") or "")
    messages = {
        Action.assign: f"Đã phân công hồ sơ {d.code} cho {who}.",
        Action.reassign: f"Đã phân công lại hồ sơ {d.code} cho {who}.",
        Action.start: f"Đã bắt đầu thụ lý hồ sơ {d.code}.",
        Action.deliver_result: f"Đã nhận kết quả hồ sơ {d.code} về bộ phận một cửa.",
        Action.return_result: f"Đã trả kết quả hồ sơ {d.code}.",
        Action.submit: f"Đã trình hồ sơ {d.code} cho {who} phê duyệt.",
        Action.approve: f"Đã phê duyệt hồ sơ {d.code}.",
        Action.refuse: f"Đã từ chối giải quyết hồ sơ {d.code}.",
        Action.send_back: f"Đã trả lại hồ sơ {d.code} để xử lý lại.",
        Action.collect_fees: f"Đã thu {vnd(payload.get('amount_vnd', 0))}, biên lai số {recorded.get('receipt', '—')}.",
    }
    if action is Action.return_result and "postal" in recorded:
        quote = recorded["postal"]
        return (f"Đã gửi kết quả qua bưu điện: cước {vnd(int(quote['fee_vnd']))}, dự kiến giao "
                f"{day(datetime.fromisoformat(quote['expected_delivery']))}.")
    return messages.get(action, f"{FORMS[action].button}: đã ghi nhận cho hồ sơ {d.code}.")


def _doing(action: Action) -> str:
    label = ACTION_LABELS_VI[action]
    return label[0].lower() + label[1:]
