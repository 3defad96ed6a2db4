"""Fixtures shared by the whole suite: real mosquitto brokers on free ports.

Nothing here fakes the broker (ARCHITECTURE.md, "Real parts"): each test that
asks for ``cloud_broker`` gets its own mosquitto with the production
templates, ACL and users, in its own tmp directory, stopped afterwards.

    def test_x(cloud_broker, office_broker, mqtt_probe):
        office = office_broker("a")                   # hub broker bridged to the cloud, ready
        cloud = mqtt_probe(cloud_broker)               # logged in as the cloud service user
        hub = mqtt_probe(office)                       # logged in as the office's "hub" user
        creds = office_credentials("b")                # just the cloud login of office b
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from broker.credentials import OfficeCredentials
from broker.probe import MqttProbe
from broker.stack import CloudBroker, OfficeBroker, start_cloud_broker, start_office_broker

#: ``database_url`` (SQLite and PostgreSQL), ``postgres_url``, ``postgres_server``.
pytest_plugins = ["tests.postgres"]


@pytest.fixture
def cloud_broker(tmp_path: Path) -> Iterator[CloudBroker]:
    """A running cloud broker with the service user ``cloud``.

    Attributes: ``host``, ``port``, ``service_username``,
    ``service_password``, ``dir`` (CloudBrokerDir), ``process`` (Mosquitto:
    ``kill()``, ``start()``, ``restart()``). ``add_office(office)`` adds an
    office and returns once its login works.
    """
    broker = start_cloud_broker(tmp_path / "cloud-broker")
    try:
        yield broker
    finally:
        broker.process.stop()


@pytest.fixture
def office_credentials(cloud_broker: CloudBroker) -> Callable[[str], OfficeCredentials]:
    """Factory: ``office_credentials("a")`` adds office a to the running cloud
    broker (reloaded) and returns its OfficeCredentials (username, password,
    acl_entry, bridge_conf pointing at this cloud broker)."""
    return cloud_broker.add_office


@pytest.fixture
def office_broker(cloud_broker: CloudBroker, tmp_path: Path) -> Iterator[Callable[..., OfficeBroker]]:
    """Factory: ``office_broker("a")`` starts office a's hub broker bridged to
    ``cloud_broker`` and returns once commands cross the bridge;
    ``office_broker("a", bridged=False)`` starts it without a bridge. Extra
    keyword arguments go to ``broker.stack.start_office_broker``."""
    started: list[OfficeBroker] = []

    def start(office: str, *, bridged: bool = True, **kwargs: Any) -> OfficeBroker:
        broker = start_office_broker(
            tmp_path / f"office-broker-{office}", office, cloud=cloud_broker if bridged else None, **kwargs
        )
        started.append(broker)
        return broker

    try:
        yield start
    finally:
        for broker in started:
            broker.process.stop()


@pytest.fixture
def mqtt_probe() -> Iterator[Callable[..., MqttProbe]]:
    """Factory of connected MQTT v5 probes, closed after the test.

    ``mqtt_probe(cloud_broker)`` logs in as the service user,
    ``mqtt_probe(office)`` as the hub user of an OfficeBroker,
    ``mqtt_probe(host, port, username, password, **kw)`` as anyone.
    """
    probes: list[MqttProbe] = []

    def make(target: CloudBroker | OfficeBroker | str, *args: Any, **kwargs: Any) -> MqttProbe:
        if isinstance(target, CloudBroker):
            kwargs.setdefault("tls_ca", str(target.tls_ca) if target.tls_ca else None)
            probe = MqttProbe(target.host, target.port, target.service_username, target.service_password, **kwargs)
        elif isinstance(target, OfficeBroker):
            probe = MqttProbe(target.host, target.port, target.hub_username, target.hub_password, **kwargs)
        else:
            probe = MqttProbe(target, *args, **kwargs)
        probes.append(probe)
        return probe.connected()

    try:
        yield make
    finally:
        for probe in probes:
            probe.close()
