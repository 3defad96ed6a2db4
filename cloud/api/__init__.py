"""The JSON API under /api/v1 (OpenAPI at /docs)."""

from __future__ import annotations

from fastapi import APIRouter

from cloud.api.routes import (
    audit,
    auth,
    counters,
    dead_letters,
    dossier_files,
    dossiers,
    handovers,
    health,
    intake_outcomes,
    nodes,
    notifications,
    offices,
    printouts,
    procedure_forms,
    receipts,
    registry,
    subtasks,
    users,
)

api_router = APIRouter(prefix="/api/v1")
for module in (auth, users, offices, counters, nodes, dead_letters, health, dossiers,
               receipts, printouts, handovers, subtasks, notifications, audit, registry, intake_outcomes,
               dossier_files, procedure_forms):
    api_router.include_router(module.router)

__all__ = ["api_router"]
