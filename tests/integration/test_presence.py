"""Presence: birth certificate on connect, Last Will when the hub process dies without a word."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from broker.process import free_port
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]


def _hub_online(api) -> bool | None:
    office = api.get("/api/v1/offices/sai-gon").json()
    nodes = {n["node"]: n for n in office["nodes"]}
    return nodes["hub"]["online"] if "hub" in nodes else None


def test_a_killed_hub_is_shown_offline_in_the_api_and_the_console(tmp_path, cloud_service, office_broker):
    _settings, api = cloud_service
    office = office_broker("sai-gon")
    hub = subprocess.Popen(
        [sys.executable, "-m", "onestop_cli.main", "edge", "--config", str(ROOT / "firmware_configs/sai-gon.yaml"),
         "--simulate", "--data-dir", str(tmp_path / "edge"), "--display-port", str(free_port())],
        env=dict(os.environ, ONESTOP_OFFICE_MQTT_PORT=str(office.port), ONESTOP_HUB_MQTT_PASSWORD=office.hub_password),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: _hub_online(api) is True, timeout=20, what="the hub's birth certificate")
        detail = api.get("/api/v1/offices/sai-gon").json()
        hub_node = next(n for n in detail["nodes"] if n["node"] == "hub")
        assert hub_node["config_version"] == 1
        assert "onestop" in hub_node["versions"]
        console = api.get("/console/offices/sai-gon").text
        assert "Trực tuyến" in console

        hub.send_signal(signal.SIGKILL)  # no clean disconnect: only the broker's Last Will can tell
        hub.wait(timeout=5)
        wait_until(lambda: _hub_online(api) is False, timeout=30, what="the Last Will to mark the hub offline")
        console = api.get("/console/offices/sai-gon").text
        assert "Mất kết nối" in console
    finally:
        if hub.poll() is None:
            hub.kill()
            hub.wait()
