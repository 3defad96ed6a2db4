"""`onestop broker ...` commands, checked by running mosquitto on what they write."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from broker.credentials import CloudBrokerDir, OfficeBrokerDir
from broker.probe import MqttProbe
from broker.process import Mosquitto, free_port, port_accepts
from broker.stack import CloudBroker, OfficeBroker, wait_bridge_ready, wait_for_login
from onestop_cli.broker import app

runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def fail(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 1, result.output
    return result.output


@pytest.fixture
def cloud_dir(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    directory, port = tmp_path / "cloud", free_port()
    invoke("init-cloud", "--dir", str(directory), "--port", str(port))
    yield directory, port


def test_init_cloud_writes_files_mosquitto_accepts(cloud_dir: tuple[Path, int]) -> None:
    directory, port = cloud_dir
    secret = directory / "secrets" / "cloud.password"
    for path in (directory / "mosquitto.conf", directory / "passwd", directory / "acl", secret):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    password = secret.read_text().strip()
    with Mosquitto(directory / "mosquitto.conf", port, directory / "mosquitto.log"):
        with MqttProbe("127.0.0.1", port, "cloud", password) as probe:
            assert probe.subscribe("onestop/v1/#").value == 1
        anonymous = MqttProbe("127.0.0.1", port)
        assert anonymous.connect().is_failure
        anonymous.close()


def test_init_cloud_again_keeps_the_service_password(cloud_dir: tuple[Path, int]) -> None:
    directory, _port = cloud_dir
    secret = directory / "secrets" / "cloud.password"
    before = secret.read_text()
    new_port = free_port()
    output = invoke("init-cloud", "--dir", str(directory), "--port", str(new_port))
    assert "kept" in output
    assert secret.read_text() == before
    assert f"listener {new_port} 127.0.0.1" in (directory / "mosquitto.conf").read_text()


def test_add_office_reloads_the_running_broker_and_the_hub_bridges_with_its_files(
    cloud_dir: tuple[Path, int], tmp_path: Path
) -> None:
    directory, port = cloud_dir
    service_password = (directory / "secrets" / "cloud.password").read_text().strip()
    with Mosquitto(directory / "mosquitto.conf", port, directory / "mosquitto.log") as cloud_process:
        output = invoke("add-office", "xa-an-phu", "--dir", str(directory))
        assert "Reloaded the running broker" in output
        assert "topic write onestop/v1/xa-an-phu/+/evt/#" in output  # the ACL entry is shown
        assert "topic read onestop/v1/xa-an-phu/+/cursor" in output
        office_password = (directory / "offices" / "xa-an-phu" / "password").read_text().strip()
        assert office_password not in output  # not printed unless asked
        wait_for_login("127.0.0.1", port, "xa-an-phu", office_password)

        bridge = directory / "offices" / "xa-an-phu" / "bridge.conf"
        assert f"address 127.0.0.1:{port}" in bridge.read_text()
        hub_dir, hub_port = tmp_path / "hub", free_port()
        invoke("init-office", "xa-an-phu", "--dir", str(hub_dir), "--bridge", str(bridge), "--port", str(hub_port))
        hub_password = (hub_dir / "secrets" / "hub.password").read_text().strip()
        with Mosquitto(hub_dir / "mosquitto.conf", hub_port, hub_dir / "mosquitto.log") as hub_process:
            cloud = CloudBroker("127.0.0.1", port, CloudBrokerDir(directory), cloud_process, "cloud", service_password)
            office = OfficeBroker("xa-an-phu", "127.0.0.1", hub_port, OfficeBrokerDir(hub_dir, "xa-an-phu"),
                                  hub_process, "hub", hub_password, bridged=True)
            wait_bridge_ready(cloud, office, timeout=15)
            with cloud.service_probe() as consumer, office.hub_probe() as node:
                consumer.subscribe("onestop/v1/+/+/evt/#")
                node.publish("onestop/v1/xa-an-phu/hub/evt/ticket.issued", b"A001")
                assert consumer.expect("onestop/v1/xa-an-phu/hub/evt/ticket.issued").payload == b"A001"


def test_remove_office(cloud_dir: tuple[Path, int]) -> None:
    directory, _port = cloud_dir
    invoke("add-office", "a", "--dir", str(directory))
    assert "removed" in invoke("remove-office", "a", "--dir", str(directory))
    assert "not on the broker" in fail("remove-office", "a", "--dir", str(directory))


def test_errors_say_what_to_do(cloud_dir: tuple[Path, int], tmp_path: Path) -> None:
    directory, _port = cloud_dir
    assert "invalid" in fail("add-office", "Xa An Phu", "--dir", str(directory))
    assert "init-cloud" in fail("add-office", "a", "--dir", str(tmp_path / "empty"))
    assert "init-cloud" in fail("run", "--dir", str(tmp_path / "empty"))
    invoke("add-office", "a", "--dir", str(directory))
    wrong = directory / "offices" / "a" / "bridge.conf"
    assert "not the bridge of office 'b'" in fail("init-office", "b", "--dir", str(tmp_path / "hub"), "--bridge", str(wrong))


def test_run_replaces_itself_with_mosquitto_and_stops_on_sigterm(cloud_dir: tuple[Path, int]) -> None:
    directory, port = cloud_dir
    proc = subprocess.Popen(
        [sys.executable, "-c", "from onestop_cli.broker import app; app()", "run", "--dir", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 15
        while not port_accepts("127.0.0.1", port):
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "onestop broker run did not listen within 15 s"
            time.sleep(0.02)  # polling interval
        # exec: the pid we started is mosquitto itself, so systemd's signals reach it.
        assert Path(f"/proc/{proc.pid}/exe").resolve().name == "mosquitto"
        assert CloudBrokerDir(directory).running_pid() == proc.pid
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
