"""The administrator's console pages (Quản trị, issue 11): officers, offices' counters and hours, the catalogue.

Each change goes through the same store the API and the CLI use (UserStore,
RegistryStore, the procedure table), in one transaction with its audit entry,
and the caches that hold what changed are dropped at once, so the change is
in force on the next request without a restart.
"""

from fastapi import APIRouter

from cloud.web.admin import catalogue, common, forms, officers, offices

router = APIRouter(include_in_schema=False)
router.include_router(common.router)
router.include_router(officers.router)
router.include_router(offices.router)
router.include_router(catalogue.router)
router.include_router(forms.router)

upload_router = forms.upload_router
"""The form upload alone: ``cloud.app`` includes it with the upload body limit."""

__all__ = ["router", "upload_router"]
