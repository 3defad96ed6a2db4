"""/api/v1/registry on the real app (SQLite file, the demo office imported at startup)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from cloud.app import create_app
from cloud.auth.users import UserStore
from cloud.domain.roles import Role
from protocol.office_config import parse_office_config
from tests.auth.conftest import add_accounts, as_role, settings_in

BASE = "/api/v1/registry/offices"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_in(tmp_path))) as test_client:
        users: UserStore = test_client.app.state.users  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state
        add_accounts(users, "sai-gon")
        users.add("tn.lan", full_name="Trần Ngọc Lan", unit="hcm.sai_gon.vp", roles=["reception"], password=None)
        users.add("nv.binh", full_name="Nguyễn Văn Bình", unit="hcm.ben_thanh.vp", roles=["reception"], password=None)
        yield test_client


def test_it_changes_the_office_and_the_export_and_deadlines_follow(client: TestClient) -> None:
    it = as_role(Role.it)
    shown = client.get(f"{BASE}/sai-gon", headers=it).json()
    assert (shown["version"], shown["unit"]["name"], shown["hub"]) == (1, "Phường Sài Gòn", True)
    changed = client.put(f"{BASE}/sai-gon/counters/4", json={"fields": ["ho-tich", "dat-dai"]}, headers=it)
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2 and changed.json()["counters"][-1]["fields"] == ["ho-tich", "dat-dai"]
    assigned = client.put(f"{BASE}/sai-gon/officers/tn.lan", json={"counters": [4]}, headers=as_role(Role.admin))
    assert assigned.json()["officers"] == [{"username": "tn.lan", "full_name": "Trần Ngọc Lan",
                                            "unit": "hcm.sai_gon.vp", "counters": [4]}]
    hours = {"periods": ["08:00-12:00", "13:00-17:00"], "weekdays": ["mon", "tue", "wed", "thu", "fri"],
             "saturday_morning": "closed", "cutoff": "16:00"}
    assert client.put(f"{BASE}/sai-gon/hours", json=hours, headers=it).json()["version"] == 4
    exported = client.get(f"{BASE}/sai-gon/export", headers=it)
    assert exported.headers["content-type"].startswith("application/yaml")
    config = parse_office_config(yaml.safe_load(exported.text), "export")
    assert config.version == 4 and [c.number for c in config.counters] == [1, 2, 3, 4]
    assert config.hours.cutoff == time(16) and config.counter(1).keypad.next == 5  # type: ignore[union-attr]  # counter(1) has a keypad in this test; both are Optional in general
    # the office views of the queue API read the same rows
    assert [c["number"] for c in client.get("/api/v1/offices/sai-gon", headers=it).json()["counters"]] == [1, 2, 3, 4]
    calendar = client.app.state.dossiers.calendar_of("sai-gon")  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state
    assert calendar.hours.periods[0].start == time(8) and calendar.hours.cutoff == time(16)


def test_refusals_are_clear(client: TestClient) -> None:
    it = as_role(Role.it)
    dead = client.post(BASE, json={"office": "cho-lon-cu"}, headers=it)
    assert dead.status_code == 422 and dead.json()["code"] == "registry_refused"
    assert "'cho-lon-cu' is not the one-stop office of any unit of the province data" in dead.json()["detail"]
    assert dead.json()["message_vi"] == "Thay đổi danh mục bộ phận một cửa không hợp lệ."
    assert client.get(f"{BASE}/cho-lon-cu", headers=it).status_code == 404
    unknown = client.put(f"{BASE}/sai-gon/fields/ho-tich", json={"catalogue": ["khai_sinh"]}, headers=it)
    assert unknown.status_code == 422 and "unknown catalogue field 'khai_sinh'" in unknown.json()["detail"]
    outside = client.put(f"{BASE}/sai-gon/officers/nv.binh", json={}, headers=it)
    assert outside.status_code == 422 and "does not include office 'sai-gon'" in outside.json()["detail"]
    assert client.get(f"{BASE}/sai-gon", headers=it).json()["version"] == 1
    assert client.put(f"{BASE}/sai-gon/counters/1", json={"fields": ["ho-tich"]},
                      headers=as_role(Role.reception)).status_code == 403
