"""The real cloud app on a SQLite file, with one signed-in account per role.

The clock of the user store is the test's, so token expiry is checked
without waiting.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from broker.process import free_port
from cloud.app import create_app
from cloud.auth.users import UserStore
from cloud.domain.roles import Role
from cloud.settings import Settings

PASSWORD = "mật khẩu đủ dài"
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


@pytest.fixture
def client(tmp_path: Path, clock: Clock) -> Iterator[TestClient]:
    firmware_configs = tmp_path / "firmware_configs"
    firmware_configs.mkdir()
    (firmware_configs / "demo.yaml").write_text(
        (Path(__file__).resolve().parents[2] / "firmware_configs" / "demo.yaml").read_text(encoding="utf-8"),
        encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "cloud", mqtt_port=free_port(), firmware_configs=firmware_configs,
                        startup_connect_timeout_s=0, http_port=free_port(), command_timeout_s=0.5)
    with TestClient(create_app(settings)) as test_client:
        users: UserStore = test_client.app.state.users  # type: ignore[attr-defined]
        users.clock = clock
        for role in STAFF_ROLES:
            users.add(f"{role.value.replace('_', '-')}.test", full_name=f"Cán bộ {role.value}", unit="tdm.bptn",
                      roles=[role.value], password=PASSWORD if role is Role.reception else None)
            users.issue_token(f"{role.value.replace('_', '-')}.test", kind="api", name="tests",
                              ttl=timedelta(days=1), secret=token(role))
        yield test_client


@pytest.fixture
def users(client: TestClient) -> UserStore:
    return client.app.state.users  # type: ignore[attr-defined,no-any-return]
