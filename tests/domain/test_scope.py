"""Which dossiers an officer reads: by the province's tree, whatever its shape (two levels and three)."""

from __future__ import annotations

import pytest

from cloud.domain.catalogue import Province
from cloud.domain.roles import Role
from cloud.domain.scope import AdminUnit, home_unit, scope_for

UNITS = {"bd": AdminUnit("bd-ttpvhcc", None), "tdm": AdminUnit("tdm-bptn", "bd"),
         "tdm.phu_hoa": AdminUnit("tdm-phu-hoa-bptn", "tdm"), "tdm.phu_cuong": AdminUnit("tdm-phu-cuong-bptn", "tdm"),
         "bc": AdminUnit("bc-bptn", "bd"), "bc.my_phuoc": AdminUnit("bc-my-phuoc-bptn", "bc")}


def test_a_unit_belongs_to_the_longest_administrative_prefix() -> None:
    assert home_unit("tdm.phu_hoa.tp_ht", UNITS) == "tdm.phu_hoa"
    assert home_unit("tdm.ptckh", UNITS) == "tdm"
    assert home_unit("tdm", UNITS) == "tdm"
    assert home_unit("tdmx.bptn", UNITS) is None  # a prefix of the text is not a prefix of the code
    assert home_unit("bd.stp", UNITS) == "bd"


def test_an_office_id_belongs_to_the_unit_of_that_office() -> None:
    """The desk's own officers have the office id as their unit (``tdm-bptn``): it is not a dotted code."""
    assert home_unit("tdm-bptn", UNITS) == "tdm"
    assert home_unit("tdm-phu-hoa-bptn", UNITS) == "tdm.phu_hoa"
    assert scope_for(Role.reception, "tdm-phu-hoa-bptn", UNITS).offices == {"tdm-phu-hoa-bptn"}
    assert home_unit("tdm-nowhere", UNITS) is None


def test_districts_see_their_communes_communes_only_themselves_the_province_everything() -> None:
    assert scope_for(Role.specialist, "tdm.ptckh", UNITS).offices == {
        "tdm-bptn", "tdm-phu-hoa-bptn", "tdm-phu-cuong-bptn"}
    assert scope_for(Role.reception, "tdm.phu_hoa", UNITS).offices == {"tdm-phu-hoa-bptn"}
    assert scope_for(Role.leader, "bd.vpubnd", UNITS).offices == {u.office for u in UNITS.values()}
    assert scope_for(Role.provincial_monitor, "x", UNITS).offices is None
    assert scope_for(Role.reception, "hn.bptn", UNITS).offices == frozenset()


def admin_units(tree: Province) -> dict[str, AdminUnit]:
    """What the store reads from the admin_unit rows the seed writes (cloud/dossiers/seed.py)."""
    return {p.code: AdminUnit(p.unit.office.code, p.parent.code if p.parent else None) for p in tree.walk()}


#: per sample: a commune, its office, a department of it, the units above it (nearest first), another commune's office
SAMPLES = {
    "province": ("hcm.sai_gon", "sai-gon", "hcm.sai_gon.vhxh", ["hcm"], "ben-thanh"),
    "three_levels": ("tdm.phu_hoa", "tdm-phu-hoa-bptn", "tdm.phu_hoa.vh_xh", ["tdm", "bd"], "bc-my-phuoc-bptn"),
}


@pytest.mark.parametrize("sample", SAMPLES)
def test_read_scopes_follow_the_tree_of_either_sample(sample: str, request: pytest.FixtureRequest) -> None:
    tree: Province = request.getfixturevalue(sample)
    units = admin_units(tree)
    commune, office, department, above, elsewhere = SAMPLES[sample]
    everything = {o.code for o in tree.offices()}
    # a commune's officers (its sections, its desk) see the commune's office only
    for unit in (commune, department, office):
        assert scope_for(Role.specialist, unit, units).offices == {office}, unit
    # every unit above it sees it, the province everything
    for unit in above:
        seen = scope_for(Role.department_head, unit, units).offices
        assert seen is not None and office in seen, unit
        assert seen == everything if unit == tree.code else elsewhere not in seen, unit
    assert scope_for(Role.leader, f"{tree.code}.vpubnd", units).offices == everything
    assert scope_for(Role.provincial_monitor, department, units).offices is None  # the monitor: all, from anywhere
    if len(above) > 1:  # three levels: a district sees its own office and its communes', nobody else's
        district = above[0]
        assert scope_for(Role.leader, district, units).offices == {
            units[c].office for c in units if c == district or units[c].parent == district}
