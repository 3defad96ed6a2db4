"""Dependencies of the routes, as ``Annotated`` aliases so signatures stay one line.

The ones that only read ``app.state`` are ``async``: FastAPI runs a plain
``def`` dependency in its thread pool, and a thread hop per dependency is
most of a call-next's time on the cloud side.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy import Engine
from sqlmodel import Session

from cloud.api.errors import ApiError
from cloud.commands.bus import CommandBus
from cloud.db.tables import Office
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
