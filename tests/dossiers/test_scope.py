"""Officers read the dossiers of their administration and those their unit takes part in; nobody else's.

On both samples: the shipped two-level province (Thành phố Hồ Chí Minh:
city → wards) and the three-level one of the tests (Bình Dương before 2025:
province → district → commune). The scope follows the tree the data gives.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.dossiers.conftest import (
    OFFICE,
    SHIPPED,
    THREE_LEVELS,
    bc_reception,
    commune,
    head,
    new_dossier,
    person,
    reception,
    specialist,
)
from tests.dossiers.flows import act


@dataclass(frozen=True)
class Sample:
    office: str
    """Where the dossier is received."""
    reception: dict[str, str]
    head: dict[str, str]
    """The head of the department that handles KD.01 there."""
    specialist: dict[str, str]
    above: dict[str, str]
    """An officer of the unit right above the receiving one (a district's department; in two levels, a city's)."""
    monitor: dict[str, str]
    other_head: dict[str, str]
    other_desk: dict[str, str]
    """A department head and the desk of another administration (another district, another ward)."""
    partner: dict[str, str]
    partner_unit: str
    """An officer of a commune or ward that does not read the dossier until a sub-task is sent to its unit."""


THREE = Sample(
    office=OFFICE, reception=reception, head=head, specialist=specialist,
    above=person("department_head", "bd.stp", "gd.tuphap"),  # a provincial department: the whole province
    monitor=person("provincial_monitor", "bd.vpubnd", "gs.thu"),  # province level: reads everything
    other_head=person("department_head", "bc.ptckh", "tp.son"),  # another district
    other_desk=bc_reception,
    partner=commune, partner_unit="tdm.phu_hoa",  # Phú Hòa ward, under Thủ Dầu Một
)
TWO = Sample(
    office="sai-gon", reception=person("reception", "sai-gon", "tn.sg"),
    head=person("department_head", "hcm.sai_gon.kt", "tp.sg"), specialist=person("specialist", "hcm.sai_gon.kt", "cv.sg"),
    above=person("department_head", "hcm.stc", "gd.taichinh"),  # Sở Tài chính: the whole city
    monitor=person("provincial_monitor", "hcm.vpubnd", "gs.hcm"),
    other_head=person("department_head", "hcm.ben_thanh.kt", "tp.bt"),  # another ward
    other_desk=person("reception", "ben-thanh", "tn.bt"),
    partner=person("specialist", "hcm.tan_dinh.vhxh", "cv.td"), partner_unit="hcm.tan_dinh.vhxh",
)
SAMPLES = [pytest.param(THREE_LEVELS, THREE, id="three_levels"), pytest.param(SHIPPED, TWO, id="two_levels")]


def codes(client: TestClient, headers: dict[str, str]) -> set[str]:
    response = client.get("/api/v1/dossiers", headers=headers)
    assert response.status_code == 200, response.text
    return {d["code"] for d in response.json()}


def received(client: TestClient, s: Sample) -> str:
    return str(new_dossier(client, office=s.office, headers=s.reception)["code"])


def in_process(client: TestClient, s: Sample, code: str) -> None:
    officer = s.specialist["Authorization"].removeprefix("Bearer test-")
    for action, who, payload in (("assign", s.head, {"officer": officer}), ("start", s.specialist, {})):
        assert act(client, code, action, who, payload).status_code == 200


@pytest.mark.parametrize(("reference_data", "s"), SAMPLES, indirect=["reference_data"])
def test_another_administration_neither_lists_nor_opens_a_dossier(client: TestClient, s: Sample) -> None:
    code = received(client, s)
    for reader in (s.reception, s.head, s.above, s.monitor):  # its own unit, the one above, the monitor
        assert code in codes(client, reader)
    assert code not in codes(client, s.other_head) and code not in codes(client, s.other_desk)
    for path in (f"/api/v1/dossiers/{code}", f"/api/v1/dossiers/{code}/fees", f"/api/v1/dossiers/{code}/receipt"):
        hidden = client.get(path, headers=s.other_desk)
        assert hidden.status_code == 404 and hidden.json()["code"] == "dossier_not_found", path  # as if absent
        assert client.get(path, headers=s.reception).status_code == 200, path
    assert client.get(f"/api/v1/public/dossiers/{code}").status_code == 200  # the public status stays public


@pytest.mark.parametrize(("reference_data", "s"), SAMPLES, indirect=["reference_data"])
def test_a_commune_sees_another_s_dossier_once_a_sub_task_is_sent_to_it(client: TestClient, s: Sample) -> None:
    """Liên thông: a commune (a ward) outside the receiving administration reads the dossier it takes part in."""
    code = received(client, s)
    assert code not in codes(client, s.partner)
    assert client.get(f"/api/v1/dossiers/{code}", headers=s.partner).status_code == 404
    in_process(client, s, code)
    sent = act(client, code, "request_verification", s.specialist,
               {"unit": s.partner_unit, "subject": "Xác minh địa điểm kinh doanh", "time_limit": {"working_days": 2}})
    assert sent.status_code == 200, sent.text
    assert code in codes(client, s.partner)
    assert client.get(f"/api/v1/dossiers/{code}", headers=s.partner).status_code == 200
    assert code not in codes(client, s.other_head)  # the others still do not


@pytest.mark.parametrize(("reference_data", "s"), SAMPLES, indirect=["reference_data"])
def test_an_inbox_of_another_administration_is_refused(client: TestClient, s: Sample) -> None:
    assert client.get("/api/v1/subtasks", headers=s.partner).status_code == 200  # its own
    assert client.get("/api/v1/subtasks", headers=s.above, params={"unit": s.partner_unit}).status_code == 200  # below it
    refused = client.get("/api/v1/subtasks", headers=s.other_desk, params={"unit": s.partner_unit})
    assert refused.status_code == 403 and refused.json()["code"] == "outside_scope"


def test_a_district_reads_its_communes_inboxes(client: TestClient) -> None:
    assert client.get("/api/v1/subtasks", headers=head, params={"unit": "tdm.phu_hoa"}).status_code == 200  # its commune
