"""The Mosquitto process wrapper: readiness, stop/kill/restart on the same port, errors."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import pytest

from broker.credentials import CloudBrokerDir
from broker.probe import MqttProbe
from broker.process import BrokerError, Mosquitto, free_port, port_accepts


def _cloud_dir(tmp_path: Path) -> tuple[CloudBrokerDir, str, int]:
    cloud = CloudBrokerDir(tmp_path / "cloud")
    password = cloud.add_service_user("cloud")
    port = free_port()
    cloud.write_conf(port, run_as=getpass.getuser())
    return cloud, password, port


def _reaped(pid: int) -> bool:
    """True when no process (not even a zombie) has this pid any more."""
    return not os.path.exists(f"/proc/{pid}")


def test_start_waits_until_the_listener_accepts_then_stop_reaps(tmp_path: Path) -> None:
    cloud, password, port = _cloud_dir(tmp_path)
    broker = Mosquitto(cloud.conf_path, port, cloud.log_path)
    with broker:
        assert broker.is_running()
        with MqttProbe("127.0.0.1", port, "cloud", password) as probe:  # no retry needed: it is ready
            probe.subscribe("onestop/v1/a/hub/telemetry")
            probe.publish("onestop/v1/a/hub/telemetry", b"{}", qos=1)
            assert probe.expect("onestop/v1/a/hub/telemetry").payload == b"{}"
        pid = broker.pid
    assert pid is not None and _reaped(pid)
    assert not port_accepts("127.0.0.1", port)


def test_kill_then_start_again_on_the_same_port(tmp_path: Path) -> None:
    cloud, password, port = _cloud_dir(tmp_path)
    broker = Mosquitto(cloud.conf_path, port, cloud.log_path).start()
    try:
        probe = MqttProbe("127.0.0.1", port, "cloud", password).connected()
        first_pid = broker.pid
        broker.kill()
        assert first_pid is not None and _reaped(first_pid)
        assert probe.wait_disconnected(5)
        probe.close()
        broker.start()  # clients hold connections in TIME_WAIT: SO_REUSEADDR must let it bind
        assert broker.pid != first_pid
        with MqttProbe("127.0.0.1", port, "cloud", password) as again:
            assert again.subscribe("onestop/v1/#").value == 1
        broker.restart()
        assert broker.is_running()
    finally:
        broker.stop()


def test_a_broken_config_fails_fast_with_mosquittos_own_words(tmp_path: Path) -> None:
    conf = tmp_path / "bad.conf"
    port = free_port()
    conf.write_text(f"listener {port} 127.0.0.1\npassword_file {tmp_path}/missing-passwd\nallow_anonymous false\n")
    broker = Mosquitto(conf, port, tmp_path / "bad.log")
    with pytest.raises(BrokerError) as err:
        broker.start(timeout=10)
    message = str(err.value)
    assert "exited with code" in message
    assert "missing-passwd" in message  # the tail of mosquitto's output names the culprit
    assert not broker.is_running()


def test_a_port_taken_by_another_program_is_reported(tmp_path: Path) -> None:
    cloud, _password, _port = _cloud_dir(tmp_path)
    with Mosquitto(cloud.conf_path, _port, cloud.log_path) as first:
        second = Mosquitto(cloud.conf_path, first.port, tmp_path / "second.log")
        with pytest.raises(BrokerError, match="already in use"):
            second.start()


def test_a_missing_config_is_reported(tmp_path: Path) -> None:
    with pytest.raises(BrokerError, match="does not exist"):
        Mosquitto(tmp_path / "nope.conf", free_port()).start()
