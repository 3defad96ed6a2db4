"""Liên thông: a partner agency's or commune's inbox of sub-tasks, answering them, and the dossier list's filters
(field, officer, legal due range, sub-task unit)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from tests.dossiers.conftest import Clock, commune, head, it, new_dossier, reception, specialist, tax
from tests.dossiers.flows import act, advance
from workdays import VN_TZ

INBOX = "/api/v1/subtasks"


def send(client: TestClient, code: str, unit: str, subject: str, days: int = 2) -> None:
    response = act(client, code, "request_verification", specialist,
                   {"unit": unit, "subject": subject, "time_limit": {"working_days": days}})
    assert response.status_code == 200, response.text


def test_each_unit_sees_the_sub_tasks_sent_to_it_and_answers_them(client: TestClient, clock: Clock) -> None:
    code = new_dossier(client)["code"]
    advance(client, code, "in_process")
    send(client, code, "tdm.phu_hoa", "Xác minh địa điểm kinh doanh")
    send(client, code, "tdm.cct", "Cấp mã số thuế hộ kinh doanh", days=3)

    ward = client.get(INBOX, headers=commune, params={"pending": "true"})  # default unit: the caller's
    assert ward.status_code == 200, ward.text
    (task,) = ward.json()
    assert (task["dossier"], task["number"], task["unit"], task["subject"]) == (
        code, 1, "tdm.phu_hoa", "Xác minh địa điểm kinh doanh")
    assert task["procedure_name"] == "Đăng ký thành lập hộ kinh doanh" and task["dossier_state"] == "waiting_verification"
    assert datetime.fromisoformat(task["due"]) == datetime(2026, 10, 14, 17, 0, tzinfo=VN_TZ) and not task["overdue"]
    taxes = client.get(INBOX, headers=specialist, params={"unit": "tdm.cct"}).json()
    assert [(t["number"], t["unit"]) for t in taxes] == [(2, "tdm.cct")]

    clock.advance(timedelta(days=3))  # Thursday: the ward's two working days are over
    assert client.get(INBOX, headers=commune).json()[0]["overdue"] is True
    answer = {"subtask": 1, "answer": "Địa điểm đúng như kê khai", "confirmed": True}
    assert act(client, code, "answer_verification", commune, answer).status_code == 200
    assert client.get(INBOX, headers=commune, params={"pending": "true"}).json() == []
    (done,) = client.get(INBOX, headers=commune, params={"pending": "false"}).json()
    assert done["answer"] == "Địa điểm đúng như kê khai" and done["confirmed"] is True and done["overdue"] is False
    assert client.get(f"/api/v1/dossiers/{code}", headers=head).json()["state"] == "waiting_verification"

    assert act(client, code, "answer_verification", commune, {**answer, "subtask": 2}).status_code == 409  # not theirs
    tax_answer = {"subtask": 2, "answer": "MST 3702123456", "confirmed": True}
    assert act(client, code, "answer_verification", tax, tax_answer).status_code == 200
    assert client.get(f"/api/v1/dossiers/{code}", headers=head).json()["state"] == "in_process"
    assert client.get(INBOX, headers=tax, params={"pending": "true"}).json() == []


def test_the_inbox_answers_clearly(client: TestClient) -> None:
    assert client.get(INBOX, headers=commune).json() == []
    assert client.get(INBOX).status_code == 401
    assert client.get(INBOX, headers=it).status_code == 403
    assert client.get(INBOX, headers=commune, params={"pending": "maybe"}).status_code == 422
    assert client.get(INBOX, headers=commune, params={"limit": 0}).status_code == 422
    assert client.get(INBOX, headers=commune, params={"unit": "x" * 41}).status_code == 422


def listed(client: TestClient, **params: object) -> list[str]:
    response = client.get("/api/v1/dossiers", headers=head, params=params)
    assert response.status_code == 200, response.text
    return [d["code"] for d in response.json()]


def test_the_list_filters_by_field_officer_due_range_and_sub_task_unit(client: TestClient, clock: Clock) -> None:
    business = new_dossier(client)["code"]  # KD.01, due Thu 15/10 17:00
    land = new_dossier(client, procedure="DD.02")["code"]  # 10 working days: due Mon 26/10 17:00
    advance(client, business, "in_process")
    send(client, business, "tdm.phu_hoa", "Xác minh địa điểm")

    assert listed(client, field="dang_ky_kinh_doanh") == [business]
    assert listed(client, field="dat_dai") == [land] and listed(client, field="ho_tich") == []
    assert listed(client, officer="cv.an") == [business]  # holder and assignee
    advance_to_leader = act(client, business, "answer_verification", commune,
                            {"subtask": 1, "answer": "Đúng", "confirmed": True})
    assert advance_to_leader.status_code == 200
    assert act(client, business, "submit", specialist, {"officer": "pct.minh", "unit": "tdm.ubnd"}).status_code == 200
    assert listed(client, officer="cv.an") == [business]  # still its assignee, no longer its holder
    assert listed(client, officer="pct.minh") == [business] and listed(client, officer="nobody") == []

    assert listed(client, due_from="2026-10-15", due_to="2026-10-15") == [business]  # a day: its whole length
    assert listed(client, due_to="2026-10-15T16:59:00") == []  # no zone: Vietnam's time
    assert listed(client, due_from="2026-10-16") == [land]
    assert set(listed(client, due_from="2026-10-15T10:00:00+00:00")) == {business, land}  # 17:00 in Vietnam
    assert listed(client, subtask_unit="tdm.phu_hoa") == [business] and listed(client, subtask_unit="tdm.cct") == []
    assert listed(client, field="dang_ky_kinh_doanh", officer="cv.an", subtask_unit="tdm.phu_hoa") == [business]

    backwards = client.get("/api/v1/dossiers", headers=head, params={"due_from": "2026-10-20", "due_to": "2026-10-19"})
    assert backwards.status_code == 422 and backwards.json()["code"] == "invalid_range"
    garbage = client.get("/api/v1/dossiers", headers=head, params={"due_to": "next tuesday"})
    assert garbage.status_code == 422 and garbage.json()["code"] == "invalid_query"
    assert client.get("/api/v1/dossiers", headers=head, params={"due_to": "2026-13-45"}).status_code == 422
    assert client.get("/api/v1/dossiers", headers=reception, params={"field": "x" * 41}).status_code == 422
    clock.advance(timedelta(days=5))
    assert listed(client, overdue="true", field="dat_dai") == []  # DD.02 is not late yet


def test_a_nul_in_a_subject_is_refused_not_a_server_error(client: TestClient) -> None:
    """PostgreSQL cannot store NUL in text: the workflow refuses it as bad input and nothing changes."""
    code = new_dossier(client)["code"]
    advance(client, code, "in_process")
    refused = act(client, code, "request_verification", specialist,
                  {"unit": "tdm.phu_hoa", "subject": "Xác minh\x00 địa điểm", "time_limit": {"working_days": 2}})
    assert refused.status_code == 422 and "NUL" in refused.json()["detail"]
    assert client.get(INBOX, headers=commune).json() == []
    assert client.get(f"/api/v1/dossiers/{code}", headers=head).json()["state"] == "in_process"

