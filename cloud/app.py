"""The cloud service: API, staff console, MQTT ingest and command bus in one process.

``create_app(settings)`` builds the FastAPI application; its lifespan owns
everything with a lifetime (database engine, the two MQTT clients, the ingest
writer thread), so tests run the real service by entering the app's lifespan
(``TestClient(app)``) and production runs the same object under uvicorn
(``run(settings)``, exposed as ``onestop cloud``).

Two MQTT connections, because their needs differ: the ingest's receiver
(its own process, see ``cloud.ingest.receiver``) holds a persistent session
that may carry a backlog of thousands of events after an outage, which must
never delay the ack a clerk is waiting for; the outgoing client sends
commands and cursors and receives acks.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import structlog
import uvicorn
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from cloud.api import api_router, docs, errors
from cloud.api.limits import BodyGate
from cloud.api.routes.dossier_files import upload_router as api_uploads
from cloud.auth.throttle import SignInThrottle
from cloud.auth.users import UserStore
from cloud.commands.bus import CommandBus
from cloud.db import migrate
from cloud.db.engine import make_engine
from cloud.db.office_configs import load_office_configs
from cloud.dossiers.files import DossierFiles, FileStore
from cloud.dossiers.procedure_forms import ProcedureForms, form_store
from cloud.dossiers.records import load_postal_tariff
from cloud.dossiers.seed import load_overrides, seed_if_empty
from cloud.dossiers.store import DossierStore
from cloud.http_protocol import with_head_timeout
from cloud.ingest.consumer import IngestConsumer
from cloud.registry import RegistryStore, catalogue_fields
from cloud.settings import Settings
from cloud.web import install as install_console
from cloud.web import router as console_router
from cloud.web.admin import upload_router as admin_uploads
from cloud.web.console import STATIC_DIR
from cloud.web.dossier_files import upload_router as console_uploads
from cloud.web.live import LiveHub
from transport import MqttClient
from transport.http_server import BackgroundServer
from transport.versions import package_version
from transport.waiting import WaitTimeout, wait_until

log = structlog.get_logger(__name__)


@dataclass
class Services:
    engine: Engine
    ingest: IngestConsumer
    bus: CommandBus
    dossiers: DossierStore
    registry: RegistryStore


async def start_services(settings: Settings) -> Services:
    """Migrate, seed the province's units, import the offices' files into the registry, then connect: in that
    order, so no message is ingested against a schema or an office list that is not there yet, and an office
    is checked against the units it must belong to."""
    engine = make_engine(settings.db_url)
    migrate.upgrade(engine)
    if settings.seed_at_startup:
        report = seed_if_empty(engine, settings.reference_data)
        if report is not None:
            log.info("cloud.catalogue_seeded", loaded=str(report))
    fields = catalogue_fields(settings.reference_data)
    offices = load_office_configs(engine, settings.firmware_configs, fields)
    registry = RegistryStore(engine, fields)
    dossiers = DossierStore(engine, load_overrides(settings.reference_data),
                            tariff=load_postal_tariff(settings.reference_data))
    dossiers.admin_units()  # read scopes are computed on the event loop from this cache
    ingest: IngestConsumer | None = None

    def connected() -> None:
        # A broker that restarted without persistence lost the retained cursors;
        # hubs waiting to prune their outbox need them again.
        if ingest is not None:
            ingest.writer.republish_cursors()

    outgoing = MqttClient(f"{settings.mqtt_client_id}-commands", settings.mqtt_settings(), clean_session=False,
                          on_connect=connected)
    ingest = IngestConsumer(engine, settings, publish=lambda t, p, q, r: outgoing.publish(t, p, qos=q, retain=r))
    ingest.start()
    bus = CommandBus(engine, outgoing, settings.command_timeout_s)
    await bus.start()
    # Ready means subscribed (the broker keeps the ingest session from then on), unless
    # the broker is down: then serve anyway, degraded, and let the clients reconnect.
    clients = (("ingest", ingest.receiver.connected), ("commands", outgoing.connected))
    try:
        await asyncio.to_thread(wait_until, lambda: all(event.is_set() for _, event in clients),
                                settings.startup_connect_timeout_s, 0.02, "the broker")
    except WaitTimeout:
        for what, event in clients:
            if not event.is_set():
                log.warning("cloud.broker_unreachable_at_startup", client=what, host=settings.mqtt_host,
                            port=settings.mqtt_port, waited_s=settings.startup_connect_timeout_s)
    log.info("cloud.started", offices=[o.office.id for o in offices], database=engine.url.render_as_string(),
             mqtt=f"{settings.mqtt_host}:{settings.mqtt_port}")
    return Services(engine, ingest, bus, dossiers, registry)


async def stop_services(services: Services) -> None:
    await services.bus.stop()
    services.ingest.stop()
    services.engine.dispose()
    log.info("cloud.stopped")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        attachments = FileStore(settings.attachments_path)
        attachments.prepare()  # 0700 directories; what a crash left half-written goes
        forms = form_store(settings.attachments_path)
        forms.prepare()
        services = await start_services(settings)
        app.state.engine = services.engine
        app.state.ingest = services.ingest
        app.state.bus = services.bus
        app.state.dossiers = services.dossiers
        app.state.registry = services.registry
        app.state.users = UserStore(services.engine)
        dossiers = services.dossiers
        app.state.files = DossierFiles(services.engine, attachments, clock=lambda: dossiers.clock())
        app.state.procedure_forms = ProcedureForms(services.engine, forms, clock=lambda: dossiers.clock())
        # The console's event streams (cloud.web.live) wake when an office's records change.
        services.ingest.writer.on_change = services.bus.on_change = app.state.live.notify
        try:
            yield
        finally:
            await stop_services(services)

    app = FastAPI(
        title="Một cửa – cloud",
        version=package_version(),
        description="Offices, queues and counters of the one-stop offices, as reported by their hubs over MQTT.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.throttle = SignInThrottle()
    app.state.live = LiveHub()
    errors.install(app)
    docs.install(app)
    install_console(app)
    # Every route's body limit, unless the route says more (cloud/api/limits.py). Not FastAPI(max_body_size=):
    # that one sits outside BodyGate and would turn the gate's JSON 413 into a plain-text one.
    app.include_router(api_router, max_body_size=settings.http_max_body_bytes)
    app.include_router(console_router, max_body_size=settings.http_max_body_bytes)
    # Uploads take a file: their own, larger limit (Settings.upload_max_body_bytes, cloud/api/routes/dossier_files.py).
    app.include_router(api_uploads, prefix="/api/v1", max_body_size=settings.upload_max_body_bytes)
    app.include_router(console_uploads, max_body_size=settings.upload_max_body_bytes)
    app.include_router(admin_uploads, max_body_size=settings.upload_max_body_bytes)
    app.mount("/console/static", StaticFiles(directory=STATIC_DIR), name="console-static")
    app.add_middleware(BodyGate, routes=app.routes, default=settings.http_max_body_bytes)  # after the routes
    return app


GRACEFUL_SHUTDOWN_S = 30
"""At shutdown, how long uvicorn lets open requests finish before cancelling them (a command waits
``command_timeout_s`` at most; the event streams end at once: ``StreamClosingServer``)."""


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """What uvicorn enforces on connections: the idle keep-alive, the concurrency cap, a deadline on each
    request's head (``cloud.http_protocol``: uvicorn has none of its own).

    A request's body has no deadline here (its size is bounded, docs/cloud.md "Limits"); the reverse
    proxy in front sets one.
    """
    return {"timeout_keep_alive": settings.http_keep_alive_s, "limit_concurrency": settings.http_limit_concurrency,
            "h11_max_incomplete_event_size": settings.http_max_header_bytes,
            "http": with_head_timeout(settings.http_head_timeout_s),
            "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_S}


class StreamClosingServer(uvicorn.Server):
    """uvicorn that ends the console's event streams as its shutdown begins.

    On SIGTERM uvicorn stops accepting, then waits for every open response to finish before the
    lifespan's shutdown; an event stream never finishes by itself, so without this a restart would
    hang on any open console page. ``LiveHub.close`` makes each stream return at once (the browser
    reconnects to the next server); ``timeout_graceful_shutdown`` (``uvicorn_options``) is the backstop.
    """

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        live = getattr(getattr(self.config.app, "state", None), "live", None)
        if isinstance(live, LiveHub):
            live.close()
        await super().shutdown(sockets)


def run(settings: Settings | None = None) -> None:
    """Serve the cloud service on ``settings.http_host:http_port`` until SIGINT/SIGTERM."""
    settings = settings or Settings()
    StreamClosingServer(uvicorn.Config(create_app(settings), host=settings.http_host, port=settings.http_port,
                                       lifespan="on", log_level="info", access_log=settings.http_access_log,
                                       **uvicorn_options(settings))).run()


class CloudServer(BackgroundServer):
    """The service under uvicorn on a background thread: for tests, benchmarks and
    the demo, which need a real HTTP port next to other work in one process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = create_app(settings)
        super().__init__(self.app, settings.http_host, settings.http_port, "cloud service", server=StreamClosingServer,
                         **uvicorn_options(settings))

    def __enter__(self) -> CloudServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
