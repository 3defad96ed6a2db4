"""Events from an office reach the cloud's tables once, in any order, and the
cloud answers with the cursor the hub prunes its outbox by."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select

from broker.probe import MqttProbe
from cloud.db.tables import event_table, ticket_table
from protocol import decode_cursor, dumps, topics
from protocol.messages import TicketCalled, TicketIssued, TicketRecalled, TicketServed
from tests.cloud.fakes import TZ, OfficeEdge, ticket_id
from tests.staff import AS_IT
from tests.waiting import wait_until


def issued(n: int, number: str, field: str = "ho-tich", priority: bool = False) -> TicketIssued:
    return TicketIssued(ticket_id=ticket_id(n), number=number, field=field, priority=priority,
                        day=datetime.now(TZ).date(), waiting_ahead=0)


def count_events(db: Engine, **where: Any) -> int:
    query = select(func.count()).select_from(event_table)
    for column, value in where.items():
        query = query.where(event_table.c[column] == value)
    with db.connect() as conn:
        return int(conn.execute(query).scalar() or 0)


def ticket_row(db: Engine, n: int) -> dict[str, Any] | None:
    with db.connect() as conn:
        row = conn.execute(select(ticket_table).where(ticket_table.c.ticket_id == ticket_id(n))).mappings().first()
    return dict(row) if row else None


def waiting_numbers(api: httpx.Client, field: str) -> list[str]:
    queue = api.get("/api/v1/offices/sai-gon/queue").json()
    return [t["number"] for f in queue["fields"] if f["code"] == field for t in f["waiting"]]


def dead_letters(api: httpx.Client) -> list[dict[str, Any]]:
    response = api.get("/api/v1/dead-letters", headers=AS_IT, params={"limit": 100})
    assert response.status_code == 200
    return response.json()["items"]  # type: ignore[no-any-return]  # the JSON body is Any


def test_an_event_is_stored_once_and_projected_into_the_queue(api: httpx.Client, edge: OfficeEdge, db: Engine) -> None:
    event = edge.publish_event(1, issued(1, "A001"))
    edge.expect_cursor(1)
    assert count_events(db, id=event.id) == 1
    assert waiting_numbers(api, "ho-tich") == ["A001"]

    edge.publish_event(2, TicketCalled(ticket_id=ticket_id(1), number="A001", field="ho-tich", counter=1))
    edge.expect_cursor(2)
    queue = api.get("/api/v1/offices/sai-gon/queue").json()
    current = {c["number"]: c["current"] for c in queue["counters"]}
    assert current[1]["number"] == "A001"
    assert current[2] is None
    assert waiting_numbers(api, "ho-tich") == []
    assert queue["counts"]["issued"] == 1 and queue["counts"]["called"] == 1


def test_the_same_event_twice_is_stored_once_and_still_gets_a_cursor(
    api: httpx.Client, edge: OfficeEdge, db: Engine
) -> None:
    event = edge.event(1, issued(1, "A001"))
    edge.publish(event)
    edge.expect_cursor(1)
    edge.publish(event)  # a re-send after a lost cursor
    edge.expect_cursor(1)  # answered again although nothing moved
    wait_until(lambda: api.get("/api/v1/health").json()["ingest"]["duplicates"] >= 1, what="the duplicate counted")
    assert count_events(db, id=event.id) == 1
    assert waiting_numbers(api, "ho-tich") == ["A001"]


def test_duplicates_inside_one_batch_are_stored_once(api: httpx.Client, edge: OfficeEdge, db: Engine) -> None:
    events = [edge.event(seq, issued(seq, f"A{seq:03d}")) for seq in range(1, 21)]
    for event in events + events[:10]:
        edge.publish(event)
    edge.expect_cursor(20)
    wait_until(lambda: api.get("/api/v1/health").json()["ingest"]["duplicates"] >= 10, what="10 duplicates")
    assert count_events(db, office="sai-gon", node="hub") == 20
    assert waiting_numbers(api, "ho-tich") == [f"A{n:03d}" for n in range(1, 21)]


@pytest.mark.parametrize(("topic", "payload", "reason"), [
    (topics.evt("sai-gon", "hub", "ticket.issued"), b"{not json", "invalid event envelope"),
    (topics.evt("sai-gon", "hub", "ticket.issued"), b'{"v": 1, "id": "x"}', "invalid event envelope"),
    (topics.evt("sai-gon", "hub", "ticket.called"), None, "does not match topic name"),
    (topics.evt("sai-gon", "kiosk", "ticket.issued"), None, "came on sai-gon/kiosk"),
    (topics.evt("sai-gon", "hub", "ticket.issued"), "bad-data", "invalid data of ticket.issued"),
    (topics.evt("ghost", "hub", "ticket.issued"), "ghost", "unknown office 'ghost'"),
    (topics.evt("sai-gon", "hub", "ticket.issued"), b"\xff\xfe binary", "invalid event envelope"),
])
def test_a_bad_message_becomes_a_dead_letter_and_the_next_good_one_is_ingested(
    api: httpx.Client, edge: OfficeEdge, service_probe: MqttProbe, db: Engine,
    topic: str, payload: bytes | str | None, reason: str,
) -> None:
    good = edge.event(1, issued(1, "A001"))
    if payload is None:  # a valid ticket.issued envelope on the wrong topic
        payload = dumps(good)
    elif payload == "bad-data":
        payload = dumps(good.model_copy(update={"data": {"ticket_id": "nope"}}))
    elif payload == "ghost":
        payload = dumps(good.model_copy(update={"office": "ghost"}))
    assert isinstance(payload, bytes)
    service_probe.publish(topic, payload, qos=1)
    letters = wait_until(lambda: dead_letters(api), what="a dead letter")
    assert letters[0]["topic"] == topic
    assert reason in letters[0]["reason"]
    assert letters[0]["payload"] == payload.decode("utf-8", errors="replace")
    assert count_events(db) == 0

    edge.publish(good)
    edge.expect_cursor(1)
    assert count_events(db, id=good.id) == 1
    assert len(dead_letters(api)) == 1


@pytest.mark.usefixtures("cloud")
def test_the_cursor_stops_at_a_gap_until_it_is_filled(edge: OfficeEdge, service_probe: MqttProbe, db: Engine) -> None:
    events = {seq: edge.event(seq, issued(seq, f"A{seq:03d}")) for seq in (1, 2, 3, 4)}
    for seq in (1, 2, 4):
        edge.publish(events[seq])
    edge.expect_cursor(2)
    wait_until(lambda: count_events(db) == 3, what="events 1, 2 and 4 stored")
    service_probe.subscribe(topics.cursor("sai-gon", "hub"))  # what a reconnecting hub gets: the retained cursor
    retained = service_probe.expect(topics.cursor("sai-gon", "hub"))
    assert retained.retain and decode_cursor(retained.topic, retained.payload).seq == 2

    edge.publish(events[3])
    assert edge.expect_cursor(4) == 4


def test_facts_arriving_out_of_order_give_the_same_ticket(api: httpx.Client, edge: OfficeEdge, db: Engine) -> None:
    # Re-sent after an outage, newest first: served, recalled, called, then issued.
    tid = ticket_id(7)
    edge.publish_event(4, TicketServed(ticket_id=tid, number="B007", counter=2))
    edge.publish_event(3, TicketRecalled(ticket_id=tid, number="B007", counter=2))
    edge.publish_event(2, TicketCalled(ticket_id=tid, number="B007", field="dat-dai", counter=2))
    edge.expect_cursor(0)
    edge.publish_event(1, issued(7, "B007", field="dat-dai", priority=True))
    edge.expect_cursor(4)
    row = ticket_row(db, 7)
    assert row is not None
    assert (row["status"], row["number"], row["field"], row["counter"], row["priority"]) == (
        "served", "B007", "dat-dai", 2, True)
    assert row["issued_at"] and row["called_at"] and row["finished_at"]


def test_a_call_closes_the_previous_ticket_and_recall_keeps_it_called(
    api: httpx.Client, edge: OfficeEdge, db: Engine
) -> None:
    edge.publish_event(1, TicketCalled(ticket_id=ticket_id(2), number="A002", field="ho-tich", counter=1,
                                       previous_ticket_id=ticket_id(1)))
    edge.publish_event(2, TicketRecalled(ticket_id=ticket_id(2), number="A002", counter=1))
    edge.expect_cursor(2)
    first, second = ticket_row(db, 1), ticket_row(db, 2)
    assert first is not None and first["status"] == "served"  # known only as the previous ticket so far
    assert second is not None and second["status"] == "called"  # an unknown ticket first seen being called
    edge.publish_event(3, issued(1, "A001"))  # its issue arrives late: fills the number, stays served
    edge.expect_cursor(3)
    first = ticket_row(db, 1)
    assert first is not None and (first["status"], first["number"]) == ("served", "A001")
    queue = api.get("/api/v1/offices/sai-gon/queue").json()
    assert queue["counters"][0]["current"]["number"] == "A002"


def test_priority_tickets_are_listed_first_then_in_issue_order(api: httpx.Client, edge: OfficeEdge) -> None:
    edge.publish_event(1, issued(1, "A001"))
    edge.publish_event(2, issued(2, "A002"))
    edge.publish_event(3, issued(3, "A003", priority=True))
    edge.expect_cursor(3)
    assert waiting_numbers(api, "ho-tich") == ["A003", "A001", "A002"]


def test_events_published_while_the_cloud_is_down_are_ingested_when_it_returns(
    start_cloud: Any, edge: OfficeEdge, db: Engine
) -> None:
    cloud = start_cloud()  # registers the persistent session with the broker
    cloud.stop()
    for seq in (1, 2, 3):
        edge.publish_event(seq, issued(seq, f"A{seq:03d}"))
    assert count_events(db) == 0
    start_cloud()
    edge.expect_cursor(3)
    assert count_events(db) == 3


def test_node_presence_follows_birth_and_last_will(api: httpx.Client, edge: OfficeEdge,
                                                   service_probe: MqttProbe) -> None:
    def hub_status() -> tuple[bool, bool] | None:
        nodes = [n for n in api.get("/api/v1/nodes", headers=AS_IT).json() if (n["office"], n["node"]) == ("sai-gon", "hub")]
        office = api.get("/api/v1/offices/sai-gon").json()
        return (nodes[0]["online"], office["online"]) if nodes else None

    edge.publish_state(online=True)
    wait_until(lambda: hub_status() == (True, True), what="hub online")
    online_seen = api.get("/api/v1/offices/sai-gon").json()["nodes"][0]["last_seen"]
    edge.publish_state(online=False)
    wait_until(lambda: hub_status() == (False, False), what="hub offline")
    assert api.get("/api/v1/offices/sai-gon").json()["nodes"][0]["last_seen"] == online_seen

    edge.publish_state(online=True)
    wait_until(lambda: hub_status() == (True, True), what="hub online again")
    # The office's bridge drops: the hub's stale retained state must not count as online.
    service_probe.publish("onestop/v1/sai-gon/bridge/link", b"0", qos=1, retain=True)
    wait_until(lambda: hub_status() == (False, False), what="hub unreachable when the link is down")
    office = api.get("/api/v1/offices/sai-gon").json()
    assert office["link_up"] is False
    assert [n["reported_online"] for n in office["nodes"] if n["node"] == "hub"] == [True]


def test_a_receiver_process_that_dies_is_started_again(start_cloud: Any, edge: OfficeEdge, db: Engine) -> None:
    cloud = start_cloud()
    receiver = cloud.app.state.ingest.receiver
    first = receiver.process
    first.kill()
    wait_until(lambda: receiver.process is not first and receiver.connected.is_set(), timeout=10,
               what="a new receiver process, connected")
    edge.publish_event(1, issued(1, "A001"))
    edge.expect_cursor(1)
    assert count_events(db) == 1
