"""What paho's network thread hands to the ingest writer: the message, untouched.

paho calls our handlers on its network thread, which also sends PUBACKs and
keep-alives; doing any decoding or database work there would throttle the
whole connection. So the handler only records which subscription it came
from, the bytes and when, and puts that on a bounded queue. A full queue
blocks paho's thread, which stops reading the socket: the broker then holds
the backlog (our session is persistent) instead of this process's memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    EVENT = "evt"
    STATE = "state"
    LINK = "link"


@dataclass(frozen=True, slots=True)
class Inbound:
    kind: Kind
    topic: str
    payload: bytes
    received_at: datetime
