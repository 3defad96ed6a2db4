"""Officers read the dossiers of their administration and those their unit takes part in; nobody else's."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.dossiers.conftest import bc_reception, commune, head, new_dossier, person, reception, specialist
from tests.dossiers.flows import act, advance

monitor = person("provincial_monitor", "bd.vpubnd", "gs.thu")  # province level: reads everything
ben_cat_head = person("department_head", "bc.ptckh", "tp.son")  # another district


def codes(client: TestClient, headers: dict[str, str]) -> set[str]:
    response = client.get("/api/v1/dossiers", headers=headers)
    assert response.status_code == 200, response.text
    return {d["code"] for d in response.json()}


def test_another_district_neither_lists_nor_opens_a_dossier(client: TestClient) -> None:
    code = new_dossier(client)["code"]  # received in Thủ Dầu Một
    assert code in codes(client, head) and code in codes(client, monitor)
    assert code not in codes(client, ben_cat_head) and code not in codes(client, bc_reception)
    for path in (f"/api/v1/dossiers/{code}", f"/api/v1/dossiers/{code}/fees", f"/api/v1/dossiers/{code}/receipt"):
        hidden = client.get(path, headers=bc_reception)
        assert hidden.status_code == 404 and hidden.json()["code"] == "dossier_not_found", path  # as if absent
        assert client.get(path, headers=reception).status_code == 200, path
    assert client.get(f"/api/v1/public/dossiers/{code}").status_code == 200  # the public status stays public


def test_a_commune_sees_a_district_dossier_once_a_sub_task_is_sent_to_it(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    assert code not in codes(client, commune)
    assert client.get(f"/api/v1/dossiers/{code}", headers=commune).status_code == 404
    advance(client, code, "in_process")
    sent = act(client, code, "request_verification", specialist,
               {"unit": "tdm.phu_hoa", "subject": "Xác minh địa điểm kinh doanh", "time_limit": {"working_days": 2}})
    assert sent.status_code == 200, sent.text
    assert code in codes(client, commune)
    assert client.get(f"/api/v1/dossiers/{code}", headers=commune).status_code == 200


def test_an_inbox_of_another_administration_is_refused(client: TestClient) -> None:
    assert client.get("/api/v1/subtasks", headers=commune).status_code == 200  # its own
    assert client.get("/api/v1/subtasks", headers=head, params={"unit": "tdm.phu_hoa"}).status_code == 200  # its commune
    refused = client.get("/api/v1/subtasks", headers=bc_reception, params={"unit": "tdm.phu_hoa"})
    assert refused.status_code == 403 and refused.json()["code"] == "outside_scope"
