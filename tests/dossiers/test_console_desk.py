"""The console's action forms and work pages (cloud/web/action_forms.py, cloud/web/desk_pages.py).

Each form is posted as a browser would (same-origin, form-encoded): a valid
one moves the dossier and leaves its audit entry, an invalid one answers in
Vietnamese next to the form and changes nothing, the wrong person gets 403,
another administration's dossier 404, and a foreign Origin is refused.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cloud.db import audit
from cloud.dossiers.store import DossierStore
from tests.dossiers.conftest import (
    REGISTER,
    Clock,
    bc_reception,
    clerk,
    commune,
    desk,
    head,
    leader,
    new_dossier,
    reception,
    specialist,
)
from tests.dossiers.flows import act, advance, signed_today

SAME_ORIGIN = {"Origin": "http://testserver"}


def post(client: TestClient, code: str, action: str, who: dict[str, str], data: dict[str, Any] | None = None,
         origin: dict[str, str] | None = None):
    return client.post(f"/console/dossiers/{code}/actions/{action}", headers={**who, **(origin or SAME_ORIGIN)},
                       data=data or {}, follow_redirects=False)


def state(client: TestClient, code: str) -> str:
    return client.get(f"/api/v1/dossiers/{code}", headers=head).json()["state"]


def audited(store: DossierStore, code: str) -> list[str]:
    with store.engine.connect() as conn:
        return [e.action for e in audit.read_subject(conn, audit.subject_of("dossier", code))]


def flash_after(client: TestClient, response, who: dict[str, str]) -> str:
    """The page the form redirected to, as the browser shows it next (with the flash cookie)."""
    assert response.status_code == 303, response.text[:500]
    return client.get(response.headers["location"], headers=who).text


def received(client: TestClient) -> str:
    return new_dossier(client, "KD.01", "Nguyễn Thị Bình")["code"]


def at(client: TestClient, target: str) -> str:
    code = received(client)
    if target != "received":
        advance(client, code, target)
    return code


VALID: list[tuple[str, str, dict[str, str], dict[str, str], str]] = [
    # (state before, action, who, form, state after)
    ("received", "assign", head, {"officer": "cv.an"}, "assigned"),
    ("assigned", "reassign", head, {"officer": "cv.an", "reason": "Cân đối khối lượng"}, "assigned"),
    ("assigned", "start", specialist, {}, "in_process"),
    ("in_process", "request_verification", specialist,
     {"unit": "tdm.phu_hoa", "subject": "Xác minh địa chỉ trụ sở", "days": "3"}, "waiting_verification"),
    ("in_process", "request_supplement", specialist, {"missing_items": "Bản sao điều lệ\nGiấy ủy quyền"},
     "supplement_requested"),
    ("in_process", "submit", specialist, {"leader": "pct.minh", "summary": "Đủ điều kiện cấp"},
     "submitted_for_approval"),
    ("submitted_for_approval", "approve", leader, {}, "approved"),
    ("submitted_for_approval", "refuse", leader, {"reasons": "Ngành nghề cấm kinh doanh"}, "refused"),
    ("submitted_for_approval", "send_back", leader, {"comment": "Bổ sung căn cứ pháp lý"}, "in_process"),
    ("approved", "register_result", clerk,
     {"document_number": "125/QĐ-UBND", "signer": "Lê Văn Minh", "stamped": "yes"}, "approved"),  # state unchanged
    ("registered", "deliver_result", desk, {}, "result_at_desk"),
    ("result_at_desk", "collect_fees", desk, {"amount": "50.000"}, "result_at_desk"),
    ("result_at_desk", "return_result", desk, {"channel": "in_person", "id_checked": "yes"}, "returned"),
    ("received", "withdraw", reception, {"reason": "Công dân có đơn xin rút"}, "withdrawn"),
]


@pytest.mark.parametrize(("before", "action", "who", "form", "after"), VALID, ids=[v[1] for v in VALID])
def test_a_valid_form_moves_the_dossier_and_is_audited(client: TestClient, store: DossierStore, before: str,
                                                        action: str, who: dict[str, str], form: dict[str, str],
                                                        after: str) -> None:
    code = at(client, before)
    if action == "reassign":
        pass  # assigned already to cv.an: reassigning to the same officer is allowed and recorded
    if action == "register_result":  # signed on the day it was approved, as the clerk types it
        form = {**form, "signed_on": date.fromisoformat(signed_today(client, code)["signed_on"]).strftime("%d/%m/%Y")}
    page = client.get(f"/console/dossiers/{code}", headers=who).text
    assert f'data-testid="form-{action}"' in page, f"{action} form not offered"
    done = post(client, code, action, who, {**form, "version": ""})
    shown = flash_after(client, done, who)
    assert state(client, code) == after
    assert audited(store, code)[-1] == action
    assert 'data-testid="flash"' in shown and "đồng" in shown if action == "collect_fees" else True


def test_each_form_names_people_and_units_by_name(client: TestClient) -> None:
    code = at(client, "received")
    page = client.get(f"/console/dossiers/{code}", headers=head).text
    assert ">Cán bộ cv.an<" in page and 'value="cv.an"' in page  # the specialist by name
    advance(client, code, "in_process")
    page = client.get(f"/console/dossiers/{code}", headers=specialist).text
    assert "Cán bộ pct.minh –" in page, "the signing leader is offered by name"
    assert "Phường Phú Hòa" in page and "Chi cục Thuế thành phố Thủ Dầu Một" in page  # units to ask, by name
    assert ">tdm.phu_hoa<" not in page


INVALID: list[tuple[str, str, dict[str, str], dict[str, str], str]] = [
    ("received", "assign", head, {}, "Vui lòng chọn chuyên viên thụ lý."),
    ("received", "assign", head, {"officer": "tp.hung"}, "không có trong danh sách"),
    ("in_process", "request_supplement", specialist, {"missing_items": "  \n "}, "Vui lòng ghi ít nhất một"),
    ("in_process", "request_verification", specialist, {"unit": "tdm.phu_hoa", "subject": "X", "days": "ba"},
     "phải là số nguyên"),
    ("in_process", "submit", specialist, {"leader": "nobody"}, "Lãnh đạo phê duyệt được chọn không có"),
    ("in_process", "apologise", specialist, {"reason": "Chờ ý kiến", "new_appointment": "31/02/2026"},
     "Ngày hẹn mới không hợp lệ"),
    ("submitted_for_approval", "refuse", leader, {"reasons": ""}, "Vui lòng ghi ít nhất một lý do từ chối"),
    ("submitted_for_approval", "send_back", leader, {}, "Vui lòng nhập ý kiến trả lại."),
    ("result_at_desk", "return_result", desk, {"channel": "in_person"}, "Phải kiểm tra căn cước"),
    ("result_at_desk", "collect_fees", desk, {"amount": "0"}, "Số tiền thu (đồng) phải từ 1"),
    ("received", "withdraw", reception, {"reason": " "}, "Vui lòng nhập lý do rút hồ sơ"),
]


@pytest.mark.parametrize(("before", "action", "who", "form", "message"), INVALID,
                         ids=[f"{v[1]}-{i}" for i, v in enumerate(INVALID)])
def test_an_invalid_form_is_answered_in_vietnamese_and_changes_nothing(
        client: TestClient, store: DossierStore, before: str, action: str, who: dict[str, str],
        form: dict[str, str], message: str) -> None:
    code = at(client, before)
    trail = audited(store, code)
    answer = post(client, code, action, who, form)
    assert answer.status_code == 422 and message in answer.text, answer.text[-2000:]
    assert 'data-testid="form-error"' in answer.text
    assert state(client, code) == before and audited(store, code) == trail


def test_the_apology_cap_is_shown_in_vietnamese(client: TestClient, store: DossierStore, clock: Clock) -> None:
    code = at(client, "in_process")
    page = client.get(f"/console/dossiers/{code}", headers=specialist).text
    assert "muộn nhất" in page  # the latest date the form allows, before trying
    due = client.get(f"/api/v1/dossiers/{code}", headers=head).json()["due_at"][:10]
    far = date.fromisoformat(due) + timedelta(days=40)
    answer = post(client, code, "apologise", specialist, {"reason": "Chờ ý kiến liên ngành",
                                                         "new_appointment": far.isoformat()})
    assert answer.status_code == 409, answer.text[-1500:]
    assert "tối đa một nửa thời hạn giải quyết" in answer.text or "không phải ngày làm việc" in answer.text
    assert audited(store, code)[-1] == "start"


def test_a_second_supplement_request_is_refused_in_vietnamese(client: TestClient) -> None:
    code = at(client, "in_process")
    assert act(client, code, "request_supplement", specialist, {"missing_items": ["Điều lệ"]}).status_code == 200
    assert act(client, code, "receive_supplement", reception, {}).status_code == 200
    again = post(client, code, "request_supplement", specialist, {"missing_items": "Giấy ủy quyền"})
    assert again.status_code == 409 and "chỉ yêu cầu bổ sung một lần" in again.text


def test_the_wrong_person_is_refused_with_403(client: TestClient) -> None:
    code = at(client, "submitted_for_approval")
    by_specialist = post(client, code, "approve", specialist)
    assert by_specialist.status_code == 403 and "không được phê duyệt" in by_specialist.text
    assert 'data-testid="form-approve"' not in client.get(f"/console/dossiers/{code}", headers=specialist).text
    other = at(client, "received")
    by_desk = post(client, other, "assign", desk, {"officer": "cv.an"})
    assert by_desk.status_code == 403
    by_commune = post(client, other, "assign", commune, {"officer": "cv.an"})
    assert by_commune.status_code in (403, 404)
    assert state(client, other) == "received" and state(client, code) == "submitted_for_approval"


def test_another_administrations_dossier_is_not_found(client: TestClient) -> None:
    theirs = new_dossier(client, "KD.01", "Lê Văn Cường", office="bc-bptn", headers=bc_reception)["code"]
    answer = post(client, theirs, "withdraw", reception, {"reason": "Thử"})
    assert answer.status_code == 404 and "Lê Văn Cường" not in answer.text


def test_a_foreign_origin_is_refused(client: TestClient, store: DossierStore) -> None:
    code = at(client, "received")
    forged = post(client, code, "assign", head, {"officer": "cv.an"}, origin={"Origin": "https://evil.example"})
    assert forged.status_code == 403 and forged.json()["code"] == "cross_origin"
    assert state(client, code) == "received" and audited(store, code) == ["receive"]


def test_the_work_pages(client: TestClient, clock: Clock) -> None:
    fresh = at(client, "received")
    late = at(client, "assigned")
    team = client.get("/console/team", headers=head).text
    assert f'data-testid="assign-{fresh}"' in team and f'data-testid="assign-{late}"' not in team
    assert 'data-officer="cv.an"' in team
    clock.advance(timedelta(days=30))
    inbox = client.get("/console/inbox", headers=specialist).text
    assert f'data-code="{late}"' in inbox and f'data-testid="mark-overdue-{late}"' in inbox and "Quá hạn" in inbox
    assert fresh not in inbox
    team = client.get("/console/team", headers=head).text
    load = team[team.index('data-officer="cv.an"'):][:300]
    assert 'data-testid="load-open">1<' in load and 'class="bad" data-testid="load-overdue">1<' in load
    advance_from_assigned(client, late)
    assert f'data-code="{late}"' in client.get("/console/approvals", headers=leader).text
    act(client, late, "approve", leader, {})
    assert f'data-code="{late}"' not in client.get("/console/results", headers=desk).text, "not registered yet"
    assert act(client, late, "register_result", clerk, REGISTER).status_code == 200
    assert f'data-code="{late}"' in client.get("/console/results", headers=desk).text


def test_the_team_page_shows_the_soonest_incoming_and_counts_the_rest(client: TestClient, clock: Clock,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from cloud.web import desk_pages

    monkeypatch.setattr(desk_pages, "TEAM_PAGE", 2)
    codes = []
    for _ in range(3):
        codes.append(received(client))
        clock.advance(timedelta(days=1))  # each due a day later than the one before
    team = client.get("/console/team", headers=head).text
    shown = [code for code in codes if f'data-testid="assign-{code}"' in team]
    assert shown == codes[:2], "the two soonest due, not the latest"
    assert 'data-testid="incoming-total">3<' in team and "Đang hiện 2 hồ sơ đến hạn sớm nhất trong 3" in team
    assert post(client, codes[0], "assign", head, {"officer": "cv.an"}).status_code == 303
    team = client.get("/console/team", headers=head).text
    assert f'data-testid="assign-{codes[2]}"' in team and 'data-testid="incoming-total">2<' in team
    assert 'data-testid="incoming-more"' not in team


def test_the_inbox_shows_the_soonest_and_counts_the_rest(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from cloud.web import desk_pages

    monkeypatch.setattr(desk_pages, "INBOX_PAGE", 1)
    first, second = at(client, "assigned"), at(client, "assigned")
    inbox = client.get("/console/inbox", headers=specialist).text
    assert f'data-code="{first}"' in inbox and f'data-code="{second}"' not in inbox
    assert "Đang hiện 1 hồ sơ đến hạn sớm nhất trong 2 hồ sơ" in inbox


def advance_from_assigned(client: TestClient, code: str) -> None:
    assert act(client, code, "start", specialist).status_code == 200
    assert act(client, code, "submit", specialist, {"officer": "pct.minh", "unit": "tdm.ubnd"}).status_code == 200


def test_due_soon_is_marked(client: TestClient, clock: Clock) -> None:
    code = at(client, "assigned")
    due = client.get(f"/api/v1/dossiers/{code}", headers=head).json()["due_at"]
    clock.now = datetime.fromisoformat(due) - timedelta(hours=20)
    inbox = client.get("/console/inbox", headers=specialist).text
    assert f'data-testid="mark-soon-{code}"' in inbox and "Sắp đến hạn" in inbox


@pytest.mark.parametrize(("who", "home"), [
    (head, "/console/team"), (specialist, "/console/inbox"), (leader, "/console/approvals"), (desk, "/console/results"),
])
def test_each_worker_lands_on_their_work(client: TestClient, who: dict[str, str], home: str) -> None:
    landed = client.get("/console/home", headers=who, follow_redirects=False)
    assert landed.headers["location"] == home and client.get(home, headers=who).status_code == 200
    assert f'href="{home}" data-testid="nav-work"' in client.get(home, headers=who).text


def test_the_forms_that_need_an_earlier_step(client: TestClient, store: DossierStore) -> None:
    """Answering a verification (as the asked commune), receiving a supplement, apologising, returning by post."""
    code = at(client, "in_process")
    assert post(client, code, "request_verification", specialist,
                {"unit": "tdm.phu_hoa", "subject": "Xác minh địa chỉ", "days": "2"}).status_code == 303
    page = client.get(f"/console/dossiers/{code}", headers=commune).text
    assert 'data-testid="form-answer_verification"' in page and "Phường Phú Hòa: Xác minh địa chỉ" in page
    answered = post(client, code, "answer_verification", commune,
                    {"subtask": "1", "answer": "Địa chỉ đúng thực tế", "confirmed": "yes"})
    assert answered.status_code == 303 and state(client, code) == "in_process"
    assert audited(store, code)[-1] == "answer_verification"

    due = client.get(f"/api/v1/dossiers/{code}", headers=head).json()["due_at"]
    later = date.fromisoformat(due[:10]) + timedelta(days=1)
    while later.weekday() >= 5:
        later += timedelta(days=1)
    apology = post(client, code, "apologise", specialist, {"reason": "Chờ ý kiến liên ngành",
                                                           "new_appointment": later.strftime("%d/%m/%Y")})
    assert apology.status_code == 303, apology.text[-1500:]
    assert client.get(f"/api/v1/dossiers/{code}", headers=head).json()["appointment"][:10] == later.isoformat()

    assert post(client, code, "request_supplement", specialist, {"missing_items": "Điều lệ"}).status_code == 303
    assert post(client, code, "receive_supplement", reception, {"items": "Điều lệ"}).status_code == 303
    assert state(client, code) == "in_process" and audited(store, code)[-1] == "receive_supplement"

    advance_from_in_process(client, code)
    sent = post(client, code, "return_result", desk, {"channel": "post", "zone": "city", "tracking": "EB123VN"})
    shown = flash_after(client, sent, desk)
    assert state(client, code) == "returned"
    assert "Đã gửi kết quả qua bưu điện: cước 20.000 đồng, dự kiến giao" in shown


def advance_from_in_process(client: TestClient, code: str) -> None:
    for action, who, payload in (("submit", specialist, {"officer": "pct.minh", "unit": "tdm.ubnd"}),
                                 ("approve", leader, {}), ("register_result", clerk, REGISTER),
                                 ("deliver_result", desk, {})):
        assert act(client, code, action, who, payload).status_code == 200, action
