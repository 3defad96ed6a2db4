"""Dossiers in the database and over HTTP (issue #4): seeding, codes, transitions, history, public lookup."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cloud.db.dossiers import dossier_event_table, dossier_table
from cloud.dossiers.seed import load_reference, seed
from cloud.dossiers.store import DossierStore
from cloud.settings import Settings
from tests.dossiers.conftest import (
    OFFICE,
    REGISTER,
    Clock,
    clerk,
    desk,
    head,
    leader,
    new_dossier,
    papers,
    person,
    reception,
    specialist,
)

other_head = person("department_head", "tdm.ptp", "tp.khoa")  # head of another department

CODE = re.compile(r"^H74\.718-261012-\d{4}$")  # {agency}-{yymmdd}-{seq:04d}
APPLICANT = "Nguyễn Thị Bình"


def act(client: TestClient, code: str, action: str, who: dict[str, str], payload: dict | None = None):
    return client.post(f"/api/v1/dossiers/{code}/actions/{action}", headers=who, json=payload or {})


# -- catalogue ------------------------------------------------------------------


def test_startup_seeds_the_catalogue_and_seeding_again_changes_nothing(client: TestClient, settings: Settings,
                                                                     store: DossierStore) -> None:
    procedures = client.get("/api/v1/catalogue").json()
    assert len(procedures) >= 40
    civil = client.get("/api/v1/catalogue", params={"field": "ho_tich"}).json()
    assert civil and all(p["field"] == "ho_tich" for p in civil) and len(civil) < len(procedures)
    card = client.get("/api/v1/catalogue/KD.01").json()
    assert card["code"] == "KD.01" and card["documents"] and card["time_limit"] == {"unit": "working_days", "amount": 3}
    assert client.get("/api/v1/catalogue/NOPE").status_code == 404

    report = seed(store.engine, load_reference(settings.reference_data))
    assert report.procedures == len(procedures) and report.procedures_new == 0 and report.units_new == 0
    assert len(client.get("/api/v1/catalogue").json()) == len(procedures)


# -- creating -------------------------------------------------------------------


def test_a_new_dossier_gets_the_next_code_of_the_agency_and_day(client: TestClient) -> None:
    first, second = new_dossier(client), new_dossier(client)
    assert CODE.match(first["code"]) and first["code"].endswith("-0001")
    assert second["code"].endswith("-0002")
    assert first["state"] == "received" and first["handling_unit"] == "tdm.ptckh"
    assert first["holder_unit"] == "tdm.ptckh" and first["applicant_name"] == APPLICANT
    assert first["version"] == 1 and [e["action"] for e in first["history"]] == ["receive"]


def test_parallel_creates_over_http_also_get_distinct_codes(client: TestClient) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda _: new_dossier(client)["code"], range(8)))
    assert len(set(codes)) == 8


def test_creating_needs_a_known_procedure_office_and_a_reception_officer(client: TestClient) -> None:
    body = {"procedure": "KD.01", "office": OFFICE, "applicant_name": APPLICANT, "documents": papers(client, "KD.01")}
    assert client.post("/api/v1/dossiers", json=body).status_code == 401
    assert client.post("/api/v1/dossiers", headers={**reception, "X-Acting-Role": "wizard"}, json=body).status_code == 422
    assert client.post("/api/v1/dossiers", headers=reception, json={**body, "procedure": "NOPE"}).json()["code"] == "procedure_not_found"
    assert client.post("/api/v1/dossiers", headers=reception, json={**body, "office": "nowhere"}).status_code == 422
    assert client.post("/api/v1/dossiers", headers=reception, json={**body, "applicant_name": "  "}).status_code == 422
    refused = client.post("/api/v1/dossiers", headers=specialist, json=body)
    assert refused.status_code == 403 and "reception" in refused.json()["detail"]


# -- transitions ------------------------------------------------------------------


def test_a_legal_path_through_the_api_is_recorded_in_the_history(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    steps = [
        ("assign", head, {"officer": "cv.an"}, "assigned"),
        ("start", specialist, {}, "in_process"),
        ("submit", specialist, {"officer": "pct.minh", "unit": "tdm.ubnd", "summary": "Đủ điều kiện"}, "submitted_for_approval"),
        ("approve", leader, {"result_ref": "GCN 46A8012345"}, "approved"),
        ("register_result", clerk, REGISTER, "approved"),
        ("deliver_result", desk, {}, "result_at_desk"),
        ("return_result", desk, {"channel": "in_person", "id_checked": True, "recipient": APPLICANT}, "returned"),
    ]
    for action, who, payload, state in steps:
        response = act(client, code, action, who, payload)
        assert response.status_code == 200, response.text
        assert response.json()["state"] == state
    detail = client.get(f"/api/v1/dossiers/{code}", headers=desk).json()
    assert detail["version"] == 1 + len(steps)
    history = detail["history"]
    assert [e["action"] for e in history] == ["receive"] + [s[0] for s in steps]
    assert [e["to_state"] for e in history] == ["received"] + [s[3] for s in steps]
    assert [e["from_state"] for e in history][1:] == ["received"] + [s[3] for s in steps][:-1]
    assert history[1]["actor_officer"] == "tp.hung" and history[1]["payload"] == {"officer": "cv.an"}
    assert len(detail["dossier"]["handovers"]) >= 5


def test_an_illegal_transition_is_409_with_a_reason_and_changes_nothing(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    response = act(client, code, "approve", leader)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "transition_refused" and "cannot approve a dossier that is received" in body["detail"]
    detail = client.get(f"/api/v1/dossiers/{code}", headers=reception).json()
    assert detail["state"] == "received" and detail["version"] == 1 and len(detail["history"]) == 1


def test_a_wrong_role_or_person_is_409_not_403(client: TestClient) -> None:
    """The workflow refuses (409, like any refused transition); 403 is for the role × permission matrix."""
    code = new_dossier(client)["code"]
    wrong_role = act(client, code, "assign", specialist, {"officer": "cv.an"})
    assert wrong_role.status_code == 409 and "role specialist may not assign" in wrong_role.json()["detail"]
    other_department = act(client, code, "assign", other_head, {"officer": "cv.an"})
    assert other_department.status_code == 409 and "handling department" in other_department.json()["detail"]
    assert client.get(f"/api/v1/dossiers/{code}", headers=head).json()["state"] == "received"


def test_bad_payloads_unknown_actions_and_missing_headers(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    missing = act(client, code, "assign", head, {})
    assert missing.status_code == 422 and "officer" in missing.json()["detail"]
    assert act(client, code, "assign", head, {"officer": "cv.an", "colour": "red"}).status_code == 422
    assert client.post(f"/api/v1/dossiers/{code}/actions/assign", headers=head, json=[1, 2]).status_code == 422
    assert act(client, code, "teleport", head).json()["code"] == "unknown_action"
    assert act(client, code, "receive", reception).status_code == 422
    assert client.post(f"/api/v1/dossiers/{code}/actions/assign", json={"officer": "cv.an"}).status_code == 401
    assert client.get(f"/api/v1/dossiers/{code}").status_code == 401
    assert client.get(f"/api/v1/dossiers/{code}", headers=head).json()["version"] == 1


def test_a_stale_version_is_409(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    assert act(client, code, "assign", head, {"officer": "cv.an"}).status_code == 200
    stale = client.post(f"/api/v1/dossiers/{code}/actions/start", headers={**specialist, "If-Match": "1"}, json={})
    assert stale.status_code == 409 and stale.json()["code"] == "dossier_changed"
    fresh = client.post(f"/api/v1/dossiers/{code}/actions/start", headers={**specialist, "If-Match": "2"}, json={})
    assert fresh.status_code == 200 and fresh.json()["version"] == 3


def test_unknown_dossier_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/dossiers/H74.718-261012-9999", headers=head).status_code == 404
    assert act(client, "H74.718-261012-9999", "assign", head, {"officer": "cv.an"}).status_code == 404
    assert client.get("/api/v1/public/dossiers/H74.718-261012-9999").json()["code"] == "dossier_not_found"


# -- listing and public lookup ------------------------------------------------------


def test_list_filters_by_office_state_and_overdue(client: TestClient, clock: Clock) -> None:
    first, second = new_dossier(client)["code"], new_dossier(client)["code"]
    act(client, second, "assign", head, {"officer": "cv.an"})
    listed = lambda **params: [d["code"] for d in client.get("/api/v1/dossiers", headers=head, params=params).json()]  # noqa: E731
    assert set(listed(office=OFFICE)) == {first, second} and listed(office="elsewhere") == []
    assert listed(state="assigned") == [second]
    assert listed(overdue="true") == []
    clock.advance(timedelta(days=10))  # KD.01: 3 working days
    assert set(listed(overdue="true")) == {first, second}
    act(client, second, "start", specialist)
    act(client, second, "request_supplement", specialist, {"missing_items": ["Bản sao CCCD"]})
    assert listed(overdue="true") == [first]  # the clock is paused while waiting for the citizen
    assert client.get("/api/v1/dossiers", headers=head, params={"state": "nonsense"}).status_code == 422


def test_public_lookup_shows_unit_and_officer_and_no_personal_data(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    act(client, code, "assign", head, {"officer": "cv.an"})
    response = client.get(f"/api/v1/public/dossiers/{code}")
    assert response.status_code == 200
    public = response.json()
    assert public["unit"] == "Phòng Tài chính – Kế hoạch" and public["unit_code"] == "tdm.ptckh"  # names people read
    assert public["officer"] == "Cán bộ cv.an" and public["handled_by"] == "Cán bộ cv.an"
    assert public["state"] == "assigned"
    assert public["due"] and public["appointment"] and public["label_vi"] == "Đã phân công thụ lý"
    assert APPLICANT not in response.text and "applicant" not in response.text

    for action, who, payload in [
        ("start", specialist, {}),
        ("submit", specialist, {"officer": "pct.minh", "unit": "tdm.ubnd"}),
        ("approve", leader, {}),
        ("register_result", clerk, REGISTER),
        ("deliver_result", desk, {}),
        ("return_result", desk, {"channel": "in_person", "id_checked": True, "recipient": APPLICANT}),
    ]:
        assert act(client, code, action, who, payload).status_code == 200
    returned = client.get(f"/api/v1/public/dossiers/{code.lower()}")
    assert returned.json()["state"] == "returned" and returned.json()["officer"] is None
    assert APPLICANT not in returned.text


def test_events_and_dossier_rows_agree(client: TestClient, store: DossierStore) -> None:
    code = new_dossier(client)["code"]
    act(client, code, "assign", head, {"officer": "cv.an"})
    with store.engine.connect() as conn:
        row = conn.execute(select(dossier_table).where(dossier_table.c.code == code)).one()
        events = conn.execute(select(func.count()).select_from(dossier_event_table)
                              .where(dossier_event_table.c.dossier == code)).scalar_one()
    assert row.state == "assigned" and row.holder_officer == "cv.an" and row.version == 2 and events == 2


def test_text_the_database_cannot_store_is_a_422_not_a_500(client: TestClient) -> None:
    """PostgreSQL refuses NUL in text and values longer than a column; SQLite takes both: never a 500."""
    body = {"procedure": "KD.01", "office": OFFICE, "applicant_name": "Nguyễn\x00 Văn A",
            "documents": papers(client, "KD.01")}
    assert client.post("/api/v1/dossiers", headers=reception, json=body).status_code == 422
    for url in ("/api/v1/dossiers/AB%00C", "/api/v1/public/dossiers/AB%00C", "/api/v1/catalogue/K%00"):
        assert client.get(url, headers=head).status_code in (404, 422), url
    assert client.get("/api/v1/dossiers", headers=head, params={"office": "x\x00"}).status_code in (200, 422)
    long_unit = client.post("/api/v1/dossiers", headers=reception,
                            json={**body, "applicant_name": "A", "handling_unit": "u" * 150})
    assert long_unit.status_code == 422
