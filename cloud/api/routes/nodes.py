"""Presence of every node of every office."""

from __future__ import annotations

from fastapi import APIRouter

from cloud.api import queries, schemas
from cloud.api.deps import SessionDep, allow
from cloud.domain.access import Permission as P

router = APIRouter(prefix="/nodes", tags=["nodes"], dependencies=[allow(P.fleet_read)])


@router.get("", response_model=list[schemas.NodeView])
def list_nodes(session: SessionDep) -> list[schemas.NodeView]:
    """Each node's last birth certificate or Last Will, and the office bridges' links (node ``bridge``)."""
    return queries.list_nodes(session)
