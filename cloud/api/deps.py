"""Dependencies of the routes, as ``Annotated`` aliases so signatures stay one line.

The ones that only read ``app.state`` are ``async``: FastAPI runs a plain
``def`` dependency in its thread pool, and a thread hop per dependency is
most of a call-next's time on the cloud side.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, cast
from urllib.parse import urlsplit

from fastapi import Depends, Header, Path, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from cloud.api.errors import ApiError
from cloud.auth.throttle import SignInThrottle
from cloud.auth.users import User, UserStore
from cloud.commands.bus import CommandBus
from cloud.db.tables import Office
from cloud.domain.access import Permission, may, roles_with
from cloud.domain.roles import Role
from cloud.domain.scope import Scope, scope_for
from cloud.domain.workflow import Actor
from cloud.dossiers.store import DossierStore
from cloud.ingest.consumer import IngestConsumer
from cloud.settings import Settings


# ``app.state`` is untyped (Starlette's State): cloud.app sets each of these once at start-up.
async def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


async def get_engine(request: Request) -> Engine:
    return cast(Engine, request.app.state.engine)


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


async def get_bus(request: Request) -> CommandBus:
    return cast(CommandBus, request.app.state.bus)


async def get_ingest(request: Request) -> IngestConsumer:
    return cast(IngestConsumer, request.app.state.ingest)


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
CommandBusDep = Annotated[CommandBus, Depends(get_bus)]
IngestDep = Annotated[IngestConsumer, Depends(get_ingest)]





async def get_dossiers(request: Request) -> DossierStore:
    return cast(DossierStore, request.app.state.dossiers)


DossiersDep = Annotated[DossierStore, Depends(get_dossiers)]


async def get_users(request: Request) -> UserStore:
    return cast(UserStore, request.app.state.users)


UsersDep = Annotated[UserStore, Depends(get_users)]


async def get_throttle(request: Request) -> SignInThrottle:
    return cast(SignInThrottle, request.app.state.throttle)


ThrottleDep = Annotated[SignInThrottle, Depends(get_throttle)]

SESSION_COOKIE = "onestop_session"
bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False,
                              description="A token from POST /api/v1/auth/token (or `onestop users token`).")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def require_same_origin(request: Request) -> None:
    """Refuse (403 cross_origin) a browser write that does not say it comes from this site's own pages.

    Browsers send ``Origin`` with every POST, and most a ``Referer``; the host
    of the first one present must be the request's ``Host`` (not the scheme:
    TLS usually ends at a reverse proxy, which must pass ``Host`` on,
    docs/access.md). A write with neither is refused too: SameSite alone is
    one lock, and an old browser or a stripping proxy should not quietly
    remove the second. Bearer-token calls are not browser sessions and are
    not asked.
    """
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if claimed is None:
        raise ApiError(403, "cross_origin", "a console session write must come with an Origin or Referer header "
                       "naming this site", "Yêu cầu không đến từ trang của hệ thống; vui lòng tải lại trang.")
    if urlsplit(claimed).netloc != request.headers.get("host"):
        raise ApiError(403, "cross_origin", f"a console session cannot be used from {claimed}",
                       "Yêu cầu không đến từ trang của hệ thống; vui lòng tải lại trang.")


@dataclass(frozen=True)
class Principal:
    """Who is calling and in which role: a signed-in user, or the public."""

    user: User | None
    role: Role
    secret: str | None = None
    """The token or session secret presented (sign-out revokes it)."""

    @property
    def actor(self) -> Actor:
        assert self.user is not None
        return Actor(role=self.role, unit=self.user.unit, officer=self.user.username)


PUBLIC = Principal(None, Role.public)


async def get_principal(
    request: Request, users: UsersDep,
    token: Annotated[str | None, Depends(bearer)] = None,
    acting_role: Annotated[str | None, Header(alias="X-Acting-Role", description=(
        "For a user holding several roles: the one to act in (default: the first)."))] = None,
) -> Principal:
    """The caller, from a bearer token (API clients) or the session cookie (the web console).

    A bearer token that is wrong or expired is an error (401), never a
    silent fall-back to the public: a script with a stale token must find
    out. A stale cookie only makes the browser a public visitor. A
    cookie-authenticated write must come from the console's own pages
    (:func:`require_same_origin`): the cookie is SameSite=Strict already,
    that check is the second lock.

    ``async`` with the token cache checked on the event loop: a sync
    dependency costs a hop to the thread pool per request, and almost every
    request's token was resolved a moment ago. Only a cache miss queries the
    database, in the thread pool.
    """
    user: User | None = None
    secret = token
    if token is not None:
        user = await _resolve(users, token)
        if user is None:
            raise ApiError(401, "invalid_token", "the bearer token is unknown, expired or revoked; get a new one "
                           "from POST /api/v1/auth/token", "Phiên đăng nhập đã hết hạn; vui lòng đăng nhập lại.")
    elif (cookie := request.cookies.get(SESSION_COOKIE)) is not None:
        user = await _resolve(users, cookie)
        secret = cookie if user is not None else None
        if user is not None and request.method in UNSAFE_METHODS:
            require_same_origin(request)
    if user is None:
        return PUBLIC
    if acting_role is None:
        return Principal(user, user.roles[0], secret)
    try:
        role = Role(acting_role.strip())
    except ValueError:
        raise ApiError(422, "unknown_role", f"X-Acting-Role {acting_role!r} is not a role; roles: "
                       + ", ".join(r.value for r in Role), "Vai trò không hợp lệ.") from None
    if role not in user.roles:
        raise ApiError(403, "role_not_held", f"{user.username} does not hold the role {role.value}; they hold "
                       + ", ".join(r.value for r in user.roles), "Tài khoản không có vai trò này.")
    return Principal(user, role, secret)


async def _resolve(users: UserStore, secret: str) -> User | None:
    return users.cached(secret) or await run_in_threadpool(users.resolve, secret)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(permission: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets the call through only for roles holding ``permission`` (cloud/domain/access.py)."""

    async def check(principal: PrincipalDep) -> Principal:
        if may(principal.role, permission):
            return principal
        allowed = ", ".join(r.value for r in roles_with(permission))
        if principal.user is None:
            raise ApiError(401, "sign_in_required", f"sign in first: {permission.value} is for {allowed}",
                           "Vui lòng đăng nhập.")
        raise ApiError(403, "forbidden", f"role {principal.role.value} may not {permission.value}; "
                       f"roles that may: {allowed}", "Tài khoản không có quyền thực hiện thao tác này.")

    check.permission = permission  # type: ignore[attr-defined]  # read by the access-matrix test
    return check


