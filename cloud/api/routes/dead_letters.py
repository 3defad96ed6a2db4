"""Messages the cloud could not use, most recently seen first, with the reason, in pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cloud.api import queries, schemas
from cloud.api.deps import SessionDep, allow
from cloud.api.errors import responses
from cloud.domain.access import Permission as P

router = APIRouter(prefix="/dead-letters", tags=["dead letters"], dependencies=[allow(P.fleet_read)])


@router.get("", response_model=schemas.DeadLetterPage, responses=responses(400))
def list_dead_letters(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, description=f"Page size; more than {queries.MAX_DEAD_LETTER_PAGE} "
                                                  f"gives {queries.MAX_DEAD_LETTER_PAGE}.")] = 50,
    after: Annotated[str | None, Query(max_length=200, description="The previous page's ``next``.")] = None,
) -> schemas.DeadLetterPage:
    """A page is bounded: at most 200 rows, each with at most 4 KiB of its payload (twice: text and base64)."""
    return queries.dead_letter_page(session, limit, after)
