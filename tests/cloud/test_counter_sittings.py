"""Officers sign in at counters (console → cloud → hub → ack), and queues follow the office.

The hub is tests/cloud/fakes.FakeHub answering ``counter.set_status`` as a
hub does; the cloud, its broker and its database are the real ones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select

from cloud.auth.users import UserStore
from cloud.db.tables import command_table, counter_session_table, counter_state_table
from cloud.settings import Settings
from protocol.messages import CounterStatusSet, OfficerRef, TicketCalled
from tests.cloud.fakes import FakeHub, OfficeEdge, ack_error, called, like_a_hub, ticket_id
from tests.cloud.test_ingest import issued
from tests.staff import OFFICE, STAFF
from tests.waiting import wait_until

COUNTER = "/api/v1/offices/sai-gon/counters/{}/{}"
STAFF_NAME = "Cán bộ vận hành (kiểm thử)"


def officer(settings: Settings, username: str, full_name: str, unit: str, roles: list[str]) -> dict[str, str]:
    """Another account, with a bearer token: its request headers."""
    from cloud.db.engine import make_engine

    engine = make_engine(settings.db_url)
    try:
        users = UserStore(engine)
        users.add(username, full_name=full_name, unit=unit, roles=roles)
        users.issue_token(username, kind="api", name="tests", ttl=timedelta(days=1), secret=f"token-{username}")
    finally:
        engine.dispose()
    return {"Authorization": f"Bearer token-{username}"}


@pytest.fixture
def colleague(api: httpx.Client, settings: Settings) -> dict[str, str]:
    """A second reception officer of the demo office."""
    return officer(settings, "tn.binh", "Lê Thị Bình", OFFICE, ["reception"])


def sittings(db: Engine) -> list[dict[str, Any]]:
    with db.connect() as conn:
        return [dict(r) for r in conn.execute(select(counter_session_table).order_by(counter_session_table.c.id))
                .mappings()]


def counter_of(api: httpx.Client, number: int, path: str = "") -> dict[str, Any]:
    body = api.get(f"/api/v1/offices/sai-gon{path}").json()
    return next(c for c in body["counters"] if c["number"] == number)


def test_signing_in_tells_the_hub_who_sits_there_and_records_the_sitting_with_the_ack(
    api: httpx.Client, fake_hub: Callable[..., FakeHub], db: Engine
) -> None:
    hub = fake_hub(like_a_hub())
    response = api.post(COUNTER.format(1, "sign-in"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["officer_id"], body["officer_name"]) == ("open", STAFF, STAFF_NAME)
    [command] = hub.commands
    assert command.envelope.name == "counter.set_status"
    assert command.data == CounterStatusSet(counter=1, status="open", officer=OfficerRef(id=STAFF, name=STAFF_NAME))
    [sitting] = sittings(db)
    assert (sitting["office"], sitting["counter"], sitting["officer_id"], sitting["status"]) == ("sai-gon", 1, STAFF,
                                                                                                  "open")
    assert sitting["ended_at"] is None and sitting["started_at"] == command_row(db)["acked_at"]
    for path in ("", "/queue"):  # the office and its queue show who sits at the counter, by name
        shown = counter_of(api, 1, path)
        assert (shown["status"], shown["officer_name"]) == ("open", STAFF_NAME), path
    assert counter_of(api, 2)["status"] == "closed" and counter_of(api, 2)["officer_name"] is None


def command_row(db: Engine) -> dict[str, Any]:
    with db.connect() as conn:
        return dict(conn.execute(select(command_table).order_by(command_table.c.created_at.desc())).mappings().first()
                    or {})


def test_a_break_and_leaving_the_counter(api: httpx.Client, fake_hub: Callable[..., FakeHub], db: Engine) -> None:
    hub = fake_hub(like_a_hub())
    assert api.post(COUNTER.format(2, "sign-in")).status_code == 200
    paused = api.post(COUNTER.format(2, "pause"))
    assert paused.status_code == 200, paused.text
    assert counter_of(api, 2)["status"] == "paused" and counter_of(api, 2)["officer_name"] == STAFF_NAME
    assert api.post(COUNTER.format(2, "resume")).json()["status"] == "open"
    left = api.post(COUNTER.format(2, "sign-out"))
    assert left.status_code == 200 and left.json()["status"] == "closed" and left.json()["officer_name"] is None
    assert [c.data.status for c in hub.commands] == ["open", "paused", "open", "closed"]  # type: ignore[attr-defined]  # data is the Message base; the topic fixes the subclass
    assert hub.commands[-1].envelope.data == {"counter": 2, "status": "closed", "officer": None}
    [sitting] = sittings(db)  # one sitting, from sign-in to sign-out
    assert sitting["status"] == "closed" and sitting["ended_at"] is not None and sitting["ended_by"] == STAFF
    assert counter_of(api, 2)["status"] == "closed" and counter_of(api, 2)["officer_name"] is None
    # Pausing a counter one does not sit at is refused before anything is sent.
    refused = api.post(COUNTER.format(2, "pause"))
    assert refused.status_code == 409 and refused.json()["code"] == "not_at_counter"
    assert "chưa có ai nhận quầy" in refused.json()["message_vi"] and len(hub.commands) == 4


def test_an_officer_sits_at_one_counter_and_a_counter_holds_one_officer(
    api: httpx.Client, colleague: dict[str, str], fake_hub: Callable[..., FakeHub], db: Engine
) -> None:
    hub = fake_hub(like_a_hub())
    assert api.post(COUNTER.format(1, "sign-in")).status_code == 200
    elsewhere = api.post(COUNTER.format(2, "sign-in"))
    assert elsewhere.status_code == 409, elsewhere.text
    assert elsewhere.json()["code"] == "signed_in_elsewhere"
    assert elsewhere.json()["detail"].startswith("ops.test is signed in at counter 1 of office sai-gon since ")
    assert elsewhere.json()["message_vi"].startswith("Bạn đang nhận quầy 1")
    taken = api.post(COUNTER.format(1, "sign-in"), headers=colleague)
    assert taken.status_code == 409 and taken.json()["code"] == "counter_taken"
    assert f"Quầy 1 đang do {STAFF_NAME} phụ trách" in taken.json()["message_vi"]
    assert api.post(COUNTER.format(1, "pause"), headers=colleague).json()["code"] == "not_at_counter"
    assert len(hub.commands) == 1  # refusals send nothing

    # Signing in again where one sits is harmless; a colleague may close a counter left open, then sit there.
    assert api.post(COUNTER.format(1, "sign-in")).status_code == 200
    assert api.post(COUNTER.format(1, "sign-out"), headers=colleague).status_code == 200
    seated = api.post(COUNTER.format(1, "sign-in"), headers=colleague)
    assert seated.status_code == 200 and seated.json()["officer_name"] == "Lê Thị Bình"
    assert counter_of(api, 1)["officer_name"] == "Lê Thị Bình"
    assert [(s["officer_id"], s["ended_by"], s["ended_at"] is None) for s in sittings(db)] == [
        (STAFF, "tn.binh", False), ("tn.binh", None, True)]
    assert api.post(COUNTER.format(2, "sign-in")).status_code == 200  # ops.test left counter 1: free again


def test_a_refusing_or_silent_hub_seats_nobody(api: httpx.Client, fake_hub: Callable[..., FakeHub],
                                              db: Engine) -> None:
    fake_hub(lambda c: ack_error(c, "counter_unknown", "no counter 1 here", "Không có quầy 1."))
    refused = api.post(COUNTER.format(1, "sign-in"))
    assert refused.status_code == 409 and refused.json()["message_vi"] == "Không có quầy 1."
    assert sittings(db) == [] and counter_of(api, 1)["status"] == "closed"


def test_a_silent_hub_seats_nobody(api: httpx.Client, fake_hub: Callable[..., FakeHub], db: Engine) -> None:
    fake_hub(None)
    assert api.post(COUNTER.format(1, "sign-in")).status_code == 504
    assert sittings(db) == []
    with db.connect() as conn:
        assert conn.execute(select(counter_state_table)).all() == []


def test_the_hubs_events_say_who_sits_and_who_called(api: httpx.Client, edge: OfficeEdge) -> None:
    """What the hub reports (a keypad, or a sign-in the cloud never saw) is what the office shows."""
    lan = OfficerRef(id="tiepnhan", name="Trần Ngọc Lan")
    edge.publish_event(1, issued(1, "A001"))
    edge.publish_event(2, CounterStatusSet(counter=3, status="open", officer=lan))
    edge.publish_event(3, TicketCalled(ticket_id=ticket_id(1), number="A001", field="ho-tich", counter=3, officer=lan))
    edge.expect_cursor(3)
    shown = counter_of(api, 3, "/queue")
    assert (shown["status"], shown["officer_name"]) == ("open", "Trần Ngọc Lan")
    assert shown["current"]["number"] == "A001" and shown["current"]["officer_name"] == "Trần Ngọc Lan"
    edge.publish_event(4, CounterStatusSet(counter=3, status="paused", officer=lan))
    wait_until(lambda: counter_of(api, 3)["status"] == "paused", what="the break to show")


# -- queues follow the office ------------------------------------------------------------------------


def test_an_officer_of_another_administration_neither_sees_nor_operates_the_office(
    api: httpx.Client, settings: Settings, fake_hub: Callable[..., FakeHub]
) -> None:
    hub = fake_hub(like_a_hub(called("A001", "ho-tich", 1)))
    outsider = officer(settings, "tn.khac", "Cán bộ nơi khác", "tdm.bptn", ["reception"])
    assert api.get("/api/v1/offices").json()[0]["id"] == "sai-gon"  # the office's own officer sees it
    assert api.post(COUNTER.format(1, "call-next")).status_code == 200
    assert api.get("/api/v1/offices", headers=outsider).json() == []
    unknown = api.get("/api/v1/offices/ghost", headers=outsider).json()
    for path in ("/api/v1/offices/sai-gon", "/api/v1/offices/sai-gon/queue"):
        response = api.get(path, headers=outsider)
        assert (response.status_code, response.json()["code"]) == (404, "office_not_found"), path
        assert response.json()["detail"] == unknown["detail"].replace("ghost", "sai-gon")  # as for an unknown office
    for action in ("call-next", "recall", "sign-in", "pause", "resume", "sign-out"):
        assert api.post(COUNTER.format(1, action), headers=outsider).status_code == 404, action
    assert len(hub.commands) == 1  # only the office's own officer's call reached the hub
    assert "sai-gon" not in api.get("/console", headers=outsider).text
    assert api.get("/console/offices/sai-gon", headers=outsider).status_code == 404


def test_a_provincial_monitor_reads_every_office_and_operates_none(api: httpx.Client, settings: Settings) -> None:
    monitor = officer(settings, "gs.thu", "Bùi Thị Thu", "bd.vpubnd", ["provincial_monitor"])
    assert [o["id"] for o in api.get("/api/v1/offices", headers=monitor).json()] == ["sai-gon"]
    assert api.get("/api/v1/offices/sai-gon/queue", headers=monitor).status_code == 200
    assert api.post(COUNTER.format(1, "call-next"), headers=monitor).status_code == 403


# -- ticket → call → dossier ----------------------------------------------------------------------------


def test_a_ticket_called_at_a_counter_becomes_the_dossier_received_there(
    api: httpx.Client, edge: OfficeEdge, fake_hub: Callable[..., FakeHub]
) -> None:
    """The officer signs in at counter 1; the hub reports the ticket called there by them; the desk receives
    the citizen's dossier with that ticket: the dossier shows the ticket, the counter and the officer."""
    fake_hub(like_a_hub())
    assert api.post(COUNTER.format(1, "sign-in")).status_code == 200
    me = OfficerRef(id=STAFF, name=STAFF_NAME)
    edge.publish_event(1, issued(1, "A001"))
    edge.publish_event(2, TicketCalled(ticket_id=ticket_id(1), number="A001", field="ho-tich", counter=1, officer=me))
    edge.expect_cursor(2)
    card = api.get("/api/v1/catalogue/HT.01").json()["documents"]
    created = api.post("/api/v1/dossiers", json={
        "procedure": "HT.01", "office": "sai-gon", "applicant_name": "Nguyễn Văn Em", "ticket": ticket_id(1),
        "documents": [{"code": d["code"]} for d in card]})
    assert created.status_code == 201, created.text
    dossier = api.get(f"/api/v1/dossiers/{created.json()['code']}").json()
    assert dossier["ticket"] == {"id": ticket_id(1), "number": "A001", "counter": 1, "officer": STAFF,
                                 "officer_name": STAFF_NAME}
    current = counter_of(api, 1, "/queue")["current"]
    assert current["number"] == "A001" and current["dossiers"] == [created.json()["code"]]
