"""Offices: their configuration, who is online, who sits at which counter, and their queue.

An officer sees the offices of their administration only (the read scope of
the dossiers, cloud/domain/scope.py); another office answers 404, as an
unknown one (cloud.api.deps.get_office).
"""

from __future__ import annotations

from fastapi import APIRouter

from cloud.api import queries, schemas
from cloud.api.deps import OfficeDep, ScopeDep, SessionDep, allow
from cloud.api.errors import responses
from cloud.domain.access import Permission as P

router = APIRouter(prefix="/offices", tags=["offices"], dependencies=[allow(P.queue_read)])


@router.get("", response_model=list[schemas.OfficeSummary])
def list_offices(session: SessionDep, scope: ScopeDep) -> list[schemas.OfficeSummary]:
    """The offices of the caller's administration (every office for a provincial monitor), with their nodes."""
    return queries.list_offices(session, scope.offices)


@router.get("/{office}", response_model=schemas.OfficeDetail, responses=responses(404))
def get_office(office: OfficeDep, session: SessionDep) -> schemas.OfficeDetail:
    """Fields, counters (status, who sits there), and nodes online/offline with when they were last seen."""
    return queries.office_detail(session, office)


@router.get("/{office}/queue", response_model=schemas.QueueView, responses=responses(404))
def get_queue(office: OfficeDep, session: SessionDep) -> schemas.QueueView:
    """Today's queue as the cloud knows it from the hub's events."""
    return queries.queue_view(session, office)
