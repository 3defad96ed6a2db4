"""The procedure catalogue's pages (to come)."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
