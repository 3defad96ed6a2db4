"""A running cloud broker and running office brokers, ready to use.

Tests, benchmarks and ``onestop demo`` all need the same thing: a real cloud
broker with a service user, offices added to it, and office hub brokers
bridged to it — on free ports in a scratch directory, up in a fraction of a
second, and gone without trace afterwards. Doing it in one place means they
all run exactly the configuration an IT person deploys (same templates,
same ACL, same bridge), only with faster reconnects.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

import structlog

from broker import configs
from broker.credentials import CloudBrokerDir, OfficeBrokerDir, OfficeCredentials
from broker.probe import MqttProbe, ProbeError, Received
from broker.process import BrokerError, Mosquitto, free_port
from transport.mqtt import MqttSettings
from transport.waiting import WaitTimeout, wait_until

log = structlog.get_logger(__name__)

LOCALHOST = "127.0.0.1"
#: Bridge reconnect for tests and the demo: a restarted cloud broker is
#: reached again within about a second instead of 5-30 s.
FAST_RESTART_TIMEOUT = 1
#: mosquitto's minimum bridge keepalive; a dead link is noticed within ~8 s.
FAST_KEEPALIVE = 5
#: Longest one login attempt of :func:`wait_for_login` waits for mosquitto's CONNACK.
_LOGIN_ATTEMPT_S = 2.0


def _run_as() -> str:
    """Run mosquitto as whoever we are (it would switch from root to 'mosquitto'
    and then fail to read our 0600 files in a scratch directory)."""
    return getpass.getuser()


def wait_for_login(
    host: str, port: int, username: str, password: str, timeout: float = 5.0, *, tls_ca: Path | str | None = None
) -> None:
    """Return once ``username`` can log in — e.g. after a reload (SIGHUP),
    which mosquitto applies asynchronously."""
    last = "no answer"

    def logged_in() -> bool:
        nonlocal last
        probe = MqttProbe(host, port, username, password, tls_ca=str(tls_ca) if tls_ca else None)
        try:
            # One attempt never outlasts the whole wait by much; a refusal comes back at once.
            reason = probe.connect(timeout=max(0.1, min(timeout, _LOGIN_ATTEMPT_S)))
            if not reason.is_failure:
                return True
            last = str(reason)
        except ProbeError as exc:
            last = str(exc)
        finally:
            probe.close()
        return False

    try:
        wait_until(logged_in, timeout, interval=0.02, what=f"user {username!r} to log in")
    except WaitTimeout:
        raise BrokerError(f"user {username!r} still cannot log in to {host}:{port} after {timeout}s: {last}") from None


def _start_on_port(
    write_conf: Callable[[int], Path], port: int | None, host: str, log_path: Path, name: str
) -> Mosquitto:
    """Write the config for a port and start mosquitto on it.

    A port picked by :func:`free_port` can be taken by another program (a
    parallel test run) before mosquitto binds it; then a new one is picked,
    twice at most. A port the caller chose is never changed behind its back.
    """
    attempts = 1 if port else 3
    for attempt in range(1, attempts + 1):
        chosen = port or free_port(host)
        process = Mosquitto(write_conf(chosen), chosen, log_path, host=host, name=name)
        try:
            return process.start()
        except BrokerError as exc:
            if attempt < attempts and "in use" in str(exc):
                log.warning("broker.port_taken", name=name, port=chosen, attempt=attempt)
                continue
            raise
    raise AssertionError("unreachable")


@dataclass
class CloudBroker:
    """A running cloud broker: where it listens, its directory, its service login."""

    host: str
    port: int
    dir: CloudBrokerDir
    process: Mosquitto
    service_username: str
    service_password: str = field(repr=False)
    #: CA that signed the listener's certificate, when it listens with TLS.
    tls_ca: Path | None = None

    def add_office(
        self,
        office: str,
        *,
        restart_timeout: float | int | str | tuple[int, int] = FAST_RESTART_TIMEOUT,
        keepalive: int = FAST_KEEPALIVE,
    ) -> OfficeCredentials:
        """Add (or rotate) an office, reload the broker and return once the
        office's login is accepted; the bridge config points at this broker."""
        creds = self.dir.add_office(
            office, cloud_host=self.host, cloud_port=self.port, restart_timeout=restart_timeout,
            keepalive=keepalive, cafile=self.tls_ca,
        )
        if self.process.is_running():
            self.process.reload()
            wait_for_login(self.host, self.port, creds.username, creds.password, tls_ca=self.tls_ca)
        return creds

    def mqtt_settings(self) -> MqttSettings:
        """Settings for the application's own client (``transport.MqttClient``) as the service user."""
        return MqttSettings(host=self.host, port=self.port, username=self.service_username, password=self.service_password)

    def service_probe(self, **kwargs: object) -> MqttProbe:
        """A connected MQTT v5 probe logged in as the service user."""
        kwargs.setdefault("tls_ca", str(self.tls_ca) if self.tls_ca else None)
        return MqttProbe(self.host, self.port, self.service_username, self.service_password, **kwargs).connected()  # type: ignore[arg-type]  # MqttProbe's keywords

    def stop(self) -> None:
        self.process.stop()

    def __enter__(self) -> CloudBroker:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.process.stop()


