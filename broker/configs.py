"""Render mosquitto configuration from the templates in ``mosquitto/``.

The templates hold what a broker administrator reads (every line commented
where its value matters); this module holds the decisions that must be the
same everywhere — which topics cross the bridge and at which QoS, the
notification topic, default limits — and refuses values that would silently
produce a broken config (a newline or space inside a path ends a mosquitto
option early; mosquitto then fails with a message far from the cause).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2

from broker.settings import BrokerSettings
from protocol.topics import BRIDGE_NODE, DOWNSTREAM, ID_PATTERN, ROOT, UPSTREAM, Channel, link, subscription

#: error/warning/notice/information: connects, disconnects, denials and bridge
#: state, without per-message lines that would flood a Pi's SD card.
DEFAULT_LOG_TYPES: tuple[str, ...] = ("error", "warning", "notice", "information")

#: Hours of an office's events at a busy counter hall (~1 event/s peak) fit,
#: where mosquitto's default of 1000 would start dropping after minutes.
DEFAULT_MAX_QUEUED_MESSAGES = 200_000
#: Per-client unacknowledged QoS1 messages in flight. 100 keeps a bridge busy
#: over a WAN link with 100+ ms round trips (the default 20 caps throughput).
DEFAULT_MAX_INFLIGHT = 100
#: The cloud broker's window. The ingest acknowledges a message only after its
#: commit, so all it holds between socket and commit counts as in flight; a
#: window of 100 caps it at a few thousand events/s (docs/benchmarks.md).
DEFAULT_CLOUD_MAX_INFLIGHT = 5_000
#: Seconds between saves of the in-memory state: what a kill -9 can lose.
DEFAULT_AUTOSAVE_INTERVAL = 60
#: Per-client bound in payload bytes of that queue. 200,000 events of ~300-600 bytes
#: (an envelope of docs' examples) fit, so the message bound is what an outage meets
#: first; the byte bound stops a client from filling a Pi's memory with big messages.
DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024
#: The cloud broker's queue also holds the ingest's backlog of every office while the
#: service is down (the hubs re-send whatever stays unconfirmed, so a drop is recovered).
DEFAULT_CLOUD_MAX_QUEUED_BYTES = 256 * 1024 * 1024
#: Largest payload a broker accepts. Events, acks, states and commands are JSON of a few
#: KB at most; a bigger publish is dropped (MQTT v5 QoS 1: PUBACK 0x95) and goes nowhere.
DEFAULT_MESSAGE_SIZE_LIMIT = 256 * 1024
#: Largest packet: the payload limit plus room for a topic and properties. A client that
#: sends more is not speaking this protocol and is disconnected.
DEFAULT_MAX_PACKET_SIZE = DEFAULT_MESSAGE_SIZE_LIMIT + 64 * 1024
#: Production bridge reconnect: back off from 5 s up to 30 s with jitter, so a
#: province of offices does not reconnect in lockstep after a cloud restart.
PRODUCTION_RESTART_TIMEOUT: tuple[int, int] = (5, 30)


class ConfigError(ValueError):
    """A value that cannot go into a mosquitto config; the message names it."""


@dataclass(frozen=True)
class BridgeTopic:
    pattern: str
    qos: int


def bridge_topics(office: str) -> tuple[list[BridgeTopic], list[BridgeTopic]]:
    """The (out, in) topic patterns of one office's bridge.

    Derived from the wire contract's channel table (``protocol.topics``:
    ``UPSTREAM`` go out, ``DOWNSTREAM`` come in): facts, acks and the
    retained state leave the office at QoS 1, telemetry at QoS 0 (a lost
    sample is replaced by the next one); retained config comes in at QoS 1.
    Nothing else crosses, so a mistake on one office's LAN can never reach
    another office.

    Commands and the cursor come in at QoS 0, on purpose. mosquitto 2.0.11
    does not set TCP_NODELAY on a bridge's own socket, so a QoS 1 command made
    the office broker send a PUBACK and, milliseconds later, the hub's ack:
    Nagle's algorithm held the ack until the cloud's delayed ACK of the
    PUBACK, 40 ms on every call (measured: command round trip p50 43.9 ms at
    QoS 1, 3.0 ms at QoS 0). What QoS 1 would add is redelivery after the
    bridge reconnects, and neither message needs it: a command is only worth
    running while the clerk waits (it expires, and the API answers 504), and
    the cursor is retained state that the next cursor or the reconnect
    replaces, while the hub keeps re-sending what stays unconfirmed.
    """
    out = [BridgeTopic(subscription(channel, office), _BRIDGE_QOS[channel]) for channel in UPSTREAM]
    into = [BridgeTopic(subscription(channel, office), _BRIDGE_QOS[channel]) for channel in DOWNSTREAM]
    return out, into


#: QoS of each channel across the bridge (see bridge_topics for why cmd and cursor use 0).
_BRIDGE_QOS: dict[Channel, int] = {
    Channel.EVT: 1, Channel.ACK: 1, Channel.STATE: 1, Channel.TELEMETRY: 0,
    Channel.CMD: 0, Channel.CONFIG: 1, Channel.CURSOR: 0,
}


def link_topic(office: str) -> str:
    """Retained "1"/"0" on both brokers: is this office's bridge connected? (protocol.topics.link)"""
    return link(office)


