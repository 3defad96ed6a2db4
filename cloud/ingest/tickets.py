"""The ticket projection: what the ``ticket.*`` facts say about each ticket.

Facts can arrive out of order (an edge re-sends its outbox after a broker
restart, a bridge delivers a backlog), so the projection is written as one
upsert whose every column only moves forward:

* status by rank: waiting < called < served | no_show (a recall keeps called,
  a late ``ticket.issued`` never reopens a served ticket);
* number and field are filled by whichever fact carries them, and so is the
  counter, except that a finished ticket keeps the counter that finished it
  (a transfer, ``ticket.transferred``, moves a ticket to another counter, so
  a late call at the first counter must not move a served ticket back);
* each timestamp keeps the first value (called_at the earliest call);
* the officer (who sat at the counter, ``officer`` of the event) is the one of
  the furthest status, and among calls the earliest call's: who served a
  ticket is who closed it, whatever order the facts came in.

``counter.status`` facts go to ``counter_state`` (:func:`counter_facts`):
the newest fact of each counter (by the hub's timestamp) wins, so a late,
re-sent fact never undoes a newer one.

A transferred ticket stays ``called`` here (status never goes back to
waiting) with the target counter; that counter's call and finish follow.
Before it finishes, a transfer and a call delivered out of order may show the
earlier counter until the next fact of the ticket.

So applying the same facts in any order, or twice, gives the same row; a
ticket first seen through ``ticket.called`` (or as the previous ticket of a
call) is created and completed when its ``ticket.issued`` arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_

from cloud.db.tables import counter_state_table, ticket_table
from cloud.db.upsert import insert
from protocol import Event
from protocol.messages import (
    CounterStatusSet,
    OfficerRef,
    TicketCalled,
    TicketIssued,
    TicketNoShow,
    TicketRecalled,
    TicketServed,
    TicketTransferred,
)

Fact = dict[str, Any]
COLUMNS = ("office", "ticket_id", "number", "field", "priority", "status", "counter", "day",
           "issued_at", "called_at", "finished_at", "officer_id", "officer_name", "dossiers")
#: ``dossiers`` is the intake's (cloud.dossiers.store): no fact sets it, an insert leaves it empty.


def _officer(officer: OfficerRef | None) -> dict[str, str | None]:
    return {"officer_id": officer.id if officer else None, "officer_name": officer.name if officer else None}


def _day_of(ticket_id: str) -> date:
    """Ticket ids start with the local service day (YYYYMMDD-...)."""
    return date(int(ticket_id[0:4]), int(ticket_id[4:6]), int(ticket_id[6:8]))


def _fact(office: str, ticket_id: str, status: str, **values: Any) -> Fact:
    fact: Fact = dict.fromkeys(COLUMNS)
    fact.update(office=office, ticket_id=ticket_id, status=status, priority=False, day=_day_of(ticket_id))
    fact.update(values)
    return fact


def _issued(office: str, ts: datetime, d: TicketIssued) -> list[Fact]:
    return [_fact(office, d.ticket_id, "waiting", number=d.number, field=d.field, priority=d.priority,
                  day=d.day, issued_at=ts)]


def _called(office: str, ts: datetime, d: TicketCalled) -> list[Fact]:
    who = _officer(d.officer)
    facts = [_fact(office, d.ticket_id, "called", number=d.number, field=d.field, counter=d.counter, called_at=ts,
                   **who)]
    if d.previous_ticket_id:
        # Pressing "next" while serving someone closes that ticket as served.
        facts.append(_fact(office, d.previous_ticket_id, "served", counter=d.counter, finished_at=ts, **who))
    return facts


def _recalled(office: str, ts: datetime, d: TicketRecalled) -> list[Fact]:
    return [_fact(office, d.ticket_id, "called", number=d.number, counter=d.counter, called_at=ts,
                  **_officer(d.officer))]


def _finished(status: str) -> Callable[[str, datetime, Any], list[Fact]]:
    def project(office: str, ts: datetime, d: TicketServed | TicketNoShow) -> list[Fact]:
        return [_fact(office, d.ticket_id, status, number=d.number, counter=d.counter, finished_at=ts,
                      **_officer(d.officer))]

    return project


def _transferred(office: str, ts: datetime, d: TicketTransferred) -> list[Fact]:
    """The ticket now belongs to ``to_counter``; its officer stays who called it until someone finishes it."""
    return [_fact(office, d.ticket_id, "called", number=d.number, field=d.field, counter=d.to_counter)]


#: Event type → the ticket facts it states. Other events (counter.*) project nothing here.
PROJECTORS: dict[str, Callable[[str, datetime, Any], list[Fact]]] = {
    "ticket.issued": _issued,
    "ticket.called": _called,
    "ticket.recalled": _recalled,
    "ticket.served": _finished("served"),
    "ticket.no_show": _finished("no_show"),
    "ticket.transferred": _transferred,
}


def ticket_facts(events: list[Event]) -> list[Fact]:
    facts: list[Fact] = []
    for event in events:
        project = PROJECTORS.get(event.envelope.type)
        if project is not None:
            facts.extend(project(event.envelope.office, event.envelope.ts, event.data))
    return facts


def counter_facts(events: list[Event]) -> list[Fact]:
    """The ``counter_state`` rows the ``counter.status`` events state."""
    facts: list[Fact] = []
    for event in events:
        if event.envelope.type == "counter.status":
            d: CounterStatusSet = event.data  # type: ignore[assignment]  # EVENTS maps the type to this model
            facts.append({"office": event.envelope.office, "number": d.counter, "status": d.status,
                          "since": event.envelope.ts, **_officer(d.officer)})
    return facts


def counter_upsert_statement(dialect_name: str) -> Any:
    """Insert a counter's state, or replace it if this fact is newer than the stored one."""
    t = counter_state_table.c
    stmt = insert(dialect_name, counter_state_table)
    new = stmt.excluded
    newer = new.since >= t.since
    return stmt.on_conflict_do_update(
        index_elements=[t.office, t.number],
        set_={name: case((newer, getattr(new, name)), else_=getattr(t, name))
              for name in ("status", "officer_id", "officer_name", "since")},
    )


