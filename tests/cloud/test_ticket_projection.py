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
from cloud.db.tables import ticket_table
from cloud.ingest.tickets import ticket_facts, upsert_statement
from protocol import Event, make_event
from protocol.envelope import Message
from protocol.messages import TicketCalled, TicketIssued, TicketNoShow, TicketRecalled, TicketServed

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
