"""``onestop demo``: the whole system on one machine, with a simulated office.

Starts, in order: the cloud broker, the demo office's hub broker bridged to
it, the cloud service and the hub agent with simulated devices — each a real
process, as in production — then prints where to look. Ctrl-C stops them all,
last started first.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import typer

from broker.process import BrokerError
from broker.stack import CloudBroker, OfficeBroker, start_cloud_broker, start_office_broker
from cloud.auth.demo import DEMO_PASSWORD
from transport.private_files import private_dir
from transport.waiting import WaitTimeout, wait_until

REPO = Path(__file__).resolve().parents[1]
DEMO_CONFIG = REPO / "firmware_configs" / "sai-gon.yaml"


def run_demo(data_dir: Path, http_port: int, mqtt_port: int, office_mqtt_port: int, display_port: int) -> None:
    """Run until Ctrl-C; the ports come from the settings classes (``onestop demo`` reads them)."""
    for what, port in (("cloud HTTP", http_port), ("cloud MQTT", mqtt_port),
                       ("office MQTT", office_mqtt_port), ("hub display", display_port)):
        if not port_is_free("127.0.0.1", port):
            _fail(f"port {port} ({what}) is already in use. Stop what uses it, or choose other ports, e.g.\n"
                  f"  ONESTOP_HTTP_PORT=9000 ONESTOP_MQTT_PORT=9883 make demo")
    data_dir = private_dir(data_dir.resolve())  # both databases, the brokers' passwords: owner-only
    children: list[subprocess.Popen[bytes]] = []
    brokers: list[CloudBroker | OfficeBroker] = []
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        typer.echo(f"==> cloud broker (mosquitto) on port {mqtt_port}")
        cloud_broker = start_cloud_broker(data_dir / "cloud-broker", mqtt_port)
        brokers.append(cloud_broker)
        typer.echo(f"==> office broker of 'sai-gon' on port {office_mqtt_port}, bridged to the cloud")
        office_broker = start_office_broker(data_dir / "office-broker", "sai-gon", cloud=cloud_broker,
                                            port=office_mqtt_port, restart_timeout=(1, 10))
        brokers.append(office_broker)

        env = dict(os.environ,
                   ONESTOP_DATA_DIR=str(data_dir / "cloud"),
                   ONESTOP_HTTP_PORT=str(http_port),
                   ONESTOP_MQTT_HOST="127.0.0.1",
                   ONESTOP_MQTT_PORT=str(mqtt_port),
                   ONESTOP_MQTT_USERNAME=cloud_broker.service_username,
                   ONESTOP_MQTT_PASSWORD=cloud_broker.service_password,
                   ONESTOP_FIRMWARE_CONFIGS=str(REPO / "firmware_configs"))
        typer.echo(f"==> cloud service on http://127.0.0.1:{http_port}")
        children.append(subprocess.Popen([sys.executable, "-m", "onestop_cli.main", "cloud"], env=env))
        wait_http(f"http://127.0.0.1:{http_port}/api/v1/health", children[-1], "cloud service")
        demo_accounts = _demo_accounts(data_dir / "cloud")

        typer.echo(f"==> hub agent of 'sai-gon' with simulated devices, display on port {display_port}")
        children.append(subprocess.Popen(
            [sys.executable, "-m", "onestop_cli.main", "edge", "--config", str(DEMO_CONFIG), "--simulate",
             "--open-all-day", "--data-dir", str(data_dir / "edge"), "--display-port", str(display_port)],
            env=dict(os.environ, ONESTOP_EDGE_MQTT_PORT=str(office_mqtt_port),
                     ONESTOP_EDGE_MQTT_PASSWORD=office_broker.hub_password)))
        wait_http(f"http://127.0.0.1:{display_port}/api/state", children[-1], "hub agent")

        typer.echo(f"""
Một cửa demo is running.
  Staff console         http://127.0.0.1:{http_port}/console
  Virtual office        http://127.0.0.1:{display_port}/office
  Hall display          http://127.0.0.1:{display_port}/
  Cloud API (OpenAPI)   http://127.0.0.1:{http_port}/docs
Sign in to the console as one of these demo accounts, password "{DEMO_PASSWORD}":
{demo_accounts}
The demo office takes tickets all day here (--open-all-day); on a Pi the hours in
firmware_configs/sai-gon.yaml apply. State is kept in {data_dir}.
Press Ctrl-C to stop.""")
        while not stop.is_set():
            for child in children:
                if child.poll() is not None:
                    typer.echo(f"!! a demo process exited with code {child.returncode}; stopping the demo", err=True)
                    stop.set()
            stop.wait(0.5)
    except (BrokerError, RuntimeError) as exc:
        typer.echo(f"ERROR: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        typer.echo("==> stopping")
        for child in reversed(children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in reversed(children):
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        for broker in reversed(brokers):
            broker.stop()
        typer.echo("==> stopped")


def _demo_accounts(cloud_dir: Path) -> str:
    """Create the demo's accounts in the cloud's (already migrated) database; the banner's lines about them."""
    from cloud.auth.demo import ensure_demo_users
    from cloud.auth.users import UserStore
    from cloud.db.engine import make_engine
    from cloud.settings import Settings

    engine = make_engine(Settings(data_dir=cloud_dir).db_url)
    try:
        accounts = ensure_demo_users(UserStore(engine))
    finally:
        engine.dispose()
    return "\n".join(f"  {username:<12} {role:<20} {name}" for username, name, role in accounts)


def wait_http(url: str, process: subprocess.Popen[bytes], what: str, timeout: float = 30) -> None:
    def answers() -> bool:  # polling a child's port; there is nothing to wait on
        if process.poll() is not None:
            raise RuntimeError(f"the {what} exited with code {process.returncode} while starting (see its output above)")
        try:
            return httpx.get(url, timeout=1).status_code < 500
        except httpx.HTTPError:
            return False

    try:
        wait_until(answers, timeout, interval=0.2, what=f"the {what} on {url}")
    except WaitTimeout:
        raise RuntimeError(f"the {what} did not answer on {url} within {timeout:.0f}s") from None


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _fail(message: str) -> None:
    typer.echo(f"ERROR: {message}", err=True)
    raise typer.Exit(1)
