"""Users and ACL of the cloud broker directory, checked against a running broker."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from broker.credentials import CloudBrokerDir, CredentialError, OfficeBrokerDir, parse_acl
from broker.probe import MqttProbe
from broker.stack import CloudBroker, wait_for_login


def _login(broker: CloudBroker, username: str, password: str) -> bool:
    probe = MqttProbe(broker.host, broker.port, username, password)
    try:
        return not probe.connect().is_failure
    finally:
        probe.close()


def test_re_adding_an_office_rotates_its_password_and_keeps_one_acl_block(cloud_broker: CloudBroker) -> None:
    first = cloud_broker.add_office("xa-an-phu")
    second = cloud_broker.add_office("xa-an-phu")

    assert first.password != second.password
    acl = cloud_broker.dir.acl_path.read_text()
    assert acl.count("user xa-an-phu\n") == 1
    assert acl.count("topic write onestop/v1/xa-an-phu/+/evt/#") == 1
    assert acl.count("topic read onestop/v1/xa-an-phu/+/cursor") == 1
    assert cloud_broker.dir.users().count("xa-an-phu") == 1
    assert second.acl_entry in acl
    assert f"remote_password {second.password}" in second.bridge_conf
    # add_office reloaded the broker and waited for the new password to work;
    # the old one must now be refused.
    assert _login(cloud_broker, "xa-an-phu", second.password)
    assert not _login(cloud_broker, "xa-an-phu", first.password)
    assert cloud_broker.dir.offices() == ["xa-an-phu"]
    assert cloud_broker.dir.service_users() == ["cloud"]


def test_removing_an_office_locks_it_out(cloud_broker: CloudBroker) -> None:
    creds = cloud_broker.add_office("a")
    other = cloud_broker.add_office("b")
    assert cloud_broker.dir.remove_office("a") is True
    assert cloud_broker.dir.remove_office("a") is False  # idempotent
    cloud_broker.process.reload()
    wait_for_login(cloud_broker.host, cloud_broker.port, other.username, other.password)
    # After the reload has been applied (b still logs in), a is refused.
    assert not _login(cloud_broker, "a", creds.password)
    assert "user a\n" not in cloud_broker.dir.acl_path.read_text()
    assert "a" not in cloud_broker.dir.users()
    assert cloud_broker.dir.offices() == ["b"]


def test_secrets_files_are_private(tmp_path: Path) -> None:
    cloud = CloudBrokerDir(tmp_path / "c")
    cloud.add_office("a")
    for path in (cloud.passwd_path, cloud.acl_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.mark.parametrize("office", ["A", "a/b", "a+", "#", "", "a b", "-x"])
def test_invalid_office_ids_are_refused_with_a_reason(tmp_path: Path, office: str) -> None:
    cloud = CloudBrokerDir(tmp_path / "c")
    with pytest.raises(CredentialError, match="office id .* invalid"):
        cloud.add_office(office)
    assert cloud.users() == []


def test_service_users_and_offices_do_not_share_names(tmp_path: Path) -> None:
    cloud = CloudBrokerDir(tmp_path / "c")
    cloud.add_service_user("cloud")
    cloud.add_office("ingest")
    with pytest.raises(CredentialError, match="service user"):
        cloud.add_office("cloud")
    with pytest.raises(CredentialError, match="office"):
        cloud.add_service_user("ingest")
    with pytest.raises(CredentialError, match="not an office"):
        cloud.remove_office("cloud")
    assert cloud.service_users() == ["cloud"]
    assert cloud.offices() == ["ingest"]


def test_a_hand_edited_acl_with_unknown_lines_stops_changes(tmp_path: Path) -> None:
    cloud = CloudBrokerDir(tmp_path / "c")
    cloud.add_office("a")
    cloud.acl_path.write_text(cloud.acl_path.read_text() + "pattern readwrite onestop/v1/%u/#\n")
    before = cloud.passwd_path.read_text()
    with pytest.raises(CredentialError, match="line .* not one this tool writes"):
        cloud.add_office("b")
    assert cloud.passwd_path.read_text() == before  # nothing half-done


def test_acl_round_trip_keeps_hand_added_rules(tmp_path: Path) -> None:
    cloud = CloudBrokerDir(tmp_path / "c")
    cloud.add_office("a")
    cloud.acl_path.write_text(cloud.acl_path.read_text() + "\nuser grafana\ntopic read onestop/v1/+/+/telemetry\n")
    cloud.add_office("b")
    blocks = parse_acl(cloud.acl_path.read_text())
    assert blocks["grafana"].rules == [("read", "onestop/v1/+/+/telemetry")]
    assert set(blocks) == {"a", "b", "grafana"}


def _node_rules(office: str, node: str) -> list[tuple[str, str]]:
    """Written out here, independently of broker.acl: each channel in its direction, one node only."""
    base = f"onestop/v1/{office}/{node}"
    return [("write", f"{base}/evt/#"), ("write", f"{base}/ack"), ("write", f"{base}/state"),
            ("write", f"{base}/telemetry"), ("read", f"{base}/cmd/#"), ("read", f"{base}/config"),
            ("read", f"{base}/cursor"), ("read", f"onestop/v1/{office}/bridge/#")]


def test_office_hub_local_users_are_confined_to_the_office(tmp_path: Path) -> None:
    hub = OfficeBrokerDir(tmp_path / "hub", "xa-an-phu")
    hub.add_local_user("hub")
    hub.add_local_user("counter-2")
    blocks = parse_acl(hub.acl_path.read_text())
    assert {name: b.rules for name, b in blocks.items()} == {
        "hub": _node_rules("xa-an-phu", "hub"),
        "counter-2": _node_rules("xa-an-phu", "counter-2"),
    }
    with pytest.raises(CredentialError, match="office id"):
        OfficeBrokerDir(tmp_path / "x", "Bad Office")


def _office_rules(office: str) -> list[tuple[str, str]]:
    base = f"onestop/v1/{office}/+"
    return [("write", f"{base}/evt/#"), ("write", f"{base}/ack"), ("write", f"{base}/state"),
            ("write", f"{base}/telemetry"), ("write", f"onestop/v1/{office}/bridge/link"),
            ("read", f"{base}/cmd/#"), ("read", f"{base}/config"), ("read", f"{base}/cursor")]


def test_office_logins_on_the_cloud_follow_the_direction_of_each_channel(tmp_path: Path) -> None:
    cloud = CloudBrokerDir(tmp_path / "c")
    cloud.add_office("xa-an-phu")
    assert cloud.acl()["xa-an-phu"].rules == _office_rules("xa-an-phu")


def test_acls_of_an_older_release_get_the_per_channel_rules(tmp_path: Path) -> None:
    """A broker directory from before issue 9 let every login write every topic of its office."""
    cloud = CloudBrokerDir(tmp_path / "c")
    cloud.ensure()
    cloud.acl_path.write_text("user cloud\ntopic readwrite onestop/v1/#\nuser a\ntopic readwrite onestop/v1/a/#\n"
                              "user grafana\ntopic read onestop/v1/+/+/telemetry\n")
    assert cloud.offices() == ["a"]  # still recognised before the upgrade
    cloud.write_conf(1883)  # what re-running init-cloud does
    blocks = cloud.acl()
    assert blocks["a"].rules == _office_rules("a")
    assert blocks["cloud"].rules == [("readwrite", "onestop/v1/#")]
    assert blocks["grafana"].rules == [("read", "onestop/v1/+/+/telemetry")]  # hand-added rules are kept
    assert cloud.offices() == ["a"]

    hub = OfficeBrokerDir(tmp_path / "hub", "a")
    hub.ensure()
    hub.acl_path.write_text("user hub\ntopic readwrite onestop/v1/a/#\nuser counter-2\ntopic readwrite onestop/v1/a/#\n")
    hub.write_conf(1884)  # what re-running init-office does
    assert {n: b.rules for n, b in hub.acl().items()} == {"hub": _node_rules("a", "hub"),
                                                         "counter-2": _node_rules("a", "counter-2")}
