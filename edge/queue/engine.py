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

Who serves at each counter (``set_status``, from the cloud's
``counter.set_status``) is kept beside the queue, so each ticket event of that
counter carries its officer whether the press came from the keypad or the
cloud, and a counter whose officer is on a break calls nobody. Refusals are in
``errors.py``.

The values it answers with (``Ticket``, ``Outcome``, snapshots) are in ``model.py``.

A waiting ticket with a ``counter`` was transferred there (``transfer``): it
waits for that counter only, ahead of its fields' queue, whatever its field.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from edge import outbox
from edge.queue.errors import (
    ClosedOnDayOff,
    CounterPaused,
    NothingCalled,
    OutsideOpeningHours,
    QueueEmpty,
    QueueError,
    SameCounter,
    TargetCounterClosed,
    UnknownCounter,
    UnknownField,
)
from edge.queue.model import CounterView, Outcome, QueueSnapshot, Staffing, Ticket
from edge.queue.opening import OpeningDays
from edge.store import Store
from protocol import EventEnvelope
from protocol.envelope import Message
from protocol.messages import (
    CounterClosed,
    CounterOpened,
    CounterStatusSet,
    OfficerRef,
    TicketCalled,
    TicketIssued,
    TicketNoShow,
    TicketRecalled,
    TicketServed,
    TicketTransferred,
)
from protocol.office_config import CounterConfig, OfficeConfig
from workdays import CalendarOverrides, load_calendar_overrides

Clock = Callable[[], datetime]

__all__ = [
    "Clock", "ClosedOnDayOff", "CounterPaused", "CounterView", "NothingCalled", "Outcome", "OutsideOpeningHours",
    "QueueEmpty", "QueueEngine", "QueueError", "QueueSnapshot", "SameCounter", "Staffing", "TargetCounterClosed",
    "Ticket", "UnknownCounter", "UnknownField",
    "system_clock",
]


