"""Moving a dossier along over HTTP, for the tests of receipts, postal returns, scans, sub-tasks and notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from tests.dossiers.conftest import REGISTER, VN, clerk, desk, head, leader, specialist

PATH: list[tuple[str, dict[str, str], dict[str, Any], str]] = [
    ("assign", head, {"officer": "cv.an"}, "assigned"),
    ("start", specialist, {}, "in_process"),
    ("submit", specialist, {"officer": "pct.minh", "unit": "tdm.ubnd"}, "submitted_for_approval"),
    ("approve", leader, {"result_ref": "GCN 46A8012345"}, "approved"),
    ("register_result", clerk, REGISTER, "registered"),
    ("deliver_result", desk, {}, "result_at_desk"),
]
"""The usual way of a dossier to the results desk, with the state after each step."""


def act(client: TestClient, code: str, action: str, who: dict[str, str], payload: dict[str, Any] | None = None):
    return client.post(f"/api/v1/dossiers/{code}/actions/{action}", headers=who, json=payload or {})


def advance(client: TestClient, code: str, state: str) -> None:
    """Take ``code`` (just received) along :data:`PATH` until it is in ``state``."""
    for action, who, payload, reached in PATH:
        if action == "register_result":
            payload = signed_today(client, code)
        response = act(client, code, action, who, payload)
        assert response.status_code == 200, response.text
        if reached == state:
            return
    raise AssertionError(f"{state} is not on the path")


def signed_today(client: TestClient, code: str, reader: dict[str, str] = head) -> dict[str, Any]:
    """A register_result payload for ``code`` signed on the day of its last change (the office's local day)."""
    detail = client.get(f"/api/v1/dossiers/{code}", headers=reader).json()
    day = datetime.fromisoformat(detail["dossier"]["updated_at"]).astimezone(VN).date()
    return {**REGISTER, "signed_on": day.isoformat()}


def events(client: TestClient, code: str, action: str) -> list[dict[str, Any]]:
    """The history rows of ``action`` on dossier ``code``."""
    history = client.get(f"/api/v1/dossiers/{code}", headers=head).json()["history"]
    return [e for e in history if e["action"] == action]