def ping_topic(office: str) -> str:
    """A command topic no agent acts on, used to prove the bridge carries commands."""
    return f"{ROOT}/{office}/{BRIDGE_NODE}/cmd/ping"


def bridge_client_id(office: str) -> str:
    """The bridge's client id on the cloud broker, stable per office.

    Stable so that the cloud broker keeps one persistent session per office
    (commands queued while it was offline). Two hubs configured with the same
    office would take the session from each other in turn.
    """
    return f"bridge-{office}"


@lru_cache(maxsize=4)
def _environment(template_dir: Path) -> jinja2.Environment:
    """One Jinja environment per template directory (it caches the parsed templates)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,  # a missing variable is a bug, not an empty line
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def render_template(name: str, template_dir: Path | None = None, /, **values: object) -> str:
    """Render ``mosquitto/NAME`` (or NAME in ``template_dir``) with ``values``.

    Without ``template_dir`` the directory comes from
    :class:`broker.settings.BrokerSettings` (``ONESTOP_MOSQUITTO_TEMPLATES``,
    default the project's ``mosquitto/``), read at this call, not at import.
    """
    directory = Path(template_dir or BrokerSettings().template_dir).absolute()
    try:
        template = _environment(directory).get_template(name)
    except jinja2.TemplateNotFound:
        raise ConfigError(
            f"template {name!r} not found in {directory}; set ONESTOP_MOSQUITTO_TEMPLATES "
            "to the project's mosquitto/ directory"
        ) from None
    return template.render(**values)


# -- validation -----------------------------------------------------------------


def check_office(office: str) -> str:
    """Office ids become topic levels and broker user names: no wildcards, no '/'."""
    if not isinstance(office, str) or not ID_PATTERN.match(office):
        raise ConfigError(
            f"office id {office!r} is invalid: use 1-63 lowercase letters, digits or '-', starting "
            "with a letter or digit (no spaces, '+', '#' or '/', which are MQTT topic syntax). "
            "Example: xa-an-phu"
        )
    return office


def _token(what: str, value: object) -> str:
    """A single config token: mosquitto splits options on whitespace."""
    text = str(value)
    if not text or any(ch.isspace() for ch in text):
        raise ConfigError(f"{what} {text!r} must be non-empty and contain no spaces or line breaks")
    return text


def _path(what: str, value: Path | str) -> str:
    return _token(what, Path(value).absolute())


def _port(port: int) -> int:
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError(f"port {port!r} is invalid: use a number between 1 and 65535")
    return port


def _log_dest(log_dest: str | Path | Sequence[str | Path]) -> list[str]:
    """'stdout' | 'stderr' | 'syslog' | a file path (one or several)."""
    items = [log_dest] if isinstance(log_dest, (str, Path)) else list(log_dest)
    dests = []
    for item in items:
        if isinstance(item, str) and item in ("stdout", "stderr", "syslog", "none"):
            dests.append(item)
        else:
            dests.append(f"file {_path('log file', item)}")
    return dests


def _tls(
    prefix: str, cafile: Path | str | None, certfile: Path | str | None, keyfile: Path | str | None
) -> dict[str, str | None]:
    if (certfile is None) != (keyfile is None):
        raise ConfigError(f"{prefix}: give both a certificate file and its key file, or neither")
    return {
        "cafile": _path("CA file", cafile) if cafile else None,
        "certfile": _path("certificate file", certfile) if certfile else None,
        "keyfile": _path("key file", keyfile) if keyfile else None,
    }


def _restart_timeout(value: float | int | str | tuple[int, int]) -> str:
    if isinstance(value, tuple):
        base, cap = value
        if not (0 < int(base) <= int(cap)):
            raise ConfigError(f"restart_timeout {value!r}: need 0 < base <= cap (seconds)")
        return f"{int(base)} {int(cap)}"
    if isinstance(value, str):
        parts = value.split()
        if not 1 <= len(parts) <= 2 or not all(p.isdigit() and int(p) > 0 for p in parts):
            raise ConfigError(f"restart_timeout {value!r}: use 'SECONDS' or 'BASE CAP', whole seconds")
        if len(parts) == 1:
            return _restart_timeout(int(parts[0]))
        return _restart_timeout((int(parts[0]), int(parts[1])))
    seconds = int(value)
    if seconds < 1:
        raise ConfigError("restart_timeout must be at least 1 second (mosquitto counts whole seconds)")
    # Written as "N N", not "N": mosquitto before 2.0.15 keeps its default
    # back-off (base 5 s, cap 30 s) when given one value, so a constant 1 s
    # became 5-15 s (fixed upstream by "Fix constant restart_timeout").
    return f"{seconds} {seconds}"


# -- renderers ------------------------------------------------------------------


def _common(
    *,
    port: int,
    bind: str,
    data_dir: Path | str,
    password_file: Path | str,
    acl_file: Path | str,
    log_dest: str | Path | Sequence[str | Path],
    log_types: Sequence[str],
    max_queued_messages: int,
    max_queued_bytes: int,
    max_inflight: int,
    max_packet_size: int,
    message_size_limit: int,
    autosave_interval: int,
    run_as: str | None,
    pid_file: Path | str | None,
) -> dict[str, object]:
    if not 0 < int(message_size_limit) <= int(max_packet_size):
        raise ConfigError(f"message_size_limit {message_size_limit!r} must be positive and at most "
                          f"max_packet_size ({max_packet_size!r}): a bigger payload could not be sent anyway")
    if int(max_queued_bytes) <= 0:
        raise ConfigError(f"max_queued_bytes {max_queued_bytes!r} must be positive: 0 lets one client's "
                          "queue take all the broker's memory")
    return {
        "port": _port(port),
        "bind": _token("bind address", bind),
        "data_dir": _path("data directory", data_dir),
        "password_file": _path("password file", password_file),
        "acl_file": _path("ACL file", acl_file),
        "log_dest": _log_dest(log_dest),
        "log_types": [_token("log type", t) for t in log_types],
        "max_queued_messages": int(max_queued_messages),
        "max_queued_bytes": int(max_queued_bytes),
        "max_inflight": int(max_inflight),
        "max_packet_size": int(max_packet_size),
        "message_size_limit": int(message_size_limit),
        "autosave_interval": int(autosave_interval),
        "run_as": _token("user", run_as) if run_as else None,
        "pid_file": _path("pid file", pid_file) if pid_file else None,
    }


def render_cloud_conf(
    port: int,
    data_dir: Path | str,
    password_file: Path | str,
    acl_file: Path | str,
    bind: str = "127.0.0.1",
    *,
    log_dest: str | Path | Sequence[str | Path] = "stderr",
    log_types: Sequence[str] = DEFAULT_LOG_TYPES,
    max_queued_messages: int = DEFAULT_MAX_QUEUED_MESSAGES,
    max_queued_bytes: int = DEFAULT_CLOUD_MAX_QUEUED_BYTES,
    max_inflight: int = DEFAULT_CLOUD_MAX_INFLIGHT,
    max_packet_size: int = DEFAULT_MAX_PACKET_SIZE,
    message_size_limit: int = DEFAULT_MESSAGE_SIZE_LIMIT,
    autosave_interval: int = DEFAULT_AUTOSAVE_INTERVAL,
    persistent_client_expiration: str = "30d",
    run_as: str | None = None,
    pid_file: Path | str | None = None,
    cafile: Path | str | None = None,
    certfile: Path | str | None = None,
    keyfile: Path | str | None = None,
) -> str:
    """The cloud broker's mosquitto.conf.

    ``bind`` defaults to loopback so that a broker started without TLS is
    not reachable from the network by accident; production passes
    ``0.0.0.0`` together with ``certfile``/``keyfile``. ``run_as`` matters
    only when mosquitto starts as root (it then switches to that user).
    ``persistent_client_expiration`` drops the session of an office that has
    not connected for that long (a closed office), so its queue stops growing.
    """
    values = _common(
        port=port, bind=bind, data_dir=data_dir, password_file=password_file, acl_file=acl_file,
        log_dest=log_dest, log_types=log_types, max_queued_messages=max_queued_messages,
        max_queued_bytes=max_queued_bytes, max_inflight=max_inflight, max_packet_size=max_packet_size,
        message_size_limit=message_size_limit,
        autosave_interval=autosave_interval, run_as=run_as, pid_file=pid_file,
    )
    return render_template(
        "cloud.conf.j2",
        **values,
        persistent_client_expiration=_token("persistent_client_expiration", persistent_client_expiration),
        **_tls("cloud listener TLS", cafile, certfile, keyfile),
    )


def render_office_conf(
    office: str,
    port: int,
    data_dir: Path | str,
    password_file: Path | str,
    acl_file: Path | str,
    bind: str = "127.0.0.1",
    *,
    bridge: str | None = None,
    log_dest: str | Path | Sequence[str | Path] = "stderr",
    log_types: Sequence[str] = DEFAULT_LOG_TYPES,
    max_queued_messages: int = DEFAULT_MAX_QUEUED_MESSAGES,
    max_queued_bytes: int = DEFAULT_MAX_QUEUED_BYTES,
    max_inflight: int = DEFAULT_MAX_INFLIGHT,
    max_packet_size: int = DEFAULT_MAX_PACKET_SIZE,
    message_size_limit: int = DEFAULT_MESSAGE_SIZE_LIMIT,
    autosave_interval: int = DEFAULT_AUTOSAVE_INTERVAL,
    run_as: str | None = None,
    pid_file: Path | str | None = None,
    cafile: Path | str | None = None,
    certfile: Path | str | None = None,
    keyfile: Path | str | None = None,
) -> str:
    """The hub broker's mosquitto.conf, with ``bridge`` (from :func:`render_bridge`) appended.

    On a hub that serves satellites, ``bind`` is the LAN address (or
    ``0.0.0.0``); a single-Pi office keeps loopback.
    """
    values = _common(
        port=port, bind=bind, data_dir=data_dir, password_file=password_file, acl_file=acl_file,
        log_dest=log_dest, log_types=log_types, max_queued_messages=max_queued_messages,
        max_queued_bytes=max_queued_bytes, max_inflight=max_inflight, max_packet_size=max_packet_size,
        message_size_limit=message_size_limit,
        autosave_interval=autosave_interval, run_as=run_as, pid_file=pid_file,
    )
    return render_template(
        "office.conf.j2",
        office=check_office(office),
        bridge=bridge.strip() if bridge else None,
        **values,
        **_tls("office listener TLS", cafile, certfile, keyfile),
    )


def render_bridge(
    office: str,
    cloud_host: str,
    cloud_port: int,
    username: str,
    password: str,
    restart_timeout: float | int | str | tuple[int, int] = PRODUCTION_RESTART_TIMEOUT,
    *,
    keepalive: int = 60,
    cafile: Path | str | None = None,
    certfile: Path | str | None = None,
    keyfile: Path | str | None = None,
) -> str:
    """The bridge section that connects office ``office``'s hub broker to the cloud.

    ``restart_timeout``: seconds before a reconnect attempt — a constant
    (tests use 1) or ``(base, cap)`` for jittered back-off (production).
    ``keepalive`` (>= 5 s, mosquitto's minimum) bounds how long a silently
    dead WAN link goes unnoticed. ``cafile`` turns TLS on (the cloud
    broker's CA); ``certfile``/``keyfile`` add a client certificate.
    """
    check_office(office)
    if not 5 <= int(keepalive) <= 65535:
        raise ConfigError(f"bridge keepalive {keepalive!r}: mosquitto accepts 5..65535 seconds")
    if (certfile or keyfile) and not cafile:
        raise ConfigError("bridge TLS: a client certificate needs cafile (the cloud broker's CA) too")
    topics_out, topics_in = bridge_topics(office)
    return render_template(
        "bridge.conf.j2",
        office=office,
        cloud_host=_token("cloud host", cloud_host),
        cloud_port=_port(cloud_port),
        username=_token("bridge username", username),
        password=_token("bridge password", password),
        remote_clientid=bridge_client_id(office),
        local_clientid=f"{bridge_client_id(office)}-local",
        restart_timeout=_restart_timeout(restart_timeout),
        keepalive=int(keepalive),
        notification_topic=link_topic(office),
        topics_out=topics_out,
        topics_in=topics_in,
        **_tls("bridge TLS", cafile, certfile, keyfile),
    )
