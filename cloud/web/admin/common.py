"""What the administrator's pages share: who may open them, reading a form, the index page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from cloud.api.deps import Principal, PrincipalDep
from cloud.domain.access import Permission, may
from cloud.web.console import SignInRedirect, templates

router = APIRouter(include_in_schema=False)

CATALOGUE_MANAGE = Permission.users_manage
"""Editing the procedure catalogue: the administrator's (the role that manages accounts), not IT's."""


def needs(permission: Permission) -> Callable[[Request, Principal], Principal]:
    """A page dependency: the signed-in role must hold ``permission``; anyone else is sent to sign in (as
    someone who may). Cookie writes were already checked for their Origin by the principal dependency."""

    def check(request: Request, principal: PrincipalDep) -> Principal:
        if principal.user is None or not may(principal.role, permission):
            raise SignInRedirect(request.url.path)
        return principal

    return check


Administrator = Annotated[Principal, Depends(needs(Permission.users_manage))]
RegistryManager = Annotated[Principal, Depends(needs(Permission.registry_manage))]
CatalogueManager = Annotated[Principal, Depends(needs(CATALOGUE_MANAGE))]


def _any_admin_page(request: Request, principal: PrincipalDep) -> Principal:
    if principal.user is None or not (may(principal.role, Permission.users_manage)
                                      or may(principal.role, Permission.registry_manage)):
        raise SignInRedirect(request.url.path)
    return principal


async def form_of(request: Request) -> dict[str, list[str]]:
    """The submitted form as name → values (checkbox groups have several), each value stripped."""
    form = await request.form()
    out: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            out.setdefault(key, []).append(value.strip())
    return out


def one(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


@router.get("/console/admin", response_class=HTMLResponse)
def admin_index(request: Request, user: Annotated[Principal, Depends(_any_admin_page)]) -> HTMLResponse:
    """The administrator's start page: officers, offices, catalogue (what the role may change)."""
    return templates.TemplateResponse(request, "admin/index.html", {
        "user": user, "manages_users": may(user.role, Permission.users_manage),
        "manages_registry": may(user.role, Permission.registry_manage),
        "manages_catalogue": may(user.role, CATALOGUE_MANAGE),
    })
