"""What the receiver hands to the ingest writer: the message, untouched.

paho calls our handlers on its network thread, which also sends PUBACKs and
keep-alives; doing any decoding or database work there would throttle the
whole connection. So the receiver (``cloud.ingest.receiver``) only records
which subscription a message came on, its bytes and when, and the writer
does the rest.
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