def start_cloud_broker(
    directory: Path | str,
    port: int | None = None,
    *,
    service_user: str = "cloud",
    host: str = LOCALHOST,
    tls_ca: Path | str | None = None,
    **conf_options: object,
) -> CloudBroker:
    """Create (or reuse) a cloud broker directory and start mosquitto on it.

    ``port`` None picks a free one. ``conf_options`` go to
    :func:`broker.configs.render_cloud_conf` (e.g. ``max_queued_messages``,
    or ``certfile``/``keyfile`` for TLS, with ``tls_ca`` the CA that signed
    them so that probes and bridges verify the broker).
    The service user's password is rotated on every call: a restart of the
    whole stack gets fresh credentials, and the old ones stop working.
    """
    cloud_dir = CloudBrokerDir(directory)
    cloud_dir.ensure()
    password = cloud_dir.add_service_user(service_user)
    conf_options.setdefault("run_as", _run_as())
    process = _start_on_port(
        lambda p: cloud_dir.write_conf(p, host, **conf_options), port, host, cloud_dir.log_path, "cloud-broker"
    )
    port = process.port
    return CloudBroker(host, port, cloud_dir, process, service_user, password, Path(tls_ca) if tls_ca else None)


class Login(NamedTuple):
    """Where and as whom to log in: ``mqtt_probe(*login)`` in tests."""

    host: str
    port: int
    username: str
    password: str

    def __repr__(self) -> str:  # never the password, in an assertion message or a log
        return f"Login({self.username}@{self.host}:{self.port})"


@dataclass
class OfficeBroker:
    """A running office hub broker, with its local ``hub`` login."""

    office: str
    host: str
    port: int
    dir: OfficeBrokerDir
    process: Mosquitto
    hub_username: str
    hub_password: str = field(repr=False)
    bridged: bool = False
    _cloud_login: Login | None = field(default=None, repr=False)

    @property
    def link_topic(self) -> str:
        return configs.link_topic(self.office)

    def mqtt_settings(self) -> MqttSettings:
        """Settings for the edge agent's client (``transport.MqttClient``) as the ``hub`` user."""
        return MqttSettings(host=self.host, port=self.port, username=self.hub_username, password=self.hub_password)

    def hub_probe(self, **kwargs: object) -> MqttProbe:
        """A connected MQTT v5 probe logged in to this hub broker as ``hub``."""
        return MqttProbe(self.host, self.port, self.hub_username, self.hub_password, **kwargs).connected()  # type: ignore[arg-type]  # MqttProbe's keywords

    def add_local_user(self, node: str) -> Login:
        """Add (or rotate) the login of node ``node`` (a satellite), reload, and return once it works."""
        return self._login(node, self.dir.add_local_user(node))

    def cloud_login(self, name: str = "cloud") -> Login:
        """A login that plays the cloud here (writes cmd, config, cursor; reads what nodes publish).

        Only tests of a hub without its cloud need it; production has none
        (the bridge brings those topics in), so it is added on first use.
        """
        if self._cloud_login is None:
            self._cloud_login = self._login(name, self.dir.add_cloud_standin(name))
        return self._cloud_login

    def _login(self, username: str, password: str) -> Login:
        if self.process.is_running():
            self.process.reload()
            wait_for_login(self.host, self.port, username, password)
        return Login(self.host, self.port, username, password)

    def wait_bridge_connected(self, timeout: float = 10.0) -> None:
        """Return once the bridge to the cloud is up.

        The bridge publishes its retained notification "1" to the local broker
        too, after its subscriptions on the cloud are in place — so from then
        on a command published on the cloud reaches this office.
        """
        if not self.bridged:
            raise BrokerError(f"office broker {self.office} was started without a bridge")
        with self.hub_probe() as probe:
            probe.subscribe(self.link_topic)
            try:
                probe.expect(lambda m: m.topic == self.link_topic and m.payload == b"1", timeout=timeout)
            except ProbeError:
                raise BrokerError(
                    f"the bridge of office {self.office} did not connect to the cloud within {timeout}s. "
                    f"Office broker output:\n{self.process.log_tail()}"
                ) from None

    def stop(self) -> None:
        self.process.stop()

    def __enter__(self) -> OfficeBroker:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.process.stop()


