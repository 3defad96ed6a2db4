"""The office queue: tickets, priorities, counters. Authoritative at the hub.

The hub owns the queue so that the kiosk and the keypads keep working when the
provincial link is down. Each operation changes the queue and appends the
event that reports it in one SQLite transaction (see ``edge.store``), and is
serialised by the store's lock: kiosk buttons, keypads and cloud commands
arrive on different threads.

Time comes from an injected clock (UTC), so day rollover, opening hours and
days off are tested without sleeping. Days off (Tết and the other public
holidays, the government's swaps, the office's local ``days_off``) come from
``workdays``, the calendar the cloud's deadlines use (see ``opening.py``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from edge import outbox
from edge.queue.opening import OpeningDays
from edge.store import Store
from protocol import EventEnvelope
from protocol.envelope import Message
from protocol.messages import CounterClosed, CounterOpened, TicketCalled, TicketIssued, TicketNoShow, TicketRecalled, TicketServed
from protocol.office_config import CounterConfig, OfficeConfig
from workdays import CalendarOverrides, load_calendar_overrides

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class QueueError(Exception):
    """A request the queue refuses. ``code`` goes into acks, ``message_vi`` onto screens."""

    code = "queue_error"

    def __init__(self, message: str, message_vi: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_vi = message_vi


class OutsideOpeningHours(QueueError):
    code = "closed"


class ClosedOnDayOff(OutsideOpeningHours):
    """A public holiday or a local day off: the kiosk names it and says when the desk opens again."""

    code = "day_off"


class UnknownField(QueueError):
    code = "unknown_field"


class UnknownCounter(QueueError):
    code = "unknown_counter"


class QueueEmpty(QueueError):
    code = "queue_empty"


class NothingCalled(QueueError):
    code = "nothing_called"


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
class CounterView:
    number: int
    fields: list[str]
    open: bool
    current: Ticket | None


@dataclass(frozen=True)
class QueueSnapshot:
    day: date
    open_now: bool
    waiting: dict[str, list[Ticket]]
    counters: list[CounterView]
    issued_today: int
    served_today: int


class QueueEngine:
    def __init__(
        self,
        store: Store,
        config: OfficeConfig,
        node: str,
        clock: Clock = system_clock,
        *,
        overrides: CalendarOverrides | None = None,
        observe_days_off: bool = True,
    ) -> None:
        """``overrides``: the year's calendar decisions (default: the file shipped with ``workdays``).
        ``observe_days_off=False`` issues tickets on days off too (the demo's ``open_all_day``)."""
        self.store = store
        self.config = config
        self.node = node
        self.clock = clock
        self.tz = ZoneInfo(config.office.timezone)
        if observe_days_off and overrides is None:
            overrides = load_calendar_overrides()
        self.opening = OpeningDays.of(config, overrides if observe_days_off else None)

    # -- time ----------------------------------------------------------------------

    def local_now(self) -> datetime:
        return self.clock().astimezone(self.tz)

    def is_open(self, local: datetime | None = None) -> bool:
        local = local or self.local_now()
        return any(p.start <= local.time() < p.end for p in self.opening.periods(local.date()))

    def hours_text(self, local: datetime) -> str:
        periods = self.opening.periods(local.date())
        return ", ".join(f"{p.start:%H:%M}–{p.end:%H:%M}" for p in periods) or "không tiếp nhận"

    # -- kiosk -----------------------------------------------------------------------

    def issue(self, field_code: str, priority: bool = False) -> Outcome:
        now = self.clock()
        local = now.astimezone(self.tz)
        if field_code not in {f.code for f in self.config.fields}:
            raise UnknownField(f"unknown field {field_code!r}", "Lĩnh vực không tồn tại.")
        day_off = self.opening.day_off(local.date())
        if day_off is not None:
            raise ClosedOnDayOff(f"closed on {local:%Y-%m-%d}: {day_off.kind} day off ({day_off.name})",
                                 self.opening.closed_message_vi(day_off))
        if not self.is_open(local):
            raise OutsideOpeningHours(
                f"outside opening hours at {local:%H:%M %a}",
                f"Ngoài giờ tiếp nhận. Giờ tiếp nhận hôm nay: {self.hours_text(local)}.",
            )
        day = local.date().isoformat()
        fld = self.config.field(field_code)
        with self.store.transaction() as conn:
            daily_seq = 1 + conn.execute("SELECT COALESCE(MAX(daily_seq), 0) FROM tickets WHERE day = ?", (day,)).fetchone()[0]
            in_field = 1 + conn.execute(
                "SELECT COUNT(*) FROM tickets WHERE day = ? AND field = ?", (day, field_code)).fetchone()[0]
            ahead = conn.execute(
                "SELECT COUNT(*) FROM tickets WHERE day = ? AND field = ? AND status = 'waiting' AND priority >= ?",
                (day, field_code, int(priority)),
            ).fetchone()[0]
            ticket = Ticket(
                ticket_id=f"{local:%Y%m%d-%H%M%S}-{daily_seq:04d}",
                number=f"{fld.prefix}{in_field:03d}",
                field=field_code,
                priority=priority,
                status="waiting",
                counter=None,
                day=local.date(),
                issued_at=now,
            )
            conn.execute(
                "INSERT INTO tickets (ticket_id, day, daily_seq, number, field, priority, status, issued_at)"
                " VALUES (?, ?, ?, ?, ?, ?, 'waiting', ?)",
                (ticket.ticket_id, day, daily_seq, ticket.number, field_code, int(priority), now.isoformat()),
            )
            event = self._event(conn, now, TicketIssued(
                ticket_id=ticket.ticket_id, number=ticket.number, field=field_code,
                priority=priority, day=local.date(), waiting_ahead=ahead,
            ))
        return Outcome(ticket, [event], waiting_ahead=ahead)

    # -- counters --------------------------------------------------------------------

    def call_next(self, counter: int) -> Outcome:
        now = self.clock()
        day = now.astimezone(self.tz).date().isoformat()
        cfg = self._counter(counter)
        marks = ",".join("?" * len(cfg.fields))
        with self.store.transaction() as conn:
            row = conn.execute(
                f"SELECT * FROM tickets WHERE day = ? AND status = 'waiting' AND field IN ({marks})"
                " ORDER BY priority DESC, daily_seq LIMIT 1",
                (day, *cfg.fields),
            ).fetchone()
            if row is None:
                raise QueueEmpty(
                    f"no ticket waiting for counter {counter}",
                    f"Không còn khách chờ cho quầy {counter}.",
                )
            events = []
            state = self._counter_state(conn, counter)
            if state["open_day"] != day:
                events.append(self._event(conn, now, CounterOpened(counter=counter, fields=cfg.fields)))
            previous = self._current(conn, counter, day)
            if previous is not None:
                conn.execute(
                    "UPDATE tickets SET status = 'served', finished_at = ? WHERE ticket_id = ?",
                    (now.isoformat(), previous.ticket_id),
                )
            conn.execute(
                "UPDATE tickets SET status = 'called', counter = ?, called_at = ? WHERE ticket_id = ?",
                (counter, now.isoformat(), row["ticket_id"]),
            )
            conn.execute(
                "UPDATE counters SET open_day = ?, current_ticket = ? WHERE number = ?",
                (day, row["ticket_id"], counter),
            )
            ticket = Ticket.from_row(conn.execute("SELECT * FROM tickets WHERE ticket_id = ?", (row["ticket_id"],)).fetchone())
            events.append(self._event(conn, now, TicketCalled(
                ticket_id=ticket.ticket_id, number=ticket.number, field=ticket.field, counter=counter,
                previous_ticket_id=previous.ticket_id if previous else None,
            )))
        return Outcome(ticket, events, previous=previous)

    def recall(self, counter: int) -> Outcome:
        now = self.clock()
        self._counter(counter)
        with self.store.transaction() as conn:
            current = self._current(conn, counter, now.astimezone(self.tz).date().isoformat())
            if current is None:
                raise NothingCalled(f"counter {counter} has no called ticket to recall",
                                    f"Quầy {counter} chưa gọi số nào.")
            event = self._event(conn, now, TicketRecalled(ticket_id=current.ticket_id, number=current.number, counter=counter))
        return Outcome(current, [event])

    def finish(self, counter: int, served: bool) -> Outcome:
        """Done (served) or no-show for the counter's current ticket."""
        now = self.clock()
        self._counter(counter)
        with self.store.transaction() as conn:
            current = self._current(conn, counter, now.astimezone(self.tz).date().isoformat())
            if current is None:
                raise NothingCalled(f"counter {counter} has no called ticket", f"Quầy {counter} chưa gọi số nào.")
            status = "served" if served else "no_show"
            conn.execute("UPDATE tickets SET status = ?, finished_at = ? WHERE ticket_id = ?",
                         (status, now.isoformat(), current.ticket_id))
            conn.execute("UPDATE counters SET current_ticket = NULL WHERE number = ?", (counter,))
            model = TicketServed if served else TicketNoShow
            event = self._event(conn, now, model(ticket_id=current.ticket_id, number=current.number, counter=counter))
        return Outcome(current, [event])

    def close_counter(self, counter: int) -> Outcome:
        now = self.clock()
        self._counter(counter)
        with self.store.transaction() as conn:
            state = self._counter_state(conn, counter)
            if state["open_day"] is None:
                return Outcome(None, [])
            conn.execute("UPDATE counters SET open_day = NULL, current_ticket = NULL WHERE number = ?", (counter,))
            event = self._event(conn, now, CounterClosed(counter=counter))
        return Outcome(None, [event])

    # -- views -----------------------------------------------------------------------

    def snapshot(self) -> QueueSnapshot:
        local = self.local_now()
        day = local.date().isoformat()
        with self.store.lock:
            rows = self.store.query(
                "SELECT * FROM tickets WHERE day = ? AND status = 'waiting' ORDER BY priority DESC, daily_seq", (day,)
            )
            waiting: dict[str, list[Ticket]] = {f.code: [] for f in self.config.fields}
            for r in rows:
                waiting.setdefault(r["field"], []).append(Ticket.from_row(r))
            counters = []
            for c in self.config.counters:
                conn_rows = self.store.query("SELECT * FROM counters WHERE number = ?", (c.number,))
                open_ = bool(conn_rows and conn_rows[0]["open_day"] == day)
                current = None
                if conn_rows and conn_rows[0]["current_ticket"]:
                    t = self.store.query("SELECT * FROM tickets WHERE ticket_id = ? AND day = ?",
                                         (conn_rows[0]["current_ticket"], day))
                    current = Ticket.from_row(t[0]) if t else None
                counters.append(CounterView(c.number, list(c.fields), open_, current))
            issued = self.store.query("SELECT COUNT(*) FROM tickets WHERE day = ?", (day,))[0][0]
            served = self.store.query("SELECT COUNT(*) FROM tickets WHERE day = ? AND status = 'served'", (day,))[0][0]
        return QueueSnapshot(local.date(), self.is_open(local), waiting, counters, issued, served)

    # -- internals ---------------------------------------------------------------------

    def _event(self, conn: sqlite3.Connection, now: datetime, data: Message) -> EventEnvelope:
        return outbox.append(conn, self.config.office.id, self.node, now, data)

    def _counter(self, counter: int) -> CounterConfig:
        cfg = self.config.counter(counter)
        if cfg is None:
            known = ", ".join(str(c.number) for c in self.config.counters)
            raise UnknownCounter(f"unknown counter {counter}; this office has {known}",
                                 f"Quầy {counter} không tồn tại.")
        return cfg

    def _counter_state(self, conn: sqlite3.Connection, counter: int) -> sqlite3.Row:
        conn.execute("INSERT OR IGNORE INTO counters (number) VALUES (?)", (counter,))
        row: sqlite3.Row = conn.execute("SELECT * FROM counters WHERE number = ?", (counter,)).fetchone()
        return row

    def _current(self, conn: sqlite3.Connection, counter: int, day: str) -> Ticket | None:
        """The ticket the counter is serving today; yesterday's leftovers do not count."""
        state = self._counter_state(conn, counter)
        if not state["current_ticket"]:
            return None
        row = conn.execute("SELECT * FROM tickets WHERE ticket_id = ? AND day = ? AND status = 'called'",
                           (state["current_ticket"], day)).fetchone()
        return Ticket.from_row(row) if row else None