def system_clock() -> datetime:
    return datetime.now(UTC)


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
            staffing = self._staffing(conn, counter, day)
            if staffing.status == "paused":
                raise CounterPaused(
                    f"counter {counter} is paused (its officer is on a break); set it open to call the next ticket",
                    f"Quầy {counter} đang tạm nghỉ. Mở lại quầy để gọi số tiếp theo.",
                )
            row = conn.execute(
                "SELECT * FROM tickets WHERE day = ? AND status = 'waiting'"
                f" AND (counter = ? OR (counter IS NULL AND field IN ({marks})))"
                " ORDER BY counter IS NULL, priority DESC, daily_seq LIMIT 1",
                (day, counter, *cfg.fields),
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
                previous_ticket_id=previous.ticket_id if previous else None, officer=staffing.officer,
            )))
        return Outcome(ticket, events, previous=previous)

    def recall(self, counter: int) -> Outcome:
        now = self.clock()
        self._counter(counter)
        day = now.astimezone(self.tz).date().isoformat()
        with self.store.transaction() as conn:
            current = self._current(conn, counter, day)
            if current is None:
                raise NothingCalled(f"counter {counter} has no called ticket to recall",
                                    f"Quầy {counter} chưa gọi số nào.")
            event = self._event(conn, now, TicketRecalled(ticket_id=current.ticket_id, number=current.number, counter=counter,
                                                          officer=self._staffing(conn, counter, day).officer))
        return Outcome(current, [event])

    def finish(self, counter: int, served: bool) -> Outcome:
        """Done (served) or no-show for the counter's current ticket."""
        now = self.clock()
        self._counter(counter)
        day = now.astimezone(self.tz).date().isoformat()
        with self.store.transaction() as conn:
            current = self._current(conn, counter, day)
            if current is None:
                raise NothingCalled(f"counter {counter} has no called ticket", f"Quầy {counter} chưa gọi số nào.")
            status = "served" if served else "no_show"
            conn.execute("UPDATE tickets SET status = ?, finished_at = ? WHERE ticket_id = ?",
                         (status, now.isoformat(), current.ticket_id))
            conn.execute("UPDATE counters SET current_ticket = NULL WHERE number = ?", (counter,))
            model = TicketServed if served else TicketNoShow
            event = self._event(conn, now, model(ticket_id=current.ticket_id, number=current.number, counter=counter,
                                                 officer=self._staffing(conn, counter, day).officer))
        return Outcome(current, [event])

    def transfer(self, counter: int, to_counter: int) -> Outcome:
        """Send the counter's current ticket to another counter (chuyển quầy).

        The ticket waits again, reserved for ``to_counter`` and ahead of its
        fields' queue there, whatever its field: a citizen who queued for the
        wrong desk is not sent to the back of another queue. It is not called
        at once, because the other counter may be serving someone: its next
        call announces it ("mời công dân số A002 đến quầy 3"). A counter nobody
        works at today is refused, or the citizen would wait for ever.
        """
        now = self.clock()
        self._counter(counter)
        self._counter(to_counter)
        if counter == to_counter:
            raise SameCounter(f"counter {counter} cannot transfer a ticket to itself",
                              "Hãy chọn một quầy khác để chuyển số.")
        day = now.astimezone(self.tz).date().isoformat()
        with self.store.transaction() as conn:
            current = self._current(conn, counter, day)
            if current is None:
                raise NothingCalled(f"counter {counter} has no called ticket to transfer",
                                    f"Quầy {counter} chưa gọi số nào.")
            if self._staffing(conn, to_counter, day).status == "closed":
                raise TargetCounterClosed(
                    f"nobody works at counter {to_counter} today; transfer to a counter that is open",
                    f"Quầy {to_counter} chưa có cán bộ nhận quầy. Hãy chuyển sang quầy đang làm việc.",
                )
            # called_at is cleared: the ticket waits again, and is no call of the target counter yet.
            conn.execute("UPDATE tickets SET status = 'waiting', counter = ?, called_at = NULL WHERE ticket_id = ?",
                         (to_counter, current.ticket_id))
            conn.execute("UPDATE counters SET current_ticket = NULL WHERE number = ?", (counter,))
            event = self._event(conn, now, TicketTransferred(
                ticket_id=current.ticket_id, number=current.number, field=current.field, from_counter=counter,
                to_counter=to_counter, officer=self._staffing(conn, counter, day).officer))
            ticket = Ticket.from_row(conn.execute("SELECT * FROM tickets WHERE ticket_id = ?",
                                                  (current.ticket_id,)).fetchone())
        return Outcome(ticket, [event], previous=current)

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

    def set_status(self, change: CounterStatusSet) -> Outcome:
        """An officer signs in (open), takes a break (paused) or signs out (closed) at a counter.

        Kept in the database with the ``counter.status`` event that reports it,
        for the rest of the local day: the counter's later ticket events carry
        this officer, from the keypad as from the cloud, with or without the
        link. A new day starts with nobody signed in. Closing is always
        possible, and leaves the counter's current ticket as it is (the next
        call closes it as served).
        """
        now = self.clock()
        self._counter(change.counter)
        officer = change.officer
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO counter_status (number, day, status, officer_id, officer_name, set_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (number) DO UPDATE SET day = excluded.day,"
                " status = excluded.status, officer_id = excluded.officer_id,"
                " officer_name = excluded.officer_name, set_at = excluded.set_at",
                (change.counter, now.astimezone(self.tz).date().isoformat(), change.status,
                 officer.id if officer else None, officer.name if officer else None, now.isoformat()),
            )
            event = self._event(conn, now, change)
        return Outcome(None, [event])

    # -- views -----------------------------------------------------------------------

    def recent_calls(self, limit: int = 6) -> list[Ticket]:
        """Today's tickets in the order they were last called, newest first: what the hall display listed."""
        day = self.local_now().date().isoformat()
        rows = self.store.query(
            "SELECT * FROM tickets WHERE day = ? AND called_at IS NOT NULL ORDER BY called_at DESC, daily_seq DESC LIMIT ?",
            (day, limit))
        return [Ticket.from_row(r) for r in rows]

    def snapshot(self) -> QueueSnapshot:
        local = self.local_now()
        day = local.date().isoformat()
        with self.store.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM tickets WHERE day = ? AND status = 'waiting' ORDER BY priority DESC, daily_seq", (day,)
            ).fetchall()
            waiting: dict[str, list[Ticket]] = {f.code: [] for f in self.config.fields}
            for r in rows:
                waiting.setdefault(r["field"], []).append(Ticket.from_row(r))
            counters = []
            for c in self.config.counters:
                state = conn.execute("SELECT * FROM counters WHERE number = ?", (c.number,)).fetchone()
                open_ = bool(state and state["open_day"] == day)
                current = None
                if state and state["current_ticket"]:
                    t = conn.execute("SELECT * FROM tickets WHERE ticket_id = ? AND day = ?",
                                     (state["current_ticket"], day)).fetchone()
                    current = Ticket.from_row(t) if t else None
                counters.append(CounterView(c.number, list(c.fields), open_, current, self._staffing(conn, c.number, day)))
            issued = conn.execute("SELECT COUNT(*) FROM tickets WHERE day = ?", (day,)).fetchone()[0]
            served = conn.execute("SELECT COUNT(*) FROM tickets WHERE day = ? AND status = 'served'", (day,)).fetchone()[0]
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

    def _staffing(self, conn: sqlite3.Connection, counter: int, day: str) -> Staffing:
        """Today's status of the counter (``Staffing``); a status set on an earlier day has lapsed."""
        row = conn.execute("SELECT * FROM counter_status WHERE number = ? AND day = ?", (counter, day)).fetchone()
        if row is not None and row["status"] != "closed":
            return Staffing(row["status"], OfficerRef(id=row["officer_id"], name=row["officer_name"]))
        called_since = conn.execute(
            "SELECT 1 FROM tickets WHERE day = ? AND counter = ? AND called_at > ? LIMIT 1",
            (day, counter, row["set_at"] if row is not None else ""),
        ).fetchone()
        return Staffing("open" if called_since else "closed")

    def _current(self, conn: sqlite3.Connection, counter: int, day: str) -> Ticket | None:
        """The ticket the counter is serving today; yesterday's leftovers do not count."""
        state = self._counter_state(conn, counter)
        if not state["current_ticket"]:
            return None
        row = conn.execute("SELECT * FROM tickets WHERE ticket_id = ? AND day = ? AND status = 'called'",
                           (state["current_ticket"], day)).fetchone()
        return Ticket.from_row(row) if row else None
