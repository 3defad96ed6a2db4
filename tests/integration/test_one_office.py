"""One office, one system: a kiosk ticket becomes a dossier, and the record says who served whom, where.

Issue 10's walk on the real parts (cloud broker, office broker and bridge,
the cloud service, the Sài Gòn hub with simulated devices): an officer signs
in at counter 1 in the console, a citizen takes a ticket at the kiosk, the
officer calls it, receives a dossier from that citizen attached to the
ticket; the dossier then shows the ticket, the counter and the officer by
name, and the ticket knows its dossier.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx

from cloud.auth.users import UserStore
from cloud.db.engine import make_engine
from tests.waiting import wait_until

KIOSK_HO_TICH = 17
OFFICER, OFFICER_NAME, TOKEN = "lan.nt", "Nguyễn Thị Lan", "test-token-lan"


def _reception_officer(db_url: str) -> dict[str, str]:
    """A reception officer of the Sài Gòn desk (her unit is the office: she receives there)."""
    engine = make_engine(db_url)
    try:
        users = UserStore(engine)
        users.add(OFFICER, full_name=OFFICER_NAME, unit="sai-gon", roles=["reception"], password="mật khẩu của Lan")
        users.issue_token(OFFICER, kind="api", name="tests", ttl=timedelta(hours=1), secret=TOKEN)
    finally:
        engine.dispose()
    return {"Authorization": f"Bearer {TOKEN}"}


def _waiting(api: httpx.Client, field: str) -> list[dict[str, Any]]:
    queue = api.get("/api/v1/offices/sai-gon/queue").json()
    return [t for f in queue["fields"] if f["code"] == field for t in f["waiting"]]


def test_a_ticket_becomes_a_dossier_that_names_its_ticket_counter_and_officer(stack) -> None:
    headers = _reception_officer(stack.settings.db_url)
    with httpx.Client(base_url=stack.cloud_url, timeout=15, headers=headers) as lan:
        sitting = lan.post("/api/v1/offices/sai-gon/counters/1/sign-in")
        assert sitting.status_code == 200, sitting.text
        assert (sitting.json()["status"], sitting.json()["officer_name"]) == ("open", OFFICER_NAME)

        stack.hub.sim.press(KIOSK_HO_TICH)
        receipt = stack.hub.sim.printer.wait_for_receipts(1, timeout=10)[0]
        assert "A001" in receipt.lines and "Hộ tịch" in receipt.lines
        waiting = wait_until(lambda: _waiting(lan, "ho-tich"), timeout=20, what="A001 waiting in the cloud")
        ticket_id = waiting[0]["ticket_id"]

        called = lan.post("/api/v1/offices/sai-gon/counters/1/call-next")
        assert called.status_code == 200, called.text
        assert (called.json()["number"], called.json()["ticket_id"]) == ("A001", ticket_id)

        def called_event() -> dict[str, Any] | None:
            with stack.cloud_db() as db:
                row = db.execute("SELECT data FROM event WHERE office = 'sai-gon' AND type = 'ticket.called'").fetchone()
            return json.loads(row[0]) if row else None

        event = wait_until(called_event, timeout=20, what="ticket.called stored in the cloud")
        assert event["officer"] == {"id": OFFICER, "name": OFFICER_NAME}, "the hub stamps who sits at the counter"

        card = lan.get("/api/v1/catalogue/HT.01")
        assert card.status_code == 200, card.text
        papers = [{"code": d["code"]} for d in card.json()["documents"] if d.get("required", True)]
        created = lan.post("/api/v1/dossiers", json={
            "procedure": "HT.01", "office": "sai-gon", "applicant_name": "Trần Văn Bình",
            "documents": papers, "ticket": ticket_id,
        })
        assert created.status_code == 201, created.text
        code = created.json()["code"]

        dossier = lan.get(f"/api/v1/dossiers/{code}").json()
        assert dossier["ticket"]["id"] == ticket_id and dossier["ticket"]["number"] == "A001"
        assert dossier["ticket"]["counter"] == 1
        assert dossier["ticket"]["officer_name"] == OFFICER_NAME
        assert dossier["received_by"] == OFFICER_NAME

    with stack.cloud_db() as db:
        counter, officer, dossiers = db.execute(
            "SELECT counter, officer_name, dossiers FROM ticket WHERE office = 'sai-gon' AND ticket_id = ?",
            (ticket_id,)).fetchone()
    assert (counter, officer, json.loads(dossiers)) == (1, OFFICER_NAME, [code]), "the ticket knows its dossier"
