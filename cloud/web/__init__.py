"""The staff console: server-rendered pages (Jinja2) that keep themselves current.

``console``: sign-in, offices, queues and counters; ``dossier_pages``: the
dossier list and one dossier's record; ``intake``: receiving at a counter;
``help_pages``: the user guides.
"""

from fastapi import APIRouter

from cloud.web import console, desk_pages, dossier_pages, help_pages
from cloud.web import intake as intake_pages
from cloud.web.console import install
from cloud.web.dossier_files import router as files_router
from cloud.web.live import router as live_router
from cloud.web.register_pages import router as register_router

router = APIRouter(include_in_schema=False)
router.include_router(console.router)
router.include_router(dossier_pages.router)
router.include_router(intake_pages.router)
router.include_router(desk_pages.router)
router.include_router(help_pages.router)
router.include_router(files_router)
router.include_router(register_router)
router.include_router(live_router)

__all__ = ["install", "router"]
