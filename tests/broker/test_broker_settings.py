"""MOSQUITTO, MOSQUITTO_PASSWD and ONESTOP_MOSQUITTO_TEMPLATES: read when used, never at import."""

from __future__ import annotations

import ast
import getpass
import shutil
import stat
from pathlib import Path

import pytest

from broker import configs, passwords, process
from broker.acl import AclBlock, render_acl
from broker.configs import ConfigError
from broker.credentials import CloudBrokerDir
from broker.process import Mosquitto, free_port
from broker.settings import DEFAULT_TEMPLATE_DIR, BrokerSettings

BROKER_PACKAGE = Path(process.__file__).parent


def _wrapper(path: Path, real: str, marker: Path) -> Path:
    """An executable that records its arguments in ``marker`` and then runs the real tool."""
    path.write_text(f'#!/bin/sh\necho "$@" >> {marker}\nexec {real} "$@"\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_no_broker_module_reads_the_environment_by_hand() -> None:
    offenders = []
    for source in sorted(BROKER_PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
                offenders.append(f"{source.name}:{node.lineno}")
    assert offenders == []


def test_the_template_directory_set_after_import_is_the_one_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    custom = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATE_DIR, custom)
    (custom / "acl.j2").write_text("# the province's own ACL header\n" + (custom / "acl.j2").read_text())
    blocks = {"a": AclBlock("a", [("readwrite", "onestop/v1/a/#")])}
    assert "province's own" not in render_acl(blocks)

    monkeypatch.setenv("ONESTOP_MOSQUITTO_TEMPLATES", str(custom))  # broker.configs is long imported
    assert render_acl(blocks).startswith("# the province's own ACL header\n")
    assert "user a\ntopic readwrite onestop/v1/a/#" in render_acl(blocks)

    monkeypatch.setenv("ONESTOP_MOSQUITTO_TEMPLATES", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match=r"'acl.j2' not found in .*missing; set ONESTOP_MOSQUITTO_TEMPLATES"):
        render_acl(blocks)
    # an argument wins over the environment
    assert "province's own" in configs.render_template("acl.j2", custom, blocks=[])


def test_mosquitto_passwd_override_is_the_tool_that_hashes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = passwords.passwd_tool(BrokerSettings(mosquitto_passwd=None))
    marker = tmp_path / "calls"
    tool = _wrapper(tmp_path / "my_passwd", real, marker)
    monkeypatch.setenv("MOSQUITTO_PASSWD", str(tool))
    assert passwords.passwd_tool() == str(tool)

    cloud = CloudBrokerDir(tmp_path / "cloud")
    cloud.add_service_user("cloud")
    assert cloud.users() == ["cloud"]
    assert marker.read_text().split()[:3] == ["-b", str(cloud.passwd_path), "cloud"]

    monkeypatch.setenv("MOSQUITTO_PASSWD", str(tmp_path / "not-there"))  # a wrong override falls back
    assert passwords.passwd_tool() == real


def test_mosquitto_override_is_the_broker_that_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = process.mosquitto_binary(BrokerSettings(mosquitto=None))
    marker = tmp_path / "started"
    monkeypatch.setenv("MOSQUITTO", str(_wrapper(tmp_path / "my-mosquitto", real, marker)))
    cloud = CloudBrokerDir(tmp_path / "cloud")
    port = free_port()
    broker = Mosquitto(cloud.write_conf(port, run_as=getpass.getuser()), port, cloud.log_path)
    with broker:
        assert marker.read_text().split() == ["-c", str(cloud.conf_path)]
        assert cloud.running_pid() == broker.pid  # the wrapper exec'd mosquitto: same pid, config on its command line
