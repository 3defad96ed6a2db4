"""Which dossiers an officer reads."""

from __future__ import annotations

from cloud.domain.roles import Role
from cloud.domain.scope import AdminUnit, home_unit, scope_for

UNITS = {"bd": AdminUnit("bd.ttpvhcc", None), "tdm": AdminUnit("tdm.bptn", "bd"),
         "tdm.phu_hoa": AdminUnit("tdm.phu_hoa.bptn", "tdm"), "tdm.phu_cuong": AdminUnit("tdm.phu_cuong.bptn", "tdm"),
         "bc": AdminUnit("bc.bptn", "bd"), "bc.my_phuoc": AdminUnit("bc.my_phuoc.bptn", "bc")}


def test_a_unit_belongs_to_the_longest_administrative_prefix() -> None:
    assert home_unit("tdm.phu_hoa.tp_ht", UNITS) == "tdm.phu_hoa"
    assert home_unit("tdm.ptckh", UNITS) == "tdm"
    assert home_unit("tdm", UNITS) == "tdm"
    assert home_unit("tdmx.bptn", UNITS) is None  # a prefix of the text is not a prefix of the code
    assert home_unit("bd.stp", UNITS) == "bd"


def test_districts_see_their_communes_communes_only_themselves_the_province_everything() -> None:
    assert scope_for(Role.specialist, "tdm.ptckh", UNITS).offices == {
        "tdm.bptn", "tdm.phu_hoa.bptn", "tdm.phu_cuong.bptn"}
    assert scope_for(Role.reception, "tdm.phu_hoa", UNITS).offices == {"tdm.phu_hoa.bptn"}
    assert scope_for(Role.leader, "bd.vpubnd", UNITS).offices == {u.office for u in UNITS.values()}
    assert scope_for(Role.provincial_monitor, "x", UNITS).offices is None
    assert scope_for(Role.reception, "hn.bptn", UNITS).offices == frozenset()
