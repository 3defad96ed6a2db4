"""One model per event and command payload (the ``data`` of an envelope).

The tables ``EVENTS`` and ``COMMANDS`` are the registry both sides dispatch
on, so adding a message type is one class and one table row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from protocol.envelope import Message

Counter = Annotated[int, Field(ge=1, le=999, description="Counter (quầy) number in the office.")]
def _real_date_and_time(value: str) -> str:
    """The pattern guarantees digits; refuse 2026-13-99 25:61 (datetime() is ~10x cheaper than strptime)."""
    try:
        datetime(int(value[0:4]), int(value[4:6]), int(value[6:8]), int(value[9:11]), int(value[11:13]), int(value[13:15]))
    except ValueError:
        raise ValueError(f"{value!r} does not start with a real date and time (YYYYMMDD-HHMMSS)") from None
    return value


TicketId = Annotated[
    str,
    Field(
        pattern=r"^\d{8}-\d{6}-\d{4}$",
        description="Local date, local time of issue and daily sequence: YYYYMMDD-HHMMSS-NNNN.",
    ),
    AfterValidator(_real_date_and_time),
]
TicketNumber = Annotated[str, Field(pattern=r"^[A-Z]{0,3}\d{3,4}$", description="What the citizen sees, e.g. A012.")]


class TicketIssued(Message):
    ticket_id: TicketId
    number: TicketNumber
    field: str = Field(description="Field (lĩnh vực) code from the office configuration.")
    priority: bool = Field(default=False, description="Elderly, disabled or pregnant: served first within the field.")
    day: date = Field(description="Local service day the ticket belongs to.")
    waiting_ahead: int = Field(ge=0)


class TicketCalled(Message):
    ticket_id: TicketId
    number: TicketNumber
    field: str
    counter: Counter
    previous_ticket_id: TicketId | None = Field(
        default=None,
        description="Ticket this counter was still serving; pressing next closes it as served, "
        "so one key press stays one fact.",
    )


class TicketRecalled(Message):
    ticket_id: TicketId
    number: TicketNumber
    counter: Counter


class TicketServed(Message):
    ticket_id: TicketId
    number: TicketNumber
    counter: Counter


class TicketNoShow(Message):
    ticket_id: TicketId
    number: TicketNumber
    counter: Counter


class CounterOpened(Message):
    counter: Counter
    fields: list[str]


class CounterClosed(Message):
    counter: Counter


AlertCode = Annotated[str, Field(
    pattern=r"^[a-z][a-z0-9_]*$", max_length=64,
    description="What went wrong, for the operator's tooling: cursor_ahead (see the protocol README's table).",
)]
AlertDetail = int | str | bool | None


class NodeAlert(Message):
    """A node saw something its operator must know about, and refused it.

    Sent as an event so that it reaches the cloud exactly like a fact does
    (outbox, seq, cursor) even when it is raised while the link is down. The
    first code is ``cursor_ahead``: a cursor claiming more than the node has
    ever issued was forged or comes from a restored backup, and was not used
    to prune anything.
    """

    code: AlertCode
    message: str = Field(min_length=1, max_length=500, description="What happened, in English, for the operator.")
    details: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)], AlertDetail] = Field(
        default_factory=dict, max_length=32, description="Values that explain the alert, e.g. cursor_seq and last_seq.")


class QueueCallNext(Message):
    counter: Counter


class QueueRecall(Message):
    counter: Counter


EVENTS: dict[str, type[Message]] = {
    "ticket.issued": TicketIssued,
    "ticket.called": TicketCalled,
    "ticket.recalled": TicketRecalled,
    "ticket.served": TicketServed,
    "ticket.no_show": TicketNoShow,
    "counter.opened": CounterOpened,
    "counter.closed": CounterClosed,
    "node.alert": NodeAlert,
}

COMMANDS: dict[str, type[Message]] = {
    "queue.call_next": QueueCallNext,
    "queue.recall": QueueRecall,
}

EVENT_NAMES: dict[type[Message], str] = {model: name for name, model in EVENTS.items()}
COMMAND_NAMES: dict[type[Message], str] = {model: name for name, model in COMMANDS.items()}
