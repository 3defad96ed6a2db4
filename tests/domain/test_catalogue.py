"""The procedure catalogue and the province: the shipped files load, and bad entries are named."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import vietnam_provinces as vp

from cloud.domain.catalogue import Catalogue, Province, parse_catalogue, parse_province
from cloud.domain.datafile import DataError
from cloud.domain.deadlines import TimeLimit
from protocol.topics import ID_PATTERN
from tests.domain.support import THREE_LEVELS, load
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
        parse_catalogue(["not", "a", "mapping"], "catalogue.yaml")  # type: ignore[arg-type]  # not a mapping on purpose: the test checks the error
    with pytest.raises(DataError, match="unknown top-level keys procedure"):
        parse_catalogue({"fields": [], "procedure": []}, "catalogue.yaml")
    with pytest.raises(DataError, match="procedures: must be a list"):
        parse_catalogue({"fields": [], "procedures": {"a": 1}}, "catalogue.yaml")


# -- province ----------------------------------------------------------------------

SHIPPED_OFFICES = ["hcm-ttpvhcc", "sai-gon", "ben-thanh", "tan-dinh", "thu-dau-mot", "phu-loi", "dau-tieng", "can-gio",
                   "con-dao"]


def test_the_shipped_province_is_two_levels_with_its_real_wards(province: Province) -> None:
    assert (province.code, province.name, province.level) == ("hcm", "Thành phố Hồ Chí Minh", "province")
    assert [o.code for o in province.offices()] == SHIPPED_OFFICES
    assert province.levels() == {"province", "commune"}
    assert all(p.parent is province for p in province.walk() if p.unit is not province)
    sai_gon = province.unit_of_office("sai-gon")
    assert (sai_gon.code, sai_gon.unit.name, sai_gon.unit.division_code) == ("hcm.sai_gon", "Phường Sài Gòn", 26740)
    assert sai_gon.unit.office.name == "Trung tâm Phục vụ hành chính công phường Sài Gòn"
    assert [d.name for d in sai_gon.unit.departments] == [
        "Văn phòng HĐND và UBND", "Phòng Kinh tế, Hạ tầng và Đô thị", "Phòng Văn hóa – Xã hội"]
    assert [d.name for d in province.find("hcm.dau_tieng").unit.departments][1] == "Phòng Kinh tế"  # a xã's


def test_the_offices_keep_the_demo_hours(province: Province) -> None:
    """07:30-11:30 and 13:30-17:00 on weekdays, Saturday morning for reception, 15:00 cut-off: what the queue uses too."""
    hours = province.find_office("sai-gon").hours
    assert [(p.start.isoformat("minutes"), p.end.isoformat("minutes")) for p in hours.periods] == [
        ("07:30", "11:30"), ("13:30", "17:00")]
    assert hours.weekdays == (0, 1, 2, 3, 4) and hours.saturday_morning == "reception"
    assert hours.cutoff is not None and hours.cutoff.isoformat("minutes") == "15:00"
    assert hours.day_length.total_seconds() == 7.5 * 3600


def test_every_unit_name_and_code_is_the_official_one(province: Province) -> None:
    """Names and division codes as in the national list (the ``vietnam-provinces`` package), after 1 July 2025."""
    city = vp.Province.from_code(vp.ProvinceCode(province.division_code))
    assert province.name == city.name
    for placed in province.walk():
        if placed.unit is province:
            continue
        assert placed.unit.division_code is not None, placed.code
        ward = vp.Ward.from_code(vp.WardCode(placed.unit.division_code))
        assert (placed.unit.name, ward.province_code) == (ward.name, city.code), placed.code
        kind = {"phường": "phuong", "xã": "xa", "đặc khu": "dac_khu"}[ward.division_type.value]
        assert placed.unit.kind == kind, placed.code


@pytest.mark.parametrize("sample", ["province", "three_levels"])
def test_both_samples_load(sample: str, request: pytest.FixtureRequest) -> None:
    tree: Province = request.getfixturevalue(sample)
    offices = list(tree.offices())
    assert len({o.agency_id for o in offices}) == len(offices)
    assert all(ID_PATTERN.fullmatch(o.code) for o in offices)
    for office in offices:
        WorkingCalendar(hours=office.hours)  # every office's hours make a calendar


def test_the_three_level_sample_keeps_its_districts(three_levels: Province) -> None:
    districts = [p for p in three_levels.walk() if p.level == "district"]
    assert len(districts) >= 3
    assert all(len(d.unit.units) >= 3 and all(c.level == "commune" for c in d.unit.units) for d in districts)
    assert three_levels.find_office("dt-bptn").hours.day_length.total_seconds() == 8 * 3600
    assert three_levels.find("tdm.phu_hoa").parent is three_levels.find("tdm").unit
    assert three_levels.find_office("tdm-phu-hoa-bptn").name == "Bộ phận một cửa UBND phường Phú Hòa"


@pytest.mark.parametrize("sample", ["province", "three_levels"])
def test_every_unit_has_a_department_for_the_fields_it_serves(sample: str, catalogue: Catalogue,
                                                                request: pytest.FixtureRequest) -> None:
    """A procedure is received at the units of its level, or, where the tree has no such level, of the level
    that took its competence (district → commune since 2025): each of them handles its field."""
    tree: Province = request.getfixturevalue(sample)
    for placed in tree.walk():
        needed = {p.field for p in catalogue.procedures if tree.serving_level(p.level) == placed.level}
        handled = {f for dept in placed.unit.departments for f in dept.fields}
        assert needed <= handled, (placed.unit.name, needed - handled)


def test_district_procedures_are_served_by_the_communes_of_a_two_level_province(
        province: Province, three_levels: Province, catalogue: Catalogue) -> None:
    assert {p.level for p in catalogue.procedures} == {"province", "district", "commune"}
    assert [province.serving_level(level) for level in ("province", "district", "commune")] == [
        "province", "commune", "commune"]
    assert [three_levels.serving_level(level) for level in ("province", "district", "commune")] == [
        "province", "district", "commune"]
    assert [p.code for p in province.units_serving("district")][:2] == ["hcm.sai_gon", "hcm.ben_thanh"]


def test_province_errors(catalogue: Catalogue) -> None:
    data = copy.deepcopy(load("province.yaml", THREE_LEVELS))
    data["units"][0]["departments"][0]["fields"] = ["ho_tich", "phong_thuy"]
    data["units"][1]["units"][0]["code"] = "tdm"
    data["units"][2]["office"]["agency_id"] = "H74.718"
    data["units"][3]["office"]["code"] = "tdm-bptn"
    with pytest.raises(DataError) as info:
        parse_province(data, "province.yaml", catalogue)
    text = str(info.value)
    assert "province.yaml: units[0] (code tdm) (Thành phố Thủ Dầu Một): department tdm.ptp: unknown field 'phong_thuy'" in text
    assert "units[1].units[0] (code tdm) (Phường Mỹ Phước): code 'tdm' already used by units[0] (code tdm)" in text
    assert "units[2] (code dt) (Huyện Dầu Tiếng): office agency_id 'H74.718' already used by units[0] (code tdm)" in text
    assert "units[3] (code pg) (Huyện Phú Giáo): office id 'tdm-bptn' already used by units[0] (code tdm)" in text
    data = copy.deepcopy(load("province.yaml", THREE_LEVELS))
    data["units"][0]["office"]["hours"]["periods"] = ["07:30-12:00", "11:00-17:00"]
    with pytest.raises(DataError, match=r"province.yaml: units\[0\].office.hours: .*overlap"):
        parse_province(data, "province.yaml")


def test_office_ids_use_the_mqtt_alphabet() -> None:
    """The office id is the one on the MQTT topics: the old dotted codes are refused, with the key path."""
    data = copy.deepcopy(load("province.yaml"))
    data["units"][0]["office"]["code"] = "hcm.sai_gon.bptn"
    data["office"]["code"] = "HCM-TTPVHCC"
    with pytest.raises(DataError) as info:
        parse_province(data, "province.yaml")
    text = str(info.value)
    assert "province.yaml: units[0].office.code: String should match pattern '^[a-z0-9][a-z0-9-]{0,62}$'" in text
    assert "province.yaml: office.code: String should match pattern" in text


def test_the_tree_shape_is_checked() -> None:
    office = {"name": "Trung tâm Phục vụ hành chính công", "agency_id": "X00"}
    data = {
        "code": "x", "name": "Xã Gốc", "kind": "xa", "office": {"code": "x", **office},
        "units": [
            {"code": "x.h", "name": "Huyện Dưới", "kind": "huyen", "office": {"code": "x-h", **office, "agency_id": "X01"}},
            {"code": "x.t", "name": "Tỉnh Dưới", "kind": "tinh", "office": {"code": "x-t", **office, "agency_id": "X02"}},
        ],
    }
    with pytest.raises(DataError) as info:
        parse_province(data, "tree.yaml")
    text = str(info.value)
    assert "tree.yaml: kind: the root must be a province (tinh, thanh_pho_trung_uong), got xa" in text
    assert "tree.yaml: units[0] (code x.h): kind: a huyen (district level) cannot be under x, a xa (commune level)" in text
    assert "tree.yaml: units[1] (code x.t): kind: a tinh (province level) cannot be under x" in text


def test_any_shape_works_by_configuration() -> None:
    """Two levels, and a deeper tree (a commune holding another commune-level unit): no code knows the depth."""
    def unit(code: str, kind: str, *children: dict[str, Any]) -> dict[str, Any]:
        return {"code": code, "name": f"Đơn vị {code}", "kind": kind, "units": list(children),
                "office": {"code": code.replace(".", "-"), "name": f"Bộ phận một cửa {code}", "agency_id": code.upper()}}

    two = parse_province(unit("x", "tinh", unit("x.a", "xa"), unit("x.b", "phuong")), "two_level.yaml")
    assert [(p.code, p.level, p.parent.code if p.parent else None) for p in two.walk()] == [
        ("x", "province", None), ("x.a", "commune", "x"), ("x.b", "commune", "x")]
    deep = parse_province(unit("y", "tinh", unit("y.h", "huyen", unit("y.h.q", "quan", unit("y.h.q.x", "xa")))), "deep.yaml")
    assert [(p.code, p.depth) for p in deep.walk()] == [("y", 0), ("y.h", 1), ("y.h.q", 2), ("y.h.q.x", 3)]
    assert deep.unit_of_office("y-h-q-x").parent is deep.find("y.h.q").unit
