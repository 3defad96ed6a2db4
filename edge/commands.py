"""Executes the cloud's commands on the hub, each at most once.

MQTT QoS 1 may deliver a command twice, and calling the next citizen twice
would skip one; so every command id is remembered with the ack it got, and a
duplicate is answered with that same ack instead of being executed again. A
command that arrives after its ``expires_at`` (the cloud already told the user
it timed out) is refused, not executed late.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog

from protocol import Ack, AckError, ProtocolError, decode_command, dumps, topics
from protocol.codec import InvalidCommand
from protocol.envelope import Message
from protocol.messages import QueueCallNext, QueueRecall
from transport import MqttClient

from edge.queue.engine import Clock, QueueError
from edge.store import Store

log = structlog.get_logger(__name__)

#: A command handler returns the ack's result or raises QueueError.
CommandHandler = Callable[[Message], dict[str, object]]


class CommandExecutor:
    def __init__(self, client: MqttClient, store: Store, office: str, node: str, clock: Clock,
                 handlers: dict[type[Message], CommandHandler]) -> None:
        self.client = client
        self.store = store
        self.office = office
        self.node = node
        self.clock = clock
        self.handlers = handlers
        client.subscribe(topics.subscription(topics.Channel.CMD, office, node), self._on_command)

    def _on_command(self, topic: str, payload: bytes) -> None:
        try:
            command = decode_command(topic, payload)
        except InvalidCommand as exc:
            log.warning("command.invalid", topic=topic, command_id=exc.envelope.id, reason=str(exc))
            self._refuse(exc.envelope.id, str(exc))
            return
        except ProtocolError as exc:
            log.warning("command.invalid", topic=topic, reason=str(exc))
            return  # without a trusted id there is nobody to ack
        env = command.envelope
        previous = self.store.query("SELECT ack FROM commands WHERE id = ?", (env.id,))
        if previous:
            log.info("command.duplicate", command_id=env.id, name=env.name)
            self.client.publish(topics.ack(self.office, self.node), bytes(previous[0]["ack"]), qos=1)
            return
        now = self.clock()
        ack = self._execute(command.data, env.id, env.expires_at, now)
        payload_out = dumps(ack)
        with self.store.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO commands (id, ack, received_at) VALUES (?, ?, ?)",
                         (env.id, payload_out, now.isoformat()))
        self.client.publish(topics.ack(self.office, self.node), payload_out, qos=1)
        log.info("command.done", command_id=env.id, name=env.name, ok=ack.ok,
                 error=ack.error.code if ack.error else None)

    def _execute(self, data: Message, command_id: str, expires_at: datetime, now: datetime) -> Ack:
        def ack(ok: bool, result: dict[str, object] | None = None, error: AckError | None = None) -> Ack:
            return Ack(command_id=command_id, office=self.office, node=self.node, ts=now, ok=ok, result=result, error=error)

        if now > expires_at:
            return ack(False, error=AckError(code="expired", message=f"command expired at {expires_at.isoformat()}",
                                             message_vi="Lệnh đã hết hạn, không thực hiện."))
        handler = self.handlers.get(type(data))
        if handler is None:
            return ack(False, error=AckError(code="invalid_command", message=f"this node does not handle {type(data).__name__}"))
        try:
            return ack(True, result=handler(data))
        except QueueError as exc:
            return ack(False, error=AckError(code=exc.code, message=exc.message, message_vi=exc.message_vi))

    def _refuse(self, command_id: str, reason: str) -> None:
        ack = Ack(command_id=command_id, office=self.office, node=self.node, ts=self.clock(), ok=False,
                  error=AckError(code="invalid_command", message=reason, message_vi="Lệnh không hợp lệ."))
        self.client.publish(topics.ack(self.office, self.node), dumps(ack), qos=1)

    def prune(self, before: datetime) -> None:
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM commands WHERE received_at < ?", (before.isoformat(),))


__all__ = ["CommandExecutor", "QueueCallNext", "QueueRecall"]
