"""The citizens' notification outbox: rows written in the action's transaction, the workers' feed and their
delivery receipts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from fastapi.testclient import TestClient

from tests.dossiers.conftest import clerk, desk, head, it, leader, new_dossier, papers, reception, specialist
from tests.dossiers.flows import act, advance, events, signed_today
from workdays import VN_TZ

FEED = "/api/v1/notifications"


def feed(client: TestClient, **params: object) -> list[dict]:
    response = client.get(FEED, headers=it, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_actions_a_citizen_must_hear_about_write_notifications_in_order(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    advance(client, code, "in_process")
    assert feed(client) == []  # receiving, assigning, starting: nothing to tell
    missing = {"missing_items": ["Bản sao căn cước công dân của chủ hộ"]}
    assert act(client, code, "request_supplement", specialist, missing).status_code == 200
    assert act(client, code, "receive_supplement", reception, {}).status_code == 200
    apology = {"reason": "Chờ ý kiến của cơ quan thuế", "new_appointment": "2026-10-19T10:00:00+07:00"}
    assert act(client, code, "apologise", head, apology).status_code == 200
    assert act(client, code, "submit", specialist, {"officer": "pct.minh", "unit": "tdm.ubnd"}).status_code == 200
    assert act(client, code, "refuse", leader, {"reasons": ["Ngành nghề kinh doanh không được phép"]}).status_code == 200
    assert act(client, code, "register_result", clerk, signed_today(client, code)).status_code == 200
    assert act(client, code, "deliver_result", desk, {}).status_code == 200

    rows = feed(client)
    assert [r["kind"] for r in rows] == ["supplement_requested", "apology", "refused", "result_ready"]
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows) and all(r["dossier"] == code for r in rows)
    assert all(r["delivered_at"] is None for r in rows)
    supplement, sorry, refusal, ready = (r["payload"] for r in rows)
    assert supplement["text"].startswith(f"Hồ sơ {code} (Đăng ký thành lập hộ kinh doanh) cần bổ sung: "
                                         "Bản sao căn cước công dân của chủ hộ.")
    assert "Bộ phận tiếp nhận và trả kết quả thành phố Thủ Dầu Một" in supplement["text"]
    assert "Lý do: Chờ ý kiến của cơ quan thuế." in sorry["text"]
    assert datetime.fromisoformat(sorry["new_appointment"]) == datetime(2026, 10, 19, 10, 0, tzinfo=VN_TZ)
    assert "Lý do: Ngành nghề kinh doanh không được phép." in refusal["text"]
    assert "Cán bộ thụ lý: Cán bộ cv.an." in refusal["text"]  # the handling officer's name from the user directory
    assert refusal["officer"] == "cv.an" and "thông báo không giải quyết" in ready["text"]
    assert [e["payload"]["notification"] for e in events(client, code, "refuse")] == [rows[2]["id"]]


def test_a_refused_or_conflicting_action_notifies_nobody(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    advance(client, code, "in_process")
    missing = {"missing_items": ["Giấy tờ nhà"]}
    assert act(client, code, "request_supplement", head, missing).status_code == 409  # not the holder
    stale = client.post(f"/api/v1/dossiers/{code}/actions/request_supplement",
                        headers={**specialist, "If-Match": "1"}, json=missing)
    assert stale.status_code == 409 and stale.json()["code"] == "dossier_changed"
    assert act(client, code, "request_supplement", specialist, {"missing_items": []}).status_code == 422
    assert feed(client) == []


def test_a_worker_pages_through_the_feed_and_confirms_deliveries(client: TestClient) -> None:
    codes = [new_dossier(client)["code"] for _ in range(3)]
    for code in codes:
        advance(client, code, "in_process")
        assert act(client, code, "request_supplement", specialist, {"missing_items": ["Ảnh 3x4"]}).status_code == 200
    first, second, third = (r["id"] for r in feed(client))
    assert [r["id"] for r in feed(client, after=first)] == [second, third]
    assert [r["id"] for r in feed(client, after=first, limit=1)] == [second]
    assert feed(client, after=third) == []

    done = client.post(f"{FEED}/{second}/delivered", headers=it, json={"via": "sms"})
    assert done.status_code == 200, done.text
    assert done.json()["delivered_via"] == "sms" and done.json()["delivered_at"] is not None
    again = client.post(f"{FEED}/{second}/delivered", headers=it, json={"via": "zalo"})
    assert again.status_code == 200 and again.json()["delivered_at"] == done.json()["delivered_at"]
    assert again.json()["delivered_via"] == "sms"  # the first delivery is kept
    assert client.post(f"{FEED}/{third}/delivered", headers=it).json()["delivered_via"] is None  # body optional
    assert [r["id"] for r in feed(client, undelivered="true")] == [first]


def test_the_feed_answers_clearly(client: TestClient) -> None:
    missing = client.post(f"{FEED}/999/delivered", headers=it, json={})
    assert missing.status_code == 404 and missing.json()["code"] == "notification_not_found"
    assert client.post(f"{FEED}/0/delivered", headers=it).status_code == 422
    assert client.post(f"{FEED}/abc/delivered", headers=it).status_code == 422
    assert client.post(f"{FEED}/{2**40}/delivered", headers=it).status_code == 422
    assert client.post(f"{FEED}/1/delivered", headers=it, json={"via": "x" * 33}).status_code == 422
    assert client.post(f"{FEED}/1/delivered", headers=it, json={"colour": "red"}).status_code == 422
    assert client.get(FEED, headers=it, params={"after": -1}).status_code == 422
    assert client.get(FEED, headers=it, params={"limit": 5000}).status_code == 422
    assert client.get(FEED).status_code == 401
    assert client.get(FEED, headers=specialist).status_code == 403  # staff do not read the workers' feed
    assert client.post(f"{FEED}/1/delivered", headers=desk, json={}).status_code == 403


def test_parallel_actions_each_leave_one_notification_and_the_cursor_misses_none(client: TestClient) -> None:
    codes = [new_dossier(client)["code"] for _ in range(6)]
    for code in codes:
        advance(client, code, "in_process")
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(
            lambda c: act(client, c, "request_supplement", specialist, {"missing_items": ["Ảnh 3x4"]}).status_code,
            codes))
    assert statuses == [200] * 6
    seen: list[dict] = []
    while page := feed(client, after=seen[-1]["id"] if seen else 0, limit=4):
        seen += page
    assert sorted(r["dossier"] for r in seen) == sorted(codes) and len({r["id"] for r in seen}) == 6


def test_the_feed_says_whom_to_send_to_and_the_public_never_sees_it(client: TestClient) -> None:
    body = {"procedure": "KD.01", "office": "tdm-bptn", "applicant_name": "Trần Văn Nam",
            "applicant_phone": "0912 345 678", "applicant_email": " nam.tran@example.vn ", "documents": papers(client, "KD.01")}
    created = client.post("/api/v1/dossiers", headers=reception, json=body)
    assert created.status_code == 201, created.text
    assert created.json()["applicant_phone"] == "+84912345678"
    assert created.json()["applicant_email"] == "nam.tran@example.vn"
    code = created.json()["code"]
    advance(client, code, "in_process")
    assert act(client, code, "request_supplement", specialist, {"missing_items": ["Bản sao CCCD"]}).status_code == 200
    (row,) = feed(client)
    assert row["recipient"] == {"name": "Trần Văn Nam", "phone": "+84912345678", "email": "nam.tran@example.vn"}
    public = client.get(f"/api/v1/public/dossiers/{code}").text
    assert "912345678" not in public and "nam.tran" not in public and "Trần Văn Nam" not in public


def test_a_number_no_sms_could_reach_is_refused_at_the_desk(client: TestClient) -> None:
    body = {"procedure": "KD.01", "office": "tdm-bptn", "applicant_name": "Trần Văn Nam", "documents": papers(client, "KD.01")}
    for bad in ({"applicant_phone": "12345"}, {"applicant_phone": "+1 415 555 0100"}, {"applicant_email": "nam@"}):
        response = client.post("/api/v1/dossiers", headers=reception, json={**body, **bad})
        assert response.status_code == 422, bad
    without = client.post("/api/v1/dossiers", headers=reception, json={**body, "applicant_phone": "  "})
    assert without.status_code == 201 and without.json()["applicant_phone"] is None
