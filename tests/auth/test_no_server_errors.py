"""Bad input never gives a 500: every endpoint × hostile values, on SQLite and PostgreSQL.

The values come from the OpenAPI document (every path and query parameter,
a JSON body where the endpoint takes one), filled with what breaks careless
servers: NUL characters (PostgreSQL refuses them in text), long strings,
numbers out of range, wrong types, odd Unicode. The caller holds every staff
role, so the requests get past the permission checks to the code behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from broker.process import free_port
from cloud.app import create_app
from cloud.domain.roles import Role
from cloud.settings import Settings

HOSTILE_TEXT = ["\x00", "a\x00b", "x" * 5000, "../../etc/passwd", "%00", "💥", " ", "-1", "1e309", "null"]
HOSTILE_BODIES: list[object] = [
    None, [], "text", 0, {"\x00": "\x00"}, {"officer": "\x00", "unit": "x" * 300, "reason": ["a"]},
    {"amount_vnd": -1, "lines": [{"fee": "\x00", "quantity": 10**30}]}, {"missing_items": ["\x00"] * 3},
    {"channel": "post", "postal": {"zone": "moon", "items": -5}}, {"scanned": "\x00" * 10, "action": "\x00"},
    {"username": "a\x00", "full_name": "x" * 300, "unit": "\x00", "roles": ["\x00"], "password": "\x00" * 12},
]
ROLES = [r for r in Role if r is not Role.public]


@pytest.fixture
def client(tmp_path: Path, database_url: str) -> Iterator[TestClient]:
    firmware_configs = tmp_path / "firmware_configs"
    firmware_configs.mkdir()
    settings = Settings(data_dir=tmp_path / "cloud", database_url=database_url, mqtt_port=free_port(),
                        firmware_configs=firmware_configs, startup_connect_timeout_s=0, http_port=free_port(),
                        command_timeout_s=0.2)
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        users = test_client.app.state.users  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state
        users.add("all.roles", full_name="Mọi vai trò", unit="sai-gon", roles=[r.value for r in ROLES])
        users.issue_token("all.roles", kind="api", name="fuzz", ttl=timedelta(days=1), secret="test-fuzz")
        yield test_client


def operations(client: TestClient) -> Iterator[tuple[str, str, dict]]:
    for path, methods in client.get("/openapi.json").json()["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def test_hostile_input_gets_a_4xx_never_a_500(client: TestClient) -> None:
    failures: list[str] = []
    calls = 0
    for method, path, operation in operations(client):
        params = operation.get("parameters", [])
        query_names = [p["name"] for p in params if p["in"] == "query"]
        takes_body = "requestBody" in operation
        for i, text in enumerate(HOSTILE_TEXT):
            role = ROLES[i % len(ROLES)].value
            url = re.sub(r"\{\w+\}", lambda _m, text=text: quote(text, safe="") or "x", path)
            query = {name: text for name in query_names}
            body = HOSTILE_BODIES[i % len(HOSTILE_BODIES)] if takes_body else None
            headers = {"Authorization": "Bearer test-fuzz", "X-Acting-Role": role}
            kwargs: dict[str, object] = {"params": query, "headers": headers}
            if takes_body:
                content_type = next(iter(operation["requestBody"]["content"]))
                if content_type == "application/json":
                    kwargs["json"] = body
                else:
                    kwargs["data"] = {"username": text, "password": text}
            response = client.request(method, url, **kwargs)  # type: ignore[arg-type]  # kwargs mixes json= and headers=, typed as dict[str, object]
            calls += 1
            if response.status_code >= 500 and response.status_code not in (503, 504):
                failures.append(f"{method} {path} as {role} with {text[:20]!r}: {response.status_code} "
                                f"{response.text[:160]}")
    assert calls > 200
    assert failures == []
