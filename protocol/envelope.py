"""The envelopes every MQTT payload travels in.

Events carry ``seq`` so the cloud can tell which of a node's facts it already
has without trusting the network (idea from Sparkplug B); commands carry an
expiry so that a command the cloud gave up waiting for is not carried out
minutes later when a link comes back.

``seq`` counts within an ``epoch``, the incarnation of the node's storage: a
node whose database is lost starts a new epoch and counts from 1 again, and
a cursor confirms only the epoch it names. Without it the cloud's retained
cursor of the lost database would "confirm" the new events 1, 2, 3… and the
node would delete them unsent. Epoch 0 is written by leaving the key out, so
nodes and clouds from before epochs read every epoch-0 message unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from protocol.topics import ID_PATTERN

SCHEMA_VERSION: Final = 1
#: Largest seq (and epoch) a SQL database stores in a signed 64-bit integer.
MAX_SEQ = 2**63 - 1


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 with an offset: a ValueError, so pydantic reports it
        raise ValueError("time is out of range once converted to UTC") from None


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
OfficeId = Annotated[str, Field(pattern=ID_PATTERN.pattern)]
NodeId = Annotated[str, Field(pattern=ID_PATTERN.pattern)]
Epoch = Annotated[int, Field(
    ge=0, le=MAX_SEQ,
    # 0 (the nodes from before epochs) is left out on the wire: their decoders forbid unknown keys.
    exclude_if=lambda epoch: epoch == 0,
    description="Incarnation of the node's storage; seq restarts at 1 in a new epoch. "
                "A node picks it when its database is created (UTC milliseconds then); 0 when absent.",
)]
TypeName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$", max_length=64)]


class Message(BaseModel):
    """Base of every wire model: unknown keys are an error, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class EventEnvelope(Message):
    """A fact published by an edge node on ``evt/{type}``."""

    v: Literal[1] = SCHEMA_VERSION
    id: Id = Field(description="Globally unique event id; the cloud stores each id once.")
    office: OfficeId
    node: NodeId
    epoch: Epoch = 0
    seq: int = Field(ge=1, le=MAX_SEQ, description="Per-node sequence within the epoch, monotonic and persisted "
                                                   "across restarts.")
    ts: UtcDatetime = Field(description="When the fact happened, UTC.")
    type: TypeName
    data: dict[str, Any]


class CommandEnvelope(Message):
    """A request from the cloud to a node on ``cmd/{name}``; answered by one ack."""

    v: Literal[1] = SCHEMA_VERSION
    id: Id
    office: OfficeId
    node: NodeId
    ts: UtcDatetime
    name: TypeName
    expires_at: UtcDatetime = Field(description="The node must not execute the command after this instant.")
    data: dict[str, Any] = Field(default_factory=dict)


class AckError(Message):
    code: Annotated[str, Field(pattern=r"^[a-z_]+$")]
    message: str = Field(description="English, for logs and the API's detail.")
    message_vi: str | None = Field(default=None, description="Vietnamese, for officers' screens.")


class Ack(Message):
    """Result of one command, published on ``ack``. Re-sent unchanged for a duplicate command."""

    v: Literal[1] = SCHEMA_VERSION
    command_id: Id
    office: OfficeId
    node: NodeId
    ts: UtcDatetime
    ok: bool
    result: dict[str, Any] | None = None
    error: AckError | None = None

    @model_validator(mode="after")
    def _result_or_error(self) -> Ack:
        if self.ok and self.error is not None:
            raise ValueError("an ack with ok=true carries no error")
        if not self.ok and (self.error is None or self.result is not None):
            raise ValueError("an ack with ok=false carries an error and no result")
        return self


class DeviceInfo(Message):
    kind: str
    id: str
    status: Literal["ok", "fault", "simulated"] = "ok"
    detail: str | None = None


class FieldInfo(Message):
    code: str
    name: str
    prefix: str


class CounterInfo(Message):
    number: int = Field(ge=1)
    fields: list[str]


class NodeState(Message):
    """Birth certificate (``online: true``) and Last Will (``online: false``), retained on ``state``.

    It describes what the node has, so the cloud never needs to be told out
    of band which counters or devices an office runs.
    """

    v: Literal[1] = SCHEMA_VERSION
    office: OfficeId
    node: NodeId
    ts: UtcDatetime
    online: bool
    role: Literal["hub", "satellite"] = "hub"
    versions: dict[str, str] = Field(default_factory=dict)
    config_version: int | None = None
    fields: list[FieldInfo] = Field(default_factory=list)
    counters: list[CounterInfo] = Field(default_factory=list)
    devices: list[DeviceInfo] = Field(default_factory=list)


class Cursor(Message):
    """Highest contiguous ``seq`` the cloud has committed for a node's ``epoch``, retained on ``cursor``.

    The cloud publishes the cursor of the highest epoch it has stored for the
    node; a node prunes its outbox only on a cursor of its own epoch.
    """

    v: Literal[1] = SCHEMA_VERSION
    office: OfficeId
    node: NodeId
    epoch: Epoch = 0
    seq: int = Field(ge=0, le=MAX_SEQ)
    ts: UtcDatetime
