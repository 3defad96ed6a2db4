"""The console's live side: the office's event stream, the office overview, scan-to-transfer.

``hub``: who watches which office, woken by the ingest writer; ``stream``: the event stream and the
overview page; ``overview``: the day's figures; ``scan``: a scanned slip recorded in one step.
"""

from fastapi import APIRouter

from cloud.web.live import scan, stream
from cloud.web.live.hub import LiveHub

router = APIRouter(include_in_schema=False)
router.include_router(stream.router)
router.include_router(scan.router)

__all__ = ["LiveHub", "router"]
