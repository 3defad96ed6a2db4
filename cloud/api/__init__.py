"""The JSON API under /api/v1 (OpenAPI at /docs)."""

from __future__ import annotations

from fastapi import APIRouter

from cloud.api.routes import counters, dead_letters, dossiers, health, nodes, offices

api_router = APIRouter(prefix="/api/v1")
for module in (offices, counters, nodes, dead_letters, health, dossiers):
    api_router.include_router(module.router)

__all__ = ["api_router"]
