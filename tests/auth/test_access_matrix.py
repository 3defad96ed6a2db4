"""Every API endpoint × every role: the call is let through exactly when the role may.

The expected table below is written out by hand, independently of
cloud/domain/access.py: a change to the matrix, or a new endpoint without
a permission, fails here until someone decides what it should be.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from cloud.domain.access import MATRIX, Permission, matrix_markdown
from cloud.domain.roles import Role
from tests.auth.conftest import as_role

R = Role
ALL = frozenset(Role)
STAFF = ALL - {R.public}
READERS = frozenset({R.reception, R.department_head, R.specialist, R.leader, R.clerk, R.results_desk, R.provincial_monitor,
                     R.admin})
IN_A_DOSSIER = frozenset({R.reception, R.department_head, R.specialist, R.leader, R.clerk, R.results_desk})

EXPECTED_ROLES: dict[str, frozenset[Role]] = {
    "catalogue.read": ALL,
    "dossier.lookup": ALL,
    "dossier.create": frozenset({R.reception}),
    "dossier.read": READERS,
    "dossier.act": IN_A_DOSSIER,
    "queue.read": READERS | {R.it},
    "queue.operate": frozenset({R.reception, R.results_desk}),
    "fleet.read": frozenset({R.it, R.admin}),
    "notifications.consume": frozenset({R.it, R.admin}),
    "users.manage": frozenset({R.admin}),
    "audit.read": frozenset({R.admin, R.provincial_monitor}),
    "registry.manage": frozenset({R.it, R.admin}),
}

OPEN = "open"  # no permission: anyone, signed in or not
SIGNED_IN = "signed in"  # any account, whatever its role

ENDPOINTS: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/auth/token"): OPEN,
    ("GET", "/api/v1/auth/me"): OPEN,
    ("POST", "/api/v1/auth/logout"): SIGNED_IN,
    ("GET", "/api/v1/health"): OPEN,
    ("GET", "/api/v1/users"): "users.manage",
    ("POST", "/api/v1/users"): "users.manage",
    ("PUT", "/api/v1/users/{username}/roles"): "users.manage",
    ("PUT", "/api/v1/users/{username}/password"): "users.manage",
    ("POST", "/api/v1/users/{username}/deactivate"): "users.manage",
    ("GET", "/api/v1/offices"): "queue.read",
    ("GET", "/api/v1/offices/{office}"): "queue.read",
    ("GET", "/api/v1/offices/{office}/queue"): "queue.read",
    ("POST", "/api/v1/offices/{office}/counters/{counter}/call-next"): "queue.operate",
    ("POST", "/api/v1/offices/{office}/counters/{counter}/recall"): "queue.operate",
    ("POST", "/api/v1/offices/{office}/counters/{counter}/done"): "queue.operate",
    ("POST", "/api/v1/offices/{office}/counters/{counter}/no-show"): "queue.operate",
    ("POST", "/api/v1/offices/{office}/counters/{counter}/transfer"): "queue.operate",
    ("POST", "/api/v1/offices/{office}/counters/{counter}/sign-in"): "queue.operate",
    ("POST", "/api/v1/offices/{office}/counters/{counter}/pause"): "queue.operate",
    ("POST", "/api/v1/offices/{office}/counters/{counter}/resume"): "queue.operate",
    ("POST", "/api/v1/offices/{office}/counters/{counter}/sign-out"): "queue.operate",
    ("GET", "/api/v1/nodes"): "fleet.read",
    ("GET", "/api/v1/dead-letters"): "fleet.read",
    ("GET", "/api/v1/catalogue"): "catalogue.read",
    ("GET", "/api/v1/catalogue/{code}"): "catalogue.read",
    ("GET", "/api/v1/catalogue/{code}/forms"): "catalogue.read",
    ("GET", "/api/v1/catalogue/{code}/forms/{id}"): "catalogue.read",
    ("POST", "/api/v1/dossiers"): "dossier.create",
    ("GET", "/api/v1/dossiers"): "dossier.read",
    ("GET", "/api/v1/dossiers/{code}"): "dossier.read",
    ("POST", "/api/v1/dossiers/{code}/actions/{action}"): "dossier.act",
    ("GET", "/api/v1/public/dossiers/{code}"): "dossier.lookup",
    ("GET", "/api/v1/audit"): "audit.read",
    ("GET", "/api/v1/dossiers/{code}/fees"): "dossier.read",
    ("GET", "/api/v1/dossiers/{code}/receipt"): "dossier.read",
    ("GET", "/api/v1/dossiers/{code}/receipt.pdf"): "dossier.read",
    ("GET", "/api/v1/dossiers/{code}/supplement-request.pdf"): "dossier.read",
    ("GET", "/api/v1/dossiers/{code}/apology.pdf"): "dossier.read",
    ("GET", "/api/v1/dossiers/{code}/control-sheet.pdf"): "dossier.read",
    ("GET", "/api/v1/offices/{office}/register.pdf"): "dossier.read",
    ("GET", "/api/v1/dossiers/{code}/postal-quote"): "dossier.read",
    ("POST", "/api/v1/handovers/scan"): "dossier.act",
    ("POST", "/api/v1/intake-outcomes"): "dossier.create",
    ("GET", "/api/v1/intake-outcomes"): "dossier.read",
    ("GET", "/api/v1/intake-outcomes/{reference}"): "dossier.read",
    ("GET", "/api/v1/intake-outcomes/{reference}/slip.pdf"): "dossier.read",
    ("GET", "/api/v1/dossiers/{code}/attachments"): "dossier.read",
    ("POST", "/api/v1/dossiers/{code}/attachments"): "dossier.act",
    ("GET", "/api/v1/dossiers/{code}/attachments/{id}"): "dossier.read",
    ("GET", "/api/v1/dossiers/{code}/notes"): "dossier.read",
    ("POST", "/api/v1/dossiers/{code}/notes"): "dossier.act",
    ("GET", "/api/v1/subtasks"): "dossier.read",
    ("GET", "/api/v1/notifications"): "notifications.consume",
    ("POST", "/api/v1/notifications/{id}/delivered"): "notifications.consume",
    ("GET", "/api/v1/registry/offices"): "fleet.read",
    ("GET", "/api/v1/registry/offices/{office}"): "fleet.read",
    ("GET", "/api/v1/registry/offices/{office}/export"): "fleet.read",
    ("POST", "/api/v1/registry/offices"): "registry.manage",
    ("PUT", "/api/v1/registry/offices/{office}/fields/{field}"): "registry.manage",
    ("PUT", "/api/v1/registry/offices/{office}/counters/{counter}"): "registry.manage",
    ("DELETE", "/api/v1/registry/offices/{office}/counters/{counter}"): "registry.manage",
    ("PUT", "/api/v1/registry/offices/{office}/hours"): "registry.manage",
    ("PUT", "/api/v1/registry/offices/{office}/officers/{username}"): "registry.manage",
    ("DELETE", "/api/v1/registry/offices/{office}/officers/{username}"): "registry.manage",
}

PATH_VALUES = {"office": "sai-gon", "counter": "1", "code": "H74.718-261123-0001", "action": "assign",
               "username": "nobody.test", "id": "1", "unit": "sai-gon",
               "field": "ho-tich", "reference": "BS-261202-0001"}


def api_routes(client: TestClient) -> set[tuple[str, str]]:
    """The API's endpoints as the OpenAPI document lists them (every /api route is in it)."""
    paths = client.get("/openapi.json").json()["paths"]
    return {(method.upper(), path) for path, operations in paths.items() if path.startswith("/api/")
            for method in operations}


