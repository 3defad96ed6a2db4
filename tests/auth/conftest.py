"""The real cloud app on a SQLite file, with one signed-in account per role.

The clock of the user store is the test's, so token expiry is checked
without waiting. ``server`` is the same app under uvicorn on a real port,
for the tests that send many sign-ins at once or from several addresses.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from broker.process import free_port
from cloud.app import CloudServer, create_app
from cloud.auth.users import UserStore
from cloud.domain.roles import Role
from cloud.settings import Settings
from tests.staff import prepare_office

PASSWORD = "mật khẩu đủ dài"
SAME_ORIGIN = {"Origin": "http://testserver"}
"""What a browser sends with a write from the console's own pages (TestClient's host is ``testserver``)."""
STAFF_ROLES = [r for r in Role if r is not Role.public]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def token(role: Role) -> str:
    return f"test-token-{role.value}"


RECEPTION = "reception.test"
"""The one account with a password (argon2 is slow on purpose: one hash per test is enough)."""


def as_role(role: Role) -> dict[str, str]:
    """Headers of the account ``<role>.test`` whose only role is ``role``; none for the public."""
    return {} if role is Role.public else {"Authorization": f"Bearer {token(role)}"}


@pytest.fixture
def clock() -> Clock:
    return Clock()


def settings_in(tmp_path: Path) -> Settings:
    firmware_configs = tmp_path / "firmware_configs"
    firmware_configs.mkdir()
    (firmware_configs / "sai-gon.yaml").write_text(
        (Path(__file__).resolve().parents[2] / "firmware_configs" / "sai-gon.yaml").read_text(encoding="utf-8"),
        encoding="utf-8")
    return Settings(data_dir=tmp_path / "cloud", mqtt_port=free_port(), firmware_configs=firmware_configs,
                    startup_connect_timeout_s=0, http_port=0, command_timeout_s=0.5)


def add_accounts(users: UserStore, unit: str) -> None:
    """One account per role, in ``unit``: the demo office's (tests/staff.py), whose console page they open."""
    for role in STAFF_ROLES:
        users.add(f"{role.value.replace('_', '-')}.test", full_name=f"Cán bộ {role.value}", unit=unit,
                  roles=[role.value], password=PASSWORD if role is Role.reception else None)
        users.issue_token(f"{role.value.replace('_', '-')}.test", kind="api", name="tests",
                          ttl=timedelta(days=1), secret=token(role))


@pytest.fixture
def client(tmp_path: Path, clock: Clock) -> Iterator[TestClient]:
    settings = settings_in(tmp_path)
    unit = prepare_office(settings.db_url, settings.reference_data)
    with TestClient(create_app(settings)) as test_client:
        users: UserStore = test_client.app.state.users  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state
        users.clock = clock
        add_accounts(users, unit)
        yield test_client


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CloudServer]:
    """The app under uvicorn on 127.0.0.1: clients may connect from any 127.x.y.z address (all loopback)."""
    settings = settings_in(tmp_path)
    unit = prepare_office(settings.db_url, settings.reference_data)
    with CloudServer(settings) as running:
        add_accounts(running.app.state.users, unit)
        yield running


@pytest.fixture
def users(client: TestClient) -> UserStore:
    return client.app.state.users  # type: ignore[attr-defined,no-any-return]  # TestClient.app is typed as a bare ASGI app, without .state
