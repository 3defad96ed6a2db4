"""The cloud's tables. Every change here needs a migration in ``migrations/versions``.

The cloud keeps three kinds of rows:

* what it is told by configuration: ``office``, ``counter``;
* what the edge reported: ``event`` (the facts, each id once), projections of
  them (``ticket``, ``node``) and ``node_cursor`` (how far each node's
  facts are committed without a gap, per storage epoch of the node);
* what it did: ``command`` (every command sent and its ack), and
  ``dead_letter`` (every message it could not use, with the reason).

The ingest writes ``event``, ``ticket`` and ``node_cursor`` through SQLAlchemy
Core (see ``cloud.ingest.writer``), so these classes are the schema and the
read models; nothing depends on ORM identity or relationships.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, LargeBinary, String, text
from sqlmodel import Field, SQLModel

from cloud.db.types import BigInt, ReadableText, UtcDateTime, table_of

#: Ticket statuses in the order a ticket passes through them. A projection
#: never moves a ticket backwards, so facts may arrive in any order.
TICKET_STATUSES = ("waiting", "called", "served", "no_show")
COMMAND_STATUSES = ("pending", "ok", "error", "expired")


class Office(SQLModel, table=True):
    """An office of the registry (``cloud.registry``): the truth its hub's firmware file is generated from."""

    id: str = Field(primary_key=True, max_length=63)
    unit: str | None = Field(default=None, max_length=40,
                             description="The administrative unit (admin_unit.id) whose one-stop office this is.")
    name: str
    timezone: str
    config: dict[str, Any] = Field(sa_type=JSON, description="The office configuration (protocol.office_config) as "
                                   "JSON; hub and counter hardware may be missing while the office is being set up.")
    config_version: int
    updated_at: datetime = Field(sa_type=UtcDateTime)


class Counter(SQLModel, table=True):
    office: str = Field(primary_key=True, foreign_key="office.id", max_length=63)
    number: int = Field(primary_key=True)
    fields: list[str] = Field(sa_type=JSON)


class Node(SQLModel, table=True):
    """Presence of one node: its last birth certificate or Last Will."""

    office: str = Field(primary_key=True, max_length=63)
    node: str = Field(primary_key=True, max_length=63)
    online: bool
    state: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    last_seen: datetime | None = Field(default=None, sa_type=UtcDateTime)


class Event(SQLModel, table=True):
    # The cursor walks a node's seqs within one epoch (cloud.ingest.cursors._walk).
    __table_args__ = (Index("ix_event_office_node_epoch_seq", "office", "node", "epoch", "seq"),)

    id: str = Field(primary_key=True, max_length=64, description="The envelope id: each fact is stored once.")
    office: str = Field(max_length=63)
    node: str = Field(max_length=63)
    epoch: int = Field(default=0, sa_type=BigInt, sa_column_kwargs={"server_default": "0"},
                       description="The node's storage epoch; seq counts within it.")
    seq: int = Field(sa_type=BigInt)
    type: str = Field(max_length=64)
    ts: datetime = Field(sa_type=UtcDateTime)
    data: dict[str, Any] = Field(sa_type=JSON)
    received_at: datetime = Field(sa_type=UtcDateTime)


class NodeCursor(SQLModel, table=True):
    """One row per storage epoch of a node; the highest epoch's is the one published."""

    __tablename__ = "node_cursor"

    office: str = Field(primary_key=True, max_length=63)
    node: str = Field(primary_key=True, max_length=63)
    epoch: int = Field(default=0, primary_key=True, sa_type=BigInt, sa_column_kwargs={"server_default": "0"})
    seq: int = Field(sa_type=BigInt, description="Highest seq such that 1..seq of this epoch are all stored.")
    max_seq: int = Field(default=0, sa_type=BigInt,
                         description="Highest seq stored; above seq only while there is a gap.")


class Ticket(SQLModel, table=True):
    """Projection of the ticket.* facts. ``number``/``field`` stay empty until a
    fact that carries them arrives (a ticket can first be seen as the previous
    ticket of a call)."""

    __table_args__ = (Index("ix_ticket_office_day_status", "office", "day", "status"),)

    office: str = Field(primary_key=True, max_length=63)
    ticket_id: str = Field(primary_key=True, max_length=32)
    number: str | None = Field(default=None, max_length=8)
    field: str | None = Field(default=None, max_length=63)
    priority: bool = False
    status: str = Field(max_length=16)
    counter: int | None = None
    day: date
    issued_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    called_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    officer_id: str | None = Field(default=None, sa_type=String(64),
                                   description="Login of the officer at the counter that called, served or marked it.")
    officer_name: str | None = Field(default=None, sa_type=String(120), description="That officer's full name.")
    dossiers: list[str] | None = Field(default=None, sa_type=JSON,
                                       description="Codes of the dossiers received at this turn, in order.")


