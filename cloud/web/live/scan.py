"""Scan-to-transfer in the console: ``POST /console/scan``.

A desk's USB scanner types the slip's code (or its QR URL) and Enter into the page's scan field
(``templates/live/scan.html``, on every page that receives dossiers); the form posts here and the
hand-over is recorded in that one step by the API's own scan route (``POST /api/v1/handovers/scan``:
the code read by ``cloud.domain.scanning``, the role's default action, the same 404 / 409 / 422).
The answer is one Vietnamese line that htmx puts at the top of the field's list ("Đã nhận hồ sơ …
từ …", by people's and units' names), so a desk scanning a pile sees each one; without JavaScript the
same form posts the whole page back. The office's live streams are woken at once (its overview).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from cloud.api.deps import DossiersDep, PrincipalDep, ScopeDep
from cloud.api.dossier_schemas import ScanHandOver
from cloud.api.errors import ApiError
from cloud.api.routes.handovers import scan as api_scan
from cloud.domain.access import Permission, may
from cloud.domain.roles import Role
from cloud.domain.scanning import SCAN_ACTIONS, ScanError, read_scanned_code
from cloud.domain.scope import Scope
from cloud.domain.workflow import ACTION_LABELS_VI, STATE_LABELS_VI, Action, Actor
from cloud.dossiers import records
from cloud.dossiers.store import DossierNotFound, DossierStore
from cloud.web.console import templates

router = APIRouter(include_in_schema=False)


def scans(role: Role) -> bool:
    """Whether the scan field is shown to ``role``: those whose scan has a default action (the API's rule)."""
    return role in SCAN_ACTIONS and may(role, Permission.dossier_act)


templates.env.globals["scans"] = scans


def _recorded(store: DossierStore, actor: Actor, scope: Scope, scanned: str) -> str:
    """Take the hand-over and say what happened, or raise the API's error."""
    result = api_scan(ScanHandOver(scanned=scanned), actor, store, scope)
    dossier = result.dossier.dossier
    procedure = dossier.get("terms", {}).get("name")
    what = f"{result.code} ({procedure})" if procedure else result.code
    handover = result.handover
    if handover is None:
        return f"{ACTION_LABELS_VI[Action(result.action)]}: hồ sơ {what}."
    sender = handover.get("sender") or {}
    units = store.unit_names()
    people = records.officer_names(store.engine, [sender.get("officer")])
    person = people.get(sender.get("officer") or "", "")
    unit = units.get(sender.get("unit") or "", "")
    source = ", ".join(part for part in (person, unit) if part) or "đơn vị trước"
    return f"Đã nhận hồ sơ {what} từ {source}."


def _refusal(store: DossierStore, scanned_code: str | None, action: Action, message: str) -> str:
    """A refused move says the dossier's state, so the officer knows where the paper should go instead."""
    if not scanned_code:
        return message
    try:
        d = store.get(scanned_code).dossier
    except DossierNotFound:
        return message
    return f"Hồ sơ {d.code} đang ở trạng thái “{STATE_LABELS_VI[d.state]}”: không thể “{ACTION_LABELS_VI[action]}”."


@router.post("/console/scan", response_class=HTMLResponse)
async def scan(request: Request, principal: PrincipalDep, store: DossiersDep, scope: ScopeDep,
               scanned: Annotated[str, Form(max_length=2000)] = "") -> HTMLResponse:
    """One scan; an htmx request gets the result line, a plain form post the page with it."""
    partial = request.headers.get("hx-request") == "true"
    ok, status = False, 200
    if principal.user is None:
        text, status = "Phiên đăng nhập đã hết hạn; vui lòng đăng nhập lại.", 401
    elif not scans(principal.role):
        text, status = "Tài khoản không có thao tác mặc định khi quét mã; vui lòng mở hồ sơ để xử lý.", 403
    elif not scanned.strip():
        text, status = "Chưa quét được mã nào; vui lòng quét lại mã vạch hoặc mã QR trên phiếu hẹn.", 422
    else:
        try:
            text = await run_in_threadpool(_recorded, store, principal.actor, scope, scanned)
            ok = True
        except ApiError as exc:
            text, status = exc.body.message_vi or "Không ghi nhận được.", exc.status
            if exc.body.code == "transition_refused":
                code = _code_in(store, scanned)
                text = await run_in_threadpool(_refusal, store, code, SCAN_ACTIONS[principal.role], text)
    if ok:
        request.app.state.live.notify(_offices(store, scanned))
    context = {"ok": ok, "text": text, "user": principal if principal.user else None}
    return templates.TemplateResponse(request, "live/scan_line.html" if partial else "scan.html", context,
                                      status_code=status)


def _code_in(store: DossierStore, scanned: str) -> str | None:
    try:
        return read_scanned_code(scanned, store.code_format)
    except ScanError:
        return None


def _offices(store: DossierStore, scanned: str) -> list[str]:
    code = _code_in(store, scanned)
    if code is None:
        return []
    try:
        return [store.get(code).dossier.office]
    except DossierNotFound:
        return []
