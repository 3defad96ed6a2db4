"""Rendering of mosquitto configs: what crosses the bridge, and refusing bad values."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from broker import configs
from broker.configs import ConfigError, render_bridge, render_cloud_conf, render_office_conf


def _options(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_bridge_carries_exactly_the_contract_channels_with_their_qos() -> None:
    text = render_bridge("xa-an-phu", "mqtt.example.vn", 8883, "xa-an-phu", "secret", 1)
    topics = [line for line in _options(text) if line.startswith("topic ")]
    assert topics == [
        "topic onestop/v1/xa-an-phu/+/evt/# out 1",
        "topic onestop/v1/xa-an-phu/+/ack out 1",
        "topic onestop/v1/xa-an-phu/+/state out 1",
        "topic onestop/v1/xa-an-phu/+/telemetry out 0",
        "topic onestop/v1/xa-an-phu/+/cmd/# in 0",
        "topic onestop/v1/xa-an-phu/+/config in 1",
        "topic onestop/v1/xa-an-phu/+/cursor in 0",
    ]
    opts = _options(text)
    assert "address mqtt.example.vn:8883" in opts
    assert "remote_username xa-an-phu" in opts
    assert "remote_password secret" in opts
    assert "remote_clientid bridge-xa-an-phu" in opts
    assert "cleansession false" in opts
    assert "notifications true" in opts
    assert "notification_topic onestop/v1/xa-an-phu/bridge/link" in opts
    assert not any(line.startswith("bridge_cafile") for line in opts)  # plain TCP unless a CA is given


def test_constant_restart_timeout_is_written_as_base_and_cap() -> None:
    # mosquitto < 2.0.15 ignores a single value and backs off from 5 s.
    assert "restart_timeout 1 1" in _options(render_bridge("a", "h", 1883, "a", "p", 1))
    assert "restart_timeout 5 30" in _options(render_bridge("a", "h", 1883, "a", "p", (5, 30)))
    assert "restart_timeout 2 2" in _options(render_bridge("a", "h", 1883, "a", "p", "2"))
    with pytest.raises(ConfigError, match="restart_timeout"):
        render_bridge("a", "h", 1883, "a", "p", (30, 5))


def test_bridge_tls_lines_when_a_ca_is_given(tmp_path: Path) -> None:
    text = render_bridge("a", "h", 8883, "a", "p", 1, cafile=tmp_path / "ca.pem",
                         certfile=tmp_path / "c.pem", keyfile=tmp_path / "k.pem")
    opts = _options(text)
    assert f"bridge_cafile {tmp_path / 'ca.pem'}" in opts
    assert f"bridge_certfile {tmp_path / 'c.pem'}" in opts
    assert "bridge_insecure false" in opts
    with pytest.raises(ConfigError, match="cafile"):
        render_bridge("a", "h", 8883, "a", "p", 1, certfile=tmp_path / "c.pem", keyfile=tmp_path / "k.pem")


@pytest.mark.parametrize("office", ["A", "a/b", "a+", "a#", "", "-a", "a b", "x" * 64])
def test_office_ids_that_would_break_topics_are_refused(office: str) -> None:
    with pytest.raises(ConfigError, match="office id"):
        render_bridge(office, "h", 1883, "u", "p")


def test_cloud_conf_limits_auth_and_optional_tls(tmp_path: Path) -> None:
    text = render_cloud_conf(1884, tmp_path / "data", tmp_path / "passwd", tmp_path / "acl", "0.0.0.0",
                             certfile=tmp_path / "cert.pem", keyfile=tmp_path / "key.pem")
    opts = _options(text)
    assert "allow_anonymous false" in opts
    assert f"password_file {tmp_path / 'passwd'}" in opts
    assert f"acl_file {tmp_path / 'acl'}" in opts
    assert f"persistence_location {tmp_path / 'data'}/" in opts
    assert "listener 1884 0.0.0.0" in opts
    assert f"certfile {tmp_path / 'cert.pem'}" in opts
    queued = int(re.search(r"^max_queued_messages (\d+)$", text, re.MULTILINE).group(1))  # type: ignore[union-attr]  # the rendered config always has the line; None would fail the test anyway
    assert queued >= 100_000
    # TLS lines belong to the listener: they must come after it.
    assert opts.index("listener 1884 0.0.0.0") < opts.index(f"certfile {tmp_path / 'cert.pem'}")
    with pytest.raises(ConfigError, match="both"):
        render_cloud_conf(1884, tmp_path, tmp_path / "p", tmp_path / "a", certfile=tmp_path / "cert.pem")


def test_office_conf_puts_the_bridge_last(tmp_path: Path) -> None:
    bridge = render_bridge("a", "h", 1883, "a", "p", 1)
    text = render_office_conf("a", 1883, tmp_path / "d", tmp_path / "p", tmp_path / "acl", bridge=bridge)
    opts = _options(text)
    # Everything after `connection` belongs to the bridge section.
    assert opts.index("connection onestop-a") > opts.index("listener 1883 127.0.0.1")
    assert opts[-1] == "topic onestop/v1/a/+/cursor in 0"


def test_values_with_spaces_are_refused_before_mosquitto_sees_them(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="password file"):
        render_cloud_conf(1883, tmp_path, tmp_path / "my passwd", tmp_path / "acl")
    with pytest.raises(ConfigError, match="bridge password"):
        render_bridge("a", "h", 1883, "a", "pass word")
    with pytest.raises(ConfigError, match="port"):
        render_cloud_conf(70000, tmp_path, tmp_path / "p", tmp_path / "a")


def test_link_topic_is_inside_the_office_tree() -> None:
    # The office's ACL (onestop/v1/{office}/#) must allow the bridge's Last Will.
    assert configs.link_topic("a").startswith("onestop/v1/a/")
    assert configs.ping_topic("a").startswith("onestop/v1/a/")


def test_both_brokers_bound_each_client_queue_in_bytes_and_each_message_in_size(tmp_path: Path) -> None:
    cloud = _options(render_cloud_conf(1883, tmp_path / "d", tmp_path / "p", tmp_path / "acl"))
    office = _options(render_office_conf("a", 1883, tmp_path / "d", tmp_path / "p", tmp_path / "acl"))
    for opts in (cloud, office):
        values = {line.split()[0]: int(line.split()[1]) for line in opts
                  if line.split()[0] in ("max_queued_bytes", "message_size_limit", "max_packet_size")}
        assert 0 < values["max_queued_bytes"] <= 256 * 1024 * 1024  # 0 meant unbounded
        assert values["message_size_limit"] == 256 * 1024
        assert values["message_size_limit"] < values["max_packet_size"] <= 1024 * 1024
    with pytest.raises(ConfigError, match="max_queued_bytes"):
        render_cloud_conf(1883, tmp_path, tmp_path / "p", tmp_path / "a", max_queued_bytes=0)
    with pytest.raises(ConfigError, match="message_size_limit"):
        render_office_conf("a", 1883, tmp_path, tmp_path / "p", tmp_path / "a", message_size_limit=2 * 1024 * 1024)
