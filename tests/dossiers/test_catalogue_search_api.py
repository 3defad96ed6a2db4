"""GET /api/v1/catalogue?q=…: the desk finds the procedure and sees its papers, fees and time limit.

The real app on the shipped reference data (SQLite), the demo office ``sai-gon`` imported from its
file at startup: its queue fields serve ho_tich, dat_dai, chung_thuc and dang_ky_kinh_doanh.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cloud.app import create_app
from cloud.auth.users import UserStore
from cloud.domain.roles import Role
from tests.auth.conftest import add_accounts, as_role, settings_in

URL = "/api/v1/catalogue"
RECEPTION = as_role(Role.reception)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the module: these tests only read the catalogue."""
    with TestClient(create_app(settings_in(tmp_path_factory.mktemp("catalogue")))) as test_client:
        users: UserStore = test_client.app.state.users  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state
        add_accounts(users, "sai-gon")
        yield test_client


def found(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = client.get(URL, params=params, headers=RECEPTION)
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


def test_dang_ky_khai_sinh_finds_the_birth_registration_with_its_card(client: TestClient) -> None:
    first = found(client, q="dang ky khai sinh")[0]
    assert (first["code"], first["name"], first["field"], first["field_name"]) == (
        "HT.01", "Đăng ký khai sinh", "ho_tich", "Hộ tịch")
    assert first["time_limit"] == {"unit": "same_day", "amount": 0} and first["time_limit_vi"] == "Trong ngày"
    assert first["fees"][0]["amount_vnd"] == 0
    assert [(d["code"], d["name"], d["originals"]) for d in first["documents"]] == [
        ("HT.01-1", "Tờ khai đăng ký khai sinh theo mẫu", 1),
        ("HT.01-2", "Giấy chứng sinh (hoặc văn bản của người làm chứng / giấy cam đoan về việc sinh)", 1)]
    # the papers' codes are the ones the procedure's card gives and a new dossier ticks
    card = client.get(f"{URL}/HT.01", headers=RECEPTION).json()
    assert [d["code"] for d in first["documents"]] == [d["code"] for d in card["documents"]]


def test_codes_words_and_fields(client: TestClient) -> None:
    assert found(client, q="ht01")[0]["code"] == "HT.01"
    assert found(client, q="CT.05")[0]["code"] == "CT.05"
    assert [p["code"] for p in found(client, q="thế chấp")] == ["DD.07", "DD.08"]
    assert [p["code"] for p in found(client, q="cap lai", field="xay_dung")] == ["XD.04"]
    assert found(client, q="khai sinhh") == []
    # a search is limited; the list without q is not
    assert len(found(client, q="")) == 20 and len(found(client, q="dang ky", limit=3)) == 3
    assert len(found(client)) > 20


def test_the_office_serves_its_fields_first(client: TestClient) -> None:
    everywhere = found(client, q="cap lai giay")
    at_sai_gon = found(client, q="cap lai giay", office="sai-gon")
    assert {p["code"] for p in everywhere} == {p["code"] for p in at_sai_gon}
    assert all(p["served"] for p in everywhere)  # no office: nothing is marked as elsewhere
    # Sài Gòn serves land and business registration, not construction or labour: those come last
    served = [p["served"] for p in at_sai_gon]
    assert served == sorted(served, reverse=True) and served.count(False) >= 2
    assert {p["field"] for p in at_sai_gon if not p["served"]} == {"xay_dung", "lao_dong"}
    only = found(client, q="cap lai giay", office="sai-gon", served_only=True)
    assert [p["code"] for p in only] == [p["code"] for p in at_sai_gon if p["served"]]
    # without q: the whole catalogue, the office's procedures first
    listed = found(client, office="sai-gon")
    assert len(listed) == len(found(client)) and listed[0]["code"] == "CT.01" and not listed[-1]["served"]


def test_the_list_without_q_is_as_before(client: TestClient) -> None:
    listed = found(client)
    assert [p["code"] for p in listed] == sorted(p["code"] for p in listed)
    assert {p["field"] for p in found(client, field="ho_tich")} == {"ho_tich"}
    assert {"code", "name", "field", "level", "time_limit", "fees", "online_level", "postal_return"} <= set(listed[0])


def test_refusals_are_clear(client: TestClient) -> None:
    long = client.get(URL, params={"q": "a" * 101}, headers=RECEPTION)
    assert long.status_code == 422 and long.json()["code"] == "query_too_long"
    assert long.json()["detail"] == "q has 101 characters; at most 100"
    assert long.json()["message_vi"] == "Từ khóa tìm kiếm quá dài (tối đa 100 ký tự)."
    assert client.get(URL, params={"q": "a" * 100}, headers=RECEPTION).status_code == 200
    unknown = client.get(URL, params={"q": "khai sinh", "office": "nowhere"}, headers=RECEPTION)
    assert unknown.status_code == 422 and unknown.json()["code"] == "office_not_found"
    assert client.get(URL, params={"q": "x", "limit": 0}, headers=RECEPTION).status_code == 422


def test_the_public_may_search_too(client: TestClient) -> None:
    """catalogue.read is every role's, the public's as well (docs/access.md): a citizen finds the papers to bring."""
    response = client.get(URL, params={"q": "ket hon"})
    assert response.status_code == 200 and response.json()[0]["code"] == "HT.02"
