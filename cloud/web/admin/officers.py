"""Officers (cán bộ): the list by full name, unit name and roles in Vietnamese; add one, change roles, disable.

Every change is :class:`cloud.auth.users.UserStore`'s, which writes the
account and its audit entry in one transaction and drops its token cache, so
new roles hold from the officer's next request. The form is checked here
first, to answer in Vietnamese with what was typed kept; the store's own
checks stay the last word (an English reason is shown after a Vietnamese one).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from cloud.api.deps import DossiersDep, UsersDep
from cloud.auth.users import MIN_PASSWORD, USERNAME_PATTERN, UnknownUser, UserError, UserExists
from cloud.domain.roles import ROLE_LABELS_VI, Role
from cloud.domain.workflow.states import APPLICANT_UNIT, POST_UNIT
from cloud.dossiers.store import DossierStore
from cloud.web.admin.common import Administrator, form_of, one
from cloud.web.console import templates

router = APIRouter(include_in_schema=False)
PAGE = "/console/admin/officers"
ROLES = [r for r in Role if r is not Role.public]


def unit_choices(store: DossierStore) -> dict[str, str]:
    """Code → name of every unit an officer can belong to: administrative units, their offices (the desks)
    and their departments, sorted by name (people pick a unit by its name)."""
    names = store.unit_names()
    names.pop(APPLICANT_UNIT, None)
    names.pop(POST_UNIT, None)
    return dict(sorted(names.items(), key=lambda item: (item[1], item[0])))


def _roles(values: list[str]) -> list[Role]:
    known = {r.value: r for r in ROLES}
    return [known[v] for v in values if v in known]


def _page(request: Request, user: Administrator, users: UsersDep, store: DossierStore, *,
          errors: list[str] | None = None, form: dict[str, Any] | None = None, done: str | None = None,
          status: int = 200) -> HTMLResponse:
    units = unit_choices(store)
    people = sorted(users.list(), key=lambda u: (not u.active, u.full_name, u.username))
    rows = [{"username": u.username, "full_name": u.full_name, "unit": units.get(u.unit, u.unit),
             "roles": list(u.roles), "active": u.active} for u in people]
    return templates.TemplateResponse(request, "admin/officers.html", {
        "user": user, "rows": rows, "units": units, "roles": ROLES, "labels": ROLE_LABELS_VI,
        "errors": errors or [], "form": form or {}, "done": done, "min_password": MIN_PASSWORD,
    }, status_code=status)


@router.get(PAGE, response_class=HTMLResponse)
def officers_page(request: Request, user: Administrator, users: UsersDep, store: DossiersDep,
                  done: str | None = None) -> HTMLResponse:
    return _page(request, user, users, store, done=DONE.get(done or ""))


DONE = {"added": "Đã thêm cán bộ.", "roles": "Đã cập nhật vai trò.", "disabled": "Đã khóa tài khoản."}


@router.post(PAGE, response_class=HTMLResponse)
async def add_officer(request: Request, user: Administrator, users: UsersDep, store: DossiersDep) -> Response:
    """Add an officer: login, full name, unit picked by name, roles, first password."""
    form = await form_of(request)
    username, full_name, unit, password = (one(form, k) for k in ("username", "full_name", "unit", "password"))
    roles = _roles(form.get("roles", []))
    errors = []
    if not USERNAME_PATTERN.fullmatch(username):
        errors.append("Tên đăng nhập: 2–64 ký tự, chữ thường không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch ngang.")
    if not full_name or len(full_name) > 200:
        errors.append("Họ và tên: bắt buộc, tối đa 200 ký tự.")
    if unit not in unit_choices(store):
        errors.append("Đơn vị: chọn một đơn vị trong danh sách.")
    if not roles:
        errors.append("Vai trò: chọn ít nhất một vai trò.")
    if len(password) < MIN_PASSWORD or len(password) > 200:
        errors.append(f"Mật khẩu ban đầu: ít nhất {MIN_PASSWORD} ký tự.")
    kept = {"username": username, "full_name": full_name, "unit": unit, "roles": [r.value for r in roles]}
    if not errors:
        try:
            await run_in_threadpool(users.add, username, full_name=full_name, unit=unit,
                                    roles=[r.value for r in roles], password=password, by=user.actor)
        except UserExists:
            errors.append(f"Tên đăng nhập “{username}” đã có người dùng.")
        except UserError as exc:
            errors.append(f"Không thêm được cán bộ ({exc}).")
    if errors:
        return _page(request, user, users, store, errors=errors, form=kept, status=422)
    return RedirectResponse(f"{PAGE}?done=added", status_code=303)


@router.post(PAGE + "/{username}/roles", response_class=HTMLResponse)
async def change_roles(request: Request, username: str, user: Administrator, users: UsersDep,
                       store: DossiersDep) -> Response:
    roles = _roles((await form_of(request)).get("roles", []))
    error = None
    if not roles:
        error = "Vai trò: chọn ít nhất một vai trò (muốn ngừng cho cán bộ làm việc thì khóa tài khoản)."
    else:
        try:
            await run_in_threadpool(users.set_roles, username[:64], [r.value for r in roles], by=user.actor)
        except UnknownUser:
            error = f"Không tìm thấy tài khoản “{username[:64]}”."
        except UserError as exc:
            error = f"Không đổi được vai trò ({exc})."
    if error:
        return _page(request, user, users, store, errors=[error], status=422)
    return RedirectResponse(f"{PAGE}?done=roles", status_code=303)


@router.post(PAGE + "/{username}/disable", response_class=HTMLResponse)
async def disable(request: Request, username: str, user: Administrator, users: UsersDep,
                  store: DossiersDep) -> Response:
    """Lock the account: every session and token ends now; history keeps the officer's name."""
    if user.user is not None and username == user.user.username:
        return _page(request, user, users, store, errors=["Không thể tự khóa tài khoản của chính mình."], status=422)
    try:
        await run_in_threadpool(users.deactivate, username[:64], by=user.actor)
    except UserError:
        return _page(request, user, users, store, errors=[f"Không tìm thấy tài khoản “{username[:64]}”."],
                     status=422)
    return RedirectResponse(f"{PAGE}?done=disabled", status_code=303)
