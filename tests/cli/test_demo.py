"""``onestop demo`` as a user runs it: the office goes on without its cloud, and Ctrl-C stops it all cleanly.

The demo runs as the real command (brokers, ``onestop cloud``, ``onestop
edge``, each its own process) on free ports; a second "terminal" drives it
with ``onestop demo cloud stop|start|status``; the kiosk is pressed through
the hub's display server, as the virtual office page does. README's "What
happens in the demo" step 4 could not be done before: the cloud's exit took
the hub and the brokers down with it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from broker.process import free_port
from onestop_cli.demo import hub_command
from onestop_cli.main import app
from tests.cli.children import ROOT, Child, child_env
from tests.staff import sign_in_staff
from tests.waiting import wait_until

#: The whole demo's first start (two brokers, a migration, two services) on a busy 2-core machine.
START_WITHIN_S = 300.0
STOP_WITHIN_S = 60.0
HO_TICH = 17  # the kiosk's "Hộ tịch" button (firmware_configs/sai-gon.yaml)


def _control(data_dir: Path, *words: str) -> str:
    """``onestop demo --data-dir D WORDS`` from a second terminal; what it printed."""
    result = subprocess.run([sys.executable, "-m", "onestop_cli.main", "demo", "--data-dir", str(data_dir), *words],
                            cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"onestop demo {' '.join(words)}: {result.stdout}{result.stderr}"
    return result.stdout


def _pid(status: str, part: str) -> int:
    found = re.search(rf"{part}\s+running, pid (\d+)", status)
    assert found, status
    return int(found.group(1))


class Office:
    """The hub's display server: what the virtual office page reads and presses."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"

    def state(self) -> dict[str, Any]:
        response = httpx.get(f"{self.url}/api/state", timeout=10)
        response.raise_for_status()
        return dict(response.json())

    def press(self, pin: int) -> None:
        response = httpx.post(f"{self.url}/sim/pins/{pin}/press", headers={"Origin": self.url}, timeout=10)
        assert response.status_code == 204, response.text

    def printed(self) -> int:
        return len(self.state()["sim"]["receipts"])


def test_the_office_works_on_while_the_cloud_is_away_and_ctrl_c_stops_everything(
    tmp_path: Path, onestop: Callable[..., Child],
) -> None:
    ports = {"http": free_port(), "mqtt": free_port(), "office_mqtt": free_port(), "display": free_port()}
    data_dir = tmp_path / "d"  # short: the control socket's path must fit in a Unix socket address
    demo = onestop(["demo", "--data-dir", str(data_dir)], tmp_path / "demo.log", child_env(
        ONESTOP_HTTP_PORT=str(ports["http"]), ONESTOP_MQTT_PORT=str(ports["mqtt"]),
        ONESTOP_EDGE_MQTT_PORT=str(ports["office_mqtt"]), ONESTOP_EDGE_DISPLAY_PORT=str(ports["display"])))
    office = Office(ports["display"])
    cloud = f"http://127.0.0.1:{ports['http']}"
    try:
        demo.wait_for("Press Ctrl-C to stop.", START_WITHIN_S)
        state = office.state()
        assert state["office"]["id"] == "sai-gon" and state["open_now"]  # all day, unless --office-hours
        hub_pid = _pid(_control(data_dir, "status"), "hub agent")
        assert b"--open-all-day" in Path(f"/proc/{hub_pid}/cmdline").read_bytes().split(b"\0")

        # The cloud service crashes (kill -9): the demo says so and the office stays.
        os.kill(_pid(_control(data_dir, "status"), "cloud service"), signal.SIGKILL)
        demo.wait_for("the cloud service exited with code -9", 60)
        assert demo.process.poll() is None and office.state()["office"]["id"] == "sai-gon"

        # The whole cloud goes away (its broker too): tickets are printed and wait in the hub's outbox.
        assert "stopped" in _control(data_dir, "cloud", "stop")
        status = _control(data_dir, "status")
        assert re.search(r"cloud broker\s+stopped", status) and re.search(r"cloud service\s+stopped", status), status
        try:
            httpx.get(f"{cloud}/api/v1/health", timeout=2)
            raise AssertionError("the cloud still answers")
        except httpx.ConnectError:
            pass
        office.press(HO_TICH)
        wait_until(lambda: office.printed() == 1, timeout=30, what="the slip to be printed")
        offline = office.state()
        assert offline["outbox_pending"] >= 1 and "A001" in offline["fields"][0]["waiting"], offline

        # The cloud comes back and receives what the office kept.
        _control(data_dir, "cloud", "start")
        headers = sign_in_staff(f"sqlite:///{data_dir / 'cloud' / 'cloud.db'}")

        def waiting_in_the_cloud() -> list[str]:
            response = httpx.get(f"{cloud}/api/v1/offices/sai-gon/queue", headers=headers, timeout=10)
            assert response.status_code == 200, response.text
            return [t["number"] for f in response.json()["fields"] if f["code"] == "ho-tich" for t in f["waiting"]]

        wait_until(lambda: waiting_in_the_cloud() == ["A001"], timeout=120, what="A001 in the cloud's queue")
        wait_until(lambda: office.state()["outbox_pending"] == 0, timeout=60, what="the hub's outbox to drain")

        # Ctrl-C in the demo's terminal.
        before = len(demo.output)
        took = demo.stop_by("ctrl-c", STOP_WITHIN_S)
        output = demo.output
        print(f"Ctrl-C to exit: {took:.1f}s")
        assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
        assert "ingest.receiver_died" not in output, output
        for line in ("hub.stopped", "ingest.receiver_stopped", "cloud.stopped", "name=office-broker-sai-gon",
                     "name=cloud-broker", "==> stopped"):
            assert line in output[before:], f"{line!r} missing after Ctrl-C ({took:.1f}s):\n{output[before:]}"
        assert demo.process.returncode == 0, output
        assert not (data_dir / "control.sock").exists()
    finally:
        if demo.process.poll() is None:  # a failure above: stop it properly, so its brokers stop too
            demo.process.send_signal(signal.SIGTERM)
            demo.process.wait(STOP_WITHIN_S)


def test_office_hours_reach_the_hub_only_when_asked() -> None:
    assert "--open-all-day" in hub_command(Path("edge"), 8001, office_hours=False)
    assert "--open-all-day" not in hub_command(Path("edge"), 8001, office_hours=True)


def test_a_control_command_without_a_running_demo_says_how_to_start_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--data-dir", str(tmp_path), "cloud", "stop"])
    assert result.exit_code == 1
    assert "no demo is running with the data directory" in result.output and "onestop demo" in result.output
