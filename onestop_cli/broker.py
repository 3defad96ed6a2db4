"""`onestop broker ...`: set up the cloud broker, add offices, set up a hub broker.

Written for the province's IT person: every command says which files it
wrote and what to do next, and every error says what went wrong and how to
fix it. Passwords go to files readable by their owner only; they are printed
only when asked (``--show-password``), so they do not end up in terminal
scroll-back or CI logs by default.
"""

from __future__ import annotations

import getpass
import os
import re
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from broker.configs import ConfigError
from broker.credentials import CloudBrokerDir, CredentialError, OfficeBrokerDir
from broker.files import write_private
from broker.process import BrokerError, mosquitto_binary

app = typer.Typer(
    help="Set up and run the MQTT brokers: the cloud broker, offices on it, and an office hub's broker.",
    no_args_is_help=True,
)

DirOpt = Annotated[Path, typer.Option("--dir", "-d", help="Broker directory (config, passwd, acl, data).")]


def _fail(message: str) -> NoReturn:
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code=1)


def _write_secret(directory: Path, name: str, value: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    return write_private(directory / name, value + "\n")


def _conf_listener(conf: Path) -> tuple[str | None, int | None]:
    """(bind, port) of the `listener` line of a generated config, if readable."""
    try:
        text = conf.read_text(encoding="utf-8")
    except OSError:
        return None, None
    match = re.search(r"^listener\s+(\d+)(?:\s+(\S+))?", text, re.MULTILINE)
    if not match:
        return None, None
    return match.group(2), int(match.group(1))


def _tls_options(cafile: Path | None, certfile: Path | None, keyfile: Path | None) -> dict[str, Path]:
    options = {}
    for name, value in (("cafile", cafile), ("certfile", certfile), ("keyfile", keyfile)):
        if value is not None:
            if not value.is_file():
                _fail(f"{name} {value} does not exist; give the path of the PEM file")
            options[name] = value.absolute()
    return options


@app.command("init-cloud")
def init_cloud(
    dir: DirOpt,
    port: Annotated[int, typer.Option(help="Port of the broker's listener (8883 is usual with TLS).")] = 1883,
    bind: Annotated[str, typer.Option(
        help="Address to listen on; 0.0.0.0 for offices on the internet (use TLS then).")] = "127.0.0.1",
    service_user: Annotated[str, typer.Option(help="Login of the cloud service (reads/writes every office).")] = "cloud",
    run_as: Annotated[str, typer.Option("--run-as", help="User mosquitto switches to when started as root.")] = getpass.getuser(),
    certfile: Annotated[Path | None, typer.Option(help="TLS certificate (PEM) of the listener.")] = None,
    keyfile: Annotated[Path | None, typer.Option(help="TLS private key (PEM) of the listener.")] = None,
    cafile: Annotated[Path | None, typer.Option(help="CA (PEM) for client certificates, optional.")] = None,
    log_file: Annotated[Path | None, typer.Option(help="Log to this file instead of stderr.")] = None,
    show_password: Annotated[bool, typer.Option(help="Also print the service password.")] = False,
) -> None:
    """Create the cloud broker's directory: mosquitto.conf, passwd with the service user, acl.

    Safe to run again (e.g. to change the port): existing offices are kept and
    the service user's password is only created if it has none yet.
    """
    cloud = CloudBrokerDir(dir)
    try:
        cloud.ensure()
        secret = cloud.secrets_dir / f"{service_user}.password"
        if service_user in cloud.service_users() and secret.is_file():
            password = secret.read_text(encoding="utf-8").strip()
            kept = True
        else:
            password = cloud.add_service_user(service_user)
            _write_secret(cloud.secrets_dir, secret.name, password)
            kept = False
        options: dict[str, object] = {"run_as": run_as, **_tls_options(cafile, certfile, keyfile)}
        if log_file is not None:
            options["log_dest"] = log_file.absolute()
        cloud.write_conf(port, bind, **options)
    except (ConfigError, CredentialError) as exc:
        _fail(str(exc))
    typer.echo(f"Cloud broker directory {cloud.path}")
    typer.echo(f"  config       {cloud.conf_path}  (listener {bind}:{port}{', TLS' if certfile else ''})")
    typer.echo(f"  users        {cloud.passwd_path}")
    typer.echo(f"  access list  {cloud.acl_path}")
    typer.echo(f"  data         {cloud.data_dir}")
    typer.echo(f"  service user {service_user!r}: password {'kept' if kept else 'created'} in {secret}")
    if show_password:
        typer.echo(f"  password     {password}")
    if bind not in ("127.0.0.1", "localhost", "::1") and not certfile:
        typer.secho(
            "Warning: listening beyond this machine without TLS: passwords cross the network in clear. "
            "Give --certfile/--keyfile for production.", err=True, fg=typer.colors.YELLOW,
        )
    typer.echo(f"Next: onestop broker add-office OFFICE --dir {dir} --cloud-host PUBLIC_NAME; "
               f"then onestop broker run --dir {dir}")


@app.command("add-office")
def add_office(
    office: Annotated[str, typer.Argument(help="Office id, e.g. xa-an-phu (lowercase letters, digits, '-').")],
    dir: DirOpt,
    cloud_host: Annotated[str | None, typer.Option(help="Cloud broker address as the office reaches it.")] = None,
    cloud_port: Annotated[int | None, typer.Option(
        help="Cloud broker port as the office reaches it (default: the listener's).")] = None,
    cafile: Annotated[Path | None, typer.Option(
        help="CA (PEM) the hub uses to verify the cloud broker: turns TLS on in the bridge.")] = None,
    show_password: Annotated[bool, typer.Option(help="Also print the office's password.")] = False,
) -> None:
    """Add an office (or give it a new password) and write the bridge config for its hub.

    The running broker is reloaded when its pid file shows it running; an
    office that already existed is disconnected until its hub gets the new
    bridge file.
    """
    cloud = CloudBrokerDir(dir)
    if not cloud.conf_path.is_file():
        _fail(f"{cloud.conf_path} does not exist: run `onestop broker init-cloud --dir {dir}` first")
    bind, listen_port = _conf_listener(cloud.conf_path)
    port = cloud_port or listen_port or 1883
    host = cloud_host or (bind if bind and bind not in ("0.0.0.0", "::") else "127.0.0.1")
    tls = _tls_options(cafile, None, None)
    try:
        existed = office in cloud.offices()
        creds = cloud.add_office(office, cloud_host=host, cloud_port=port, cafile=tls.get("cafile"))
    except (ConfigError, CredentialError) as exc:
        _fail(str(exc))
    office_dir = cloud.path / "offices" / office
    bridge_path = write_private(office_dir / "bridge.conf", creds.bridge_conf)
    _write_secret(office_dir, "password", creds.password)
    typer.echo(f"Office {office} {'updated (new password)' if existed else 'added'} on {cloud.path}")
    typer.echo(f"  username     {creds.username}")
    typer.echo(f"  password in  {office_dir / 'password'}")
    if show_password:
        typer.echo(f"  password     {creds.password}")
    typer.echo(f"  bridge conf  {bridge_path}  (connects to {host}:{port}{', TLS' if cafile else ''})")
    typer.echo("  ACL entry:")
    for line in creds.acl_entry.splitlines():
        typer.echo(f"    {line}")
    pid = cloud.reload_running()
    if pid:
        typer.echo(f"Reloaded the running broker (pid {pid}).")
    else:
        typer.echo("The broker is not running from this directory; it reads the new users when started "
                   "(or reload it yourself: kill -HUP <pid> / systemctl reload <unit>).")
    if host in ("127.0.0.1", "localhost") and cloud_host is None:
        typer.secho("Note: the bridge points at 127.0.0.1; pass --cloud-host with the name the office "
                    "reaches the cloud broker by.", err=True, fg=typer.colors.YELLOW)
    typer.echo(f"Next: copy {bridge_path} to the hub and run: onestop broker init-office {office} "
               "--dir /var/lib/onestop/broker --bridge bridge.conf")


@app.command("remove-office")
def remove_office(
    office: Annotated[str, typer.Argument(help="Office id to remove.")],
    dir: DirOpt,
) -> None:
    """Remove an office's login and access; its hub can no longer connect."""
    cloud = CloudBrokerDir(dir)
    try:
        removed = cloud.remove_office(office)
    except CredentialError as exc:
        _fail(str(exc))
    if not removed:
        _fail(f"office {office!r} is not on the broker in {cloud.path}; known offices: {', '.join(cloud.offices()) or 'none'}")
    pid = cloud.reload_running()
    typer.echo(f"Office {office} removed from {cloud.path}" + (f"; reloaded the running broker (pid {pid})." if pid else "."))


@app.command("init-office")
def init_office(
    office: Annotated[str, typer.Argument(help="This hub's office id (as given to add-office).")],
    dir: DirOpt,
    bridge: Annotated[Path | None, typer.Option(
        help="bridge.conf written by add-office on the cloud; omit for a hub without cloud link.")] = None,
    port: Annotated[int, typer.Option(help="Port of the hub broker.")] = 1883,
    bind: Annotated[str, typer.Option(
        help="127.0.0.1 on a single-Pi office; the LAN address (or 0.0.0.0) when satellites connect.")] = "127.0.0.1",
    local_user: Annotated[list[str] | None, typer.Option(help="Local login to create (repeat); default: hub.")] = None,
    run_as: Annotated[str, typer.Option("--run-as", help="User mosquitto switches to when started as root.")] = getpass.getuser(),
    show_password: Annotated[bool, typer.Option(help="Also print the local passwords.")] = False,
) -> None:
    """Create an office hub's broker directory: mosquitto.conf with the bridge, passwd, acl.

    A local login's name is the node id it speaks for, and it may write only that
    node's evt/ack/state/telemetry and read its cmd/config/cursor. Existing
    logins keep their passwords; the listed ones that are missing are created.
    """
    users = local_user or ["hub"]
    try:
        hub = OfficeBrokerDir(dir, office)
        bridge_text = None
        if bridge is not None:
            if not bridge.is_file():
                _fail(f"bridge file {bridge} does not exist; copy it from the cloud (offices/{office}/bridge.conf)")
            bridge_text = bridge.read_text(encoding="utf-8")
            if f"connection onestop-{office}\n" not in bridge_text:
                _fail(f"{bridge} is not the bridge of office {office!r} (no 'connection onestop-{office}' line); "
                      "use the file add-office wrote for this office")
        hub.ensure()
        created = {}
        for name in users:
            secret = hub.secrets_dir / f"{name}.password"
            if name in hub.local_users() and secret.is_file():
                continue
            password = hub.add_local_user(name)
            _write_secret(hub.secrets_dir, secret.name, password)
            created[name] = password
        hub.write_conf(port, bind, bridge=bridge_text, run_as=run_as)
    except (ConfigError, CredentialError) as exc:
        _fail(str(exc))
    typer.echo(f"Hub broker directory {hub.path} for office {office}")
    typer.echo(f"  config       {hub.conf_path}  (listener {bind}:{port}, bridge {'to the cloud' if bridge_text else 'none'})")
    typer.echo(f"  users        {hub.passwd_path}: {', '.join(hub.local_users())}")
    for name, password in created.items():
        typer.echo(f"  {name} password in {hub.secrets_dir / (name + '.password')}" + (f": {password}" if show_password else ""))
    pid = hub.reload_running()
    if pid:
        typer.echo(f"Reloaded the running broker (pid {pid}); a changed bridge needs a restart.")
    typer.echo(f"Next: onestop broker run --dir {dir}")


@app.command("run")
def run(dir: DirOpt) -> None:
    """Run the broker of DIR in the foreground (for systemd, a terminal or the demo).

    mosquitto replaces this process, so signals (Ctrl-C, SIGTERM, SIGHUP to
    reload) reach it directly.
    """
    conf = dir.absolute() / "mosquitto.conf"
    if not conf.is_file():
        _fail(f"{conf} does not exist: create it with `onestop broker init-cloud --dir {dir}` "
              f"(cloud) or `onestop broker init-office OFFICE --dir {dir}` (hub)")
    try:
        binary = mosquitto_binary()
    except BrokerError as exc:
        _fail(str(exc))
    typer.echo(f"Starting {binary} -c {conf}", err=True)
    os.execv(binary, [binary, "-c", str(conf)])
