"""Signing in for API clients: a bearer token for a username and password.

The web console signs in through its own form (``/login``, a cookie); both
end up as the same kind of token row, so revoking and expiry work the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from cloud.api.deps import PrincipalDep, SettingsDep, ThrottleDep, UsersDep
from cloud.api.errors import ApiError, responses
from cloud.auth.passwords import Busy
from cloud.auth.throttle import SignInThrottle, TooManyAttempts
from cloud.auth.users import User, UserStore
from cloud.domain.access import MATRIX
from cloud.domain.roles import Role

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/auth", tags=["auth"])


class TokenResponse(BaseModel):
    access_token: str = Field(description="Send as 'Authorization: Bearer <token>'. Shown once.")
    token_type: str = "bearer"
    expires_at: datetime
    username: str
    roles: list[Role]


class Me(BaseModel):
    username: str | None = Field(description="None: not signed in (the public).")
    full_name: str | None
    unit: str | None
    roles: list[Role]
    acting_role: Role
    permissions: list[str]


def bad_credentials() -> ApiError:
    return ApiError(401, "bad_credentials", "wrong username or password, or the account is disabled",
                    "Sai tên đăng nhập hoặc mật khẩu.")


def client_address(request: Request) -> str:
    """Where the sign-in comes from, as the ASGI server saw it (behind a proxy: uvicorn's proxy headers,
    docs/access.md); never a header read here, which the client could write."""
    return request.client.host if request.client is not None else "unknown"


def _in_words(seconds: float) -> str:
    return f"{int(seconds) // 60 + 1} phút" if seconds >= 60 else f"{int(seconds) + 1} giây"


def _too_many(exc: TooManyAttempts, username: str, source: str) -> ApiError:
    wait = int(exc.wait_s) + 1
    detail = {
        "pair": f"{exc.failures} wrong passwords for {username!r} from {source}: try again in {wait} s",
        "username": f"{exc.failures} wrong passwords for {username!r} from several addresses: the next attempt "
                    f"may come in {wait} s",
        "source": f"{exc.failures} wrong passwords from {source}: try again in {wait} s",
    }[exc.scope]
    error = ApiError(429, "too_many_attempts", detail,
                     f"Sai mật khẩu quá nhiều lần; vui lòng thử lại sau {_in_words(exc.wait_s)}.")
    error.headers = {"Retry-After": str(wait)}
    return error


def _busy() -> ApiError:
    error = ApiError(503, "sign_in_busy", "too many sign-ins are being checked at once: try again in a second",
                     "Hệ thống đang bận; vui lòng thử lại sau giây lát.")
    error.headers = {"Retry-After": "1"}
    return error


async def sign_in(request: Request, users: UserStore, throttle: SignInThrottle, username: str, password: str) -> User:
    """The user for a username and password; the same checks for the API and the console's form.

    The attempt is reserved in the throttle before the password is checked,
    so parallel guesses cannot all pass its count; the check runs in the
    thread pool, through the store's bounded :class:`PasswordChecker`.
    """
    source = client_address(request)
    try:
        with throttle.attempt(username, source) as attempt:
            try:
                user = await run_in_threadpool(users.authenticate, username, password)
            except Busy as exc:
                log.warning("auth.sign_in_busy", username=username, source=source, reason=str(exc))
                raise _busy() from None
            if user is None:
                attempt.failed()
                raise bad_credentials()
            attempt.succeeded()
            return user
    except TooManyAttempts as exc:
        raise _too_many(exc, username, source) from None


@router.post("/token", response_model=TokenResponse, responses=responses(401, 429, 503))
async def issue_token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], users: UsersDep,
                      settings: SettingsDep, throttle: ThrottleDep) -> TokenResponse:
    """Exchange a username and password for a bearer token (OAuth2 password flow, usable from /docs).

    Too many wrong passwords answer 429 and too many sign-ins at once 503,
    both with ``Retry-After`` (docs/access.md).
    """
    user = await sign_in(request, users, throttle, form.username, form.password)
    issued = await run_in_threadpool(users.issue_token, user.username, kind="api", name=form.client_id or "api",
                                     ttl=timedelta(days=settings.api_token_days))
    return TokenResponse(access_token=issued.secret, expires_at=issued.expires_at, username=user.username,
                         roles=list(user.roles))


@router.get("/me", response_model=Me)
def me(principal: PrincipalDep) -> Me:
    """Who the API thinks you are, and what you may do (anyone may ask)."""
    user = principal.user
    return Me(username=user.username if user else None, full_name=user.full_name if user else None,
              unit=user.unit if user else None, roles=list(user.roles) if user else [],
              acting_role=principal.role, permissions=sorted(p.value for p in MATRIX[principal.role]))


@router.post("/logout", status_code=204, responses=responses(401))
def logout(principal: PrincipalDep, users: UsersDep) -> None:
    """Revoke the token (or session) this request came with."""
    if principal.secret is None:
        raise ApiError(401, "sign_in_required", "nothing to sign out of: no token or session was sent")
    users.revoke(principal.secret)
