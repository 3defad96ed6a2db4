"""Outside the read scope a dossier does not exist: every endpoint that takes its code answers as for a missing one.

The probe that found this acted on another district's dossier and got a 409
naming its receiving office; any answer that differs from "no such code"
(a 409 of the workflow, a 422 about the action or its payload, a stale
If-Match) confirms the code and tells something of the dossier. So each
endpoint with a dossier code, walked from the OpenAPI document (a new one is
walked too), is called by officers of other administrations holding every
role that may call it, with every action and with a stale version, and the
answer must be byte for byte the one for a code nobody was given.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from cloud.domain.workflow import Action
from tests.dossiers.conftest import bc_reception, commune, head, new_dossier, person, reception
from tests.dossiers.flows import advance

ben_cat_head = person("department_head", "bc.ptckh", "tp.son")  # another district's department
ben_cat_desk = person("results_desk", "bc-bptn", "tkq.hanh")  # another district's results desk

OUTSIDERS = {"bc_reception": bc_reception, "ben_cat_head": ben_cat_head, "ben_cat_desk": ben_cat_desk,
             "commune": commune}  # Phú Hòa ward sees its own dossiers, not the district's
"""Officers whose scope does not reach a dossier received in Thủ Dầu Một (tests/dossiers/test_scope.py)."""

UNSCOPED = {"/api/v1/public/dossiers/{code}"}
"""The public lookup shows no personal data and answers anyone (docs/access.md)."""

QUERY = {"/api/v1/dossiers/{code}/postal-quote": {"zone": "city"}}
"""What an endpoint needs besides the code to get past FastAPI's own validation."""

ACTIONS = [a.value for a in Action] + ["no_such_action"]


def requests_for(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path template, request kwargs) for every call that names a dossier: path {code} and the scanner."""
    paths = client.get("/openapi.json").json()["paths"]
    walked: list[tuple[str, str, dict[str, Any]]] = []
    for path, operations in sorted(paths.items()):
        if "{code}" not in path or path in UNSCOPED:
            continue
        for method in operations:
            if "{action}" in path:
                for action in ACTIONS:
                    concrete = path.replace("{action}", action)
                    walked.append((method.upper(), concrete, {"json": {}}))
                    walked.append((method.upper(), concrete, {"json": {}, "headers": {"If-Match": "1000"}}))
            else:
                walked.append((method.upper(), path, {"params": QUERY.get(path, {})}))
    assert {p for _, p, _ in walked} >= {"/api/v1/dossiers/{code}", "/api/v1/dossiers/{code}/fees",
                                        "/api/v1/dossiers/{code}/receipt", "/api/v1/dossiers/{code}/postal-quote",
                                        "/api/v1/dossiers/{code}/actions/approve"}
    for scanned_action in [None, *ACTIONS]:
        walked.append(("POST", "/api/v1/handovers/scan", {"json": {"scanned": "{code}", "action": scanned_action}}))
    walked.append(("POST", "/api/v1/handovers/scan", {"json": {"scanned": "{code}", "action": "start",
                                                               "if_match": 1000}}))
    return walked


def call(client: TestClient, who: dict[str, str], method: str, path: str, kwargs: dict[str, Any],
         code: str) -> httpx.Response:
    body = kwargs.get("json")
    if body is not None and "scanned" in body:
        body = {**body, "scanned": f"https://dichvucong.example/public/dossiers/{code}"}
    return client.request(method, path.replace("{code}", code), json=body, params=kwargs.get("params"),
                          headers={**who, **kwargs.get("headers", {})})


@pytest.mark.parametrize("state", ["received", "in_process"])
def test_every_endpoint_answers_an_outsider_as_for_a_code_that_does_not_exist(client: TestClient, state: str) -> None:
    code = new_dossier(client)["code"]
    if state != "received":
        advance(client, code, state)
    missing = code[:-4] + "9999"  # same agency and day, a number never given
    before = client.get(f"/api/v1/dossiers/{code}", headers=head).json()
    differs: list[str] = []
    for name, who in OUTSIDERS.items():
        for method, path, kwargs in requests_for(client):
            got = call(client, who, method, path, kwargs, code)
            absent = call(client, who, method, path, kwargs, missing)
            # Refused before the code matters (the role may not call it; a scan without an action by a
            # role that has no default one), or the missing code's 404: either way the same answer.
            assert absent.status_code == 404 or (absent.status_code, absent.json()["code"]) in {
                (403, "forbidden"), (422, "action_required")}, f"{method} {path}: {absent.text}"
            if (got.status_code, got.text) != (absent.status_code, absent.text.replace(missing, code)):
                differs.append(f"{name} {method} {path} {kwargs}: {got.status_code} {got.text[:160]} "
                               f"(missing code: {absent.status_code} {absent.text[:80]})")
    assert differs == []
    after = client.get(f"/api/v1/dossiers/{code}", headers=head).json()
    assert (after["version"], after["history"]) == (before["version"], before["history"])  # nothing was done to it


def test_an_officer_in_scope_still_gets_the_workflow_s_answer(client: TestClient) -> None:
    """The scope check does not hide the workflow from those who read the dossier: a wrong move is still a 409."""
    code = new_dossier(client)["code"]
    refused = client.post(f"/api/v1/dossiers/{code}/actions/approve", headers=reception, json={"result_ref": "GCN 1"})
    assert refused.status_code == 409 and refused.json()["code"] == "transition_refused", refused.text
    stale = client.post(f"/api/v1/dossiers/{code}/actions/assign", headers={**head, "If-Match": "1000"},
                        json={"officer": "cv.an"})
    assert stale.status_code == 409 and stale.json()["code"] == "dossier_changed", stale.text
