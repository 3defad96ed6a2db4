"""The wire contract between edge nodes and the cloud. Pure: no I/O."""

from protocol.codec import (
    Command,
    Event,
    ProtocolError,
    decode_ack,
    decode_command,
    decode_cursor,
    decode_event,
    decode_state,
    dumps,
    make_command,
    make_event,
    new_id,
)
from protocol.envelope import Ack, AckError, CommandEnvelope, Cursor, EventEnvelope, NodeState

__all__ = [
    "Ack", "AckError", "Command", "CommandEnvelope", "Cursor", "Event", "EventEnvelope", "NodeState",
    "ProtocolError", "decode_ack", "decode_command", "decode_cursor", "decode_event", "decode_state",
    "dumps", "make_command", "make_event", "new_id",
]
