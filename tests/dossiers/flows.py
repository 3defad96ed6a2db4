"""Moving a dossier along over HTTP, for the tests of receipts, postal returns, scans, sub-tasks and notifications."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.dossiers.conftest import desk, head, leader, specialist

PATH: list[tuple[str, dict[str, str], dict[str, Any], str]] = [
    ("assign", head, {"officer": "cv.an"}, "assigned"),
    ("start", specialist, {}, "in_process"),
    ("submit", specialist, {"officer": "pct.minh", "unit": "tdm.ubnd"}, "submitted_for_approval"),
    ("approve", leader, {"result_ref": "GCN 46A8012345"}, "approved"),
    ("deliver_result", desk, {}, "result_at_desk"),
]
"""The usual way of a dossier to the results desk, with the state after each step."""


def act(client: TestClient, code: str, action: str, who: dict[str, str], payload: dict[str, Any] | None = None):
    return client.post(f"/api/v1/dossiers/{code}/actions/{action}", headers=who, json=payload or {})


def advance(client: TestClient, code: str, state: str) -> None:
    """Take ``code`` (just received) along :data:`PATH` until it is in ``state``."""
    for action, who, payload, reached in PATH:
        response = act(client, code, action, who, payload)
        assert response.status_code == 200, response.text
        if reached == state:
            return
    raise AssertionError(f"{state} is not on the path")


def events(client: TestClient, code: str, action: str) -> list[dict[str, Any]]:
    """The history rows of ``action`` on dossier ``code``."""
    history = client.get(f"/api/v1/dossiers/{code}", headers=head).json()["history"]
    return [e for e in history if e["action"] == action]
