"""Stopping ``onestop cloud`` and ``onestop edge``: quickly, without a traceback, each part saying it stopped.

A new user's Ctrl-C on the demo printed a ``KeyboardInterrupt`` traceback
from the ingest receiver (the terminal's SIGINT reaches the whole process
group, the receiver child too), logged ``ingest.receiver_died``, and the hub
sometimes never stopped at all: the signal had landed on one of its other
threads while the main thread slept in ``Event.wait()``, so the demo killed
it ten seconds later without its ``hub.stopped`` line. Each command is run
here as the real process with its real broker, stopped both ways a process
gets stopped: Ctrl-C in its terminal and SIGTERM to it alone.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from broker.process import free_port
from broker.stack import CloudBroker, OfficeBroker
from onestop_cli.demo import port_is_free
from tests.cli.children import ROOT, Child, child_env
from tests.waiting import wait_until

DEMO_CONFIG = ROOT / "firmware_configs" / "sai-gon.yaml"
#: "Quickly": each stops in one or two seconds on an idle machine; this bound allows for a busy shared one.
STOP_WITHIN_S = 20.0
#: Starting imports FastAPI, migrates a database, spawns the receiver: slow on a loaded 2-core machine.
START_WITHIN_S = 120.0
WAYS = ["ctrl-c", "sigterm"]


def _tcp_states(port: int) -> set[str]:
    """States (kernel's hex codes) of the IPv4 TCP sockets whose local port is ``port``."""
    states = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port:
            states.add(fields[3])
    return states


TIME_WAIT, LISTEN = "06", "0A"


def test_a_port_left_in_time_wait_is_free_and_a_listening_one_is_not() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    assert not port_is_free("127.0.0.1", port)  # something listens there
    accepted.close()  # the server's side closes first, as uvicorn does: its end waits in TIME_WAIT on `port`
    client.close()
    server.close()
    wait_until(lambda: _tcp_states(port) == {TIME_WAIT}, timeout=10, what=f"only TIME_WAIT left on port {port}")
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("127.0.0.1", port))  # what the old check did, and why it said "already in use"
    assert port_is_free("127.0.0.1", port)


@pytest.mark.parametrize("how", WAYS)
def test_onestop_cloud_stops_cleanly(
    how: str, tmp_path: Path, cloud_broker: CloudBroker, onestop: Callable[..., Child],
) -> None:
    port = free_port()
    cloud = onestop(["cloud"], tmp_path / "cloud.log", child_env(
        ONESTOP_DATA_DIR=str(tmp_path / "cloud"), ONESTOP_HTTP_PORT=str(port),
        ONESTOP_MQTT_PORT=str(cloud_broker.port), ONESTOP_MQTT_USERNAME=cloud_broker.service_username,
        ONESTOP_MQTT_PASSWORD=cloud_broker.service_password, ONESTOP_MQTT_CLIENT_ID=f"cloud-{how}",
        ONESTOP_FIRMWARE_CONFIGS=str(ROOT / "firmware_configs")))
    cloud.wait_for("Uvicorn running", START_WITHIN_S)
    cloud.wait_for("ingest.receiver_connected", START_WITHIN_S)  # the receiver child is up and subscribed

    took = cloud.stop_by(how, STOP_WITHIN_S)

    output = cloud.output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    assert "ingest.receiver_died" not in output, output
    for line in ("ingest.receiver_stopped", "cloud.stopped", "Finished server process"):
        assert line in output, f"{line!r} missing after {how} ({took:.1f}s):\n{output}"


@pytest.mark.parametrize("how", WAYS)
def test_onestop_edge_stops_cleanly(
    how: str, tmp_path: Path, office_broker: Callable[..., OfficeBroker], onestop: Callable[..., Child],
) -> None:
    office = office_broker("sai-gon", bridged=False)
    hub = onestop(["edge", "--config", str(DEMO_CONFIG), "--simulate", "--data-dir", str(tmp_path / "edge"),
                   "--display-port", str(free_port())], tmp_path / "edge.log",
                  child_env(ONESTOP_EDGE_MQTT_PORT=str(office.port), ONESTOP_EDGE_MQTT_PASSWORD=office.hub_password))
    hub.wait_for("hub.started", START_WITHIN_S)
    hub.wait_for("mqtt.connected", START_WITHIN_S)  # paho's thread runs: a signal may land on it

    took = hub.stop_by(how, STOP_WITHIN_S)

    output = hub.output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    assert hub.process.returncode == 0, output
    assert "hub.stopped" in output, f"no hub.stopped after {how} ({took:.1f}s):\n{output}"
