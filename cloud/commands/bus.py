"""Sending a command to a node and waiting for its ack, without polling.

``send`` records the command (pending), publishes it (QoS 1, not retained: a
command is for now, not for whoever connects next) and awaits an asyncio
future. paho's network thread decodes each ack and resolves the matching
future with ``loop.call_soon_threadsafe``, so the request wakes up as soon as
the ack arrives. The command carries ``expires_at = now + timeout``; the node
refuses it after that, so when ``send`` gives up, the command is dead for good
and the user can safely be told it will not run later.

Acks nobody waits for (late ones, duplicates, acks for commands sent by an
earlier run) are still written to the command's row: the row should say what
the node actually did. Acks for unknown commands and undecodable acks become
dead letters. None of this can raise into paho's thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Engine

from cloud.commands import records
from cloud.commands.errors import BrokerUnavailable, CommandTimeout
from cloud.ingest.dead_letters import record_dead_letter
from protocol import Ack, ProtocolError, decode_ack, dumps, make_command, topics
from protocol.envelope import Message
from transport import MqttClient

log = structlog.get_logger(__name__)


class CommandBus:
    def __init__(self, engine: Engine, client: MqttClient, default_timeout: float) -> None:
        self.engine = engine
        self.client = client
        self.default_timeout = default_timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: dict[str, asyncio.Future[Ack]] = {}
        self._background: set[asyncio.Task[Any]] = set()
        #: Called with the office whose records an ack's effect changed (the console's streams, cloud.web.live).
        self.on_change: Callable[[set[str]], None] | None = None
        client.subscribe(topics.subscription(topics.Channel.ACK), self._on_ack, qos=1)

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind to the running event loop (acks are delivered to it) and connect."""
        self._loop = asyncio.get_running_loop()
        expired = await asyncio.to_thread(records.expire_overdue, self.engine, datetime.now(UTC))
        if expired:
            log.info("command.expired_at_startup", count=expired)
        self.client.start()

    async def stop(self) -> None:
        self.client.stop()
        if self._background:
            await asyncio.wait(self._background, timeout=5)

    @property
    def connected(self) -> bool:
        return self.client.connected.is_set()

    # -- sending ----------------------------------------------------------------------------

    async def send(self, office: str, node: str, data: Message, timeout: float | None = None,
                   effect: records.AckEffect | None = None) -> Ack:
        """Send ``data`` to ``office``/``node`` and return its ack (ok or not).

        ``effect`` runs in the transaction that stores an ok ack (records.record_ack). An ack that
        comes after the timeout is stored without it: the caller was told the command failed.

        Raises BrokerUnavailable when not connected, CommandTimeout when no
        ack arrives within ``timeout`` seconds.
        """
        if self._loop is None:
            raise RuntimeError("CommandBus.start() was not awaited")
        if not self.connected:
            raise BrokerUnavailable("the cloud is not connected to the MQTT broker")
        timeout = self.default_timeout if timeout is None else timeout
        now = datetime.now(UTC)
        envelope = make_command(office, node, now, now + timedelta(seconds=timeout), data)
        bound = log.bind(office=office, node=node, command_id=envelope.id, name=envelope.name)
        future: asyncio.Future[Ack] = self._loop.create_future()
        self._waiting[envelope.id] = future
        try:
            await asyncio.to_thread(records.insert_pending, self.engine, envelope)
            if not self.client.publish(topics.cmd(office, node, envelope.name), dumps(envelope), qos=1):
                await asyncio.to_thread(records.mark_not_sent, self.engine, envelope.id, "broker connection lost")
                raise BrokerUnavailable("the cloud lost its connection to the MQTT broker")
            try:
                ack = await asyncio.wait_for(future, timeout)
            except TimeoutError:
                await asyncio.to_thread(records.mark_expired, self.engine, envelope.id)
                bound.warning("command.timeout", timeout_s=timeout)
                raise CommandTimeout(envelope.id, office, node, timeout) from None
            await asyncio.to_thread(records.record_ack, self.engine, ack, effect)
            if effect is not None and ack.ok and self.on_change is not None:
                self.on_change({office})  # the effect changed the office's records (a counter's sitting)
            bound.info("command.acked", ok=ack.ok, error=ack.error.code if ack.error else None,
                       ms=round((datetime.now(UTC) - now).total_seconds() * 1000, 1))
            return ack
        finally:
            self._waiting.pop(envelope.id, None)

    # -- acks (paho's thread) -----------------------------------------------------------------

    def _on_ack(self, topic: str, payload: bytes) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            log.warning("command.ack_before_start", topic=topic)
            return
        try:
            ack = decode_ack(topic, payload)
        except ProtocolError as exc:
            loop.call_soon_threadsafe(self._spawn, record_dead_letter, self.engine, topic, payload, str(exc))
            return
        loop.call_soon_threadsafe(self._deliver, ack, topic, payload)

    # -- on the event loop ----------------------------------------------------------------------

    def _deliver(self, ack: Ack, topic: str, payload: bytes) -> None:
        future = self._waiting.get(ack.command_id)
        if future is not None and not future.done():
            future.set_result(ack)
            return
        self._spawn(self._record_unawaited, ack, topic, payload)

    def _record_unawaited(self, ack: Ack, topic: str, payload: bytes) -> None:
        """An ack nobody waits for: late, duplicated, or for a command we never sent."""
        outcome = records.record_ack(self.engine, ack)
        bound = log.bind(office=ack.office, node=ack.node, command_id=ack.command_id, ok=ack.ok)
        if outcome is records.AckOutcome.UNKNOWN:
            bound.warning("command.ack_unknown")
            record_dead_letter(self.engine, topic, payload, f"ack for unknown command {ack.command_id!r}")
        elif outcome is records.AckOutcome.RECORDED:
            bound.warning("command.ack_late")
        else:
            bound.debug("command.ack_duplicate")

    def _spawn(self, func: Any, *args: Any) -> None:
        task = asyncio.ensure_future(asyncio.to_thread(self._guarded, func, *args))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    @staticmethod
    def _guarded(func: Any, *args: Any) -> None:
        try:
            func(*args)
        except Exception:
            log.exception("command.ack_recording_failed")
