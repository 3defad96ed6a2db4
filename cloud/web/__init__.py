"""The staff console: server-rendered pages (Jinja2) that keep themselves current.

``console``: sign-in, offices, queues and counters; ``dossier_pages``: the
dossier list and one dossier's record.
"""

from fastapi import APIRouter

from cloud.web import console, dossier_pages
from cloud.web.console import install
from cloud.web.live import router as live_router

router = APIRouter(include_in_schema=False)
router.include_router(console.router)
router.include_router(dossier_pages.router)
router.include_router(live_router)

__all__ = ["install", "router"]