def allow(permission: Permission) -> Any:
    """``dependencies=[allow(P.x)]`` on a route or router: the one place a route states its permission."""
    return Depends(require(permission))


async def get_actor(principal: Annotated[Principal, Depends(get_principal)]) -> Actor:
    """The signed-in person acting on a dossier; the route's ``require`` decides whether they may."""
    if principal.user is None:
        raise ApiError(401, "sign_in_required", "sign in first", "Vui lòng đăng nhập.")
    return principal.actor


ActorDep = Annotated[Actor, Depends(get_actor)]


async def get_scope(principal: PrincipalDep, store: DossiersDep) -> Scope:
    """Which dossiers the caller may read (cloud/domain/scope.py); the route's permission is checked apart."""
    if principal.user is None:
        return Scope("", frozenset())
    return scope_for(principal.role, principal.user.unit, store.admin_units())  # loaded at startup: no I/O


ScopeDep = Annotated[Scope, Depends(get_scope)]


def sees_office(scope: Scope, office: str) -> bool:
    """Whether a read scope reaches the queue of ``office`` (Scope.offices: None means every office)."""
    return scope.offices is None or office in scope.offices


def office_not_found(office: str) -> ApiError:
    return ApiError(
        404, "office_not_found",
        f"no office {office!r} among the offices you may see (offices are those of the registry: GET /api/v1/registry/offices; "
        "an officer sees those of their administration)",
        f"Không tìm thấy bộ phận một cửa “{office}”.",
    )


def get_office(session: SessionDep, scope: ScopeDep,
               office: Annotated[str, Path(description="Office id, e.g. sai-gon")]) -> Office:
    """The office in the path if the caller's read scope reaches it; 404 otherwise, as for an unknown one.

    Queues follow the dossiers' rule (cloud/domain/scope.py): an officer reads
    and operates the queues of their own administration's offices, and a
    foreign office answers exactly as a missing one, so ids cannot be probed.
    """
    found = session.get(Office, office)
    if found is None or not sees_office(scope, found.id):
        raise office_not_found(office)
    return found


OfficeDep = Annotated[Office, Depends(get_office)]
