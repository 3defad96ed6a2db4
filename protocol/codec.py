"""Turning bytes from the broker into checked models, and models into bytes.

Decoding checks the payload against the topic it came on (an office may not
speak for another office, an ``evt/ticket.called`` topic may not carry a
``ticket.issued``), so a consumer that gets a model back can trust every field.
Everything wrong raises :class:`ProtocolError` with a reason a person can act
on; consumers put that reason in their dead-letter store.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from protocol import topics
from protocol.envelope import Ack, CommandEnvelope, Cursor, EventEnvelope, Message, NodeState
from protocol.errors import validation_text
from protocol.messages import COMMAND_NAMES, COMMANDS, EVENT_NAMES, EVENTS

M = TypeVar("M", bound=BaseModel)


class ProtocolError(ValueError):
    """A message that breaks the contract; ``str(err)`` is the reason."""


class InvalidCommand(ProtocolError):
    """A command whose envelope is sound but whose name or data is not.

    Its id can be trusted, so the node answers with an ``invalid_command`` ack
    at once instead of leaving the clerk to wait for a timeout.
    """

    def __init__(self, reason: str, envelope: CommandEnvelope) -> None:
        super().__init__(reason)
        self.envelope = envelope


@dataclass(frozen=True)
class Event:
    envelope: EventEnvelope
    data: Message


@dataclass(frozen=True)
class Command:
    envelope: CommandEnvelope
    data: Message


def new_id() -> str:
    return uuid.uuid4().hex


def _errors(exc: ValidationError) -> str:
    return validation_text(exc, root="(payload)", limit=5)


def _validate(model: type[M], payload: bytes | str, what: str) -> M:
    try:
        return model.model_validate_json(payload)
    except ValidationError as exc:
        raise ProtocolError(f"invalid {what}: {_errors(exc)}") from None


def _validate_data(model: type[M], data: dict[str, Any], what: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ProtocolError(f"invalid data of {what}: {_errors(exc)}") from None


def _check_origin(topic: topics.Topic, office: str, node: str) -> None:
    if (topic.office, topic.node) != (office, node):
        raise ProtocolError(
            f"payload says office={office!r} node={node!r} but came on {topic.office}/{topic.node}"
        )


def dumps(message: BaseModel) -> bytes:
    return message.model_dump_json().encode()


# --- events -----------------------------------------------------------------


def make_event(office: str, node: str, seq: int, ts: datetime, data: Message, id: str | None = None,
               epoch: int = 0) -> EventEnvelope:
    """The envelope of fact ``data``: ``seq`` counts within the node's storage ``epoch``."""
    return EventEnvelope(
        id=id or new_id(),
        office=office,
        node=node,
        epoch=epoch,
        seq=seq,
        ts=ts,
        type=EVENT_NAMES[type(data)],
        data=data.model_dump(mode="json"),
    )


def decode_event_data(envelope: EventEnvelope) -> Message:
    model = EVENTS.get(envelope.type)
    if model is None:
        raise ProtocolError(f"unknown event type {envelope.type!r}; known: {', '.join(sorted(EVENTS))}")
    return _validate_data(model, envelope.data, envelope.type)


def decode_event(topic: str, payload: bytes | str) -> Event:
    t = _parse_topic(topic, topics.Channel.EVT)
    envelope = _validate(EventEnvelope, payload, "event envelope")
    _check_origin(t, envelope.office, envelope.node)
    if envelope.type != t.name:
        raise ProtocolError(f"payload type {envelope.type!r} does not match topic name {t.name!r}")
    return Event(envelope, decode_event_data(envelope))


# --- commands and acks --------------------------------------------------------


def make_command(office: str, node: str, ts: datetime, expires_at: datetime, data: Message,
                 id: str | None = None) -> CommandEnvelope:
    return CommandEnvelope(
        id=id or new_id(),
        office=office,
        node=node,
        ts=ts,
        name=COMMAND_NAMES[type(data)],
        expires_at=expires_at,
        data=data.model_dump(mode="json"),
    )


def decode_command(topic: str, payload: bytes | str) -> Command:
    t = _parse_topic(topic, topics.Channel.CMD)
    envelope = _validate(CommandEnvelope, payload, "command envelope")
    _check_origin(t, envelope.office, envelope.node)
    if envelope.name != t.name:
        raise ProtocolError(f"payload name {envelope.name!r} does not match topic name {t.name!r}")
    model = COMMANDS.get(envelope.name)
    if model is None:
        raise InvalidCommand(f"unknown command {envelope.name!r}; known: {', '.join(sorted(COMMANDS))}", envelope)
    try:
        return Command(envelope, _validate_data(model, envelope.data, envelope.name))
    except ProtocolError as exc:
        raise InvalidCommand(str(exc), envelope) from None


def decode_ack(topic: str, payload: bytes | str) -> Ack:
    return _decode_plain(topic, payload, topics.Channel.ACK, Ack)


def decode_state(topic: str, payload: bytes | str) -> NodeState:
    return _decode_plain(topic, payload, topics.Channel.STATE, NodeState)


def decode_cursor(topic: str, payload: bytes | str) -> Cursor:
    return _decode_plain(topic, payload, topics.Channel.CURSOR, Cursor)


P = TypeVar("P", Ack, NodeState, Cursor)


def _decode_plain(topic: str, payload: bytes | str, channel: topics.Channel, model: type[P]) -> P:
    t = _parse_topic(topic, channel)
    message = _validate(model, payload, channel.value)
    _check_origin(t, message.office, message.node)
    return message


def _parse_topic(topic: str, channel: topics.Channel) -> topics.Topic:
    try:
        t = topics.parse(topic)
    except topics.TopicError as exc:
        raise ProtocolError(str(exc)) from None
    if t.channel != channel:
        raise ProtocolError(f"expected a {channel.value!r} topic, got {topic!r}")
    return t
