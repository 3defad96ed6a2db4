"""Signing in for API clients: a bearer token for a username and password.

The web console signs in through its own form (``/login``, a cookie); both
end up as the same kind of token row, so revoking and expiry work the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from cloud.api.deps import PrincipalDep, SettingsDep, ThrottleDep, UsersDep
from cloud.api.errors import ApiError, responses
from cloud.auth.throttle import SignInThrottle, TooManyAttempts
from cloud.auth.users import User
from cloud.domain.access import MATRIX
from cloud.domain.roles import Role

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


def sign_in(users: UsersDep, throttle: SignInThrottle, username: str, password: str) -> User:
    """The user for a username and password; the same checks for the API and the console's form."""
    try:
        throttle.check(username)
    except TooManyAttempts as exc:
        raise ApiError(429, "too_many_attempts", f"{exc.failures} wrong passwords for {username!r}: try again in "
                       f"{int(exc.wait_s) + 1} s",
                       f"Sai mật khẩu quá nhiều lần; vui lòng thử lại sau {int(exc.wait_s) // 60 + 1} phút.") from None
    user = users.authenticate(username, password)
    if user is None:
        throttle.failed(username)
        raise bad_credentials()
    throttle.succeeded(username)
    return user


@router.post("/token", response_model=TokenResponse, responses=responses(401, 429))
def issue_token(form: Annotated[OAuth2PasswordRequestForm, Depends()], users: UsersDep,
                settings: SettingsDep, throttle: ThrottleDep) -> TokenResponse:
    """Exchange a username and password for a bearer token (OAuth2 password flow, usable from /docs)."""
    user = sign_in(users, throttle, form.username, form.password)
    issued = users.issue_token(user.username, kind="api", name=form.client_id or "api",
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
