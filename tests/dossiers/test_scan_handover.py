"""Hand-overs from a desk's barcode / QR scanner: the code read from what the scanner typed, the role's default
action, and the same answers as the action endpoint."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.dossiers.conftest import desk, head, it, new_dossier, reception, specialist
from tests.dossiers.flows import advance, events

SCAN = "/api/v1/handovers/scan"


def scan(client: TestClient, who: dict[str, str], scanned: str, **body: object):
    return client.post(SCAN, headers=who, json={"scanned": scanned, **body})


def test_the_results_desk_scans_the_slip_s_qr_code_and_the_result_is_at_the_desk(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    advance(client, code, "registered")
    qr = f"https://dichvucong.binhduong.gov.vn/api/v1/public/dossiers/{code.lower()}\r\n"
    response = scan(client, desk, qr)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["code"] == code and body["action"] == "deliver_result"
    assert body["dossier"]["state"] == "result_at_desk" and body["dossier"]["holder_officer"] == "tkq.mai"
    handover = body["handover"]
    assert handover["action"] == "deliver_result" and handover["sender"]["officer"] == "vt.hoa"  # from the clerk
    assert handover["receiver"] == {"unit": "tdm-bptn", "officer": "tkq.mai", "role": "results_desk"}
    assert handover == body["dossier"]["dossier"]["handovers"][-1]
    assert events(client, code, "deliver_result")[0]["payload"]["via"] == "scan"


def test_a_specialist_s_scan_starts_the_assigned_dossier(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    advance(client, code, "assigned")
    response = scan(client, specialist, f"  {code.lower()}  \n", if_match=2)
    assert response.status_code == 200, response.text
    assert response.json()["action"] == "start" and response.json()["dossier"]["state"] == "in_process"
    assert response.json()["handover"] is None  # starting is not a hand-over: the dossier stays with its officer


def test_the_department_head_names_the_action_and_its_data(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    required = scan(client, head, code)
    assert required.status_code == 422 and required.json()["code"] == "action_required"
    assert "department_head has no default action" in required.json()["detail"]
    missing_officer = scan(client, head, code, action="assign")
    assert missing_officer.status_code == 422 and missing_officer.json()["code"] == "invalid_payload"
    response = scan(client, head, f"https://example.vn/tra-cuu?code={code}", action="assign",
                    payload={"officer": "cv.an"})
    assert response.status_code == 200, response.text
    assert response.json()["handover"]["receiver"]["officer"] == "cv.an"
    assert response.json()["dossier"]["state"] == "assigned"


def test_scan_errors_are_those_of_the_action_endpoint(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    unreadable = scan(client, desk, "xin chào")
    assert unreadable.status_code == 422 and unreadable.json()["code"] == "unreadable_scan"
    assert "scan the barcode or QR code" in unreadable.json()["detail"] and unreadable.json()["message_vi"]
    unknown = scan(client, desk, "H74.718-261012-9999")
    assert unknown.status_code == 404 and unknown.json()["code"] == "dossier_not_found"
    wrong_state = scan(client, desk, code)  # deliver_result on a dossier just received
    assert wrong_state.status_code == 409 and wrong_state.json()["code"] == "transition_refused"
    assert scan(client, desk, code, action="teleport").json()["code"] == "unknown_action"
    stale = scan(client, reception, code, action="withdraw", payload={"reason": "Rút hồ sơ"}, if_match=5)
    assert stale.status_code == 409 and stale.json()["code"] == "dossier_changed"
    assert client.post(SCAN, headers=desk, json={}).status_code == 422
    assert client.post(SCAN, headers=desk, json={"scanned": ""}).status_code == 422
    assert client.post(SCAN, headers=desk, json={"scanned": "x" * 2001}).status_code == 422
    assert client.post(SCAN, headers=desk, json={"scanned": code, "colour": "red"}).status_code == 422
    assert client.post(SCAN, json={"scanned": code}).status_code == 401
    assert scan(client, it, code).status_code == 403
    detail = client.get(f"/api/v1/dossiers/{code}", headers=head).json()
    assert detail["state"] == "received" and detail["version"] == 1  # nothing above changed it
