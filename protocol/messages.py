"""One model per event and command payload (the ``data`` of an envelope).

The tables ``EVENTS`` and ``COMMANDS`` are the registry both sides dispatch
on, so adding a message type is one class and one table row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

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


class OfficerRef(Message):
    """Who sits at a counter: the login (to join with the cloud's accounts) and the name people read."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$", description="The officer's login in the cloud, e.g. tiepnhan.")
    name: str = Field(min_length=1, max_length=120, description="Full name as displayed, e.g. Nguyễn Thị Lan.")


Officer = Annotated[OfficerRef | None, Field(
    default=None, description="Who was signed in at the counter (counter.set_status); null: nobody was.")]

CounterStatus = Literal["open", "paused", "closed"]
"""``open``: an officer serves at the counter; ``paused``: on a break the officer chose; ``closed``: nobody is there."""


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
    officer: Officer = None


class TicketRecalled(Message):
    ticket_id: TicketId
    number: TicketNumber
    counter: Counter
    officer: Officer = None


class TicketServed(Message):
    ticket_id: TicketId
    number: TicketNumber
    counter: Counter
    officer: Officer = None


class TicketNoShow(Message):
    ticket_id: TicketId
    number: TicketNumber
    counter: Counter
    officer: Officer = None


class TicketTransferred(Message):
    """The counter sent its current ticket to another counter (chuyển quầy).

    The ticket waits again, at the head of ``to_counter``'s queue whatever its
    field (a citizen at the wrong desk is sent where the competent officer
    sits); that counter's next call takes it first and announces it there
    (``ticket.called`` with ``counter`` = ``to_counter``). ``officer`` is the
    one who sent it, signed in at ``from_counter``.
    """

    ticket_id: TicketId
    number: TicketNumber
    field: str
    from_counter: Counter
    to_counter: Counter
    officer: Officer = None

    @model_validator(mode="after")
    def _another_counter(self) -> TicketTransferred:
        if self.from_counter == self.to_counter:
            raise ValueError("a ticket is transferred to another counter, not to the one it is at")
        return self


class CounterOpened(Message):
    counter: Counter
    fields: list[str]


class CounterClosed(Message):
    counter: Counter


class CounterStatusSet(Message):
    """A counter's status as its officer set it (sign in: open; a break: paused; sign out: closed).

    As a command (``counter.set_status``) the cloud asks the hub to apply it;
    as an event (``counter.status``) the hub reports that it did. The hub
    keeps it across restarts and stamps ``officer`` on the counter's ticket
    events, keypad presses included, so who served is known offline too.
    """

    counter: Counter
    status: CounterStatus
    officer: Officer = None

    @model_validator(mode="after")
    def _officer_when_staffed(self) -> CounterStatusSet:
        if self.status == "closed" and self.officer is not None:
            raise ValueError("a closed counter has no officer")
        if self.status != "closed" and self.officer is None:
            raise ValueError(f"a counter that is {self.status} needs its officer")
        return self


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


FinishOutcome = Literal["served", "no_show"]
"""``served``: done (Xong); ``no_show``: the citizen did not come when called (Vắng mặt)."""


class QueueFinish(Message):
    """Close the counter's current ticket, as its keypad's done and no-show keys do."""

    counter: Counter
    outcome: FinishOutcome


class QueueTransfer(Message):
    """Send the counter's current ticket to the head of another counter's queue (chuyển quầy)."""

    counter: Counter
    to_counter: Counter

    @model_validator(mode="after")
    def _another_counter(self) -> QueueTransfer:
        if self.counter == self.to_counter:
            raise ValueError("to_counter must be another counter than counter")
        return self


EVENTS: dict[str, type[Message]] = {
    "ticket.issued": TicketIssued,
    "ticket.called": TicketCalled,
    "ticket.recalled": TicketRecalled,
    "ticket.served": TicketServed,
    "ticket.no_show": TicketNoShow,
    "ticket.transferred": TicketTransferred,
    "counter.opened": CounterOpened,
    "counter.closed": CounterClosed,
    "counter.status": CounterStatusSet,
    "node.alert": NodeAlert,
}

COMMANDS: dict[str, type[Message]] = {
    "queue.call_next": QueueCallNext,
    "queue.recall": QueueRecall,
    "queue.finish": QueueFinish,
    "queue.transfer": QueueTransfer,
    "counter.set_status": CounterStatusSet,
}

EVENT_NAMES: dict[type[Message], str] = {model: name for name, model in EVENTS.items()}
COMMAND_NAMES: dict[type[Message], str] = {model: name for name, model in COMMANDS.items()}
