"""A small synchronous MQTT v5 client for checking a broker from the outside.

Tests, benchmarks and ``onestop demo`` need to ask a running broker concrete
questions — may this user log in, what reason code does the broker give this
publish, has that retained message arrived — and wait for the answer with a
deadline. paho's callbacks are turned into blocking calls with timeouts here,
once. MQTT v5 is used because only v5 carries the broker's reason codes on
PUBACK and SUBACK (v3.1.1 has no way to say "not authorized" for a publish).

This is not the application's transport (that is ``transport.MqttClient``).
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from transport.mqtt import _no_delay
from transport.waiting import WaitTimeout, wait_until

_ids = itertools.count(1)

#: MQTT v5 reason code a broker gives for an ACL denial.
NOT_AUTHORIZED = 0x87
#: How long ``expect`` blocks on the queue between two looks at its deadline.
_EXPECT_SLICE_S = 0.05


class ProbeError(RuntimeError):
    """The broker did not answer as expected within the deadline."""


@dataclass(frozen=True)
class Received:
    topic: str
    payload: bytes
    qos: int
    retain: bool

    @property
    def text(self) -> str:
        return self.payload.decode("utf-8", errors="replace")


class MqttProbe:
    """Connect, publish/subscribe and wait for answers, all with timeouts.

    Every message received on any subscription goes into one queue, read by
    :meth:`expect` (consuming) in arrival order.
    """

    def __init__(
        self,
        host: str,
        port: int,
        username: str | None = None,
        password: str | None = None,
        *,
        client_id: str | None = None,
        clean_start: bool = True,
        session_expiry: int = 0,
        keepalive: int = 10,
        will: tuple[str, bytes, int, bool] | None = None,
        tls_ca: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.client_id = client_id or f"probe-{next(_ids)}-{time.monotonic_ns() % 10**9}"
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=mqtt.MQTTv5)
        self._client.on_socket_open = _no_delay  # same latency fix as transport.MqttClient
        if username is not None:
            self._client.username_pw_set(username, password)
        if will:
            self._client.will_set(*will)
        if tls_ca:
            # Verify the broker against this CA, hostname included.
            self._client.tls_set(ca_certs=str(tls_ca))
        self._clean_start = clean_start
        self._session_expiry = session_expiry
        self._keepalive = keepalive
        self._lock = threading.Condition()
        self._connack: ReasonCode | None = None
        self._disconnected = threading.Event()
        self._pubacks: dict[int, ReasonCode] = {}
        self._subacks: dict[int, list[ReasonCode]] = {}
        self.messages: queue.Queue[Received] = queue.Queue()
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_publish = self._on_publish
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message
        self._started = False

    # -- callbacks (paho's network thread) ------------------------------------------

    def _on_connect(self, _c: mqtt.Client, _u: object, _f: object, reason: ReasonCode, _p: object) -> None:
        with self._lock:
            self._connack = reason
            self._disconnected.clear()
            self._lock.notify_all()

    def _on_disconnect(self, _c: mqtt.Client, _u: object, _f: object, reason: ReasonCode, _p: object) -> None:
        with self._lock:
            if self._connack is None:
                self._connack = reason  # refused before CONNACK was seen as success
            self._disconnected.set()
            self._lock.notify_all()

    def _on_publish(self, _c: mqtt.Client, _u: object, mid: int, reason: ReasonCode, _p: object) -> None:
        with self._lock:
            self._pubacks[mid] = reason
            self._lock.notify_all()

    def _on_subscribe(self, _c: mqtt.Client, _u: object, mid: int, reasons: list[ReasonCode], _p: object) -> None:
        with self._lock:
            self._subacks[mid] = list(reasons)
            self._lock.notify_all()

    def _on_message(self, _c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        self.messages.put(Received(msg.topic, bytes(msg.payload), msg.qos, bool(msg.retain)))

    def _wait(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        with self._lock:
            if not self._lock.wait_for(predicate, timeout):
                raise ProbeError(f"{self.client_id}: no {what} from {self.host}:{self.port} within {timeout}s")

    # -- API -------------------------------------------------------------------------

    def connect(self, timeout: float = 5.0) -> ReasonCode:
        """Connect and return the CONNACK reason code (success or the refusal)."""
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]  # paho 2.2 leaves __init__ unannotated
        props.SessionExpiryInterval = self._session_expiry
        with self._lock:
            self._connack = None
        try:
            self._client.connect(self.host, self.port, keepalive=self._keepalive,
                                 clean_start=self._clean_start, properties=props)
        except OSError as exc:
            raise ProbeError(f"{self.client_id}: cannot reach {self.host}:{self.port}: {exc}") from exc
        if not self._started:
            self._client.loop_start()
            self._started = True
        self._wait(lambda: self._connack is not None, timeout, "CONNACK")
        assert self._connack is not None
        return self._connack

    def connected(self) -> MqttProbe:
        """Connect and insist on success (for fixtures)."""
        reason = self.connect()
        if reason.is_failure:
            self.close()
            raise ProbeError(f"{self.client_id}: broker {self.host}:{self.port} refused the login: {reason}")
        return self

    def publish(
        self, topic: str, payload: bytes | str, qos: int = 1, retain: bool = False, timeout: float = 5.0
    ) -> ReasonCode | None:
        """Publish; for QoS >= 1 wait for PUBACK and return its reason code."""
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise ProbeError(f"{self.client_id}: publish to {topic} failed locally: {mqtt.error_string(info.rc)}")
        if qos == 0:
            return None
        self._wait(lambda: info.mid in self._pubacks, timeout, f"PUBACK for {topic}")
        with self._lock:
            return self._pubacks.pop(info.mid)

    def subscribe(self, topic_filter: str, qos: int = 1, timeout: float = 5.0) -> ReasonCode:
        """Subscribe and return the SUBACK reason code (granted QoS, or >= 0x80 refused)."""
        rc, mid = self._client.subscribe(topic_filter, qos)
        if rc != mqtt.MQTT_ERR_SUCCESS or mid is None:
            raise ProbeError(f"{self.client_id}: subscribe to {topic_filter} failed locally: {mqtt.error_string(rc)}")
        self._wait(lambda: mid in self._subacks, timeout, f"SUBACK for {topic_filter}")
        with self._lock:
            return self._subacks.pop(mid)[0]

    def expect(
        self,
        predicate: Callable[[Received], bool] | str,
        timeout: float = 5.0,
    ) -> Received:
        """The next received message satisfying ``predicate`` (or with that exact topic).

        Messages that do not match are discarded, so order assertions use
        :meth:`next_message` instead.
        """
        match = (lambda m: m.topic == predicate) if isinstance(predicate, str) else predicate

        def next_match() -> Received | None:
            try:
                msg = self.messages.get(timeout=min(timeout, _EXPECT_SLICE_S))  # wakes at once on a message
            except queue.Empty:
                return None
            return msg if match(msg) else None

        try:
            return wait_until(next_match, timeout, interval=0, what="the expected message")
        except WaitTimeout:
            raise ProbeError(f"{self.client_id}: expected message did not arrive within {timeout}s") from None

    def next_message(self, timeout: float = 5.0) -> Received:
        try:
            return self.messages.get(timeout=timeout)
        except queue.Empty:
            raise ProbeError(f"{self.client_id}: no message within {timeout}s") from None

    def wait_disconnected(self, timeout: float = 5.0) -> bool:
        return self._disconnected.wait(timeout)

    def close(self) -> None:
        """Disconnect cleanly (no Last Will) and stop the network thread."""
        if self._started:
            try:
                self._client.disconnect()
            finally:
                self._client.loop_stop()
                # paho closes loop_start()'s wake-up socket pair only in __del__ (see transport/mqtt.py).
                self._client._reset_sockets()
                self._started = False

    def __enter__(self) -> MqttProbe:
        return self.connected()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
