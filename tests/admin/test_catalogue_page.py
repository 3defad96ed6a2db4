"""Quản trị → Danh mục thủ tục: search, edit a procedure's card; validated, audited, used at once."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from cloud.domain.roles import Role
from tests.admin.test_officers_page import ADMIN, trail
from tests.auth.conftest import SAME_ORIGIN, as_role

PAGE = "/console/admin/catalogue/HT.01"
RECEPTION = as_role(Role.reception)


def form_of(html: str) -> dict[str, Any]:
    """The editor's fields as the browser would send them (text inputs, checked boxes, selected options)."""
    data: dict[str, Any] = {}
    for tag in re.findall(r"<input [^>]*>", html):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name is None or ('type="checkbox"' in tag and "checked" not in tag):
            continue
        data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body) or re.search(r'<option value="([^"]*)"', body)
        data[name] = chosen.group(1) if chosen else ""
    for name, body in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = body
    return data


def editor(client: TestClient) -> dict[str, Any]:
    page = client.get(PAGE, headers=ADMIN)
    assert page.status_code == 200
    return form_of(page.text)


def test_the_list_finds_procedures_without_accents(client: TestClient) -> None:
    page = client.get("/console/admin/catalogue?q=dang ky khai sinh", headers=ADMIN)
    assert page.status_code == 200 and "Đăng ký khai sinh" in page.text and 'data-testid="admin-procedure-HT.01"' in page.text
    assert "Đất đai" not in page.text  # only what the search finds
    assert "Hộ tịch" in page.text  # the field by its name


def test_a_saved_card_is_used_at_once_by_the_desks_search_and_new_dossiers_and_audited(client: TestClient) -> None:
    form = editor(client)
    assert form["name"] == "Đăng ký khai sinh" and form["time_unit"] == "same_day"
    form.update({"time_unit": "working_days", "time_amount": "3", "applicants": "Công dân Việt Nam\nNgười nước ngoài",
                 "doc-1-name": "Giấy chứng sinh", "doc-2-name": "Giấy tờ chứng minh nơi cư trú", "doc-2-copies": "1",
                 "doc-2-originals": "0", "legal_basis": "Luật Hộ tịch 2014"})
    saved = client.post(PAGE, data=form, headers=ADMIN, follow_redirects=False)
    assert saved.status_code == 303, saved.text[-2000:]
    found = client.get("/api/v1/catalogue", params={"q": "dang ky khai sinh"}).json()[0]
    assert found["code"] == "HT.01" and found["time_limit_vi"] == "03 ngày làm việc"
    assert [d["name"] for d in found["documents"]][1:] == ["Giấy chứng sinh", "Giấy tờ chứng minh nơi cư trú"]
    card = client.get("/api/v1/catalogue/HT.01").json()
    assert card["applicants"] == ["Công dân Việt Nam", "Người nước ngoài"] and card["legal_basis"] == ["Luật Hộ tịch 2014"]
    dossier = client.post("/api/v1/dossiers", headers=RECEPTION, json={
        "procedure": "HT.01", "office": "sai-gon", "applicant_name": "Nguyễn Thị Bình",
        "documents": [{"code": d["code"]} for d in found["documents"]]})
    assert dossier.status_code == 201, dossier.text
    assert dossier.json()["dossier"]["terms"]["time_limit"] == {"unit": "working_days", "amount": 3.0}
    [entry] = trail(client, "procedure:HT.01")
    assert entry.action == "procedure_changed" and entry.actor.officer == "admin.test"
    assert entry.data["time_limit"] == {"before": {"unit": "same_day", "amount": 0.0},
                                        "after": {"unit": "working_days", "amount": 3.0}}
    assert set(entry.data) == {"time_limit", "documents", "applicants", "legal_basis"}


def test_a_bad_card_says_why_in_vietnamese_keeps_what_was_typed_and_changes_nothing(client: TestClient) -> None:
    before = client.get("/api/v1/catalogue/HT.01").json()
    form = editor(client)
    form.update({"name": "", "time_unit": "working_days", "time_amount": "1,5", "doc-0-originals": "0",
                 "doc-0-copies": "0", "step-1-amount": "abc", "step-4-name": "Bước mới thêm"})
    answer = client.post(PAGE, data=form, headers=ADMIN)
    assert answer.status_code == 422
    for text in ("Tên thủ tục: bắt buộc", "Thời hạn giải quyết: phải là số nguyên dương",
                 "cần ít nhất một bản chính hoặc bản sao", "Quy trình bước 2: thời gian", 'value="Bước mới thêm"'):
        assert text in answer.text, text
    long_steps = editor(client)
    long_steps.update({"step-1-amount": "40"})  # 1 + 40 + 2 + 1 hours: more than "trong ngày" (8 h)
    over = client.post(PAGE, data=long_steps, headers=ADMIN)
    assert over.status_code == 422 and "tổng thời gian các bước vượt thời hạn" in over.text
    assert client.get("/api/v1/catalogue/HT.01").json() == before
    assert trail(client, "procedure:HT.01") == []


def test_a_save_over_a_newer_change_is_refused(client: TestClient) -> None:
    stale = editor(client)
    first = {**stale, "name": "Đăng ký khai sinh (sửa lần 1)"}
    assert client.post(PAGE, data=first, headers=ADMIN, follow_redirects=False).status_code == 303
    second = client.post(PAGE, data={**stale, "name": "Đăng ký khai sinh (sửa lần 2)"}, headers=ADMIN)
    assert second.status_code == 422 and "vừa được người khác sửa" in second.text
    assert client.get("/api/v1/catalogue/HT.01").json()["name"] == "Đăng ký khai sinh (sửa lần 1)"


def test_other_roles_are_sent_to_sign_in_and_a_foreign_origin_is_refused(client: TestClient, users: Any) -> None:
    for role in (Role.it, Role.reception, Role.provincial_monitor):
        page = client.get(PAGE, headers=as_role(role), follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login"), role
        post = client.post(PAGE, data={"name": "x"}, headers=as_role(role), follow_redirects=False)
        assert post.status_code == 303, role
    assert client.get("/console/admin/catalogue/KHONG.CO", headers=ADMIN).status_code == 404
    users.add("qt.test", full_name="Quản trị kiểm thử", unit="sai-gon", roles=["admin"], password="mật khẩu đủ dài")
    assert client.post("/login", data={"username": "qt.test", "password": "mật khẩu đủ dài"}, headers=SAME_ORIGIN,
                       follow_redirects=False).status_code == 303
    form = form_of(client.get(PAGE).text)
    forged = client.post(PAGE, data={**form, "name": "Giả mạo"}, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403 and forged.json()["code"] == "cross_origin"
    assert client.get("/api/v1/catalogue/HT.01").json()["name"] == "Đăng ký khai sinh"
