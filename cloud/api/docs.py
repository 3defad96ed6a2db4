"""The OpenAPI page served from a packaged Swagger UI, not a CDN.

A provincial data centre or an office PC may have no route to the internet;
FastAPI's default /docs page loads its JavaScript from a CDN and stays blank
there. swagger-ui-bundle-v2 ships Swagger UI 5 (needed for OpenAPI 3.1)
inside a PyPI package.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/docs-assets"


def install(app: FastAPI) -> None:
    """Serve /docs from local assets; call on an app created with ``docs_url=None``."""
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
