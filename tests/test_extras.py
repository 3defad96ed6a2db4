"""A hub installs ``.[edge]`` and the cloud ``.[cloud]``: each side runs without the other's libraries.

The shared virtualenv has every extra installed, so "not installed" is
played by an import hook in a child process: it makes the other side's
libraries raise ImportError, exactly as on a Raspberry Pi without
SQLModel or a cloud server without gpiozero. Then the real command runs:
``onestop edge`` until its display page answers and its birth certificate
is on the office broker, ``onestop cloud`` until its API answers.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import signal
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from broker.probe import MqttProbe
from broker.process import free_port
from broker.stack import CloudBroker, OfficeBroker
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = ROOT / "firmware_configs" / "sai-gon.yaml"

#: Import names a hub does not install: the cloud extra, what it pulls in that the code imports, test tools.
NOT_ON_A_HUB = frozenset({"sqlmodel", "sqlalchemy", "alembic", "pwdlib", "argon2", "swagger_ui_bundle",
                        "python_multipart", "multipart", "cachetools", "httpx", "psycopg", "weasyprint", "markdown_it"})
#: Import names the cloud does not install: the device libraries of the edge extra.
NOT_IN_THE_CLOUD = frozenset({"gpiozero", "gpiozerocli", "serial", "escpos"})

#: Run first in the child: from here on, the blocked top-level names cannot be imported.
BLOCKER = """\
import importlib.abc, sys
BLOCKED = {blocked!r}
class NotInstalledHere(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (not in this side's extra)", name=name)
        return None
loaded = sorted(n for n in sys.modules if n.split(".")[0] in BLOCKED)
assert not loaded, f"imported before the blocker: {{loaded}}"
sys.meta_path.insert(0, NotInstalledHere())
"""

#: Import every module of these packages (a driver or a route imported only on some path counts too).
IMPORT_ALL = """\
import importlib, pkgutil
for top in {packages!r}:
    package = importlib.import_module(top)
    for info in pkgutil.walk_packages(package.__path__, top + "."):
        if info.name not in {skip!r}:
            importlib.import_module(info.name)
print("imported", len(sys.modules), "modules")
"""


def blocked_python(blocked: frozenset[str], code: str) -> list[str]:
    return [sys.executable, "-c", BLOCKER.format(blocked=sorted(blocked)) + code]


def cli(blocked: frozenset[str], *args: str) -> list[str]:
    """``onestop ARGS`` in a child that cannot import ``blocked``."""
    return blocked_python(blocked, "from onestop_cli.main import app\napp()\n") + list(args)


def child_env(**extra: str) -> dict[str, str]:
    """The child runs this worktree's code, like the test itself."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return dict(os.environ, PYTHONPATH=path, **extra)


@pytest.fixture
def started() -> Iterator[Callable[..., subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []

    def start(command: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   text=True, start_new_session=True)
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def answers(url: str, process: subprocess.Popen[str]) -> bool:
    if process.poll() is not None:
        raise AssertionError(f"exited with {process.returncode}:\n{process.stderr.read() if process.stderr else ''}")
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def stop(process: subprocess.Popen[str]) -> str:
    """SIGTERM, a clean exit, and what the process wrote on stderr.

    uvicorn shuts down cleanly and then re-raises the signal it caught, so
    ``onestop cloud`` ends "killed by SIGTERM" after a complete shutdown.
    """
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode in (0, -signal.SIGTERM), err
    return err


def test_the_blocker_blocks() -> None:
    """Without this, every test below would pass with a hook that blocks nothing."""
    result = subprocess.run(blocked_python(NOT_ON_A_HUB, "import sqlmodel\n"), cwd=ROOT, env=child_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "No module named 'sqlmodel' (not in this side's extra)" in result.stderr


def test_every_edge_module_and_the_cli_import_without_the_cloud() -> None:
    code = IMPORT_ALL.format(packages=["edge", "transport", "protocol", "broker", "onestop_cli"],
                             skip=["onestop_cli.demo"])  # the demo runs both sides: the [demo] extra
    result = subprocess.run(blocked_python(NOT_ON_A_HUB | {"cloud"}, code), cwd=ROOT, env=child_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    checked = subprocess.run(cli(NOT_ON_A_HUB | {"cloud"}, "config", "check", str(DEMO_CONFIG)), cwd=ROOT,
                             env=child_env(), capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0 and "OK" in checked.stdout, checked.stderr


def test_onestop_edge_runs_the_hub_without_the_cloud(
    tmp_path: Path, office_broker: Callable[..., OfficeBroker], mqtt_probe: Callable[..., MqttProbe],
    started: Callable[..., subprocess.Popen[str]],
) -> None:
    office = office_broker("sai-gon", bridged=False)
    display = free_port()
    hub = started(cli(NOT_ON_A_HUB | {"cloud"}, "edge", "--config", str(DEMO_CONFIG), "--simulate",
                      "--data-dir", str(tmp_path / "edge"), "--display-port", str(display)),
                  child_env(ONESTOP_OFFICE_MQTT_PORT=str(office.port), ONESTOP_HUB_MQTT_PASSWORD=office.hub_password))
    wait_until(lambda: answers(f"http://127.0.0.1:{display}/api/state", hub), timeout=60, what="the hub's display page")
    probe = mqtt_probe(*office.cloud_login())  # what the cloud sees of the hub
    probe.subscribe("onestop/v1/sai-gon/hub/state")
    birth = probe.expect("onestop/v1/sai-gon/hub/state", timeout=30)
    assert b'"online":true' in birth.payload.replace(b" ", b"")
    assert "ModuleNotFoundError" not in stop(hub)


def test_every_cloud_module_imports_without_the_edge() -> None:
    code = IMPORT_ALL.format(packages=["cloud", "transport", "protocol", "broker", "onestop_cli"],
                             skip=["cloud.db.migrations.env"])  # runs only inside alembic
    result = subprocess.run(blocked_python(NOT_IN_THE_CLOUD | {"edge"}, code), cwd=ROOT, env=child_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_onestop_cloud_serves_without_the_edge(
    tmp_path: Path, cloud_broker: CloudBroker, started: Callable[..., subprocess.Popen[str]]
) -> None:
    http = free_port()
    service = started(cli(NOT_IN_THE_CLOUD | {"edge"}, "--log-level", "warning", "cloud"), child_env(
        ONESTOP_DATA_DIR=str(tmp_path / "cloud"), ONESTOP_HTTP_PORT=str(http), ONESTOP_MQTT_PORT=str(cloud_broker.port),
        ONESTOP_MQTT_USERNAME=cloud_broker.service_username, ONESTOP_MQTT_PASSWORD=cloud_broker.service_password,
        ONESTOP_FIRMWARE_CONFIGS=str(ROOT / "firmware_configs")))
    wait_until(lambda: answers(f"http://127.0.0.1:{http}/api/v1/catalogue", service), timeout=90,
               what="the cloud's catalogue (migrated and seeded)")
    assert httpx.get(f"http://127.0.0.1:{http}/api/v1/catalogue", timeout=5).json()
    shutdown = stop(service)
    assert "Application shutdown complete" in shutdown and "ModuleNotFoundError" not in shutdown


def _import_names(requirements: list[str]) -> set[str]:
    """Top-level modules of the distributions named in ``requirements`` (skipping ``onestop[...]``)."""
    names = {re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}
    return {module for module, dists in importlib.metadata.packages_distributions().items()
            if any(d.lower().replace("_", "-") in names for d in dists)}


def test_the_extras_in_pyproject_match_what_the_tests_block() -> None:
    """The lists above are the extras of pyproject.toml: a library moved between them moves here too."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    base = _import_names(project["dependencies"])
    edge, cloud = _import_names(extras["edge"]), _import_names(extras["cloud"])
    assert not (base | edge) & NOT_ON_A_HUB, "a library the edge may not import is in the base or the edge extra"
    assert not (base | cloud) & NOT_IN_THE_CLOUD, "a library the cloud may not import is in the base or the cloud extra"
    assert cloud - edge - base <= NOT_ON_A_HUB
    assert edge - cloud - base <= NOT_IN_THE_CLOUD
    assert "onestop[demo]" in extras["dev"] and "onestop[edge,cloud]" in extras["demo"]
