"""The real cloud app (TestClient runs its lifespan: migrations, seeding) on SQLite and on PostgreSQL.

The reference data is the three-level sample (``tests/data/three_levels``:
Bình Dương before 2025, province → district → commune), whose codes these
tests name; the read-scope tests run on the shipped two-level province too
(``reference_data`` is a fixture a test may parametrize).

No broker: the dossier endpoints do not use MQTT, and the service starts
degraded when the broker is unreachable (``startup_connect_timeout_s=0``
so it does not wait for one). The store's clock is replaced by a
:class:`Clock` the test moves, so codes and due dates are deterministic.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from broker.process import free_port
from cloud.app import create_app
from cloud.auth.users import UserStore
from cloud.dossiers.store import DossierStore
from cloud.settings import Settings

VN = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2026, 10, 12, 8, 0, tzinfo=VN)  # a Monday, no holiday for weeks

THREE_LEVELS = Path(__file__).resolve().parents[1] / "data" / "three_levels"
SHIPPED = Path(__file__).resolve().parents[2] / "cloud" / "data"
"""The shipped reference data: Thành phố Hồ Chí Minh, two levels."""

OFFICE = "tdm-bptn"  # Thủ Dầu Một's one-stop office, agency H74.718; its desk's officers have it as their unit
DEPT = "tdm.ptckh"  # handles dang_ky_kinh_doanh (KD.01)
PEOPLE: dict[str, tuple[tuple[str, ...], str]] = {}
"""Every person the tests act as: officer id → (role…, unit). The client fixture makes them users."""


def person(role: str, unit: str, officer: str) -> dict[str, str]:
    """The request headers of an officer acting in ``role`` at ``unit``; registers them in PEOPLE.

    Tests use these headers and never spell out how a caller signs in. The
    client fixture creates each officer as a user holding all the roles the
    tests give them, with the API token ``test-<officer>``; ``X-Acting-Role``
    picks the role of this set of headers.
    """
    roles, known_unit = PEOPLE.get(officer, ((), unit))
    assert known_unit == unit, f"{officer} is already at {known_unit}"
    PEOPLE[officer] = (tuple(dict.fromkeys((*roles, role))), unit)
    return {"Authorization": f"Bearer {token_of(officer)}", "X-Acting-Role": role}


def token_of(officer: str) -> str:
    return f"test-{officer}"


def make_people(users: UserStore) -> None:
    for officer, (roles, unit) in PEOPLE.items():
        users.add(officer, full_name=f"Cán bộ {officer}", unit=unit, roles=roles)
        users.issue_token(officer, kind="api", name="tests", ttl=timedelta(days=1), secret=token_of(officer))


reception = person("reception", OFFICE, "tn.lan")
head = person("department_head", DEPT, "tp.hung")
specialist = person("specialist", DEPT, "cv.an")
leader = person("leader", "tdm.ubnd", "pct.minh")
clerk = person("clerk", OFFICE, "vt.hoa")  # văn thư: numbers and stamps the signed result (register_result)
desk = person("results_desk", OFFICE, "tkq.mai")
REGISTER = {"document_symbol": "GCN-UBND", "signed_on": "2026-10-12", "signer": "Phạm Quang Minh", "stamped": True}
"""A register_result payload for a dossier signed on START's day."""
commune = person("specialist", "tdm.phu_hoa", "cv.binh")  # an officer of Phú Hòa ward (liên thông)
tax = person("specialist", "tdm.cct", "ct.hoa")  # Chi cục Thuế Thủ Dầu Một (representative mechanism)
bc_reception = person("reception", "bc-bptn", "tn.cuong")  # Bến Cát's desk: its own receipt numbers
it = person("it", "bd", "it.khoa")  # the account the notification workers run with


class Clock:
    """Ticks one second per reading (every action is later than the last), thread-safe; ``advance`` jumps."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self.now += timedelta(seconds=1)
            return self.now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self.now += delta


@pytest.fixture
def reference_data(request: pytest.FixtureRequest) -> Path:
    """The directory the service seeds its catalogue and units from; parametrize it (indirect) to change it."""
    return Path(getattr(request, "param", THREE_LEVELS))


@pytest.fixture
def settings(tmp_path: Path, database_url: str, reference_data: Path) -> Settings:
    """The service on SQLite and again on PostgreSQL (``database_url`` is parametrized, tests/postgres.py)."""
    firmware_configs = tmp_path / "firmware_configs"
    firmware_configs.mkdir()
    return Settings(data_dir=tmp_path / "cloud", database_url=database_url, mqtt_port=free_port(),
                    firmware_configs=firmware_configs, startup_connect_timeout_s=0, http_port=free_port(),
                    reference_data=reference_data)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def client(settings: Settings, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        test_client.app.state.dossiers.clock = clock  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state
        make_people(test_client.app.state.users)  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state
        yield test_client


@pytest.fixture
def store(client: TestClient) -> DossierStore:
    return client.app.state.dossiers  # type: ignore[attr-defined,no-any-return]  # TestClient.app is typed as a bare ASGI app, without .state


def papers(client: TestClient, procedure: str) -> list[dict[str, str]]:
    """Every paper the procedure's card requires (none of those "nếu có"), by code, as the desk ticks them."""
    card = client.get(f"/api/v1/catalogue/{procedure}").json()
    return [{"code": doc["code"]} for doc in card["documents"] if not doc.get("conditional")]


def new_dossier(client: TestClient, procedure: str = "KD.01", applicant: str = "Nguyễn Thị Bình", *,
                office: str = OFFICE, headers: dict[str, str] = reception) -> dict:
    response = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": procedure, "office": office, "applicant_name": applicant, "documents": papers(client, procedure)})
    assert response.status_code == 201, response.text
    return response.json()
