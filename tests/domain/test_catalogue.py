"""The procedure catalogue and the province: the shipped files load, and bad entries are named."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cloud.domain.catalogue import Catalogue, Province, parse_catalogue, parse_province
from cloud.domain.datafile import DataError
from cloud.domain.deadlines import TimeLimit
from tests.domain.support import load
from workdays import WorkingCalendar


def test_the_shipped_catalogue_loads(catalogue: Catalogue) -> None:
    assert len(catalogue.procedures) >= 40
    used = {p.field for p in catalogue.procedures}
    assert len(used) >= 8
    assert {"ho_tich", "dat_dai", "xay_dung", "dang_ky_kinh_doanh", "chung_thuc", "bao_tro_xa_hoi", "lao_dong", "giao_duc"} <= used
    assert {p.level for p in catalogue.procedures} == {"province", "district", "commune"}


def test_well_known_procedures(catalogue: Catalogue) -> None:
    birth = catalogue.procedure("HT.01")
    assert birth.name == "Đăng ký khai sinh" and birth.time_limit == TimeLimit.same_day() and birth.free
    assert catalogue.procedure("HT.02").time_limit == TimeLimit.same_day()
    household = catalogue.procedure("KD.01")
    assert household.level == "district" and household.time_limit == TimeLimit.days(3)
    assert [p.agency for p in household.lien_thong] == ["thue"]
    assert catalogue.procedure("XD.01").time_limit == TimeLimit.days(15)
    copies = catalogue.procedure("CT.01")
    assert copies.fees[0].amount_vnd == 2000 and copies.fees[0].per == "page"
    assert catalogue.procedure("DD.01").postal_return
    assert catalogue.field("ho_tich").name == "Hộ tịch"
    assert len(catalogue.in_field("chung_thuc")) >= 5
    with pytest.raises(KeyError):
        catalogue.procedure("NOPE")


def test_every_procedure_is_consistent(catalogue: Catalogue) -> None:
    for p in catalogue.procedures:
        assert p.documents, p.code
        if p.steps:
            assert p.step_budget <= p.time_limit.working_time(), p.code
        assert p.supplement_policy in ("pause", "restart")


def _broken(mutate: Any) -> str:
    data = copy.deepcopy(load("catalogue.yaml"))
    mutate(data)
    with pytest.raises(DataError) as info:
        parse_catalogue(data, "catalogue.yaml")
    return str(info.value)


def test_errors_name_the_file_the_entry_and_the_key() -> None:
    text = _broken(lambda d: d["procedures"][12].update(time_limit={"working_days": 0}))
    assert "catalogue.yaml: procedures[12] (code CT.02): time_limit: working_days must be a positive number" in text
    text = _broken(lambda d: d["procedures"][3].update(time_limit={"working_days": 2.5}))
    assert "procedures[3] (code HT.04): time_limit: a legal time limit in working days must be whole" in text
    text = _broken(lambda d: d["procedures"][0]["fees"][0].update(amount_vnd=-5))
    assert "procedures[0] (code HT.01): fees[0].amount_vnd" in text


def test_cross_references_are_checked() -> None:
    def many(d: dict[str, Any]) -> None:
        d["procedures"][1]["field"] = "thue_vu"
        d["procedures"][2]["code"] = "HT.01"
        d["procedures"][4]["time_limit"] = {"working_days": 2}  # its 3-day steps no longer fit
        d["procedures"][0]["lien_thong"][0]["agency"] = "hai_quan"
        d["fields"].append({"code": "ho_tich", "name": "again"})

    text = _broken(many)
    assert "procedures[1] (code HT.02): field: unknown field 'thue_vu'" in text
    assert "procedures[2] (code HT.01): code: duplicate of procedures[0]" in text
    assert "procedures[4] (code HT.05): steps: budgets add up to 24 working hours, more than the time limit of 2 working days" in text
    assert "procedures[0] (code HT.01): lien_thong[0].agency: unknown agency 'hai_quan'" in text
    assert "fields[11] (code ho_tich): code: duplicate of fields[0]" in text
    assert text.startswith("catalogue.yaml: 5 problems")


def test_structural_errors() -> None:
    with pytest.raises(DataError, match="must be a mapping"):
        parse_catalogue(["not", "a", "mapping"], "catalogue.yaml")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="unknown top-level keys procedure"):
        parse_catalogue({"fields": [], "procedure": []}, "catalogue.yaml")
    with pytest.raises(DataError, match="procedures: must be a list"):
        parse_catalogue({"fields": [], "procedures": {"a": 1}}, "catalogue.yaml")


# -- province ----------------------------------------------------------------------


def test_the_shipped_province_loads(province: Province, catalogue: Catalogue) -> None:
    assert len(province.districts) >= 3
    assert all(len(d.communes) >= 3 for d in province.districts)
    offices = list(province.offices())
    assert len({o.agency_id for o in offices}) == len(offices)
    assert province.find_office("dt.bptn").hours.day_length.total_seconds() == 8 * 3600
    for office in offices:
        WorkingCalendar(hours=office.hours)  # every office's hours make a calendar


def test_every_unit_has_a_department_for_its_level_fields(province: Province, catalogue: Catalogue) -> None:
    for level, unit in province.units():
        needed = {p.field for p in catalogue.procedures if p.level == level}
        handled = {f for dept in unit.departments for f in dept.fields}
        assert needed <= handled, (unit.name, needed - handled)


def test_province_errors() -> None:
    catalogue = parse_catalogue(load("catalogue.yaml"), "catalogue.yaml")
    data = copy.deepcopy(load("province.yaml"))
    data["districts"][0]["departments"][0]["fields"] = ["ho_tich", "phong_thuy"]
    data["districts"][1]["communes"][0]["code"] = "tdm"
    data["districts"][2]["office"]["agency_id"] = "H74.718"
    with pytest.raises(DataError) as info:
        parse_province(data, "province.yaml", catalogue)
    text = str(info.value)
    assert "province.yaml: district tdm (Thành phố Thủ Dầu Một): department tdm.ptp: unknown field 'phong_thuy'" in text
    assert "code 'tdm' already used by district tdm" in text
    assert "office agency_id 'H74.718' already used by district tdm" in text
    data = copy.deepcopy(load("province.yaml"))
    data["districts"][0]["office"]["hours"]["periods"] = ["07:30-12:00", "11:00-17:00"]
    with pytest.raises(DataError, match=r"province.yaml: districts\[0\].office.hours: .*overlap"):
        parse_province(data, "province.yaml")


def test_a_two_level_province_lists_communes_directly() -> None:
    data = {
        "code": "x",
        "name": "Tỉnh Mẫu",
        "office": {"code": "x.tt", "name": "Trung tâm Phục vụ hành chính công", "agency_id": "X00"},
        "communes": [
            {"code": "x.a", "name": "Xã A", "office": {"code": "x.a.bp", "name": "Bộ phận một cửa xã A", "agency_id": "X00.01"}},
        ],
    }
    province = parse_province(data, "two_level.yaml")
    assert [level for level, _ in province.units()] == ["province", "commune"]
