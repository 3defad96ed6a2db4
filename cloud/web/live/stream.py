"""The office's live parts over server-sent events: ``GET /console/offices/{office}/events``.

The office page (counter cards, waiting lists, the day's counts, presence) and the office overview
connect here through htmx's SSE extension (``static/vendor``): each changed part comes as an event
named after it (``counter-1``, ``field-ho-tich``, ``counts``, ``nodes``, ``overview``) whose data is its
HTML, rendered by the same macros as the page (``templates/live/parts.html``), and htmx swaps it in.
On connect every part is sent once, so a page that reconnects after a gap is whole again.

When to re-read: on a wake-up from :class:`~cloud.web.live.hub.LiveHub`, which the ingest writer gives
after each commit that touched the office (tickets, counters, presence: the projection the page shows),
and otherwise every :data:`REFRESH_S` seconds, for what no notification covers: dossiers received or
moved by any route (the overview's counts), the clock (a dossier becomes overdue, the day turns). A
notification costs one render per viewer, at most one every :data:`MIN_GAP_S` (a burst of a thousand
events is a few renders); the periodic read is a handful of indexed queries, and a part is sent only
when its HTML changed. A comment every :data:`KEEPALIVE_S` seconds of silence keeps proxies from
closing the connection and finds a client that went away.

The stream ends when the client disconnects (Starlette cancels it; the watch is released in
``finally``) and when the server shuts down (:meth:`LiveHub.close`); the browser then reconnects after
:data:`RETRY_MS`.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from cloud.api import queries, schemas
from cloud.api.deps import DossiersDep, EngineDep, ScopeDep, sees_office
from cloud.db.tables import Office
from cloud.domain.scope import Scope
from cloud.web.console import ConsoleUser, templates
from cloud.web.live.hub import LiveHub
from cloud.web.live.overview import Overview, office_overview

log = structlog.get_logger(__name__)
router = APIRouter(include_in_schema=False)

REFRESH_S = 5.0
KEEPALIVE_S = 15.0
MIN_GAP_S = 0.2
RETRY_MS = 2000


@dataclass(frozen=True)
class OfficeView:
    """Everything the office page and its overview show, read at one moment."""

    detail: schemas.OfficeDetail
    queue: schemas.QueueView
    overview: Overview
    field_names: dict[str, str]


def read_office(engine: Engine, office_id: str, now: datetime) -> OfficeView | None:
    """The office's page data (None if it is gone); blocking: call it in the thread pool."""
    with Session(engine) as session:
        office = session.get(Office, office_id)
        if office is None:
            return None
        detail = queries.office_detail(session, office)
        queue = queries.queue_view(session, office, now)
        return OfficeView(detail, queue, office_overview(session, office, queue, now),
                          {f.code: f.name for f in detail.fields})


def parts(view: OfficeView, me: str | None) -> dict[str, str]:
    """Each live part's HTML under its event name (the page's ``sse-swap`` names)."""
    macros = templates.env.get_template("live/parts.html").module
    found = {"nodes": str(macros.nodes(view.detail)), "counts": str(macros.counts(view.queue)),  # type: ignore[attr-defined]  # a Jinja2 template module's attributes are its macros, which mypy cannot see
             "overview": str(macros.overview(view.overview))}  # type: ignore[attr-defined]  # a Jinja2 template module's attributes are its macros, which mypy cannot see
    for c in view.queue.counters:
        found[f"counter-{c.number}"] = str(macros.counter(c, view.field_names, me))  # type: ignore[attr-defined]  # a Jinja2 template module's attributes are its macros, which mypy cannot see
    for f in view.queue.fields:
        found[f"field-{f.code}"] = str(macros.field(f))  # type: ignore[attr-defined]  # a Jinja2 template module's attributes are its macros, which mypy cannot see
    return found


def sse(event: str, data: str) -> str:
    """One event in the wire format: every line of ``data`` as its own ``data:`` line."""
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"event: {event}\n{lines}\n"


async def office_events(hub: LiveHub, office: str, read: Callable[[], OfficeView | None],
                        me: str | None) -> AsyncIterator[str]:
    """The stream of one viewer: the parts that changed, whenever the office may have changed."""
    sent: dict[str, str] = {}
    with hub.watch(office) as watch:
        yield f"retry: {RETRY_MS}\n\n"
        last_write = last_read = 0.0
        while not hub.closing:
            last_read = time.monotonic()
            try:
                view = await run_in_threadpool(read)
            except Exception:  # the database went away: end; the browser reconnects and starts whole
                log.exception("console.live_read_failed", office=office)
                return
            if view is None:
                return
            changed = {name: html for name, html in parts(view, me).items() if sent.get(name) != html}
            sent.update(changed)
            if changed:
                yield "".join(sse(name, html) for name, html in changed.items())
                last_write = time.monotonic()
            elif time.monotonic() - last_write >= KEEPALIVE_S:
                yield ": keep-alive\n\n"
                last_write = time.monotonic()
            if await watch.changed(min(REFRESH_S, KEEPALIVE_S)) and not hub.closing:
                gap = MIN_GAP_S - (time.monotonic() - last_read)
                if gap > 0:
                    await watch.changed(gap)  # let a burst settle: one read for all of it


def _visible(engine: Engine, scope: Scope, office: str) -> bool:
    with Session(engine) as session:
        found = session.get(Office, office)
        return found is not None and sees_office(scope, found.id)


@router.get("/console/offices/{office}/events")
async def events(request: Request, office: str, user: ConsoleUser, scope: ScopeDep, engine: EngineDep,
                 store: DossiersDep) -> Response:
    """The office's live parts (text/event-stream); another administration's office is 404, as its page."""
    if not await run_in_threadpool(_visible, engine, scope, office):
        return Response(f"Không tìm thấy bộ phận một cửa “{office}”.", status_code=404,
                        media_type="text/plain; charset=utf-8")
    hub: LiveHub = request.app.state.live
    me = user.user.username if user.user else None
    stream = office_events(hub, office, lambda: read_office(engine, office, store.clock()), me)
    return StreamingResponse(stream, media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/console/offices/{office}/overview", response_class=HTMLResponse)
async def overview_page(request: Request, office: str, user: ConsoleUser, scope: ScopeDep, engine: EngineDep,
                        store: DossiersDep) -> HTMLResponse:
    """Today at the office, live: the figures a head of office watches (same stream as the office page)."""
    view = await run_in_threadpool(read_office, engine, office, store.clock()) \
        if await run_in_threadpool(_visible, engine, scope, office) else None
    if view is None:
        return templates.TemplateResponse(request, "not_found.html", {"office": office, "user": user}, status_code=404)
    return templates.TemplateResponse(request, "overview.html", {"office": view.detail, "view": view, "user": user})
