"""Every cookie-authenticated write of the app checks Origin or Referer, not only the ones a test names (issue 9).

The check lives in the principal dependency (cloud.api.deps.get_principal),
so a route is covered only if it resolves the caller through it. This test
walks the app's own route table: a write route added later without that
dependency, or with a cookie read of its own, fails here with its path.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from cloud.api.deps import UNSAFE_METHODS
from cloud.api.limits import route_limits
from tests.auth.conftest import PASSWORD, RECEPTION, SAME_ORIGIN

NOT_COOKIE_WRITES = {
    ("POST", "/api/v1/auth/token"): "the password flow answers a bearer token in JSON, it sets no cookie",
    ("POST", "/login"): "checked by its own handler (tests/auth/test_sign_in.py, login CSRF), answers HTML",
}


def unsafe_routes(client: TestClient) -> list[tuple[str, str]]:
    table = route_limits(client.app.routes, 1)  # type: ignore[attr-defined]  # the body gate's walk of the routes
    routes = [(method, entry.path) for entry in table for method in sorted(entry.methods & UNSAFE_METHODS)]
    return [r for r in routes if r not in NOT_COOKIE_WRITES]


def test_every_cookie_write_from_another_site_or_from_nowhere_is_refused(client: TestClient) -> None:
    signed = client.post("/login", data={"username": RECEPTION, "password": PASSWORD}, headers=SAME_ORIGIN,
                         follow_redirects=False)
    assert signed.status_code == 303 and client.cookies.get("onestop_session")
    routes = unsafe_routes(client)
    assert len(routes) >= 10, routes  # the walk sees the app's writes, not an empty table
    for method, path in routes:
        url = re.sub(r"\{[^}]+\}", "x", path)
        for headers in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/page"}, {}):
            answer = client.request(method, url, json={}, headers=headers, follow_redirects=False)
            assert answer.status_code == 403 and answer.json()["code"] == "cross_origin", \
                (method, path, headers, answer.status_code, answer.text[:200])
    assert client.get("/api/v1/auth/me").json()["username"] == RECEPTION  # no write signed the visitor out
