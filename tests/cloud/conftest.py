"""The real cloud service against a real mosquitto (the suite's ``cloud_broker``)
and a real SQLite file in the test's tmp directory.

    def test_x(cloud, api, edge, db):
        edge.publish_event(seq=1, data=TicketIssued(...))   # as office demo's hub
        wait_until(lambda: api.get("/api/v1/offices/sai-gon/queue").json()[...])
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from broker.probe import MqttProbe
from broker.stack import CloudBroker
from cloud.app import CloudServer
from cloud.db.engine import make_engine
from cloud.settings import Settings
from tests.cloud.fakes import FakeHub, OfficeEdge
from tests.staff import prepare_office, sign_in_staff
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
DEMO_YAML = ROOT / "firmware_configs" / "sai-gon.yaml"
BROKEN_YAML = """\
version: 1
office: {id: broken, name: "Xã lỗi"}
hours: {periods: ["07:00-11:30"]}
fields: [{code: ho-tich, name: "Hộ tịch", prefix: A}]
counters: [{number: 1, fields: [dat-dai], led_address: 1, keypad: {next: 5, recall: 6, done: 13, no_show: 19}}]
hub: {kiosk: []}
"""


@pytest.fixture
def firmware_configs(tmp_path: Path) -> Path:
    """The demo office plus one broken file that must be skipped, not fatal."""
    directory = tmp_path / "firmware_configs"
    directory.mkdir()
    shutil.copy(DEMO_YAML, directory / "sai-gon.yaml")
    (directory / "broken.yaml").write_text(BROKEN_YAML, encoding="utf-8")
    return directory


@pytest.fixture
def make_settings(tmp_path: Path, cloud_broker: CloudBroker, firmware_configs: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = dict(
            data_dir=tmp_path / "cloud", mqtt_host=cloud_broker.host, mqtt_port=cloud_broker.port,
            mqtt_username=cloud_broker.service_username, mqtt_password=cloud_broker.service_password,
            http_port=0, firmware_configs=firmware_configs, command_timeout_s=2.0,
            mqtt_keepalive=5,
        )
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def start_cloud(settings: Settings) -> Iterator[Callable[..., CloudServer]]:
    """Factory: start the service (again, e.g. after a stop) and wait until both MQTT clients are connected."""
    servers: list[CloudServer] = []

    def start(s: Settings = settings) -> CloudServer:
        server = CloudServer(s).start()
        servers.append(server)
        wait_until(lambda: httpx.get(f"{server.url}/api/v1/health").json()["mqtt_connected"], timeout=10,
                   what="the cloud service to connect to the broker")
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def cloud(start_cloud: Callable[..., CloudServer], settings: Settings) -> CloudServer:
    """The service, whose database knows the unit of office sai-gon (the staff account's: tests/staff.py)."""
    prepare_office(settings.db_url, settings.reference_data)
    return start_cloud()


@pytest.fixture
def api(cloud: CloudServer, settings: Settings) -> Iterator[httpx.Client]:
    """Signed in as a reception + IT officer (tests/staff.py)."""
    with httpx.Client(base_url=cloud.url, timeout=15, headers=sign_in_staff(settings.db_url)) as client:
        yield client


@pytest.fixture
def db(settings: Settings) -> Iterator[Engine]:
    """The service's database, for assertions the API does not expose."""
    engine = make_engine(settings.db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_login(cloud_broker: CloudBroker) -> tuple[str, str]:
    """Office demo's login on the cloud broker (what its bridge uses): writes only demo's evt, ack, state,
    telemetry, reads only its cmd, config, cursor."""
    creds = cloud_broker.add_office("sai-gon")
    return creds.username, creds.password


@pytest.fixture
def edge(cloud_broker: CloudBroker, demo_login: tuple[str, str]) -> Iterator[OfficeEdge]:
    """Publishes as office demo's hub, and sees the cursors the cloud sends back."""
    probe = MqttProbe(cloud_broker.host, cloud_broker.port, *demo_login).connected()
    yield OfficeEdge(probe, "sai-gon", "hub")
    probe.close()


@pytest.fixture
def service_probe(cloud_broker: CloudBroker) -> Iterator[MqttProbe]:
    """Logged in as a cloud service: may publish on any office's topics (to forge bad input)."""
    probe = cloud_broker.service_probe()
    yield probe
    probe.close()


@pytest.fixture
def fake_hub(cloud_broker: CloudBroker, demo_login: tuple[str, str],
             service_probe: MqttProbe) -> Iterator[Callable[..., FakeHub]]:
    hubs: list[FakeHub] = []

    def make(answer: Callable[..., Any] | None) -> FakeHub:
        hub = FakeHub(cloud_broker.host, cloud_broker.port, *demo_login, answer=answer, cloud=service_probe).start()
        hubs.append(hub)
        return hub

    yield make
    for hub in hubs:
        hub.stop()
