"""The hub's web server: hall display, and the virtual office in simulation.

The hall TV and the lookup kiosk are browsers pointed at this server, so the
display needs no software of its own on the Pi beyond kiosk Chromium.

A POST (the virtual office's button presses) is taken only from the server's
own pages: any other page open in a browser on the same machine could
otherwise press the kiosk's buttons, binding to 127.0.0.1 does not stop a
browser from sending to it. The request's ``Origin`` (a browser sends it on
every POST its fetch() makes), or its ``Referer`` when there is none, must
name the host the request was sent to (its ``Host``); neither is 403, so a
script without them is refused too (it can send the ``Origin`` of the page,
docs/devices.md). A request that reached the server over loopback must also
name a loopback host: a page whose own name was made to resolve to 127.0.0.1
(DNS rebinding) is same-origin with itself but not with ``127.0.0.1``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.requests import Request

from edge.display.hub import DisplayHub
from transport.http_server import BackgroundServer

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
_AUDIO_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.wav$")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def same_origin_only(request: Request) -> None:
    """Refuse (403) a state-changing request that does not come from a page of this server (module docstring)."""
    if request.method not in UNSAFE_METHODS:
        return
    host = request.headers.get("host", "")
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        raise HTTPException(403, "a press must come from this server's own page: no Origin or Referer header")
    if urlsplit(source).netloc != host:
        raise HTTPException(403, f"a press must come from this server's own page, not from {source}")
    server = request.scope.get("server")
    if server and _is_loopback(str(server[0])) and not _is_loopback(urlsplit(f"//{host}").hostname or ""):
        raise HTTPException(403, f"a press reaching this server over loopback must name a loopback host, not {host}")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_display_app(hub: DisplayHub, audio_dir: Path, press_pin: Callable[[int], None] | None,
                       office_name: str, *, timezone: str,
                       receipt_qr: Callable[[int, int], bytes] | None = None) -> FastAPI:
    """``timezone``: the office's (its configuration's), in which the pages show the time, whatever the
    browser's own; ``receipt_qr(receipt, code)``: the SVG of a QR code the simulated printer drew."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        hub.attach(asyncio.get_running_loop())
        yield

    app = FastAPI(title="Onestop hub display", docs_url=None, redoc_url=None, lifespan=lifespan,
                  dependencies=[Depends(same_origin_only)])
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/", response_class=HTMLResponse)
    async def hall(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "hall.html", {"office_name": office_name, "timezone": timezone})

    @app.get("/office", response_class=HTMLResponse)
    async def virtual_office(request: Request) -> HTMLResponse:
        if press_pin is None:
            raise HTTPException(404, "the virtual office exists only when the hub runs simulated hardware")
        return templates.TemplateResponse(request, "office.html", {"office_name": office_name, "timezone": timezone})

    @app.get("/api/state")
    async def state() -> dict[str, object]:
        return hub.snapshot()

    @app.get("/events", response_class=EventSourceResponse)
    async def events() -> AsyncIterator[ServerSentEvent]:
        queue = hub.subscribe()
        try:
            yield ServerSentEvent(event="state", data=hub.snapshot())
            while True:
                try:
                    snap = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    yield ServerSentEvent(comment="keep-alive")
                    continue
                yield ServerSentEvent(event="state", data=snap)
        finally:
            hub.unsubscribe(queue)

    @app.post("/sim/pins/{pin}/press", status_code=204)
    async def press(pin: int) -> None:
        if press_pin is None:
            raise HTTPException(409, "this hub runs real hardware; pins cannot be pressed from the web")
        try:
            await asyncio.to_thread(press_pin, pin)
        except KeyError:
            raise HTTPException(404, f"no button is wired to pin {pin}") from None

    @app.get("/sim/receipts/{receipt}/qr/{code}.svg")
    async def printed_qr(receipt: int, code: int) -> Response:
        if receipt_qr is None:
            raise HTTPException(404, "receipts exist only when the hub runs simulated hardware")
        try:
            svg = receipt_qr(receipt, code)
        except IndexError:
            raise HTTPException(404, f"receipt {receipt} has no QR code {code}") from None
        # A printed receipt never changes.
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400, immutable"})

    @app.get("/audio/{name}")
    async def audio(name: str) -> FileResponse:
        path = audio_dir / name
        if not _AUDIO_NAME.match(name) or not path.is_file():
            raise HTTPException(404, "no such announcement")
        return FileResponse(path, media_type="audio/wav")

    return app


def DisplayServer(app: FastAPI, host: str, port: int) -> BackgroundServer:  # noqa: N802 (a named constructor)
    """The display server on its own thread, so the agent's other threads stay in charge."""
    return BackgroundServer(app, host, port, "display server")
