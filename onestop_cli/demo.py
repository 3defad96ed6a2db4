"""``onestop demo``: the whole system on one machine, with a simulated office.

Starts, in order: the cloud broker, the demo office's hub broker bridged to
it, the cloud service and the hub agent with simulated devices — each a real
process, as in production — then prints where to look, and supervises them
until Ctrl-C, which stops them all (each says so in its last log line).

The two sides are kept apart as they are in production. When a cloud-side
process ends (``onestop demo cloud stop`` from a second terminal, or a
crash, or ``kill -9``) the office keeps running: tickets, counters and
displays work, and the hub keeps its events in its outbox until the cloud
confirms them — which is what the product promises an office whose link
is down. The supervisor says what ended and restarts nothing by itself;
``onestop demo cloud start`` brings the cloud back. When an office-side
process ends, there is no office left to show, and the demo stops.
"""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import typer

from broker.process import BrokerError, Mosquitto
from broker.stack import start_cloud_broker, start_office_broker
from cloud.auth.demo import DEMO_PASSWORD
from onestop_cli.demo_control import ControlError, ControlSocket
from onestop_cli.signals import StopSignals
from transport.private_files import private_dir
from transport.waiting import WaitTimeout, wait_until

REPO = Path(__file__).resolve().parents[1]
OFFICE = "sai-gon"
DEMO_CONFIG = REPO / "firmware_configs" / f"{OFFICE}.yaml"
#: How often the supervisor looks whether a part has ended (nothing announces a mosquitto's exit).
WATCH_INTERVAL_S = 0.5
#: How long a part may take to stop before it is killed.
STOP_TIMEOUT_S = 15.0
#: How long a starting service may take to answer HTTP (its first start migrates a database; the machine may be busy).
START_TIMEOUT_S = 90.0
OFFLINE_NOTE = ("The office keeps running: tickets, counters and displays work, and its events wait in the "
                "hub's outbox until the cloud is back.")


class Interrupted(Exception):
    """Ctrl-C (or SIGTERM) came while the demo was starting a part: stop instead of waiting on."""


@dataclass(frozen=True)
class DemoPorts:
    http: int
    mqtt: int
    office_mqtt: int
    display: int

    def named(self) -> tuple[tuple[str, int], ...]:
        return (("cloud HTTP", self.http), ("cloud MQTT", self.mqtt), ("office MQTT", self.office_mqtt),
                ("hub display", self.display))


