"""A thin, reconnecting MQTT client on paho-mqtt.

paho already reconnects (``reconnect_delay_set`` + ``loop_start``) and already
routes messages by topic filter (``message_callback_add``); this class only
adds what both the edge and the cloud need on top: subscriptions that are
renewed on every (re)connect, an Event that says whether we are connected, and
a ``publish`` that tells the caller whether the message was handed to the
broker connection, because a caller that must not lose a message (the edge
outbox) keeps it until the cloud confirms, and never relies on paho's queue.

A consumer that stores what it receives (the cloud ingest) uses manual acks
(``manual_ack=True``, ``subscribe_acked``, ``ack``): paho then sends the
PUBACK only when told to, after the consumer's commit, so a message that was
received but not stored stays with the broker, which delivers it again when
the persistent session resumes.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt
import structlog
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

log = structlog.get_logger(__name__)

Handler = Callable[[str, bytes], None]


@dataclass(frozen=True, slots=True)
class Delivery:
    """What ``MqttClient.ack`` needs to acknowledge one received message.

    ``mid`` is the broker's packet id on the connection that delivered it;
    ``serial`` tells this delivery from an earlier one under the same mid (a
    redelivery after a reconnect, or a mid the broker reused once the first
    was acknowledged), so a late ack of an old delivery never acknowledges a
    newer message that happens to carry the same mid.
    """

    mid: int
    qos: int
    serial: int


#: ``handler(topic, payload, delivery)``; the caller acks ``delivery`` once it has stored the message.
AckedHandler = Callable[[str, bytes, Delivery], None]


@dataclass(frozen=True)
class MqttSettings:
    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = None
    keepalive: int = 15


@dataclass(frozen=True)
class Will:
    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = True


@dataclass
class _Subscription:
    pattern: str
    qos: int
    handler: Callable[..., None] = field(repr=False)


def _no_delay(_client: mqtt.Client, _userdata: object, sock: object) -> None:
    """Disable Nagle's algorithm: paho does not, and a PUBACK followed by a small
    PUBLISH then waits for the broker's delayed ACK, about 40 ms per hop. A
    command's round trip crosses four such hops."""
    if isinstance(sock, socket.socket) and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class MqttClient:
    def __init__(
        self,
        client_id: str,
        settings: MqttSettings,
        *,
        clean_session: bool = True,
        will: Will | None = None,
        on_connect: Callable[[], None] | None = None,
        on_disconnect: Callable[[], None] | None = None,
        max_inflight: int = 1000,
        manual_ack: bool = False,
    ) -> None:
        self.settings = settings
        self.client_id = client_id
        self.connected = threading.Event()
        self._on_connect_cb = on_connect
        self._on_disconnect_cb = on_disconnect
        self._subscriptions: list[_Subscription] = []
        self.manual_ack = manual_ack
        #: mid → serial of the delivery awaiting its ack (manual acks only); emptied on disconnect,
        #: because the broker delivers those messages again on the next connection.
        self._unacked: dict[int, int] = {}
        self._serial = 0
        self._ack_lock = threading.Lock()
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=clean_session,
            protocol=mqtt.MQTTv311,
        )
        if settings.username:
            self._client.username_pw_set(settings.username, settings.password)
        if will:
            self._client.will_set(will.topic, will.payload, qos=will.qos, retain=will.retain)
        self._client.max_inflight_messages_set(max_inflight)
        self._client.manual_ack_set(manual_ack)
        self._client.max_queued_messages_set(0)
        # paho annotates min_delay as int, but computes the back-off in floats: 0.1 s is meant.
        self._client.reconnect_delay_set(min_delay=0.1, max_delay=2)  # type: ignore[arg-type]  # see above
        self._client.on_connect = self._handle_connect
        self._client.on_disconnect = self._handle_disconnect
        self._client.on_socket_open = _no_delay
        self._started = False

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> None:
        self._client.connect_async(self.settings.host, self.settings.port, keepalive=self.settings.keepalive)
        self._client.loop_start()
        self._started = True

    def wait_connected(self, timeout: float) -> bool:
        return self.connected.wait(timeout)

    def stop(self) -> None:
        """Disconnect cleanly (the broker will not send our Last Will)."""
        if not self._started:
            return
        self._client.disconnect()
        self._client.loop_stop()
        # loop_start() opened a socket pair to wake the network thread, and paho
        # closes it only in the client's __del__: a client kept alive by a
        # reference cycle would hold two descriptors until the next full GC,
        # and a long-lived process that makes many clients (a test run) runs
        # past select()'s 1024 limit.
        self._client._reset_sockets()
        self._started = False
        self.connected.clear()

    # -- messaging -------------------------------------------------------------

    def subscribe(self, pattern: str, handler: Handler, qos: int = 1) -> None:
        """Route messages matching ``pattern`` to ``handler(topic, payload)``.

        Handlers run on paho's network thread; an exception is logged and the
        message dropped, never the connection.
        """
        if self.manual_ack:
            raise ValueError("a client with manual acks takes subscribe_acked(): nothing would ack these messages")
        self._add(_Subscription(pattern, qos, handler), self._wrap)

    def subscribe_acked(self, pattern: str, handler: AckedHandler, qos: int = 1) -> None:
        """Route messages matching ``pattern`` to ``handler(topic, payload, delivery)`` (manual acks only).

        The broker counts each message as in flight until ``ack(delivery)``;
        a handler that raises is logged and its message left unacknowledged,
        so the broker delivers it again on the next connection.
        """
        if not self.manual_ack:
            raise ValueError("subscribe_acked() needs MqttClient(manual_ack=True)")
        self._add(_Subscription(pattern, qos, handler), self._wrap_acked)

    def ack(self, delivery: Delivery) -> bool:
        """Acknowledge a message to the broker; False when it is no longer ours to ack.

        That is when the connection that delivered it has dropped since: the
        broker delivers the message again on the next connection, and that
        delivery is the one to acknowledge. Safe from any thread.
        """
        if delivery.qos == 0:
            return True
        with self._ack_lock:
            if self._unacked.get(delivery.mid) != delivery.serial:
                return False
            del self._unacked[delivery.mid]
        # Outside the lock: paho takes its own locks, which its network thread holds around our callbacks.
        return self._client.ack(delivery.mid, delivery.qos) == mqtt.MQTT_ERR_SUCCESS

    def _add(self, sub: _Subscription, wrap: Callable[[_Subscription], Callable[..., None]]) -> None:
        self._subscriptions.append(sub)
        self._client.message_callback_add(sub.pattern, wrap(sub))
        if self.connected.is_set():
            self._client.subscribe(sub.pattern, sub.qos)

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> bool:
        """Hand a message to the connection; False when not connected (nothing is queued)."""
        if not self.connected.is_set():
            return False
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        return info.rc == mqtt.MQTT_ERR_SUCCESS

    # -- paho callbacks ----------------------------------------------------------

    def _wrap(self, sub: _Subscription) -> Callable[..., None]:
        def on_message(_client: mqtt.Client, _userdata: object, message: mqtt.MQTTMessage) -> None:
            try:
                sub.handler(message.topic, bytes(message.payload))  # bytes() of bytes is the same object
            except Exception:  # a bad handler must not take the link down
                log.exception("mqtt.handler_failed", topic=message.topic, pattern=sub.pattern)

        return on_message

    def _wrap_acked(self, sub: _Subscription) -> Callable[..., None]:
        def on_message(_client: mqtt.Client, _userdata: object, message: mqtt.MQTTMessage) -> None:
            with self._ack_lock:
                self._serial += 1
                delivery = Delivery(message.mid, message.qos, self._serial)
                if message.qos:
                    self._unacked[message.mid] = delivery.serial
            try:
                sub.handler(message.topic, message.payload, delivery)
            except Exception:  # left unacknowledged: the broker delivers it again on the next connection
                log.exception("mqtt.handler_failed", topic=message.topic, pattern=sub.pattern)

        return on_message

    def _handle_connect(self, client: mqtt.Client, _u: object, _flags: object, reason: ReasonCode, _p: object) -> None:
        if reason.is_failure:
            log.warning("mqtt.connect_refused", client_id=self.client_id, reason=str(reason),
                        host=self.settings.host, port=self.settings.port)
            return
        for sub in self._subscriptions:
            client.subscribe(sub.pattern, sub.qos)
        self.connected.set()
        log.info("mqtt.connected", client_id=self.client_id, host=self.settings.host, port=self.settings.port)
        if self._on_connect_cb:
            try:
                self._on_connect_cb()
            except Exception:
                log.exception("mqtt.on_connect_failed", client_id=self.client_id)

    def _handle_disconnect(self, _c: mqtt.Client, _u: object, _f: object, reason: ReasonCode, _p: object) -> None:
        was = self.connected.is_set()
        self.connected.clear()
        with self._ack_lock:
            self._unacked.clear()  # paho drops the PUBACKs it has not written; the broker re-sends those messages
        if was:
            log.warning("mqtt.disconnected", client_id=self.client_id, reason=str(reason))
            if self._on_disconnect_cb:
                self._on_disconnect_cb()
