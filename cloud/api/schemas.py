"""Response bodies of the JSON API (and the data the console renders)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class ApiErrorBody(BaseModel):
    detail: str = Field(description="What went wrong and what to do, in English.")
    code: str = Field(description="Stable machine-readable reason, e.g. queue_empty, hub_timeout.")
    message_vi: str | None = Field(default=None, description="The same for officers' screens, in Vietnamese.")


class NodeStatus(BaseModel):
    node: str
    online: bool = Field(description="Reachable now: the node says it is online and its office's bridge is up.")
    reported_online: bool = Field(description="What the node's last state message said.")
    last_seen: datetime | None
    role: str | None = None
    config_version: int | None = None
    versions: dict[str, str] = Field(default_factory=dict)


class OfficeSummary(BaseModel):
    id: str
    name: str
    timezone: str
    hub: str = Field(description="Node id of the office's hub (commands go there).")
    online: bool = Field(description="The hub is reachable.")
    link_up: bool | None = Field(description="The office broker's bridge to the cloud; None if never reported.")
    nodes: list[NodeStatus]


class FieldInfo(BaseModel):
    code: str
    name: str
    prefix: str


class CounterInfo(BaseModel):
    number: int
    fields: list[str]
    status: Literal["open", "paused", "closed"] = Field(
        default="closed", description="open: an officer serves; paused: on a break the officer chose; closed: nobody.")
    officer_name: str | None = Field(default=None, description="Full name of the officer sitting at it.")
    officer_id: str | None = Field(default=None, description="That officer's login.")
    since: datetime | None = Field(default=None, description="Since when the counter has this status.")


class OfficeDetail(OfficeSummary):
    config_version: int
    fields: list[FieldInfo]
    counters: list[CounterInfo]


class TicketView(BaseModel):
    ticket_id: str
    number: str | None
    field: str | None
    priority: bool
    status: str
    counter: int | None
    issued_at: datetime | None
    called_at: datetime | None
    officer_name: str | None = Field(default=None, description="Who called, served or marked it (full name).")
    dossiers: list[str] = Field(default_factory=list, description="Dossiers received at this turn.")


class FieldQueue(FieldInfo):
    waiting: list[TicketView] = Field(description="In call order: priority tickets first, then by issue order.")


class CounterQueue(CounterInfo):
    current: TicketView | None = Field(description="The ticket this counter called last today and has not finished.")


class DayCounts(BaseModel):
    issued: int = 0
    waiting: int = 0
    called: int = 0
    served: int = 0
    no_show: int = 0


class QueueView(BaseModel):
    office: str
    day: date = Field(description="Today in the office's time zone.")
    hub_online: bool
    fields: list[FieldQueue]
    counters: list[CounterQueue]
    counts: DayCounts


class CalledTicket(BaseModel):
    """What the hub answered to call-next / recall."""

    ticket_id: str
    number: str
    field: str
    counter: int
    command_id: str


class CounterSitting(BaseModel):
    """What the hub applied after sign-in, pause, resume or sign-out."""

    office: str
    counter: int
    status: Literal["open", "paused", "closed"]
    officer_id: str | None
    officer_name: str | None
    since: datetime = Field(description="When the officer signed in (the sitting's start), or when it ended.")
    command_id: str


class NodeView(NodeStatus):
    office: str
    state: dict[str, Any] | None


class DeadLetterView(BaseModel):
    id: int
    topic: str
    payload: str = Field(description="The kept prefix as UTF-8, undecodable bytes replaced.")
    payload_base64: str = Field(description="The kept prefix, exact bytes (at most 4096).")
    payload_size: int = Field(description="Size of the whole payload received, in bytes.")
    payload_sha256: str = Field(description="SHA-256 of the whole payload, hex.")
    truncated: bool = Field(description="Only a prefix of the payload is kept.")
    reason: str = Field(description="Why its latest copy was refused.")
    count: int = Field(description="How many times this topic and payload came.")
    first_seen: datetime
    last_seen: datetime


class DeadLetterPage(BaseModel):
    items: list[DeadLetterView] = Field(description="Most recently seen first.")
    limit: int = Field(description="The page size applied (the request's, at most 200).")
    next: str | None = Field(description="Pass as ``after`` for the next page; null on the last page.")


class IngestHealth(BaseModel):
    connected: bool
    queued: int
    received: int
    stored: int
    duplicates: int
    dead_letters: int
    batches: int
    failed_batches: int
    last_batch_at: datetime | None


class Health(BaseModel):
    status: str = Field(description="ok, or degraded when the database or the broker is unreachable.")
    database: bool
    mqtt_connected: bool = Field(description="Both MQTT clients (ingest and commands) are connected.")
    commands_connected: bool
    ingest: IngestHealth
    offices: int
