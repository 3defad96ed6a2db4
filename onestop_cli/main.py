"""The ``onestop`` command: one entry point for the cloud, the edge, brokers and the demo."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from onestop_cli import logging as cli_logging
from onestop_cli.audit import audit_app
from onestop_cli.calendar import calendar_app
from onestop_cli.environment import read_settings
from onestop_cli.office import office_app
from onestop_cli.users import users_app
from protocol.office_config import ConfigError

app = typer.Typer(help="Một cửa – edge and cloud system for one-stop offices.", no_args_is_help=True)
config_app = typer.Typer(help="Office configurations (firmware_configs/*.yaml).", no_args_is_help=True)
protocol_app = typer.Typer(help="The MQTT wire contract.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(protocol_app, name="protocol")
app.add_typer(users_app, name="users")
app.add_typer(office_app, name="office")
app.add_typer(audit_app, name="audit")
app.add_typer(calendar_app, name="calendar")

try:
    from onestop_cli.broker import app as broker_app

    app.add_typer(broker_app, name="broker")
except ImportError:  # pragma: no cover - during bootstrap of the tree
    pass


@app.callback()
def _main(log_level: Annotated[str | None, typer.Option(help="debug, info, warning, error")] = None) -> None:
    cli_logging.configure(log_level)


@config_app.command("check")
def config_check(files: Annotated[list[Path], typer.Argument(help="YAML files to validate")]) -> None:
    """Validate office configurations before they are deployed."""
    from edge.config_file import load_office_config

    failed = False
    for path in files:
        try:
            cfg = load_office_config(path)
        except ConfigError as exc:
            failed = True
            typer.echo(str(exc), err=True)
            continue
        typer.echo(f"{path}: OK – {cfg.office.name}: {len(cfg.fields)} fields, {len(cfg.counters)} counters, "
                   f"version {cfg.version}")
    raise typer.Exit(1 if failed else 0)


@protocol_app.command("schema")
def protocol_schema(out: Annotated[Path, typer.Option(help="where to write")] = Path("protocol/schema.json")) -> None:
    """Export the JSON Schema of every MQTT payload."""
    from protocol.schema import json_schema

    out.write_text(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    typer.echo(f"wrote {out}")


@app.command()
def edge(
    config: Annotated[Path, typer.Option(help="office YAML from firmware_configs/")],
    data_dir: Annotated[Path | None, typer.Option(
        help="hub database, audio [default: ONESTOP_EDGE_DATA_DIR or data/edge]", show_default=False)] = None,
    simulate: Annotated[bool, typer.Option(help="simulated devices (ptys, mock pins) and the virtual office page")] = False,
    mqtt_port: Annotated[int | None, typer.Option(
        help="office broker port [default: ONESTOP_EDGE_MQTT_PORT or the config's]", show_default=False)] = None,
    mqtt_password: Annotated[str | None, typer.Option(
        help="[default: ONESTOP_EDGE_MQTT_PASSWORD or the config's password_file]", show_default=False)] = None,
    display_port: Annotated[int | None, typer.Option(
        help="[default: ONESTOP_EDGE_DISPLAY_PORT or the config's; 0: none]", show_default=False)] = None,
    display_host: Annotated[str | None, typer.Option(
        help="[default: ONESTOP_EDGE_DISPLAY_HOST or 127.0.0.1]", show_default=False)] = None,
    open_all_day: Annotated[bool, typer.Option(help="ignore the configured opening hours and days off (demos)")] = False,
) -> None:
    """Run the office hub agent: queue, devices, outbox, display server.

    Settings not given as options come from ONESTOP_EDGE_* variables (docs/devices.md).
    """
    from edge.agent import HubAgent, HubOptions
    from edge.config_file import load_office_config
    from edge.settings import EdgeSettings

    settings = read_settings(EdgeSettings, data_dir=data_dir, mqtt_port=mqtt_port, mqtt_password=mqtt_password,
                             display_port=display_port, display_host=display_host)
    try:
        cfg = load_office_config(config)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    agent = HubAgent(cfg, HubOptions.from_settings(settings, simulate=simulate, open_all_day=open_all_day))
    agent.start()
    _wait_for_signal()
    agent.stop()


@app.command()
def cloud() -> None:
    """Run the cloud service (API, console, ingest) with settings from ONESTOP_* variables."""
    from cloud.app import run
    from cloud.settings import Settings

    run(read_settings(Settings))


@app.command()
def seed(
    data_dir: Annotated[Path | None, typer.Option(
        help="directory of catalogue.yaml and province.yaml (default: ONESTOP_REFERENCE_DATA or cloud/data)")] = None,
) -> None:
    """Load the procedure catalogue and the province's units into the cloud database (idempotent)."""
    from cloud.db import migrate
    from cloud.db.engine import make_engine
    from cloud.domain.datafile import DataError
    from cloud.dossiers.seed import load_reference
    from cloud.dossiers.seed import seed as seed_reference
    from cloud.settings import Settings

    settings = read_settings(Settings)
    directory = data_dir or settings.reference_data
    try:
        data = load_reference(directory)
    except DataError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    engine = make_engine(settings.db_url)
    try:
        migrate.upgrade(engine)
        report = seed_reference(engine, data)
    finally:
        engine.dispose()
    typer.echo(f"{directory}: loaded {report} into {engine.url.render_as_string()}")


@app.command()
def demo(
    data_dir: Annotated[Path, typer.Option(help="where the demo keeps its brokers, databases and audio")] = Path("data/demo"),
) -> None:
    """Start a cloud broker, the cloud service and the demo office's hub with simulated devices."""
    from cloud.settings import Settings
    from edge.settings import EdgeSettings
    from onestop_cli.demo import run_demo

    cloud_settings, hub_settings = read_settings(Settings), read_settings(EdgeSettings)
    http_port, mqtt_port = cloud_settings.http_port, cloud_settings.mqtt_port
    run_demo(data_dir, http_port=http_port, mqtt_port=mqtt_port,
             office_mqtt_port=hub_settings.mqtt_port or mqtt_port + 1,
             display_port=hub_settings.display_port or http_port + 1)


def _wait_for_signal() -> None:
    """Block until SIGINT or SIGTERM.

    The handler hands ``stop.set()`` to a new thread instead of calling it:
    Python runs handlers on the main thread between bytecodes, possibly while
    that thread holds the event's internal lock inside ``wait()``, and ``set()``
    taking the same lock there would deadlock the hub's shutdown.
    """
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: threading.Thread(target=stop.set, name="stop-signal").start())
    stop.wait()


if __name__ == "__main__":
    app()
