"""Staff console (bảng điều khiển): offices, their queues and the counters' buttons.

An officer signs in at a counter here ("Nhận quầy"; pause "Tạm nghỉ",
"Tiếp tục", leave "Rời quầy"): the buttons call the counters API, and each
counter shows its status and who sits there by full name. An officer sees
the offices of their own administration only, as in the API.

Pages are rendered on the server from the same read models as the API, so
they are complete without JavaScript; the office page then keeps its parts
current over the office's event stream (``cloud.web.live``: htmx's SSE
extension, no polling), the office list polls the JSON API every second, and
a small script sends the counter buttons to the API. Text is Vietnamese; ids and ``data-testid`` attributes
are stable for the browser tests.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from cloud.api import queries
from cloud.api.deps import (
    SESSION_COOKIE,
    Principal,
    PrincipalDep,
    ScopeDep,
    SessionDep,
    SettingsDep,
    ThrottleDep,
    UsersDep,
    require_same_origin,
    sees_office,
)
from cloud.api.errors import ApiError
from cloud.api.routes.auth import sign_in
from cloud.db.tables import Office
from cloud.domain.access import Permission, may
from cloud.domain.roles import ROLE_LABELS_VI, Role

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["role_labels"] = ROLE_LABELS_VI
templates.env.globals["status_labels"] = {"open": "Đang mở", "paused": "Tạm nghỉ", "closed": "Đóng"}
"""A counter's status as the office page shows it (console.js has the same words)."""

router = APIRouter(include_in_schema=False)


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse(HOME)


class SignInRedirect(Exception):
    """Raised by a page whose visitor must sign in (or sign in as someone else) first."""


def _console_user(request: Request, principal: PrincipalDep) -> Principal:
    if not may(principal.role, Permission.queue_read):
        raise SignInRedirect(request.url.path)
    return principal


ConsoleUser = Annotated[Principal, Depends(_console_user)]


async def _to_login(request: Request, exc: Exception) -> Response:
    return RedirectResponse(f"/login?next={quote(str(exc), safe='/')}", status_code=303)


def install(app: FastAPI) -> None:
    """Send visitors of console pages who are not signed in to the sign-in form."""
    app.add_exception_handler(SignInRedirect, _to_login)


HOME = "/console/home"
"""Where the sign-in form sends a visitor who did not ask for a page: their role's own home."""

ROLE_HOMES: dict[Role, str] = {
    Role.reception: "/console",  # pick the office, then Nhận quầy at a counter
    Role.department_head: "/console/team",  # incoming to assign, each specialist's load
    Role.specialist: "/console/inbox",  # my dossiers, soonest due first
    Role.leader: "/console/approvals",
    Role.clerk: "/console/register",  # signed results to number, date, stamp and register
    Role.results_desk: "/console/results",
    Role.provincial_monitor: "/console/dossiers?overdue=true",
    Role.admin: "/console",
    Role.it: "/console",
}
"""Each role's first page after sign-in: the work waiting for it."""

WORK_PAGES: dict[Role, tuple[str, str]] = {
    Role.department_head: ("/console/team", "Phân công hồ sơ"),
    Role.specialist: ("/console/inbox", "Hồ sơ của tôi"),
    Role.leader: ("/console/approvals", "Chờ phê duyệt"),
    Role.results_desk: ("/console/results", "Trả kết quả"),
    Role.clerk: ("/console/register", "Vào sổ kết quả"),
}
"""The work list of a role (cloud/web/desk_pages.py): its link in the header and the dossier page's way back."""
templates.env.globals["work_pages"] = WORK_PAGES


def _safe_next(target: str | None) -> str:
    """Only a path on this site: a sign-in form must not bounce people to another site."""
    if not target:
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return HOME
    return target


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return templates.TemplateResponse(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, users: UsersDep, settings: SettingsDep, throttle: ThrottleDep,
                username: Annotated[str, Form(max_length=64)], password: Annotated[str, Form(max_length=200)],
                next: Annotated[str | None, Form(max_length=500)] = None) -> Response:
    """Sign in from the form. Only from this site's own page (Origin or Referer): a form on another site
    must not sign a visitor's browser into an account of the attacker's choosing (login CSRF)."""
    try:
        require_same_origin(request)
        user = await sign_in(request, users, throttle, username.strip(), password)
    except ApiError as exc:
        return templates.TemplateResponse(request, "login.html", {
            "next": _safe_next(next), "error": exc.body.message_vi, "username": username,
        }, status_code=exc.status, headers=exc.headers)
    issued = await run_in_threadpool(users.issue_token, user.username, kind="session",
                                     name=request.headers.get("user-agent", "browser"),
                                     ttl=timedelta(hours=settings.session_hours))
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, issued.secret, max_age=int(settings.session_hours * 3600), httponly=True,
                        samesite="strict", secure=settings.secure_cookies, path="/")
    return response


@router.post("/logout")
def logout(principal: PrincipalDep, users: UsersDep) -> Response:
    if principal.secret is not None:
        users.revoke(principal.secret)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/console/home")
def home(request: Request, principal: PrincipalDep) -> RedirectResponse:
    """The signed-in officer's home (the role they act in); the sign-in form for anyone else."""
    if principal.user is None:
        return RedirectResponse(f"/login?next={quote(HOME, safe='/')}", status_code=303)
    return RedirectResponse(ROLE_HOMES.get(principal.role, "/console"), status_code=303)


@router.get("/console", response_class=HTMLResponse)
def offices_page(request: Request, session: SessionDep, user: ConsoleUser, scope: ScopeDep) -> HTMLResponse:
    """The offices of the officer's administration (cloud/domain/scope.py), as the API lists them."""
    return templates.TemplateResponse(request, "offices.html", {
        "offices": queries.list_offices(session, scope.offices), "user": user})


@router.get("/console/offices/{office}", response_class=HTMLResponse)
def office_page(request: Request, office: str, session: SessionDep, settings: SettingsDep,
                user: ConsoleUser, scope: ScopeDep) -> HTMLResponse:
    """An office's queue and counters; another administration's office is "not found", as in the API."""
    found = session.get(Office, office)
    if found is None or not sees_office(scope, found.id):
        return templates.TemplateResponse(request, "not_found.html", {"office": office, "user": user}, status_code=404)
    detail = queries.office_detail(session, found)
    return templates.TemplateResponse(request, "office.html", {
        "office": detail,
        "queue": queries.queue_view(session, found),
        "field_names": {f.code: f.name for f in detail.fields},
        "command_timeout": settings.command_timeout_s,
        "user": user,
        "me": user.user.username if user.user else None,
    })
