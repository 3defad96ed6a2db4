"""The shipped province and the demo accounts fit together: a dossier goes round Phường Sài Gòn with them.

The demo's officers (cloud/auth/demo.py) are placed in the units of
cloud/data/province.yaml; if a unit or an office id moved, the workflow's
guards (only the receiving office's desk receives and returns, only the
handling department assigns…) would refuse them, and this walk would stop.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cloud.auth.demo import DEMO_USERS, ensure_demo_users
from cloud.db.dossiers import admin_unit_table
from tests.dossiers.conftest import SHIPPED, papers
from tests.dossiers.flows import act, signed_today

pytestmark = pytest.mark.parametrize("reference_data", [SHIPPED], indirect=True, ids=["two_levels"])


def as_demo(client: TestClient, username: str) -> dict[str, str]:
    users = client.app.state.users  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state
    users.issue_token(username, kind="api", name="tests", ttl=timedelta(days=1), secret=f"demo-{username}")
    return {"Authorization": f"Bearer demo-{username}"}


def test_the_demo_officers_take_a_dossier_round_sai_gon(client: TestClient, reference_data: Path) -> None:
    ensure_demo_users(client.app.state.users)  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state
    who = {username: as_demo(client, username) for username, *_ in DEMO_USERS}
    received = client.post("/api/v1/dossiers", headers=who["tiepnhan"],
                           json={"procedure": "KD.01", "office": "sai-gon", "applicant_name": "Nguyễn Văn Bình",
                                 "documents": papers(client, "KD.01")})
    assert received.status_code == 201, received.text
    dossier = received.json()
    assert dossier["handling_unit"] == "hcm.sai_gon.kt"  # a district-level procedure, at the ward since 2025
    assert dossier["code"].startswith("H29.79.01-")  # the ward's agency id
    code = dossier["code"]
    for action, username, payload in (
        ("assign", "truongphong", {"officer": "chuyenvien"}),
        ("start", "chuyenvien", {}),
        ("submit", "chuyenvien", {"officer": "lanhdao", "unit": "hcm.sai_gon"}),
        ("approve", "lanhdao", {"result_ref": "GCN 41A8012345"}),
        ("register_result", "vanthu", None),
        ("deliver_result", "trakq", {}),
    ):
        if payload is None:
            payload = {**signed_today(client, code, who["vanthu"]), "signer": "Phạm Quang Minh"}
        response = act(client, code, action, who[username], payload)
        assert response.status_code == 200, (action, response.text)
    for reader in ("giamsat", "tiepnhan", "truongphong"):
        assert client.get(f"/api/v1/dossiers/{code}", headers=who[reader]).status_code == 200, reader
    civil = client.post("/api/v1/dossiers", headers=who["tiepnhan"],
                        json={"procedure": "HT.01", "office": "sai-gon", "applicant_name": "Trần Thị Hoa",
                              "documents": papers(client, "HT.01")})
    assert civil.status_code == 201 and civil.json()["handling_unit"] == "hcm.sai_gon.vp", civil.text


def test_the_seed_writes_the_tree(client: TestClient, reference_data: Path) -> None:
    """One admin_unit row per unit, its parent from the tree, its level as kind, the ward's kind and code kept."""
    with client.app.state.dossiers.engine.connect() as conn:  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state
        rows = {r.id: r for r in conn.execute(select(admin_unit_table)).all()}
    assert (rows["hcm"].parent, rows["hcm"].kind, rows["hcm"].office) == (None, "province", "hcm-ttpvhcc")
    sai_gon = rows["hcm.sai_gon"]
    assert (sai_gon.parent, sai_gon.kind, sai_gon.office, sai_gon.name) == ("hcm", "commune", "sai-gon", "Phường Sài Gòn")
    assert sai_gon.data["unit_kind"] == "phuong" and sai_gon.data["division_code"] == 26740
    assert rows["hcm.con_dao"].data["postal_zone"] == "remote" and rows["hcm.phu_loi"].data["postal_zone"] == "province"
    assert {r.parent for code, r in rows.items() if code != "hcm"} == {"hcm"}  # two levels
