"""A called queue ticket becomes the dossier received from that citizen (issue 10).

The tickets are written by the ingest's own projection (cloud.ingest.tickets)
from the hub's events, into the same database the dossier API uses.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from cloud.db.dossiers import dossier_table
from cloud.db.tables import ticket_table
from cloud.dossiers.store import DossierStore
from cloud.ingest.tickets import ticket_facts, upsert_statement
from protocol import Event, make_event
from protocol.envelope import Message
from protocol.messages import OfficerRef, TicketCalled, TicketIssued, TicketNoShow
from tests.dossiers.conftest import OFFICE, START, bc_reception, papers, reception

LAN = OfficerRef(id="tn.lan", name="Trần Ngọc Lan")
TODAY = f"{START:%Y%m%d}"


def hub_reports(store: DossierStore, *messages: Message, office: str = OFFICE) -> None:
    """Project the hub's events as the ingest does (the office id is the dossier's, whatever its alphabet)."""
    facts = []
    for seq, data in enumerate(messages, start=1):
        for fact in ticket_facts([Event(make_event("sai-gon", "hub", seq, START - timedelta(minutes=5), data), data)]):
            facts.append({**fact, "office": office})
    with store.engine.begin() as conn:
        conn.execute(upsert_statement(store.engine.dialect.name), facts)


def issued(n: int, number: str, day: str = TODAY) -> TicketIssued:
    return TicketIssued(ticket_id=f"{day}-075500-{n:04d}", number=number, field="kinh-doanh", priority=False,
                        day=START.date() if day == TODAY else START.date() - timedelta(days=1), waiting_ahead=0)


def call(n: int, number: str, officer: OfficerRef | None = LAN, day: str = TODAY) -> TicketCalled:
    return TicketCalled(ticket_id=f"{day}-075500-{n:04d}", number=number, field="kinh-doanh", counter=2, officer=officer)


def receive(client: TestClient, ticket: str, who: dict[str, str] = reception, office: str = OFFICE):
    return client.post("/api/v1/dossiers", headers=who, json={
        "procedure": "KD.01", "office": office, "applicant_name": "Phạm Văn Khoa", "documents": papers(client, "KD.01"),
        "ticket": ticket})


def test_a_called_ticket_is_attached_to_the_dossiers_received_at_that_turn(client: TestClient,
                                                                          store: DossierStore) -> None:
    hub_reports(store, issued(1, "B001"), call(1, "B001"))
    tid = f"{TODAY}-075500-0001"
    first = receive(client, tid)
    assert first.status_code == 201, first.text
    code = first.json()["code"]
    detail = client.get(f"/api/v1/dossiers/{code}", headers=reception).json()
    assert detail["ticket"] == {"id": tid, "number": "B001", "counter": 2, "officer": "tn.lan",
                                "officer_name": "Trần Ngọc Lan"}
    assert detail["received_by"] == "Cán bộ tn.lan"
    assert detail["history"][0]["payload"]["ticket"]["id"] == tid  # in the receipt's event (and its audit entry)
    second = receive(client, tid)  # a second request of the same citizen at the same turn
    assert second.status_code == 201, second.text
    with store.engine.connect() as conn:
        ticket = conn.execute(select(ticket_table).where(ticket_table.c.ticket_id == tid)).one()
        rows = conn.execute(select(dossier_table.c.code, dossier_table.c.ticket_id, dossier_table.c.counter)
                            .order_by(dossier_table.c.code)).all()
    assert ticket.dossiers == [code, second.json()["code"]]  # the ticket knows its dossiers
    assert [(r.ticket_id, r.counter) for r in rows] == [(tid, 2), (tid, 2)]


def test_without_an_officer_from_the_hub_the_receiving_officer_is_recorded(client: TestClient,
                                                                           store: DossierStore) -> None:
    hub_reports(store, issued(2, "B002"), call(2, "B002", officer=None))
    created = receive(client, f"{TODAY}-075500-0002")
    assert created.status_code == 201, created.text
    assert created.json()["ticket"]["officer"] == "tn.lan"
    assert created.json()["ticket"]["officer_name"] == "Cán bộ tn.lan"


def test_only_a_called_ticket_of_today_at_this_office_can_be_attached(client: TestClient, store: DossierStore) -> None:
    yesterday = f"{START - timedelta(days=1):%Y%m%d}"
    hub_reports(store, issued(3, "B003"), issued(4, "B004"), call(4, "B004"),
                TicketNoShow(ticket_id=f"{TODAY}-075500-0004", number="B004", counter=2, officer=LAN),
                issued(5, "B005", day=yesterday), call(5, "B005", day=yesterday))
    waiting = receive(client, f"{TODAY}-075500-0003")
    assert (waiting.status_code, waiting.json()["code"]) == (409, "ticket_not_attachable")
    assert "still waiting" in waiting.json()["detail"] and "vẫn đang chờ" in waiting.json()["message_vi"]
    absent = receive(client, f"{TODAY}-075500-0004")
    assert absent.status_code == 409 and "vắng mặt" in absent.json()["message_vi"]
    old = receive(client, f"{yesterday}-075500-0005")
    assert old.status_code == 409 and "not of today" in old.json()["detail"]
    unknown = receive(client, f"{TODAY}-075500-0099")
    assert (unknown.status_code, unknown.json()["code"]) == (422, "ticket_not_found")
    assert unknown.json()["message_vi"].startswith("Không tìm thấy số thứ tự")
    hub_reports(store, issued(6, "B006"), call(6, "B006"))  # called at Thủ Dầu Một, not at Bến Cát
    elsewhere = receive(client, f"{TODAY}-075500-0006", who=bc_reception, office="bc-bptn")
    assert elsewhere.status_code == 422 and elsewhere.json()["code"] == "ticket_not_found"
    assert client.get("/api/v1/dossiers", headers=reception).json() == []  # every refusal left nothing
    with store.engine.connect() as conn:
        assert all(t.dossiers is None for t in conn.execute(select(ticket_table)).all())
