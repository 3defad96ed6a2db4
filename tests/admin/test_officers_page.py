"""Quản trị → Cán bộ: list by name, unit name and Vietnamese roles; add, change roles, disable; each audited."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cloud.auth.users import UserStore
from cloud.db import audit
from cloud.domain.roles import Role
from tests.auth.conftest import SAME_ORIGIN, as_role

ADMIN = as_role(Role.admin)


def trail(client: TestClient, subject: str) -> list[audit.AuditEntry]:
    with client.app.state.engine.connect() as conn:  # type: ignore[attr-defined]  # Starlette types app as ASGIApp
        return audit.read_subject(conn, subject)


def test_the_list_names_people_units_and_roles_in_vietnamese(client: TestClient) -> None:
    page = client.get("/console/admin/officers", headers=ADMIN)
    assert page.status_code == 200
    assert "Cán bộ reception" in page.text and "Cán bộ tiếp nhận" in page.text  # full name, role label
    assert "Bộ phận Một cửa phường Sài Gòn" in page.text or "phường Sài Gòn" in page.text  # the unit by name
    assert "<td>sai-gon</td>" not in page.text, "a unit shown by its code"


def test_an_added_officer_can_sign_in_at_once_and_the_addition_is_audited(client: TestClient,
                                                                          users: UserStore) -> None:
    form = {"username": "tn.hoa", "full_name": "Trần Thị Hòa", "unit": "sai-gon", "roles": ["reception"],
            "password": "mật khẩu mới đủ dài"}
    added = client.post("/console/admin/officers", data=form, headers=ADMIN, follow_redirects=False)
    assert added.status_code == 303, added.text[:500]
    user = users.get("tn.hoa")
    assert user is not None and user.full_name == "Trần Thị Hòa" and user.roles == (Role.reception,)
    [entry] = trail(client, "user:tn.hoa")
    assert entry.action == "add_user" and entry.actor.officer == "admin.test"
    signed = client.post("/login", data={"username": "tn.hoa", "password": "mật khẩu mới đủ dài"},
                         headers=SAME_ORIGIN, follow_redirects=False)
    assert signed.status_code == 303  # effective without a restart


def test_a_bad_form_says_why_in_vietnamese_keeps_the_values_and_adds_nobody(client: TestClient,
                                                                             users: UserStore) -> None:
    form = {"username": "Tn Hoa", "full_name": "Trần Thị Hòa", "unit": "khong-co", "password": "ngắn"}
    answer = client.post("/console/admin/officers", data=form, headers=ADMIN)
    assert answer.status_code == 422
    for text in ("Tên đăng nhập: 2–64 ký tự", "Đơn vị: chọn một đơn vị", "Vai trò: chọn ít nhất một vai trò",
                 "Mật khẩu ban đầu: ít nhất 10 ký tự", 'value="Trần Thị Hòa"'):
        assert text in answer.text, text
    assert [u.username for u in users.list() if u.full_name == "Trần Thị Hòa"] == []
    twice = client.post("/console/admin/officers", headers=ADMIN, data={
        "username": "leader.test", "full_name": "X", "unit": "sai-gon", "roles": ["leader"],
        "password": "mật khẩu đủ dài"})
    assert twice.status_code == 422 and "đã có người dùng" in twice.text


def test_roles_change_and_disable_take_effect_at_once_and_are_audited(client: TestClient, users: UserStore) -> None:
    leader = as_role(Role.leader)
    assert client.get("/api/v1/dossiers", headers=leader).status_code == 200
    changed = client.post("/console/admin/officers/leader.test/roles", data={"roles": ["it"]}, headers=ADMIN,
                          follow_redirects=False)
    assert changed.status_code == 303
    assert client.get("/api/v1/dossiers", headers=leader).status_code == 403  # now IT: no dossiers
    assert client.get("/api/v1/nodes", headers=leader).status_code == 200
    none = client.post("/console/admin/officers/leader.test/roles", data={}, headers=ADMIN)
    assert none.status_code == 422 and "chọn ít nhất một vai trò" in none.text
    off = client.post("/console/admin/officers/leader.test/disable", headers=ADMIN, follow_redirects=False)
    assert off.status_code == 303
    assert client.get("/api/v1/nodes", headers=leader).status_code == 401
    assert [e.action for e in trail(client, "user:leader.test")][-2:] == ["set_roles", "deactivate_user"]


def test_other_roles_are_sent_to_sign_in_and_a_foreign_origin_is_refused(client: TestClient,
                                                                         users: UserStore) -> None:
    for role in (Role.reception, Role.it, Role.leader):
        page = client.get("/console/admin/officers", headers=as_role(role), follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login"), role
        post = client.post("/console/admin/officers/leader.test/disable", headers=as_role(role),
                           follow_redirects=False)
        assert post.status_code == 303, role
    users.add("qt.test", full_name="Quản trị kiểm thử", unit="sai-gon", roles=["admin"], password="mật khẩu đủ dài")
    signed = client.post("/login", data={"username": "qt.test", "password": "mật khẩu đủ dài"}, headers=SAME_ORIGIN,
                         follow_redirects=False)
    assert signed.status_code == 303
    forged = client.post("/console/admin/officers/leader.test/disable", headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403 and forged.json()["code"] == "cross_origin"
    assert users.get("leader.test").active  # type: ignore[union-attr]  # the account exists
    own = client.post("/console/admin/officers/leader.test/disable", headers=SAME_ORIGIN, follow_redirects=False)
    assert own.status_code == 303 and not users.get("leader.test").active  # type: ignore[union-attr]  # exists
