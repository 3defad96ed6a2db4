"""Executes the cloud's commands on the hub, each at most once.

MQTT QoS 1 may deliver a command twice, and calling the next citizen twice
would skip one; so every command id is remembered with the ack it got, and a
duplicate is answered with that same ack instead of being executed again. A
command that arrives after its ``expires_at`` (the cloud already told the user
it timed out) is refused, not executed late.

The duplicate check, the handler's queue change with its outbox events, and the
ack record are one SQLite transaction (the handler's own transaction joins
ours, see ``Store.transaction``): a power cut at any point leaves either all of
them or none, and the broker, which gets its PUBACK only after we return,
redelivers a command that left nothing. What the citizen sees or hears (LED
board, voice, hall display) and the ack happen only after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from edge.queue.engine import Clock, QueueError
from edge.store import Store
from protocol import Ack, AckError, ProtocolError, decode_command, dumps, topics
from protocol.codec import InvalidCommand
from protocol.envelope import Message
from protocol.messages import QueueCallNext, QueueRecall
from transport import MqttClient

log = structlog.get_logger(__name__)


def _nothing() -> None:
    pass


@dataclass(frozen=True)
class Executed:
    """What a handler did inside the command's transaction.

    ``result`` goes into the ack; ``after_commit`` shows the change on the
    devices, and runs only once the change is durable, so a crash before the
    commit never shows a call that did not happen.
    """

    result: dict[str, object]
    after_commit: Callable[[], None] = _nothing


#: A command handler runs inside the command's transaction and returns what it
#: did, or raises QueueError (the ack then carries the refusal).
CommandHandler = Callable[[Message], Executed]


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
        with self.store.transaction() as conn:
            previous = conn.execute("SELECT ack FROM commands WHERE id = ?", (env.id,)).fetchone()
            if previous is None:
                now = self.clock()
                ack, after_commit = self._execute(command.data, env.id, env.expires_at, now)
                ack_bytes = dumps(ack)  # stored and published byte for byte: a duplicate gets the same
                conn.execute("INSERT INTO commands (id, ack, received_at) VALUES (?, ?, ?)",
                             (env.id, ack_bytes, now.isoformat()))
        if previous is not None:
            log.info("command.duplicate", command_id=env.id, name=env.name)
            self.client.publish(topics.ack(self.office, self.node), bytes(previous["ack"]), qos=1)
            return
        try:
            after_commit()
        except Exception:  # a device failing to show the call must not withhold the ack of a committed change
            log.exception("command.after_commit_failed", command_id=env.id, name=env.name)
        self.client.publish(topics.ack(self.office, self.node), ack_bytes, qos=1)
        log.info("command.done", command_id=env.id, name=env.name, ok=ack.ok,
                 error=ack.error.code if ack.error else None)

    def _execute(self, data: Message, command_id: str, expires_at: datetime,
                 now: datetime) -> tuple[Ack, Callable[[], None]]:
        """Run the handler inside the caller's transaction: the ack and what to do once it commits."""
        def ack(ok: bool, result: dict[str, object] | None = None, error: AckError | None = None) -> Ack:
            return Ack(command_id=command_id, office=self.office, node=self.node, ts=now, ok=ok, result=result, error=error)

        if now > expires_at:
            return ack(False, error=AckError(code="expired", message=f"command expired at {expires_at.isoformat()}",
                                             message_vi="Lệnh đã hết hạn, không thực hiện.")), _nothing
        handler = self.handlers.get(type(data))
        if handler is None:
            return ack(False, error=AckError(code="invalid_command",
                                             message=f"this node does not handle {type(data).__name__}")), _nothing
        try:
            executed = handler(data)
        except QueueError as exc:
            return ack(False, error=AckError(code=exc.code, message=exc.message, message_vi=exc.message_vi)), _nothing
        return ack(True, result=executed.result), executed.after_commit

    def _refuse(self, command_id: str, reason: str) -> None:
        ack = Ack(command_id=command_id, office=self.office, node=self.node, ts=self.clock(), ok=False,
                  error=AckError(code="invalid_command", message=reason, message_vi="Lệnh không hợp lệ."))
        self.client.publish(topics.ack(self.office, self.node), dumps(ack), qos=1)

    def prune(self, before: datetime) -> None:
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM commands WHERE received_at < ?", (before.isoformat(),))


__all__ = ["CommandExecutor", "CommandHandler", "Executed", "QueueCallNext", "QueueRecall"]
