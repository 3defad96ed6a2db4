"""The staff console: server-rendered pages (Jinja2) that keep themselves current.

``console``: sign-in, offices, queues and counters; ``dossier_pages``: the
dossier list and one dossier's record.
"""

from fastapi import APIRouter

from cloud.web import console, dossier_pages, help_pages
from cloud.web.admin import router as admin_router
from cloud.web.console import install

router = APIRouter(include_in_schema=False)
router.include_router(console.router)
router.include_router(dossier_pages.router)
router.include_router(help_pages.router)
router.include_router(admin_router)

__all__ = ["install", "router"]
