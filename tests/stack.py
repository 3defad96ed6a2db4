"""The whole system on one machine: cloud broker, office broker with its
bridge, the cloud service (uvicorn on a free port) and the demo office's hub
with simulated devices. Every part is the real one."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from broker.process import free_port
from broker.stack import CloudBroker, OfficeBroker
from edge.agent import HubAgent, HubOptions
from edge.config_file import load_office_config
from tests.staff import prepare_office, sign_in_staff

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = ROOT / "firmware_configs" / "sai-gon.yaml"


@dataclass
class Stack:
    cloud_broker: CloudBroker
    office_broker: OfficeBroker
    settings: object
    api: httpx.Client
    hub: HubAgent | None

    @property
    def cloud_url(self) -> str:
        return str(self.api.base_url).rstrip("/")

    @property
    def display_url(self) -> str:
        assert self.hub and self.hub.server
        return self.hub.server.url

    def cloud_db(self) -> sqlite3.Connection:
        return sqlite3.connect(Path(self.settings.data_dir) / "cloud.db")  # type: ignore[attr-defined]  # settings is typed as object here: the cloud's Settings, not imported by the edge stack

    def events(self) -> list[tuple[str, int, str]]:
        with self.cloud_db() as db:
            return db.execute("SELECT id, seq, type FROM event WHERE office = 'sai-gon' ORDER BY seq").fetchall()


def start_hub(tmp_path: Path, office: OfficeBroker, **options: object) -> HubAgent:
    agent = HubAgent(load_office_config(DEMO_CONFIG), HubOptions(
        data_dir=tmp_path / "edge", simulate=True, mqtt_port=office.port, mqtt_password=office.hub_password,
        display_port=free_port(), open_all_day=True, resend_interval=1.0, **options))  # type: ignore[arg-type]  # options are HubOptions' keywords, passed through as object
    agent.start()
    return agent


@pytest.fixture
def cloud_service(tmp_path: Path, cloud_broker: CloudBroker) -> Iterator[tuple[object, httpx.Client]]:
    from cloud.app import CloudServer
    from cloud.settings import Settings

    settings = Settings(
        data_dir=tmp_path / "cloud", mqtt_port=cloud_broker.port, mqtt_username=cloud_broker.service_username,
        mqtt_password=cloud_broker.service_password, firmware_configs=ROOT / "firmware_configs",
        http_port=0, command_timeout_s=3.0, mqtt_client_id=f"cloud-{tmp_path.name}"[:60],
    )
    prepare_office(settings.db_url, settings.reference_data)
    server = CloudServer(settings).start()
    try:
        with httpx.Client(base_url=server.url, timeout=10,
                          headers=sign_in_staff(settings.db_url)) as api:
            yield settings, api
    finally:
        server.stop()


@pytest.fixture
def stack(tmp_path: Path, cloud_broker: CloudBroker, office_broker, cloud_service) -> Iterator[Stack]:
    settings, api = cloud_service
    office = office_broker("sai-gon")
    hub = start_hub(tmp_path, office)
    try:
        yield Stack(cloud_broker, office, settings, api, hub)
    finally:
        hub.stop()
