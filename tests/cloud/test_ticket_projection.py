"""The ticket projection gives the same row whatever order (and however often) facts arrive."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select

from cloud.db import migrate
from cloud.db.engine import make_engine
from cloud.db.tables import counter_state_table, ticket_table
from cloud.ingest.tickets import counter_facts, counter_upsert_statement, ticket_facts, upsert_statement
from protocol import Event, make_event
from protocol.envelope import Message
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

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TID = "20261123-090000-0001"
NEXT = "20261123-090100-0002"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = make_engine(f"sqlite:///{Path(tmp_path_factory.mktemp('proj')) / 'cloud.db'}")
    migrate.upgrade(engine)
    return engine


def event(seq: int, data: Message) -> Event:
    return Event(make_event("sai-gon", "hub", seq, T0 + timedelta(minutes=seq), data), data)


def project(engine: Engine, events: list[Event]) -> dict[str, dict[str, Any]]:
    with engine.begin() as conn:
        conn.execute(delete(ticket_table))
        for e in events:  # one statement per event, as batches of one would
            facts = ticket_facts([e])
            if facts:
                conn.execute(upsert_statement(engine.dialect.name), facts)
        rows = conn.execute(select(ticket_table)).mappings().all()
    return {r["ticket_id"]: dict(r) for r in rows}


LIFE = [
    event(1, TicketIssued(ticket_id=TID, number="A001", field="ho-tich", priority=True,
                          day=T0.date(), waiting_ahead=0)),
    event(2, TicketCalled(ticket_id=TID, number="A001", field="ho-tich", counter=1)),
    event(3, TicketRecalled(ticket_id=TID, number="A001", counter=1)),
    event(4, TicketServed(ticket_id=TID, number="A001", counter=1)),
]


def test_every_order_of_a_tickets_life_gives_the_same_row(engine: Engine) -> None:
    expected = project(engine, LIFE)[TID]
    assert (expected["status"], expected["number"], expected["field"], expected["priority"], expected["counter"]) == (
        "served", "A001", "ho-tich", True, 1)
    assert expected["issued_at"] == T0 + timedelta(minutes=1)
    assert expected["called_at"] == T0 + timedelta(minutes=2)  # the call, not the later recall
    assert expected["finished_at"] == T0 + timedelta(minutes=4)
    for order in itertools.permutations(LIFE):
        assert project(engine, list(order))[TID] == expected, [e.envelope.type for e in order]


def test_applying_facts_twice_changes_nothing(engine: Engine) -> None:
    assert project(engine, LIFE + LIFE[::-1]) == project(engine, LIFE)


@pytest.mark.parametrize("steps,status", [
    ([0], "waiting"),
    ([0, 1], "called"),
    ([0, 1, 2], "called"),  # a recall keeps it called
    ([1, 0], "called"),  # a late issue never reopens
    ([0, 3], "served"),
])
def test_status_only_moves_forward(engine: Engine, steps: list[int], status: str) -> None:
    assert project(engine, [LIFE[i] for i in steps])[TID]["status"] == status


def test_a_no_show_is_final_and_a_call_with_previous_serves_the_previous(engine: Engine) -> None:
    no_show = event(5, TicketNoShow(ticket_id=TID, number="A001", counter=1))
    call_next = event(6, TicketCalled(ticket_id=NEXT, number="A002", field="ho-tich", counter=1,
                                      previous_ticket_id=TID))
    rows = project(engine, [call_next, LIFE[0]])
    assert rows[TID]["status"] == "served" and rows[NEXT]["status"] == "called"
    rows = project(engine, [LIFE[0], LIFE[1], no_show, LIFE[1]])
    assert rows[TID]["status"] == "no_show"


# -- who served, and the counters' states (issue 10) ----------------------------------------------

LAN = OfficerRef(id="tiepnhan", name="Trần Ngọc Lan")
BINH = OfficerRef(id="tn.binh", name="Lê Thị Bình")


def test_the_officer_of_the_furthest_fact_is_who_served_whatever_the_order(engine: Engine) -> None:
    """Lan calls A001; Bình, who took the counter over, recalls and serves it: Bình served it."""
    life = [
        LIFE[0],
        event(2, TicketCalled(ticket_id=TID, number="A001", field="ho-tich", counter=1, officer=LAN)),
        event(3, TicketRecalled(ticket_id=TID, number="A001", counter=1, officer=BINH)),
        event(4, TicketServed(ticket_id=TID, number="A001", counter=1, officer=BINH)),
    ]
    for order in itertools.permutations(life):
        row = project(engine, list(order))[TID]
        assert (row["officer_id"], row["officer_name"]) == ("tn.binh", "Lê Thị Bình"), [e.envelope.type for e in order]
    for order in itertools.permutations(life[:3]):  # still called: the caller, not who recalled it
        assert project(engine, list(order))[TID]["officer_name"] == "Trần Ngọc Lan", [e.envelope.type for e in order]


def test_the_previous_ticket_closed_by_a_call_is_served_by_the_caller(engine: Engine) -> None:
    call_next = event(6, TicketCalled(ticket_id=NEXT, number="A002", field="ho-tich", counter=1,
                                      previous_ticket_id=TID, officer=LAN))
    rows = project(engine, [LIFE[0], LIFE[1], call_next])  # LIFE[1]: a call without officer (an older hub)
    assert rows[TID]["status"] == "served" and rows[TID]["officer_name"] == "Trần Ngọc Lan"
    assert rows[NEXT]["officer_id"] == "tiepnhan"


def counter_rows(engine: Engine, events: list[Event]) -> dict[int, dict[str, Any]]:
    with engine.begin() as conn:
        conn.execute(delete(counter_state_table))
        for e in events:
            facts = counter_facts([e])
            if facts:
                conn.execute(counter_upsert_statement(engine.dialect.name), facts)
        return {r["number"]: dict(r) for r in conn.execute(select(counter_state_table)).mappings()}


def test_a_counters_state_is_its_newest_fact_whatever_the_order(engine: Engine) -> None:
    sitting = [
        event(1, CounterStatusSet(counter=1, status="open", officer=LAN)),
        event(2, CounterStatusSet(counter=1, status="paused", officer=LAN)),
        event(3, CounterStatusSet(counter=1, status="closed")),
        event(4, CounterStatusSet(counter=1, status="open", officer=BINH)),
        event(5, CounterStatusSet(counter=2, status="open", officer=LAN)),
    ]
    for order in itertools.permutations(sitting):
        rows = counter_rows(engine, list(order))
        assert (rows[1]["status"], rows[1]["officer_name"], rows[1]["since"]) == (
            "open", "Lê Thị Bình", T0 + timedelta(minutes=4))
        assert (rows[2]["status"], rows[2]["officer_id"]) == ("open", "tiepnhan")
    assert counter_rows(engine, sitting[:3])[1] == {"office": "sai-gon", "number": 1, "status": "closed",
                                                    "officer_id": None, "officer_name": None,
                                                    "since": T0 + timedelta(minutes=3)}


# -- transfer to another counter (issue 11) ---------------------------------------------------------


def test_a_transferred_ticket_moves_to_the_other_counter_and_is_served_there_whatever_the_order(engine: Engine) -> None:
    """Lan calls A001 at counter 1 and sends it to counter 3, where Bình calls and serves it."""
    life = [
        LIFE[0],
        event(2, TicketCalled(ticket_id=TID, number="A001", field="ho-tich", counter=1, officer=LAN)),
        event(3, TicketTransferred(ticket_id=TID, number="A001", field="ho-tich", from_counter=1, to_counter=3,
                                   officer=LAN)),
        event(4, TicketCalled(ticket_id=TID, number="A001", field="ho-tich", counter=3, officer=BINH)),
        event(5, TicketServed(ticket_id=TID, number="A001", counter=3, officer=BINH)),
    ]
    moved = project(engine, life[:3])[TID]
    assert (moved["status"], moved["counter"], moved["officer_name"]) == ("called", 3, "Trần Ngọc Lan")
    for order in itertools.permutations(life):
        row = project(engine, list(order))[TID]
        assert (row["status"], row["counter"], row["officer_name"], row["called_at"]) == (
            "served", 3, "Lê Thị Bình", T0 + timedelta(minutes=2)), [e.envelope.type for e in order]