def start_office_broker(
    directory: Path | str,
    office: str,
    *,
    cloud: CloudBroker | None = None,
    credentials: OfficeCredentials | None = None,
    cloud_host: str | None = None,
    cloud_port: int | None = None,
    port: int | None = None,
    restart_timeout: float | int | str | tuple[int, int] = FAST_RESTART_TIMEOUT,
    keepalive: int = FAST_KEEPALIVE,
    host: str = LOCALHOST,
    wait_bridge: bool = True,
    **conf_options: object,
) -> OfficeBroker:
    """Start office ``office``'s hub broker, bridged to ``cloud`` if given.

    With ``cloud``: the office is added to it unless ``credentials`` are
    passed, and (``wait_bridge``) this returns only once messages cross the
    bridge in both directions (:func:`wait_bridge_ready`). Without ``cloud``
    but with ``credentials`` and ``cloud_port``: bridged to that address, and
    ``wait_bridge`` waits for the link notification only. Neither: a
    stand-alone hub broker (the WAN is down from the start).

    The bridge is rendered here rather than taken from
    ``credentials.bridge_conf`` so that it always has fast reconnects and the
    address actually used.
    """
    office_dir = OfficeBrokerDir(directory, office)
    office_dir.ensure()
    hub_password = office_dir.add_local_user("hub")
    bridge_ca = None
    if cloud is not None:
        credentials = credentials or cloud.add_office(office)
        cloud_host, cloud_port, bridge_ca = cloud.host, cloud.port, cloud.tls_ca
    bridge = None
    if credentials is not None:
        if cloud_port is None:
            raise BrokerError("start_office_broker: credentials given but no cloud (or cloud_port) to bridge to")
        if credentials.office != office:
            raise BrokerError(f"credentials are for office {credentials.office!r}, not {office!r}")
        bridge = configs.render_bridge(
            office, cloud_host or LOCALHOST, cloud_port, credentials.username, credentials.password,
            restart_timeout, keepalive=keepalive, cafile=bridge_ca,
        )
    conf_options.setdefault("run_as", _run_as())
    process = _start_on_port(
        lambda p: office_dir.write_conf(p, host, bridge=bridge, **conf_options), port, host,
        office_dir.log_path, f"office-broker-{office}",
    )
    broker = OfficeBroker(office, host, process.port, office_dir, process, "hub", hub_password, bridged=bridge is not None)
    if bridge is not None and wait_bridge:
        try:
            if cloud is not None:
                wait_bridge_ready(cloud, broker)
            else:
                broker.wait_bridge_connected()
        except BaseException:
            process.stop()
            raise
    return broker


def wait_bridge_ready(cloud: CloudBroker, office: OfficeBroker, timeout: float = 15.0) -> None:
    """Return once a command published on the cloud reaches the office broker.

    The link notification alone is not enough: mosquitto 2.0 publishes "1"
    *before* it sends the bridge's SUBSCRIBE for the incoming topics, so a
    command published right after seeing "1" can still be missed. Instead the
    cloud publishes ``onestop/v1/{office}/bridge/cmd/ping`` (node ``bridge``
    is reserved for this layer, so no agent acts on it) until one arrives.
    Outgoing topics need no check: the bridge's local subscription exists from
    the office broker's start and queues until the link is up.
    """
    topic = configs.ping_topic(office.office)
    attempts = 0
    with office.hub_probe() as receiver, cloud.service_probe() as sender:
        receiver.subscribe(topic)

        def carried() -> bool:
            nonlocal attempts
            attempts += 1
            token = f"ping-{attempts}".encode()
            sender.publish(topic, token, qos=1)

            def carries(message: Received, expected: bytes = token) -> bool:
                return message.payload == expected

            try:
                receiver.expect(carries, timeout=min(0.25, timeout))
            except ProbeError:
                return False  # not subscribed on the cloud yet: publish again
            return True

        try:
            wait_until(carried, timeout, interval=0, what=f"the bridge of office {office.office}")
        except WaitTimeout:
            raise BrokerError(
                f"the bridge of office {office.office} did not carry a command from the cloud within {timeout}s. "
                f"Office broker output:\n{office.process.log_tail()}\nCloud broker output:\n{cloud.process.log_tail()}"
            ) from None
    log.info("broker.bridge_ready", office=office.office, attempts=attempts)