def _rank(status: Any) -> ColumnElement[int]:
    return case((status == "waiting", 0), (status == "called", 1), else_=2)


def _earliest(current: Any, new: Any) -> ColumnElement[Any]:
    return case(
        (current.is_(None), new),
        (new.is_(None), current),
        (new < current, new),
        else_=current,
    )


def upsert_statement(dialect_name: str) -> Any:
    """The one statement every fact goes through (executemany with ``Fact`` dicts)."""
    t = ticket_table.c
    stmt = insert(dialect_name, ticket_table)
    new = stmt.excluded
    # The new fact's officer replaces the stored one when it names one and the row has none, its status is
    # further on, or both are calls and it is the earlier call (a recall by someone else keeps the caller).
    takes_officer = and_(new.officer_id.is_not(None), or_(
        t.officer_id.is_(None),
        _rank(new.status) > _rank(t.status),
        and_(_rank(new.status) == _rank(t.status), new.called_at < t.called_at),
    ))
    return stmt.on_conflict_do_update(
        index_elements=[t.office, t.ticket_id],
        set_={
            "number": func.coalesce(new.number, t.number),
            "field": func.coalesce(new.field, t.field),
            "priority": case((new.issued_at.is_not(None), new.priority), else_=t.priority),
            "status": case((_rank(new.status) > _rank(t.status), new.status), else_=t.status),
            "counter": case((and_(_rank(t.status) == 2, _rank(new.status) < 2), t.counter),
                            else_=func.coalesce(new.counter, t.counter)),
            "issued_at": func.coalesce(t.issued_at, new.issued_at),
            "called_at": _earliest(t.called_at, new.called_at),
            "finished_at": func.coalesce(t.finished_at, new.finished_at),
            "officer_id": case((takes_officer, new.officer_id), else_=t.officer_id),
            "officer_name": case((takes_officer, new.officer_name), else_=t.officer_name),
        },
    )
