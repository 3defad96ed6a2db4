"""The ``onestop`` command: one entry point for the cloud, the edge, brokers and the demo."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from onestop_cli import logging as cli_logging
from onestop_cli.audit import audit_app
from onestop_cli.calendar import calendar_app
from onestop_cli.environment import read_settings
from onestop_cli.office import office_app
from onestop_cli.signals import StopSignals
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
    with StopSignals() as signals:  # entered first: a Ctrl-C while the agent starts is kept, not a traceback
        agent.start()
        signals.wait()
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


class CloudAction(StrEnum):
    stop = "stop"
    start = "start"


demo_app = typer.Typer(invoke_without_command=True, help=(
    "Run the whole system on this machine (without a command): a cloud broker, the cloud service, and the demo "
    "office Phường Sài Gòn (firmware_configs/sai-gon.yaml) with its broker bridged to the cloud and its hub agent "
    "with simulated devices. Ctrl-C stops it all.\n\n"
    "While it runs, a second terminal takes the cloud away and brings it back (onestop demo cloud stop, "
    "onestop demo cloud start) to show the office working on without it."))
app.add_typer(demo_app, name="demo")


@demo_app.callback()
def demo(
    ctx: typer.Context,
    data_dir: Annotated[Path, typer.Option(help="where the demo keeps its brokers, databases and audio")] = Path("data/demo"),
    office_hours: Annotated[bool, typer.Option(
        help="apply the office's opening hours and days off (the kiosk refuses tickets outside them); "
             "by default the demo takes tickets at any hour")] = False,
) -> None:
    """Start the demo (without a command), or control the running one (with a command)."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = data_dir.resolve()
        return
    from cloud.settings import Settings
    from edge.settings import EdgeSettings
    from onestop_cli.demo import DemoPorts, run_demo

    cloud_settings, hub_settings = read_settings(Settings), read_settings(EdgeSettings)
    http_port, mqtt_port = cloud_settings.http_port, cloud_settings.mqtt_port
    run_demo(data_dir, DemoPorts(http=http_port, mqtt=mqtt_port, office_mqtt=hub_settings.mqtt_port or mqtt_port + 1,
                                 display=hub_settings.display_port or http_port + 1), office_hours=office_hours)


@demo_app.command("cloud")
def demo_cloud(ctx: typer.Context, action: Annotated[CloudAction, typer.Argument(
        help="stop: the cloud service and its broker stop, the office goes on; start: they come back")]) -> None:
    """Take the running demo's cloud away, or bring it back (the office keeps running either way)."""
    _demo_request(ctx, ["cloud", action.value])


@demo_app.command("status")
def demo_status(ctx: typer.Context) -> None:
    """Which parts of the running demo run, with their process ids and ports."""
    _demo_request(ctx, ["status"])


def _demo_request(ctx: typer.Context, words: list[str]) -> None:
    from onestop_cli.demo_control import ControlError, send

    try:
        ok, message = send(ctx.obj, words)
    except ControlError as exc:
        typer.echo(f"ERROR: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(message, err=not ok)
    raise typer.Exit(0 if ok else 1)


if __name__ == "__main__":
    app()
