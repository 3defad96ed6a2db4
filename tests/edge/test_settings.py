"""The hub's settings come from ONESTOP_EDGE_* (older names still work), and a bad value names its variable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from broker.probe import MqttProbe
from broker.process import free_port
from broker.stack import OfficeBroker
from edge.settings import EdgeSettings
from onestop_cli.environment import read_settings
from onestop_cli.main import app
from protocol import topics
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
DEMO = str(ROOT / "firmware_configs/sai-gon.yaml")
OLD_NAMES = ("ONESTOP_OFFICE_MQTT_PORT", "ONESTOP_HUB_MQTT_PASSWORD", "ONESTOP_DISPLAY_PORT", "ONESTOP_DISPLAY_HOST")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts from no hub settings at all, whatever the shell running pytest has set."""
    for name in list(os.environ):
        upper = name.upper()
        if upper.startswith(("ONESTOP_EDGE_", "ONESTOP_LOG_")) or upper in OLD_NAMES:
            monkeypatch.delenv(name)


def test_settings_are_read_from_onestop_edge_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert EdgeSettings() == EdgeSettings(data_dir=Path("data/edge"), display_host="127.0.0.1")
    monkeypatch.setenv("ONESTOP_EDGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ONESTOP_EDGE_MQTT_PORT", "18830")
    monkeypatch.setenv("ONESTOP_EDGE_MQTT_PASSWORD", "s3cret")
    monkeypatch.setenv("ONESTOP_EDGE_DISPLAY_PORT", "0")
    monkeypatch.setenv("ONESTOP_EDGE_DISPLAY_HOST", "0.0.0.0")

    settings = EdgeSettings()

    assert (settings.data_dir, settings.mqtt_port, settings.password()) == (tmp_path, 18830, "s3cret")
    assert (settings.display_port, settings.display_host) == (0, "0.0.0.0")
    assert "s3cret" not in repr(settings)  # a secret never reaches a log line


def test_the_older_names_still_work_and_the_new_ones_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONESTOP_OFFICE_MQTT_PORT", "1884")
    monkeypatch.setenv("ONESTOP_HUB_MQTT_PASSWORD", "old")
    monkeypatch.setenv("ONESTOP_DISPLAY_PORT", "8001")
    monkeypatch.setenv("ONESTOP_DISPLAY_HOST", "10.0.0.2")
    old = EdgeSettings()
    assert (old.mqtt_port, old.password(), old.display_port, old.display_host) == (1884, "old", 8001, "10.0.0.2")

    monkeypatch.setenv("ONESTOP_EDGE_MQTT_PORT", "1999")
    monkeypatch.setenv("ONESTOP_EDGE_MQTT_PASSWORD", "new")
    assert (EdgeSettings().mqtt_port, EdgeSettings().password()) == (1999, "new")


def test_an_option_given_on_the_command_line_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONESTOP_EDGE_DISPLAY_PORT", "8001")
    monkeypatch.setenv("ONESTOP_EDGE_MQTT_PORT", "1884")
    settings = read_settings(EdgeSettings, display_port=9001, mqtt_port=None)  # None: the option was not given
    assert (settings.display_port, settings.mqtt_port) == (9001, 1884)


@pytest.mark.parametrize(("args", "env", "names"), [
    (["edge", "--config", DEMO], {"ONESTOP_OFFICE_MQTT_PORT": "eighteen"},
     "ONESTOP_EDGE_MQTT_PORT (or ONESTOP_OFFICE_MQTT_PORT): Input should be a valid integer"),
    (["edge", "--config", DEMO], {"ONESTOP_EDGE_DISPLAY_PORT": "70000"},
     "ONESTOP_EDGE_DISPLAY_PORT (or ONESTOP_DISPLAY_PORT): Input should be less than or equal to 65535"),
    (["edge", "--config", DEMO, "--display-port", "70000"], {},
     "--display-port: Input should be less than or equal to 65535"),
    (["config", "check", DEMO], {"ONESTOP_LOG_FORMAT": "xml"}, "ONESTOP_LOG_FORMAT: Input should be 'console' or 'json'"),
    (["--log-level", "loud", "config", "check", DEMO], {}, "--log-level: Input should be 'debug', 'info'"),
    (["demo"], {"ONESTOP_HTTP_PORT": "http"}, "ONESTOP_HTTP_PORT: Input should be a valid integer"),
])
def test_an_invalid_value_stops_the_command_naming_the_variable(args: list[str], env: dict[str, str], names: str) -> None:
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 2, result.output
    assert names in result.output


def test_onestop_edge_runs_with_its_settings_from_the_environment(
    tmp_path: Path, office_broker: Callable[..., OfficeBroker], mqtt_probe: Callable[..., MqttProbe]
) -> None:
    office = office_broker("sai-gon", bridged=False)
    display_port = free_port()
    data_dir = tmp_path / "hub-data"
    hub = subprocess.Popen(
        [sys.executable, "-m", "onestop_cli.main", "edge", "--config", DEMO, "--simulate"],
        env=dict(os.environ, ONESTOP_EDGE_DATA_DIR=str(data_dir), ONESTOP_EDGE_MQTT_PORT=str(office.port),
                 ONESTOP_EDGE_MQTT_PASSWORD=office.hub_password, ONESTOP_EDGE_DISPLAY_PORT=str(display_port)),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        def display_state() -> dict[str, Any] | None:
            assert hub.poll() is None, f"onestop edge exited with code {hub.returncode}"
            try:
                state: dict[str, Any] = httpx.get(f"http://127.0.0.1:{display_port}/api/state", timeout=1).json()
                return state
            except httpx.HTTPError:
                return None

        # The hub starts in ~3 s on a quiet machine and 10 s or more on a busy one; a hub that exits fails at once.
        state = wait_until(display_state, timeout=60, what="the display server on ONESTOP_EDGE_DISPLAY_PORT")
        assert state["office"]["id"] == "sai-gon"
        assert (data_dir / "hub.db").is_file()

        # Logged in with ONESTOP_EDGE_MQTT_PASSWORD on ONESTOP_EDGE_MQTT_PORT: its birth certificate is there.
        probe = mqtt_probe(*office.cloud_login())  # what the cloud sees of the hub
        probe.subscribe(topics.state("sai-gon", "hub"))
        birth = json.loads(probe.expect(lambda m: json.loads(m.payload).get("online") is True, timeout=20).payload)
        assert birth["node"] == "hub"
    finally:
        hub.terminate()
        hub.wait(timeout=10)
