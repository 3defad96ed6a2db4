"""Dependencies of the routes, as ``Annotated`` aliases so signatures stay one line.

The ones that only read ``app.state`` are ``async``: FastAPI runs a plain
``def`` dependency in its thread pool, and a thread hop per dependency is
most of a call-next's time on the cloud side.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from sqlalchemy import Engine
from sqlmodel import Session

from cloud.api.errors import ApiError
from cloud.commands.bus import CommandBus
from cloud.db.tables import Office
from cloud.domain.roles import Role
from cloud.domain.workflow import Actor
from cloud.dossiers.store import DossierStore
from cloud.ingest.consumer import IngestConsumer
from cloud.settings import Settings


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_engine(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


async def get_bus(request: Request) -> CommandBus:
    return request.app.state.bus  # type: ignore[no-any-return]


async def get_ingest(request: Request) -> IngestConsumer:
    return request.app.state.ingest  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
CommandBusDep = Annotated[CommandBus, Depends(get_bus)]
IngestDep = Annotated[IngestConsumer, Depends(get_ingest)]


def get_office(session: SessionDep, office: Annotated[str, Path(description="Office id, e.g. demo")]) -> Office:
    found = session.get(Office, office)
    if found is None:
        raise ApiError(
            404, "office_not_found",
            f"office {office!r} is not known to the cloud; offices are loaded from firmware_configs/*.yaml at startup",
            f"Không tìm thấy bộ phận một cửa “{office}”.",
        )
    return found


OfficeDep = Annotated[Office, Depends(get_office)]


async def get_dossiers(request: Request) -> DossierStore:
    return request.app.state.dossiers  # type: ignore[no-any-return]


DossiersDep = Annotated[DossierStore, Depends(get_dossiers)]


async def get_actor(
    x_role: Annotated[str | None, Header(description="PLACEHOLDER until users and tokens exist: the caller's role")] = None,
    x_unit: Annotated[str | None, Header(description="PLACEHOLDER: the caller's unit code, e.g. tdm.bptn")] = None,
    x_officer: Annotated[str | None, Header(description="PLACEHOLDER: the caller's officer id, e.g. tn.lan")] = None,
) -> Actor:
    """The person acting, from the ``X-Role``, ``X-Unit`` and ``X-Officer`` headers.

    A placeholder: nothing checks that the caller is who the headers say.
    It will be replaced by signed-in users (tokens) and their role matrix;
    until then the API must only be reachable from the office network.
    """
    missing = [name for name, value in (("X-Role", x_role), ("X-Unit", x_unit), ("X-Officer", x_officer))
               if value is None or not value.strip()]
    if missing:
        raise ApiError(401, "actor_required",
                       f"missing {', '.join(missing)}: staff endpoints need the X-Role, X-Unit and X-Officer headers "
                       "(placeholder until users and tokens exist)",
                       "Thiếu thông tin cán bộ thực hiện (vai trò, đơn vị, mã cán bộ).")
    assert x_role is not None and x_unit is not None and x_officer is not None
    try:
        role = Role(x_role.strip())
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise ApiError(422, "unknown_role", f"X-Role {x_role!r} is not a role; roles: {known}",
                       "Vai trò không hợp lệ.") from None
    if len(x_unit.strip()) > 200 or len(x_officer.strip()) > 200:
        raise ApiError(422, "bad_actor", "X-Unit and X-Officer must be at most 200 characters")
    return Actor(role=role, unit=x_unit.strip(), officer=x_officer.strip())


ActorDep = Annotated[Actor, Depends(get_actor)]
