"""The OpenAPI page served from a packaged Swagger UI, not a CDN, and what it says of the API as a whole.

A provincial data centre or an office PC may have no route to the internet;
FastAPI's default /docs page loads its JavaScript from a CDN and stays blank
there. swagger-ui-bundle-v2 ships Swagger UI 5 (needed for OpenAPI 3.1)
inside a PyPI package.

:data:`DESCRIPTION` and :data:`TAGS` describe the whole service (dossiers
as well as queues), one entry per router tag; tests/cloud/test_api_docs.py
fails on a tag without one.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/docs-assets"

DESCRIPTION = """\
The cloud service of the province's one-stop offices (bộ phận một cửa).

* **Queues**: each office's hub (a Raspberry Pi in the reception room) runs the
  queue and reports every ticket and counter over MQTT; the cloud shows the
  offices, their queues and who sits at which counter, and sends the hub the
  counters' commands (call the next ticket, recall, sign in, pause, sign out).
* **Dossiers** (hồ sơ): the procedure catalogue, receiving a dossier at the desk
  (with the papers received and the queue ticket of the citizen's turn), the
  workflow's actions, receipts and fees, and the public lookup by code.

Sign in with `POST /api/v1/auth/token` (or `onestop users token`) and send
`Authorization: Bearer <token>`. Errors carry an English `detail`, a stable
`code` and the Vietnamese `message_vi` an officer's screen shows. An officer
sees the offices and dossiers of their own administration only. The sample
data: office `sai-gon` (Phường Sài Gòn), procedures of `GET /api/v1/catalogue`
such as `HT.01` (Đăng ký khai sinh) or `KD.01` (Đăng ký thành lập hộ kinh doanh).
"""

TAGS: list[dict[str, str]] = [
    {"name": "auth", "description": "Sign in (a bearer token or the console's session), who am I, sign out."},
    {"name": "users", "description": "Accounts, their roles, passwords and tokens (admin)."},
    {"name": "offices", "description": "The offices of your administration: their fields, counters (status, who "
                                       "sits there), nodes online, and today's queue as the hub reported it."},
    {"name": "counters", "description": "Commands to an office's hub for one counter: call the next ticket, recall; "
                                        "sign in at the counter, pause, resume, sign out. Answered with what the hub did."},
    {"name": "registry", "description": "The registry of one-stop offices (the truth the hubs' files are generated "
     "from): offices of the province's units, queue fields and the catalogue fields they serve, counters, hours, "
     "officers assigned; export of a hub's file (docs/registry.md)."},
    {"name": "nodes", "description": "Every node (hub) of every office and its last state (IT)."},
    {"name": "dead letters", "description": "Messages from the offices the cloud could not use, with the reason (IT)."},
    {"name": "health", "description": "Whether the database and the broker are reachable; the ingest's counters."},
    {"name": "dossiers", "description": "The procedure catalogue; receiving a dossier (papers received, queue ticket), "
                                        "listing and reading dossiers, workflow actions, receipts, fees, postal "
                                        "returns, scanned hand-overs and liên thông sub-tasks."},
    {"name": "public", "description": "What anyone holding a receipt may see of a dossier: no personal data."},
    {"name": "notifications", "description": "The outbox of notifications to citizens, for the SMS/Zalo/e-mail workers."},
    {"name": "audit", "description": "The hash-chained audit log of every dossier action."},
]
"""One entry per tag the routers use, in the order /docs shows them."""


def install(app: FastAPI) -> None:
    """Serve /docs from local assets; call on an app created with ``docs_url=None``."""
    app.description = DESCRIPTION
    app.openapi_tags = TAGS
    app.mount(ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} – API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        )
