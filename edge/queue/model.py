"""What the queue holds and answers: tickets, counters, snapshots, an operation's outcome.

Plain frozen values, apart from the engine (``engine.py``) that makes them,
so that the devices and the views read them without touching the database.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime

from protocol import EventEnvelope
from protocol.messages import CounterStatus, OfficerRef

__all__ = ["CounterView", "Outcome", "QueueSnapshot", "Staffing", "Ticket"]


@dataclass(frozen=True)
class Ticket:
    ticket_id: str
    number: str
    field: str
    priority: bool
    status: str
    counter: int | None
    day: date
    issued_at: datetime

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Ticket:
        return cls(
            ticket_id=row["ticket_id"],
            number=row["number"],
            field=row["field"],
            priority=bool(row["priority"]),
            status=row["status"],
            counter=row["counter"],
            day=date.fromisoformat(row["day"]),
            issued_at=datetime.fromisoformat(row["issued_at"]),
        )


@dataclass(frozen=True)
class Outcome:
    """What an operation did: the ticket concerned and the events to forward."""

    ticket: Ticket | None
    events: list[EventEnvelope] = field(default_factory=list)
    waiting_ahead: int = 0
    previous: Ticket | None = None


@dataclass(frozen=True)
class Staffing:
    """Who serves at a counter today, as far as the hub knows.

    ``status`` is the one its officer set (``counter.set_status``) today; a
    counter nobody set today, or whose officer signed out, is ``open`` once it
    called a ticket since (its keypad is in use, by someone not signed in) and
    ``closed`` before. ``officer`` is set only while signed in (open or paused).
    """

    status: CounterStatus
    officer: OfficerRef | None = None


@dataclass(frozen=True)
class CounterView:
    number: int
    fields: list[str]
    open: bool
    current: Ticket | None
    staffing: Staffing = Staffing("closed")


@dataclass(frozen=True)
class QueueSnapshot:
    day: date
    open_now: bool
    waiting: dict[str, list[Ticket]]
    counters: list[CounterView]
    issued_today: int
    served_today: int
