"""Starting the real parts for a benchmark: brokers, the cloud and hubs as processes.

Benchmarks run each part as its own process, as in production, so that the
figures include the real broker hops and no component shares the measuring
process's interpreter lock.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from broker.process import free_port
from onestop_cli.demo import wait_http

ROOT = Path(__file__).resolve().parents[1]
#: How long a part may take to start: the cloud imports WeasyPrint and migrates its database, and a
#: benchmark is often run on a busy machine; a slow start is not what the benchmark measures.
START_TIMEOUT_S = 120.0


def start_cloud(data_dir: Path, mqtt_port: int, username: str, password: str, firmware_configs: Path,
                **env: str) -> tuple[subprocess.Popen[bytes], str]:
    http_port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "onestop_cli.main", "--log-level", "warning", "cloud"],
        env=dict(os.environ, ONESTOP_DATA_DIR=str(data_dir), ONESTOP_HTTP_PORT=str(http_port),
                 ONESTOP_MQTT_PORT=str(mqtt_port), ONESTOP_MQTT_USERNAME=username, ONESTOP_MQTT_PASSWORD=password,
                 ONESTOP_FIRMWARE_CONFIGS=str(firmware_configs), **env),
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{http_port}"
    wait_http(f"{url}/api/v1/health", process, "cloud service", START_TIMEOUT_S)
    return process, url


def staff_headers(data_dir: Path, roles: tuple[str, ...] = ("reception",), username: str = "bench",
                  unit: str = "bench", db_url: str | None = None) -> dict[str, str]:
    """Headers of an account in the (started, so migrated) cloud: the API refuses anonymous staff calls.

    The database is the cloud's SQLite file under ``data_dir`` unless ``db_url`` names another.
    """
    from datetime import timedelta

    from cloud.auth.users import UserStore
    from cloud.db.engine import make_engine

    engine = make_engine(db_url or f"sqlite:///{data_dir / 'cloud.db'}")
    try:
        users = UserStore(engine)
        if users.get(username) is None:
            users.add(username, full_name="Benchmark", unit=unit, roles=roles)
        token = users.issue_token(username, kind="api", name="bench", ttl=timedelta(hours=2)).secret
    finally:
        engine.dispose()
    return {"Authorization": f"Bearer {token}"}


def start_hub(data_dir: Path, config: Path, office_port: int, hub_password: str) -> tuple[subprocess.Popen[bytes], str]:
    display_port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "onestop_cli.main", "--log-level", "warning", "edge", "--config", str(config),
         "--simulate", "--open-all-day", "--data-dir", str(data_dir), "--display-port", str(display_port)],
        env=dict(os.environ, ONESTOP_EDGE_MQTT_PORT=str(office_port), ONESTOP_EDGE_MQTT_PASSWORD=hub_password),
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{display_port}"
    wait_http(f"{url}/api/state", process, "hub agent", START_TIMEOUT_S)
    return process, url


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
