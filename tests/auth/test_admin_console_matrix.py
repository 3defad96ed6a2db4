"""The administrator's console pages × every role: let through exactly the roles the access matrix allows.

Kept beside test_access_matrix.py (the API's table) and written out by hand
the same way: a new /console/admin route fails here until someone decides
who may open it. A refused role is sent to sign in (303 to /login), as every
console page does; a POST from such a role changes nothing.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from cloud.api.limits import route_limits
from cloud.domain.roles import Role
from tests.auth.conftest import as_role

R = Role
ADMIN_AND_IT = frozenset({R.admin, R.it})
ADMIN = frozenset({R.admin})

PAGES: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/console/admin"): ADMIN_AND_IT,
    ("GET", "/console/admin/officers"): ADMIN,
    ("POST", "/console/admin/officers"): ADMIN,
    ("POST", "/console/admin/officers/{username}/roles"): ADMIN,
    ("POST", "/console/admin/officers/{username}/disable"): ADMIN,
    ("GET", "/console/admin/offices"): ADMIN_AND_IT,
    ("GET", "/console/admin/offices/{office}"): ADMIN_AND_IT,
    ("POST", "/console/admin/offices/{office}/counters"): ADMIN_AND_IT,
    ("POST", "/console/admin/offices/{office}/counters/{number}/remove"): ADMIN_AND_IT,
    ("POST", "/console/admin/offices/{office}/hours"): ADMIN_AND_IT,
    ("POST", "/console/admin/offices/{office}/days-off"): ADMIN_AND_IT,
    ("GET", "/console/admin/catalogue"): ADMIN,
    ("GET", "/console/admin/catalogue/{code}"): ADMIN,
    ("POST", "/console/admin/catalogue/{code}"): ADMIN,
    ("POST", "/console/admin/catalogue/{code}/forms"): ADMIN,
    ("POST", "/console/admin/catalogue/{code}/forms/{form_id}/remove"): ADMIN,
}
VALUES = {"username": "nobody.test", "office": "sai-gon", "number": "99", "code": "HT.01", "form_id": "99"}


def admin_routes(client: TestClient) -> set[tuple[str, str]]:
    table = route_limits(client.app.routes, 1)  # type: ignore[attr-defined]  # the body gate's walk of the routes
    return {(method, entry.path) for entry in table if entry.path.startswith("/console/admin")
            for method in entry.methods - {"HEAD"}}


def test_every_admin_page_has_a_decided_set_of_roles(client: TestClient) -> None:
    assert admin_routes(client) == set(PAGES), "an admin page was added or removed: decide who may open it"


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_cell(client: TestClient, role: Role) -> None:
    wrong = []
    for (method, path), allowed in PAGES.items():
        url = re.sub(r"\{(\w+)\}", lambda m: VALUES[m.group(1)], path)
        answer = client.request(method, url, headers=as_role(role), data={}, follow_redirects=False)
        to_login = answer.status_code == 303 and answer.headers["location"].startswith("/login")
        if role in allowed and (to_login or answer.status_code in (401, 403) or answer.status_code >= 500):
            wrong.append(f"{method} {path}: {role.value} refused ({answer.status_code})")
        if role not in allowed and not to_login:
            wrong.append(f"{method} {path}: {role.value} got {answer.status_code}, expected 303 to /login")
    assert wrong == []