#: The states of a counter (protocol.messages.CounterStatus).
COUNTER_STATUSES = ("open", "paused", "closed")


class CounterState(SQLModel, table=True):
    """A counter's status and officer as its hub reported (``counter.status``) or acknowledged them.

    Its own table, not columns of ``counter``: those rows are replaced each
    time the office's configuration is loaded, and a restart of the cloud
    must not forget who sits where.
    """

    __tablename__ = "counter_state"

    office: str = Field(primary_key=True, max_length=63)
    number: int = Field(primary_key=True)
    status: str = Field(max_length=16)
    officer_id: str | None = Field(default=None, sa_type=String(64))
    officer_name: str | None = Field(default=None, sa_type=String(120))
    since: datetime = Field(sa_type=UtcDateTime, description="When the hub applied this status (orders the facts).")


class CounterSession(SQLModel, table=True):
    """One sitting of an officer at a counter, from signing in at the console to signing out.

    At most one open sitting (``ended_at`` null) per officer and per counter:
    an officer sits at one counter at a time (docs/cloud.md).
    """

    __tablename__ = "counter_session"
    __table_args__ = (
        Index("ux_counter_session_officer_open", "officer_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
        Index("ux_counter_session_counter_open", "office", "counter", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    office: str = Field(max_length=63)
    counter: int
    officer_id: str = Field(sa_type=String(64))
    officer_name: str = Field(sa_type=String(120))
    status: str = Field(max_length=16, description="open or paused while the sitting lasts, closed after it.")
    started_at: datetime = Field(sa_type=UtcDateTime)
    status_at: datetime = Field(sa_type=UtcDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    ended_by: str | None = Field(default=None, sa_type=String(64), description="Who signed the officer out.")


class Command(SQLModel, table=True):
    __table_args__ = (Index("ix_command_office_created", "office", "created_at"),)

    id: str = Field(primary_key=True, max_length=64)
    office: str = Field(max_length=63)
    node: str = Field(max_length=63)
    name: str = Field(max_length=64)
    data: dict[str, Any] = Field(sa_type=JSON)
    status: str = Field(max_length=16)
    created_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    acked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    result: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    error: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class DeadLetter(SQLModel, table=True):
    """One kind of message the cloud could not use: a topic and a payload, however often it came.

    A retained junk message comes again at every cloud restart and bridge
    reconnect, so a repeat (same topic, same SHA-256 of the payload) counts on
    its row instead of adding one; and only a prefix of the payload is kept,
    with the full size and hash, so megabytes of junk stay a few KiB here
    (``cloud.ingest.dead_letters``).
    """

    __tablename__ = "dead_letter"
    __table_args__ = (
        Index("ux_dead_letter_topic_sha256", "topic", "payload_sha256", unique=True),
        # Newest first for the API's pages, oldest first for the retention.
        Index("ix_dead_letter_last_seen_id", "last_seen", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(sa_type=String(1024))
    payload: str = Field(sa_type=ReadableText,
                         description="The kept prefix decoded as UTF-8 with errors replaced, for reading.")
    payload_raw: bytes = Field(sa_type=LargeBinary, description="The first bytes received (at most the prefix size).")
    payload_size: int = Field(sa_type=BigInt, description="Size of the whole payload, in bytes.")
    payload_sha256: str = Field(sa_type=String(64), description="SHA-256 of the whole payload, hex.")
    reason: str = Field(sa_type=ReadableText, description="Why the latest copy was refused.")
    count: int = Field(sa_type=BigInt, description="How many times this topic and payload came.")
    first_seen: datetime = Field(sa_type=UtcDateTime)
    last_seen: datetime = Field(sa_type=UtcDateTime)


event_table = table_of(Event)
ticket_table = table_of(Ticket)
node_table = table_of(Node)
cursor_table = table_of(NodeCursor)
command_table = table_of(Command)
dead_letter_table = table_of(DeadLetter)
office_table = table_of(Office)
counter_table = table_of(Counter)
counter_state_table = table_of(CounterState)
counter_session_table = table_of(CounterSession)

# The dossier, user and audit tables live in their own modules; importing them here
# registers them on SQLModel.metadata wherever the cloud's tables are known.
import cloud.db.audit  # noqa: E402,F401
import cloud.db.dossier_extras  # noqa: E402,F401
import cloud.db.dossier_files  # noqa: E402,F401
import cloud.db.dossiers  # noqa: E402,F401
import cloud.db.intake_outcomes  # noqa: E402,F401
import cloud.db.procedure_forms  # noqa: E402,F401
import cloud.db.registry  # noqa: E402,F401
import cloud.db.result_register  # noqa: E402,F401
import cloud.db.users  # noqa: E402,F401