class Child:
    """One ``onestop`` child process of the demo (the cloud service, the hub agent)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], ready_url: str) -> None:
        self.name, self.argv, self.env, self.ready_url = name, argv, env, ready_url
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, interrupted: Callable[[], bool]) -> None:
        self.process = subprocess.Popen(self.argv, env=self.env)
        wait_http(self.ready_url, self.process, self.name, START_TIMEOUT_S, interrupted=interrupted)

    def ended(self) -> int | None:
        """The exit code if the process ended by itself (then it is forgotten); None while it runs."""
        if self.process is None or self.process.poll() is None:
            return None
        code, self.process = self.process.returncode, None
        return code

    def signal_stop(self) -> None:
        if self.is_running():
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)

    def wait_stopped(self, timeout: float = STOP_TIMEOUT_S) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            typer.echo(f"!! the {self.name} did not stop within {timeout:.0f}s; killing it", err=True)
            self.process.kill()
            self.process.wait()
        self.process = None


class Demo:
    """The demo's four parts and what can be done with them while it runs."""

    def __init__(self, data_dir: Path, ports: DemoPorts, *, office_hours: bool,
                 interrupted: Callable[[], bool]) -> None:
        self.data_dir, self.ports, self.office_hours, self.interrupted = data_dir, ports, office_hours, interrupted
        self.cloud_broker: Mosquitto | None = None
        self.office_broker: Mosquitto | None = None
        self.cloud: Child | None = None
        self.hub: Child | None = None
        self.demo_accounts = ""
        #: What each control command does, by its words (``onestop demo cloud stop`` → ("cloud", "stop")).
        self.commands: dict[tuple[str, ...], Callable[[], str]] = {
            ("cloud", "stop"): self.cloud_stop,
            ("cloud", "start"): self.cloud_start,
            ("status",): self.status,
        }

    # -- starting -------------------------------------------------------------------------

    def start(self) -> None:
        ports, data_dir = self.ports, self.data_dir
        typer.echo(f"==> cloud broker (mosquitto) on port {ports.mqtt}")
        cloud_broker = start_cloud_broker(data_dir / "cloud-broker", ports.mqtt)
        self.cloud_broker = cloud_broker.process
        typer.echo(f"==> office broker of '{OFFICE}' on port {ports.office_mqtt}, bridged to the cloud")
        office_broker = start_office_broker(data_dir / "office-broker", OFFICE, cloud=cloud_broker,
                                            port=ports.office_mqtt, restart_timeout=(1, 10))
        self.office_broker = office_broker.process

        self.cloud = Child("cloud service", [sys.executable, "-m", "onestop_cli.main", "cloud"], dict(
            os.environ,
            ONESTOP_DATA_DIR=str(data_dir / "cloud"),
            ONESTOP_HTTP_PORT=str(ports.http),
            ONESTOP_MQTT_HOST="127.0.0.1",
            ONESTOP_MQTT_PORT=str(ports.mqtt),
            ONESTOP_MQTT_USERNAME=cloud_broker.service_username,
            ONESTOP_MQTT_PASSWORD=cloud_broker.service_password,
            ONESTOP_FIRMWARE_CONFIGS=str(REPO / "firmware_configs")),
            f"http://127.0.0.1:{ports.http}/api/v1/health")
        typer.echo(f"==> cloud service on http://127.0.0.1:{ports.http}")
        self.cloud.start(self.interrupted)
        self.demo_accounts = _demo_accounts(data_dir / "cloud")

        self.hub = Child("hub agent", hub_command(data_dir / "edge", ports.display, office_hours=self.office_hours),
                         dict(os.environ, ONESTOP_EDGE_MQTT_PORT=str(ports.office_mqtt),
                              ONESTOP_EDGE_MQTT_PASSWORD=office_broker.hub_password),
                         f"http://127.0.0.1:{ports.display}/api/state")
        typer.echo(f"==> hub agent of '{OFFICE}' with simulated devices, display on port {ports.display}")
        self.hub.start(self.interrupted)

    def banner(self) -> str:
        ports = self.ports
        hours = (f"The kiosk follows the office's hours and days off ({DEMO_CONFIG.relative_to(REPO)}):\n"
                 "outside them it refuses tickets, with a message." if self.office_hours else
                 "The kiosk takes tickets at any hour here, so the demo works at night and on holidays;\n"
                 f"`onestop demo --office-hours` applies the hours and days off of {DEMO_CONFIG.relative_to(REPO)}.")
        control = "" if self.data_dir == (Path.cwd() / "data" / "demo") else f" --data-dir {self.data_dir}"
        return f"""
Một cửa demo is running: Phường Sài Gòn (office '{OFFICE}').
  Staff console         http://127.0.0.1:{ports.http}/console
  Virtual office        http://127.0.0.1:{ports.display}/office
  Hall display          http://127.0.0.1:{ports.display}/
  Cloud API (OpenAPI)   http://127.0.0.1:{ports.http}/docs
Sign in to the console as one of these demo accounts, password "{DEMO_PASSWORD}":
{self.demo_accounts}
{hours}
The office without its cloud: from a second terminal,
  onestop demo{control} cloud stop     # the cloud service and its broker stop; the office goes on
  onestop demo{control} cloud start    # the cloud comes back and receives what the office kept
  onestop demo{control} status
State is kept in {self.data_dir}.
Press Ctrl-C to stop."""

    # -- control commands ---------------------------------------------------------------------

    def handle(self, words: list[str]) -> tuple[bool, str]:
        """A request from ``onestop demo …`` in another terminal."""
        command = self.commands.get(tuple(words))
        if command is None:
            known = ", ".join(" ".join(words) for words in self.commands)
            return False, f"unknown demo command {' '.join(words)!r}; known: {known}"
        typer.echo(f"==> {' '.join(words)} (asked from another terminal)")
        try:
            message = command()
        except (BrokerError, RuntimeError) as exc:
            typer.echo(f"!! {exc}", err=True)
            return False, str(exc)
        typer.echo(f"==> {message}")
        return True, message

    def cloud_stop(self) -> str:
        assert self.cloud is not None and self.cloud_broker is not None
        if not self.cloud.is_running() and not self.cloud_broker.is_running():
            return "the cloud was already stopped"
        self.cloud.signal_stop()
        self.cloud.wait_stopped()
        self.cloud_broker.stop()
        return f"the cloud service and the cloud broker are stopped. {OFFLINE_NOTE}"

    def cloud_start(self) -> str:
        assert self.cloud is not None and self.cloud_broker is not None
        if self.cloud.is_running() and self.cloud_broker.is_running():
            return "the cloud was already running"
        if not self.cloud_broker.is_running():
            typer.echo(f"==> cloud broker (mosquitto) on port {self.ports.mqtt}")
            self.cloud_broker.start()
        if not self.cloud.is_running():
            typer.echo(f"==> cloud service on http://127.0.0.1:{self.ports.http}")
            self.cloud.start(self.interrupted)
        return ("the cloud is running again; the office's bridge reconnects within about 10 s "
                "and the events the hub kept go up then")

    def status(self) -> str:
        lines = ["the demo's parts:"]
        for name, part, port in self._parts():
            state = f"running, pid {part.pid}" if part is not None and part.is_running() else "stopped"
            lines.append(f"  {name:<14} {state:<22} port {port}")
        return "\n".join(lines)

    def _parts(self) -> list[tuple[str, Mosquitto | Child | None, int]]:
        return [("cloud broker", self.cloud_broker, self.ports.mqtt),
                ("office broker", self.office_broker, self.ports.office_mqtt),
                ("cloud service", self.cloud, self.ports.http),
                ("hub agent", self.hub, self.ports.display)]

    # -- supervising ----------------------------------------------------------------------------

    def watch(self) -> bool:
        """Report the parts that ended by themselves; False when the office side ended (the demo stops)."""
        if self.cloud is not None and (code := self.cloud.ended()) is not None:
            typer.echo(f"!! the cloud service exited with code {code}. {OFFLINE_NOTE} "
                       "Start it again with: onestop demo cloud start", err=True)
        if self.cloud_broker is not None and self.cloud_broker.pid is not None and not self.cloud_broker.is_running():
            self.cloud_broker.stop()  # reaps it
            typer.echo(f"!! the cloud broker exited. {OFFLINE_NOTE} Start it again with: onestop demo cloud start",
                       err=True)
        if self.hub is not None and (code := self.hub.ended()) is not None:
            typer.echo(f"!! the hub agent exited with code {code}: the office is gone; stopping the demo", err=True)
            return False
        if self.office_broker is not None and self.office_broker.pid is not None and not self.office_broker.is_running():
            typer.echo("!! the office broker exited: the office is gone; stopping the demo", err=True)
            return False
        return True

    def stop(self) -> None:
        """Stop every part: the two services at once (each takes a second or two), then the brokers."""
        typer.echo("==> stopping")
        children = [child for child in (self.hub, self.cloud) if child is not None]
        for child in children:
            child.signal_stop()
        for child in children:
            child.wait_stopped()
        for broker in (self.office_broker, self.cloud_broker):
            if broker is not None:
                broker.stop()
        typer.echo("==> stopped")


