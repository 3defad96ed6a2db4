"""Passwords, tokens, sessions and accounts, through the real app and database."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cloud.auth.users import UserError, UserStore
from cloud.db.users import token_table, user_table
from cloud.domain.roles import Role
from tests.auth.conftest import PASSWORD, RECEPTION, SAME_ORIGIN, Clock, as_role


def sign_in(client: TestClient, username: str = RECEPTION, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_passwords_are_stored_as_argon2id_hashes_and_tokens_as_sha256(client: TestClient, users: UserStore) -> None:
    issued = sign_in(client).json()["access_token"]
    with users.engine.connect() as conn:
        stored = conn.execute(select(user_table.c.password_hash).where(user_table.c.username == RECEPTION)).scalar()
        hashes = list(conn.execute(select(token_table.c.token_hash)).scalars())
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert issued.startswith("ost_") and issued not in hashes and len(hashes[-1]) == 64


def test_a_token_from_the_password_flow_signs_the_caller_in(client: TestClient) -> None:
    response = sign_in(client)
    assert response.status_code == 200 and response.json()["roles"] == ["reception"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"}).json()
    assert me["username"] == RECEPTION and me["acting_role"] == "reception" and "dossier.create" in me["permissions"]
    assert client.get("/api/v1/auth/me").json() == {
        "username": None, "full_name": None, "unit": None, "roles": [], "acting_role": "public",
        "permissions": ["catalogue.read", "dossier.lookup"]}


def test_wrong_credentials_are_401_with_the_same_answer_for_unknown_users(client: TestClient) -> None:
    wrong = sign_in(client, password="not the password")
    unknown = sign_in(client, username="ghost.test")
    no_password = sign_in(client, username="it.test")  # a token-only account
    for response in (wrong, unknown, no_password):
        assert response.status_code == 401 and response.json()["code"] == "bad_credentials"
        assert response.json()["message_vi"] == "Sai tên đăng nhập hoặc mật khẩu."
        assert response.headers["www-authenticate"] == "Bearer"


def test_five_wrong_passwords_lock_the_username_for_a_while(client: TestClient) -> None:
    throttle = client.app.state.throttle  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state
    now = [1000.0]
    throttle.clock = lambda: now[0]
    for _ in range(5):
        assert sign_in(client, password="guess guess").status_code == 401
    locked = sign_in(client)  # even the right password
    assert locked.status_code == 429 and "5 wrong passwords" in locked.json()["detail"]
    assert "phút" in locked.json()["message_vi"]
    assert sign_in(client, username="leader.test", password="x" * 12).status_code == 401  # others unaffected
    now[0] += 301
    assert sign_in(client).status_code == 200


def test_a_stale_token_is_an_error_not_the_public(client: TestClient, clock: Clock) -> None:
    bad = client.get("/api/v1/catalogue", headers={"Authorization": "Bearer ost_made_up"})
    assert bad.status_code == 401 and bad.json()["code"] == "invalid_token"
    issued = sign_in(client).json()["access_token"]
    headers = {"Authorization": f"Bearer {issued}"}
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 200
    clock.now += timedelta(days=91)  # ONESTOP_API_TOKEN_DAYS defaults to 90
    assert client.get("/api/v1/dossiers", headers=headers).json()["code"] == "invalid_token"


def test_logout_revokes_only_the_token_it_came_with(client: TestClient) -> None:
    first = {"Authorization": f"Bearer {sign_in(client).json()['access_token']}"}
    second = {"Authorization": f"Bearer {sign_in(client).json()['access_token']}"}
    assert client.post("/api/v1/auth/logout", headers=first).status_code == 204
    assert client.get("/api/v1/dossiers", headers=first).status_code == 401
    assert client.get("/api/v1/dossiers", headers=second).status_code == 200
    assert client.post("/api/v1/auth/logout").status_code == 401


def test_deactivating_a_user_revokes_every_token_and_refuses_sign_in(client: TestClient) -> None:
    admin = as_role(Role.admin)
    reception = as_role(Role.reception)
    assert client.get("/api/v1/dossiers", headers=reception).status_code == 200
    response = client.post(f"/api/v1/users/{RECEPTION}/deactivate", headers=admin)
    assert response.status_code == 200 and response.json()["active"] is False
    assert client.get("/api/v1/dossiers", headers=reception).json()["code"] == "invalid_token"
    assert sign_in(client).status_code == 401


def test_acting_role_must_be_one_the_account_holds(client: TestClient, users: UserStore) -> None:
    users.add("tn.lan", full_name="Trần Ngọc Lan", unit="sai-gon", roles=["reception", "results_desk"])
    users.issue_token("tn.lan", kind="api", name="t", ttl=timedelta(days=1), secret="test-lan")
    headers = {"Authorization": "Bearer test-lan"}
    assert client.get("/api/v1/auth/me", headers=headers).json()["acting_role"] == "reception"
    desk = client.get("/api/v1/auth/me", headers={**headers, "X-Acting-Role": "results_desk"}).json()
    assert desk["acting_role"] == "results_desk" and "dossier.create" not in desk["permissions"]
    assert client.post("/api/v1/dossiers", headers={**headers, "X-Acting-Role": "results_desk"},
                       json={}).status_code == 403
    refused = client.get("/api/v1/auth/me", headers={**headers, "X-Acting-Role": "leader"})
    assert refused.status_code == 403 and refused.json()["code"] == "role_not_held"
    assert client.get("/api/v1/auth/me", headers={**headers, "X-Acting-Role": "wizard"}).status_code == 422


def test_admins_manage_accounts_with_clear_errors(client: TestClient) -> None:
    admin = as_role(Role.admin)
    body = {"username": "cv.binh", "full_name": "Lê Thị Bình", "unit": "hcm.sai_gon.vp", "roles": ["specialist"],
            "password": "một mật khẩu dài"}
    created = client.post("/api/v1/users", headers=admin, json=body)
    assert created.status_code == 201 and created.json()["roles"] == ["specialist"]
    assert sign_in(client, "cv.binh", "một mật khẩu dài").status_code == 200
    assert client.post("/api/v1/users", headers=admin, json=body).status_code == 409
    for bad in ({"roles": ["wizard"]}, {"roles": ["public"]}, {"password": "short"}, {"username": "Bad Name"}):
        response = client.post("/api/v1/users", headers=admin, json={**body, "username": "cv.other", **bad})
        assert response.status_code == 422, bad
    assert client.put("/api/v1/users/cv.binh/roles", headers=admin, json={"roles": ["leader"]}).json()["roles"] == ["leader"]
    assert client.put("/api/v1/users/ghost/password", headers=admin, json={"password": "x" * 12}).status_code == 404
    assert client.put("/api/v1/users/cv.binh/password", headers=admin, json={"password": "mật khẩu mới đây"}).status_code == 204
    assert sign_in(client, "cv.binh", "mật khẩu mới đây").status_code == 200
    assert [u["username"] for u in client.get("/api/v1/users", headers=admin).json()].count("cv.binh") == 1


def test_the_store_refuses_bad_accounts(users: UserStore) -> None:
    with pytest.raises(UserError, match="at least one role"):
        users.add("a.b", full_name="A", unit="u", roles=[])
    with pytest.raises(UserError, match="not a role"):
        users.add("a.b", full_name="A", unit="u", roles=["boss"])
    with pytest.raises(UserError, match="no active user"):
        users.issue_token("ghost", kind="api", name="t", ttl=timedelta(days=1))


# -- the console ---------------------------------------------------------------


def test_the_console_signs_in_with_a_form_and_a_strict_httponly_cookie(client: TestClient) -> None:
    first = client.get("/console/offices/sai-gon", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/login?next=/console/offices/sai-gon"
    form = client.get("/login?next=/console/offices/sai-gon")
    assert "Đăng nhập" in form.text and 'value="/console/offices/sai-gon"' in form.text
    wrong = client.post("/login", data={"username": RECEPTION, "password": "sai rồi sai rồi", "next": "/console"},
                        headers=SAME_ORIGIN, follow_redirects=False)
    assert wrong.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu." in wrong.text
    signed = client.post("/login", data={"username": RECEPTION, "password": PASSWORD,
                                         "next": "/console/offices/sai-gon"}, headers=SAME_ORIGIN, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/console/offices/sai-gon"
    cookie = signed.headers["set-cookie"]
    assert "onestop_session=ost_" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = client.get("/console/offices/sai-gon")
    assert page.status_code == 200 and "Cán bộ reception · Cán bộ tiếp nhận" in page.text
    assert client.get("/api/v1/auth/me").json()["username"] == RECEPTION  # the API accepts the cookie too
    out = client.post("/logout", headers=SAME_ORIGIN, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.set("onestop_session", cookie.split(";")[0].split("=", 1)[1])  # a copy kept by an attacker
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_a_cookie_write_from_another_origin_is_refused(client: TestClient) -> None:
    client.post("/login", data={"username": RECEPTION, "password": PASSWORD}, headers=SAME_ORIGIN,
                follow_redirects=False)
    forged = client.post("/api/v1/dossiers", json={}, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403 and forged.json()["code"] == "cross_origin"
    same = client.post("/api/v1/dossiers", json={}, headers={"Origin": "http://testserver"})
    assert same.status_code == 422  # let through; the empty body is what is wrong


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_the_sign_in_form_never_redirects_off_site(client: TestClient, target: str) -> None:
    signed = client.post("/login", data={"username": RECEPTION, "password": PASSWORD, "next": target},
                         headers=SAME_ORIGIN, follow_redirects=False)
    assert signed.headers["location"] == "/console/home"  # the role's own home, on this site


def test_account_changes_are_in_the_audit_log_without_secrets(client: TestClient, users: UserStore) -> None:
    from cloud.db import audit

    admin = as_role(Role.admin)
    body = {"username": "cv.binh", "full_name": "Lê Thị Bình", "unit": "hcm.sai_gon.vp", "roles": ["specialist"],
            "password": "một mật khẩu dài"}
    assert client.post("/api/v1/users", headers=admin, json=body).status_code == 201
    client.put("/api/v1/users/cv.binh/roles", headers=admin, json={"roles": ["leader"]})
    client.put("/api/v1/users/cv.binh/password", headers=admin, json={"password": "mật khẩu mới đây"})
    sign_in(client, "cv.binh", "mật khẩu mới đây")  # signing in changes no account: not audited
    client.post("/api/v1/users/cv.binh/deactivate", headers=admin)
    with users.engine.connect() as conn:
        trail = audit.read_subject(conn, "user:cv.binh")
    assert [e.action for e in trail] == ["add_user", "set_roles", "set_password", "deactivate_user"]
    assert {e.actor.officer for e in trail} == {"admin.test"}
    assert trail[1].data == {"roles": ["leader"]} and trail[3].data == {"revoked_tokens": 1}
    text = repr([e.data for e in trail])
    assert "mật khẩu" not in text and "argon2" not in text and "ost_" not in text


def test_the_audit_log_is_readable_by_the_roles_that_may(client: TestClient) -> None:
    admin = as_role(Role.admin)
    client.post("/api/v1/users", headers=admin, json={"username": "cv.binh", "full_name": "Lê Thị Bình",
                                                      "unit": "hcm.sai_gon.vp", "roles": ["specialist"]})
    page = client.get("/api/v1/audit", headers=as_role(Role.provincial_monitor), params={"subject": "user:cv.binh"})
    assert page.status_code == 200
    body = page.json()
    assert [e["action"] for e in body["entries"]] == ["add_user"] and body["head_seq"] >= 1
    assert len(body["head_hash"]) == 64
    assert client.get("/api/v1/audit", headers=as_role(Role.leader)).status_code == 403


def test_the_sign_in_form_is_refused_from_another_site_or_from_nowhere(client: TestClient) -> None:
    """Login CSRF: a form elsewhere must not sign the visitor's browser into the attacker's account."""
    form = {"username": RECEPTION, "password": PASSWORD}
    for headers in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/login"}, {},
                    {"Origin": "null"}):
        refused = client.post("/login", data=form, headers=headers, follow_redirects=False)
        assert refused.status_code == 403, headers
        assert "set-cookie" not in refused.headers and "không đến từ trang của hệ thống" in refused.text
    signed = client.post("/login", data=form, headers={"Referer": "http://testserver/login?next=/console"},
                         follow_redirects=False)
    assert signed.status_code == 303 and "onestop_session=ost_" in signed.headers["set-cookie"]


def test_a_cookie_write_without_origin_or_referer_is_refused_and_bearer_calls_are_not_asked(
        client: TestClient) -> None:
    client.post("/login", data={"username": RECEPTION, "password": PASSWORD}, headers=SAME_ORIGIN,
                follow_redirects=False)
    bare = client.post("/api/v1/dossiers", json={})
    assert bare.status_code == 403 and bare.json()["code"] == "cross_origin"
    assert client.post("/logout", follow_redirects=False).status_code == 403  # still signed in
    assert client.get("/api/v1/auth/me").json()["username"] == RECEPTION
    assert client.post("/api/v1/dossiers", json={}, headers={"Referer": "http://testserver/console"}).status_code == 422
    assert client.post("/api/v1/dossiers", json={}, headers=SAME_ORIGIN).status_code == 422
    client.cookies.clear()
    reception = as_role(Role.reception)
    assert client.post("/api/v1/dossiers", json={}, headers=reception).status_code == 422
    assert client.post("/api/v1/dossiers", json={}, headers={**reception, "Origin": "https://tool.example"}).status_code == 422
