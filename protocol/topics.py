"""MQTT topic names of the one-stop system, built and parsed in one place.

Every topic is ``onestop/v1/{office}/{node}/{channel}[/{name}]``. Edge and
cloud both import these helpers so that a typo in a topic string can only be
made here. Each channel flows one way (``UPSTREAM``, ``DOWNSTREAM``): the
brokers' ACLs and the office bridge are derived from that table, so a node
can never write what only the cloud may say (a command, its cursor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

ROOT = "onestop/v1"

#: Office and node ids end up in topic levels and in broker user names, so
#: they may not contain MQTT wildcards or separators.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class Channel(StrEnum):
    EVT = "evt"
    CMD = "cmd"
    ACK = "ack"
    STATE = "state"
    CONFIG = "config"
    TELEMETRY = "telemetry"
    CURSOR = "cursor"


#: Channels a node writes and the cloud reads (facts, answers, presence, health).
UPSTREAM: tuple[Channel, ...] = (Channel.EVT, Channel.ACK, Channel.STATE, Channel.TELEMETRY)
#: Channels only the cloud writes and a node reads: a forged one could make a node act, or forget
#: events the cloud never got (the cursor), so no node login may write them.
DOWNSTREAM: tuple[Channel, ...] = (Channel.CMD, Channel.CONFIG, Channel.CURSOR)

#: Event and command names: dotted lowercase words, e.g. ``ticket.issued``.
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

#: Channels that carry a ``/{name}`` level after the channel.
NAMED_CHANNELS = frozenset({Channel.EVT, Channel.CMD})


class TopicError(ValueError):
    """A topic that does not follow the contract; the reason says which part."""


@dataclass(frozen=True)
class Topic:
    office: str
    node: str
    channel: Channel
    name: str | None = None

    def __str__(self) -> str:
        base = f"{ROOT}/{self.office}/{self.node}/{self.channel.value}"
        return f"{base}/{self.name}" if self.name else base


def check_id(kind: str, value: str) -> str:
    if not ID_PATTERN.fullmatch(value):
        raise TopicError(
            f"{kind} id {value!r} is invalid: use 1-63 lowercase letters, digits or '-', "
            "starting with a letter or digit"
        )
    return value


def check_name(value: str) -> str:
    if not NAME_PATTERN.fullmatch(value):
        raise TopicError(f"name {value!r} is invalid: use dotted lowercase words such as ticket.issued")
    return value


def _build(office: str, node: str, channel: Channel, name: str | None = None) -> str:
    check_id("office", office)
    check_id("node", node)
    if name is not None:
        check_name(name)
    return str(Topic(office, node, channel, name))


def evt(office: str, node: str, event_type: str) -> str:
    return _build(office, node, Channel.EVT, event_type)


def cmd(office: str, node: str, command: str) -> str:
    return _build(office, node, Channel.CMD, command)


def ack(office: str, node: str) -> str:
    return _build(office, node, Channel.ACK)


def state(office: str, node: str) -> str:
    return _build(office, node, Channel.STATE)


def config(office: str, node: str) -> str:
    return _build(office, node, Channel.CONFIG)


def telemetry(office: str, node: str) -> str:
    return _build(office, node, Channel.TELEMETRY)


def cursor(office: str, node: str) -> str:
    return _build(office, node, Channel.CURSOR)


#: Node id reserved for the broker layer in an office's topic tree: the link
#: notification and readiness pings live under it, and no agent uses it.
BRIDGE_NODE = "bridge"


def link(office: str) -> str:
    """Retained "1"/"0": is the office's bridge to the cloud connected? The office broker publishes it on both sides."""
    return f"{ROOT}/{office}/{BRIDGE_NODE}/link"


def subscription(channel: Channel, office: str = "+", node: str = "+") -> str:
    """Subscription filter for one channel, all offices/nodes by default."""
    base = f"{ROOT}/{office}/{node}/{channel.value}"
    return f"{base}/#" if channel in NAMED_CHANNELS else base


def parse(topic: str) -> Topic:
    """Split a concrete topic into its parts, or say exactly what is wrong."""
    parts = topic.split("/")
    root = "/".join(parts[:2])
    if root != ROOT:
        raise TopicError(f"topic {topic!r} does not start with {ROOT}/")
    if len(parts) < 5:
        raise TopicError(f"topic {topic!r} has too few levels; expected {ROOT}/office/node/channel")
    office, node, channel_s = parts[2], parts[3], parts[4]
    check_id("office", office)
    check_id("node", node)
    try:
        channel = Channel(channel_s)
    except ValueError:
        raise TopicError(f"topic {topic!r} has unknown channel {channel_s!r}") from None
    rest = parts[5:]
    if channel in NAMED_CHANNELS:
        if len(rest) != 1 or not rest[0]:
            raise TopicError(f"topic {topic!r}: channel {channel_s!r} needs exactly one name level")
        return Topic(office, node, channel, check_name(rest[0]))
    if rest:
        raise TopicError(f"topic {topic!r}: channel {channel_s!r} takes no further levels")
    return Topic(office, node, channel)
