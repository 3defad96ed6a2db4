"""Staff console (bảng điều khiển): offices, their queues and the counters' buttons.

Pages are rendered on the server from the same read models as the API, so
they are complete without JavaScript; a small script then polls the JSON API
every second and re-draws the parts that change, and sends the counter
buttons to the API. Text is Vietnamese; ids and ``data-testid`` attributes
are stable for the browser tests.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from cloud.api import queries
from cloud.api.deps import SessionDep, SettingsDep
from cloud.db.tables import Office

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")

router = APIRouter(include_in_schema=False)


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/console")


@router.get("/console", response_class=HTMLResponse)
def offices_page(request: Request, session: SessionDep) -> HTMLResponse:
    return templates.TemplateResponse(request, "offices.html", {"offices": queries.list_offices(session)})


@router.get("/console/offices/{office}", response_class=HTMLResponse)
def office_page(request: Request, office: str, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    found = session.get(Office, office)
    if found is None:
        return templates.TemplateResponse(request, "not_found.html", {"office": office}, status_code=404)
    detail = queries.office_detail(session, found)
    return templates.TemplateResponse(request, "office.html", {
        "office": detail,
        "queue": queries.queue_view(session, found),
        "field_names": {f.code: f.name for f in detail.fields},
        "command_timeout": settings.command_timeout_s,
    })
