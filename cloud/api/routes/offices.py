"""Offices: their configuration, who is online, and their queue."""

from __future__ import annotations

from fastapi import APIRouter

from cloud.api import queries, schemas
from cloud.api.deps import OfficeDep, SessionDep, allow
from cloud.api.errors import responses
from cloud.domain.access import Permission as P

router = APIRouter(prefix="/offices", tags=["offices"], dependencies=[allow(P.queue_read)])


@router.get("", response_model=list[schemas.OfficeSummary])
def list_offices(session: SessionDep) -> list[schemas.OfficeSummary]:
    """Every configured office with the presence of its nodes."""
    return queries.list_offices(session)


@router.get("/{office}", response_model=schemas.OfficeDetail, responses=responses(404))
def get_office(office: OfficeDep, session: SessionDep) -> schemas.OfficeDetail:
    """Fields, counters, and nodes online/offline with when they were last seen."""
    return queries.office_detail(session, office)


@router.get("/{office}/queue", response_model=schemas.QueueView, responses=responses(404))
def get_queue(office: OfficeDep, session: SessionDep) -> schemas.QueueView:
    """Today's queue as the cloud knows it from the hub's events."""
    return queries.queue_view(session, office)