def hub_command(data_dir: Path, display_port: int, *, office_hours: bool) -> list[str]:
    """``onestop edge`` as the demo runs it: simulated devices; all day unless ``office_hours``."""
    return [sys.executable, "-m", "onestop_cli.main", "edge", "--config", str(DEMO_CONFIG), "--simulate",
            *([] if office_hours else ["--open-all-day"]),
            "--data-dir", str(data_dir), "--display-port", str(display_port)]


def run_demo(data_dir: Path, ports: DemoPorts, *, office_hours: bool = False) -> None:
    """Run until Ctrl-C (or SIGTERM); the ports come from the settings classes (``onestop demo`` reads them)."""
    for what, port in ports.named():
        if not port_is_free("127.0.0.1", port):
            _fail(f"port {port} ({what}) is already in use. Stop what uses it, or choose other ports, e.g.\n"
                  f"  ONESTOP_HTTP_PORT=9000 ONESTOP_MQTT_PORT=9883 make demo")
    data_dir = private_dir(data_dir.resolve())  # both databases, the brokers' passwords: owner-only
    with StopSignals() as signals:
        demo = Demo(data_dir, ports, office_hours=office_hours, interrupted=lambda: signals.take() is not None)
        try:
            with ControlSocket(data_dir) as control, selectors.DefaultSelector() as selector:
                demo.start()
                typer.echo(demo.banner())
                selector.register(signals.fileno(), selectors.EVENT_READ)
                selector.register(control.fileno(), selectors.EVENT_READ)
                while signals.take() is None and demo.watch():
                    for key, _ in selector.select(WATCH_INTERVAL_S):
                        if key.fd == control.fileno():
                            control.serve_one(demo.handle)
        except Interrupted:
            pass
        except (BrokerError, ControlError, RuntimeError) as exc:
            typer.echo(f"ERROR: {exc}", err=True)
            raise typer.Exit(1) from None
        finally:
            demo.stop()


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


def wait_http(url: str, process: subprocess.Popen[bytes], what: str, timeout: float = 30,
              *, interrupted: Callable[[], bool] | None = None) -> None:
    """Return once ``url`` answers; raise when ``process`` exits first, or :class:`Interrupted` on a stop signal."""
    def answers() -> bool:  # polling a child's port; there is nothing to wait on
        if interrupted is not None and interrupted():
            raise Interrupted
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
    """Whether a server could listen on ``host:port`` now.

    It binds as the demo's servers do: uvicorn, mosquitto and
    ``socket.create_server`` (the hub's display) all set SO_REUSEADDR, so the
    TIME_WAIT connections that a demo stopped a moment ago leaves on its
    ports do not stop them — only a socket that listens there does. A plain
    ``bind`` without the option counted those as "in use" for a minute after
    every Ctrl-C.
    """
    try:
        with socket.create_server((host, port)):
            return True
    except OSError:
        return False


def _fail(message: str) -> None:
    typer.echo(f"ERROR: {message}", err=True)
    raise typer.Exit(1)
