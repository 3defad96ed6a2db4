"""User accounts, managed by an admin (permission users.manage)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from cloud.api.deps import ActorDep, UsersDep, allow
from cloud.api.errors import ApiError, responses
from cloud.auth.users import UnknownUser, User, UserError, UserExists
from cloud.domain.access import Permission as P
from cloud.domain.roles import Role

router = APIRouter(prefix="/users", tags=["users"], dependencies=[allow(P.users_manage)])
Username = Annotated[str, Path(max_length=64)]


class UserView(BaseModel):
    username: str
    full_name: str
    unit: str
    roles: list[Role]
    active: bool


class UserCreate(BaseModel):
    username: str = Field(max_length=64, examples=["tn.lan"])
    full_name: str = Field(max_length=200, examples=["Trần Ngọc Lan"])
    unit: str = Field(max_length=40, examples=["tdm.bptn"])
    roles: list[str] = Field(min_length=1, max_length=len(Role), examples=[["reception"]])
    password: str | None = Field(default=None, max_length=200, description="At least 10 characters; "
                                 "omit for an account that only uses tokens (e.g. a notification worker).")


class RolesUpdate(BaseModel):
    roles: list[str] = Field(min_length=1, max_length=len(Role))


class PasswordUpdate(BaseModel):
    password: str = Field(max_length=200)


def _view(user: User) -> UserView:
    return UserView(username=user.username, full_name=user.full_name, unit=user.unit, roles=list(user.roles),
                    active=user.active)


def _invalid(exc: UserError) -> ApiError:
    status = 404 if isinstance(exc, UnknownUser) else 409 if isinstance(exc, UserExists) else 422
    return ApiError(status, "invalid_user", str(exc), "Thông tin tài khoản không hợp lệ.")


@router.get("", response_model=list[UserView])
def list_users(users: UsersDep) -> list[UserView]:
    return [_view(u) for u in users.list()]


@router.post("", status_code=201, response_model=UserView, responses=responses(409, 422))
def create_user(body: UserCreate, users: UsersDep, actor: ActorDep) -> UserView:
    try:
        return _view(users.add(body.username, full_name=body.full_name, unit=body.unit, roles=body.roles,
                               password=body.password, by=actor))
    except UserError as exc:
        raise _invalid(exc) from None


@router.put("/{username}/roles", response_model=UserView, responses=responses(404, 422))
def set_roles(username: Username, body: RolesUpdate, users: UsersDep, actor: ActorDep) -> UserView:
    try:
        users.set_roles(username, body.roles, by=actor)
    except UserError as exc:
        raise _invalid(exc) from None
    found = users.get(username)
    assert found is not None
    return _view(found)


@router.put("/{username}/password", status_code=204, responses=responses(404, 422))
def set_password(username: Username, body: PasswordUpdate, users: UsersDep, actor: ActorDep) -> None:
    try:
        users.set_password(username, body.password, by=actor)
    except UserError as exc:
        raise _invalid(exc) from None


@router.post("/{username}/deactivate", response_model=UserView, responses=responses(404))
def deactivate(username: Username, users: UsersDep, actor: ActorDep) -> UserView:
    """Disable the account and revoke all its tokens and sessions; its name stays in the history."""
    try:
        users.deactivate(username, by=actor)
    except UserError as exc:
        raise _invalid(exc) from None
    found = users.get(username)
    assert found is not None
    return _view(found)
