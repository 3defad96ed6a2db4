"""Request bodies: how large each route takes, and no body read for a caller who may not call.

An outside probe sent one anonymous 40 MB JSON body to ``POST /api/v1/dossiers``:
the service read and parsed all of it before the route's permission said 401,
grew to 1.1 GB, and two such senders made ``/health`` take seconds (issue 9).
Two parts close that:

* **The size** is FastAPI's own ``max_body_size``: the application's default
  (``Settings.http_max_body_bytes``, 64 KiB: JSON and forms) and, where a route
  takes more, its own ``max_body_size=`` (an upload route will say
  ``@router.post("/…/attachments", max_body_size=20 * MiB)``; a router's
  ``APIRouter(max_body_size=…)`` covers all its routes). FastAPI counts the bytes
  as they arrive, chunked bodies included, and stops at the limit with 413.
* **``BodyGate``**, a pure ASGI middleware (a ``BaseHTTPMiddleware`` would buffer
  the body it is meant to refuse), answers before the application sees the
  request: 401 when a route that needs an account is called with no credential
  at all (no ``Authorization: Bearer``, no session cookie), and 413 when the
  ``Content-Length`` already says the body is over the route's limit. It reads
  no byte of the body. Checking the credential is still the dependency's job
  (``cloud.api.deps``); the gate only refuses what cannot succeed.

Which routes need an account is read from the routes themselves (the
permission each one declares with ``allow(...)``, cloud/domain/access.py), so a
new route is covered the day it is added.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from cloud.api.deps import SESSION_COOKIE
from cloud.api.errors import ApiError, error_response, too_large
from cloud.domain.access import Permission, may, roles_with
from cloud.domain.roles import Role

KiB = 1024
MiB = 1024 * KiB


@dataclass(frozen=True)
class RouteLimit:
    """What the gate knows of one endpoint."""

    methods: frozenset[str]
    path: str
    regex: re.Pattern[str]
    max_body: int
    sign_in_for: Permission | None
    """The permission the public lacks that this route declares; None: anyone may call it."""


def _permissions(dependant: Any) -> Iterator[Permission]:
    """Every permission a route's dependencies check (``require`` marks its check with ``.permission``)."""
    for sub in getattr(dependant, "dependencies", ()):
        permission = getattr(sub.call, "permission", None)
        if isinstance(permission, Permission):
            yield permission
        yield from _permissions(sub)


def route_limits(routes: Sequence[BaseRoute], default: int) -> list[RouteLimit]:
    """The gate's table: every FastAPI endpoint with its body limit and whether it needs an account."""
    table: list[RouteLimit] = []
    for route in iter_route_contexts(routes):
        dependant = getattr(route, "dependant", None)
        regex = getattr(route, "path_regex", None)
        if dependant is None or regex is None or not route.methods or route.path is None:
            continue  # Starlette routes and mounts (/openapi.json, static files): GET only, the default applies
        limit = getattr(route, "max_body_size", None)
        needs = next((p for p in _permissions(dependant) if not may(Role.public, p)), None)
        table.append(RouteLimit(frozenset(route.methods), route.path, regex,
                                default if limit is None else limit, needs))
    return table


def _has_credential(headers: Headers) -> bool:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return True
    return SESSION_COOKIE in cookie_parser(headers.get("cookie", ""))


class BodyGate:
    """Pure ASGI middleware: 401 / 413 decided from the request head alone (module docstring)."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute], default: int) -> None:
        self.app = app
        self.default = default
        self.table = route_limits(routes, default)

    def lookup(self, method: str, path: str) -> RouteLimit | None:
        for entry in self.table:
            if method in entry.methods and entry.regex.match(path):
                return entry
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if (length is None or length == "0") and "transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body: nothing to guard (every GET, call-next)
            return
        entry = self.lookup(scope["method"], scope["path"])
        error: ApiError | None = None
        if entry is not None and entry.sign_in_for is not None and not _has_credential(headers):
            allowed = ", ".join(r.value for r in roles_with(entry.sign_in_for))
            error = ApiError(401, "sign_in_required", f"sign in first: {entry.sign_in_for.value} is for {allowed}",
                             "Vui lòng đăng nhập.")
        elif length is not None and length.isdigit():
            limit = entry.max_body if entry is not None else self.default
            if int(length) > limit:
                error = too_large(limit, int(length))
        if error is None:
            await self.app(scope, receive, send)
            return
        response = error_response(error)
        # The client may still be sending: close, or uvicorn would read and drop the rest to keep the connection.
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