def test_the_matrix_is_the_one_written_down() -> None:
    assert {p.value: frozenset(r for r in Role if p in MATRIX[r]) for p in Permission} == EXPECTED_ROLES


def test_every_endpoint_has_a_decided_permission(client: TestClient) -> None:
    assert set(api_routes(client)) == set(ENDPOINTS), "an endpoint was added or removed: decide who may call it"


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_cell(client: TestClient, role: Role) -> None:
    """All endpoints for one role: allowed → anything but 401/403; refused → 403 (401 for the public)."""
    wrong: list[str] = []
    # Signing out revokes the token the other calls use: last.
    for (method, path), rule in sorted(ENDPOINTS.items(), key=lambda item: (item[0][1].endswith("/logout"), item)):
        url = re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], path)
        kwargs: dict[str, object] = {"headers": as_role(role)}
        if method in {"POST", "PUT"} and not path.endswith("/auth/token"):
            kwargs["json"] = {}
        response = client.request(method, url, **kwargs)  # type: ignore[arg-type]  # kwargs mixes json= and headers=, typed as dict[str, object]
        if rule == OPEN:
            allowed = True
        elif rule == SIGNED_IN:
            allowed = role is not Role.public
        else:
            allowed = role in EXPECTED_ROLES[rule]
        if allowed and response.status_code in (401, 403):
            wrong.append(f"{method} {path}: {role.value} refused ({response.status_code} {response.text[:120]})")
        if not allowed:
            expected = 401 if role is Role.public else 403
            if response.status_code != expected:
                wrong.append(f"{method} {path}: {role.value} got {response.status_code}, expected {expected}")
            elif expected == 401 and response.headers.get("www-authenticate") != "Bearer":
                wrong.append(f"{method} {path}: 401 without WWW-Authenticate: Bearer")
    assert wrong == []


def test_docs_show_the_current_matrix() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "access.md").read_text(encoding="utf-8")
    assert matrix_markdown() in doc, "docs/access.md: paste cloud.domain.access.matrix_markdown() output"
