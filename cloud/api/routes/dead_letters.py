"""Messages the cloud could not use, latest first, with the reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cloud.api import queries, schemas
from cloud.api.deps import SessionDep, allow
from cloud.domain.access import Permission as P

router = APIRouter(prefix="/dead-letters", tags=["dead letters"], dependencies=[allow(P.fleet_read)])


@router.get("", response_model=list[schemas.DeadLetterView])
def list_dead_letters(session: SessionDep,
                      limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> list[schemas.DeadLetterView]:
    return queries.latest_dead_letters(session, limit)
