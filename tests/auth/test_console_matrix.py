"""Every console page and form × every role: the browser's routes follow the same role × permission table as the API.

The console answers a role that may not open a page the way a browser needs it: the sign-in form
(303 to /login, to sign in as someone who may) or a 403 page; a role that may gets the page (or
its own 404 / validation message, never the sign-in form). The table is written out by hand: a new
console route fails here until someone decides who may use it.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from cloud.api.limits import route_limits
from cloud.domain.roles import Role
from tests.auth.conftest import as_role
from tests.auth.test_access_matrix import ALL, EXPECTED_ROLES, PATH_VALUES

R = Role
OPEN = ALL
SIGNED_IN = ALL - {R.public}
QUEUE_READ = EXPECTED_ROLES["queue.read"]
DOSSIER_READ = EXPECTED_ROLES["dossier.read"]
DOSSIER_ACT = EXPECTED_ROLES["dossier.act"]
QUEUE_OPERATE = EXPECTED_ROLES["queue.operate"]

CONSOLE: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/"): OPEN,
    ("GET", "/login"): OPEN,
    ("POST", "/login"): OPEN,
    ("POST", "/logout"): OPEN,
    ("GET", "/console/home"): SIGNED_IN,  # the public is sent to the sign-in form
    ("GET", "/console"): QUEUE_READ,
    ("GET", "/console/offices/{office}"): QUEUE_READ,
    ("GET", "/console/offices/{office}/overview"): QUEUE_READ,
    ("GET", "/console/offices/{office}/events"): QUEUE_READ,  # a stream: tests/cloud/test_console_live.py
    ("POST", "/console/scan"): frozenset({R.reception, R.specialist, R.results_desk}),  # a default move per scan
    ("GET", "/console/dossiers"): DOSSIER_READ,
    ("GET", "/console/dossiers/{code}"): DOSSIER_READ,
    ("POST", "/console/dossiers/{code}/actions/{action}"): DOSSIER_ACT,
    ("GET", "/console/team"): frozenset({R.department_head}),
    ("GET", "/console/inbox"): frozenset({R.specialist}),
    ("GET", "/console/approvals"): frozenset({R.leader}),
    ("GET", "/console/results"): frozenset({R.results_desk}),
    ("GET", "/console/register"): frozenset({R.clerk}),
    ("POST", "/console/register/{code}"): frozenset({R.clerk}),
    ("GET", "/console/offices/{office}/counters/{counter}/intake"): frozenset({R.reception}),
    ("POST", "/console/offices/{office}/counters/{counter}/intake"): frozenset({R.reception}),
    ("GET", "/console/offices/{office}/counters/{counter}/intake/done"): frozenset({R.reception}),
    ("POST", "/console/dossiers/{code}/notes"): DOSSIER_ACT,
    ("POST", "/console/dossiers/{code}/attachments"): DOSSIER_ACT,
    ("GET", "/console/help"): OPEN,
    ("GET", "/console/help/{slug}"): OPEN,
    ("GET", "/console/help/img/{name}"): OPEN,
}

ADMIN = "/console/admin"
"""The administrator's pages have their own table: tests/auth/test_admin_console_matrix.py."""

VALUES = {**PATH_VALUES, "slug": "tiep-nhan", "name": "sign-in.png", "action": "khong-co"}
"""An unknown action: the role check comes first, so a refused role is refused and an allowed one hears of the action."""
FORMS: dict[str, dict[str, object]] = {
    "/console/dossiers/{code}/notes": {"data": {"text": "Đã gọi điện cho công dân."}},
    "/console/dossiers/{code}/attachments": {"files": {"file": ("giay-to.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}},
}
"""Forms that must be filled for an allowed role to get through (an empty one is sent back with its message)."""


def console_routes(client: TestClient) -> set[tuple[str, str]]:
    """The app's routes outside /api (the console, sign-in, the guides), from its own route table."""
    table = route_limits(client.app.routes, 1)  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app
    return {(method, entry.path) for entry in table for method in entry.methods - {"HEAD"}
            if not entry.path.startswith(("/api/", "/docs", "/openapi", "/console/static", ADMIN))}


def refused(response) -> bool:  # type: ignore[no-untyped-def]  # an httpx.Response
    location = response.headers.get("location", "")
    to_sign_in = response.status_code == 303 and location.startswith("/login")
    sent_back = response.status_code == 303 and "loi=" in location  # the form's page again, with why
    return to_sign_in or sent_back or response.status_code in (401, 403)


def test_every_console_route_has_a_decided_rule(client: TestClient) -> None:
    assert console_routes(client) == set(CONSOLE), "a console route was added or removed: decide who may use it"


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_console_cell(client: TestClient, role: Role) -> None:
    """With a real dossier of the office, so a refusal is the role's and not "no such dossier"."""
    made = client.post("/api/v1/dossiers", headers=as_role(R.reception), json={
        "procedure": "HT.01", "office": "sai-gon", "applicant_name": "Nguyễn Văn An",
        "documents": [{"code": "HT.01-1"}, {"code": "HT.01-2"}]})
    assert made.status_code == 201, made.text
    values = {**VALUES, "code": made.json()["code"]}
    wrong: list[str] = []
    for (method, path), allowed in sorted(CONSOLE.items(), key=lambda item: (item[0][1] == "/logout", item)):
        if path in ("/login", "/logout") and method == "POST":
            continue  # signing in and out: tests/auth/test_sign_in.py
        if path.endswith("/events"):
            continue  # server-sent events never end: who may open them is tested on a live server
        url = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
        form = FORMS.get(path, {"data": {}} if method == "POST" else {})
        response = client.request(method, url, headers={**as_role(role), "Origin": "http://testserver"},
                                  follow_redirects=False, **form)  # type: ignore[arg-type]  # data= or files=
        if role in allowed and refused(response):
            wrong.append(f"{method} {path}: {role.value} refused ({response.status_code})")
        if role not in allowed and not refused(response):
            wrong.append(f"{method} {path}: {role.value} let through ({response.status_code})")
    assert wrong == []
