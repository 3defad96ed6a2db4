"""The registry of offices on a real SQLite database seeded with the shipped province and catalogue.

The tests find the units they need in the seeded data (the unit whose office
is ``sai-gon``, another commune, the province's root) instead of naming
them, so they hold for whichever province.yaml hosts the demo office.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Iterator
from datetime import time
from pathlib import Path
from typing import Any

import pytest
import structlog
import yaml
from sqlalchemy import Engine, select

from cloud.auth.users import UserStore
from cloud.db import migrate
from cloud.db.engine import make_engine
from cloud.db.office_configs import office_ids
from cloud.db.tables import counter_table, office_table
from cloud.dossiers.store import DossierStore
from cloud.registry import RegistryError, RegistryStore, catalogue_fields, office_yaml
from protocol.office_config import parse_office_config
from protocol.topics import ID_PATTERN
from tests.registry.seeding import REFERENCE, seed_and_load_offices
from workdays import OfficeHours, Period

ROOT = Path(__file__).resolve().parents[2]
DEMO_YAML = ROOT / "firmware_configs" / "sai-gon.yaml"
DEMO = yaml.safe_load(DEMO_YAML.read_text(encoding="utf-8"))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'cloud.db'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def files(tmp_path: Path) -> Path:
    directory = tmp_path / "firmware_configs"
    directory.mkdir()
    shutil.copy(DEMO_YAML, directory / "sai-gon.yaml")
    return directory


@pytest.fixture
def registry(engine: Engine, files: Path) -> RegistryStore:
    seed_and_load_offices(engine, files)
    return RegistryStore(engine, catalogue_fields(REFERENCE))


def _write(files: Path, name: str, change: Any) -> None:
    data = copy.deepcopy(DEMO)
    change(data)
    (files / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _other_commune(registry: RegistryStore) -> Any:
    """A unit that is neither the demo office's, nor above it."""
    units = registry.units()
    home = registry.unit_of_office("sai-gon")
    above = set()
    code: str | None = home.parent
    while code is not None:
        above.add(code)
        code = units[code].parent
    return next(u for u in units.values() if u.code != home.code and u.code not in above and u.parent is not None
                and ID_PATTERN.match(u.office))


def _counters(engine: Engine) -> list[tuple[int, list[str]]]:
    with engine.connect() as conn:
        return [(r.number, r.fields) for r in conn.execute(
            select(counter_table).where(counter_table.c.office == "sai-gon").order_by(counter_table.c.number))]


def _version(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(office_table.c.config_version).where(office_table.c.id == "sai-gon"))
                   .scalar_one())


# -- the startup import -------------------------------------------------------------------------


def test_the_demo_file_seeds_the_registry_linked_to_its_unit(registry: RegistryStore) -> None:
    record = registry.show("sai-gon")
    unit = registry.unit_of_office("sai-gon")
    assert record.unit == unit and unit.name == "Phường Sài Gòn"
    assert [(f.code, f.catalogue) for f in record.office.fields] == [
        ("ho-tich", ("ho_tich",)), ("dat-dai", ("dat_dai",)), ("chung-thuc", ("chung_thuc",)),
        ("kinh-doanh", ("dang_ky_kinh_doanh",))]
    assert record.office.hours == unit.hours  # the file's schedule is the province data's: one definition


def test_a_dead_office_is_refused_with_a_clear_log_line(engine: Engine, files: Path) -> None:
    _write(files, "nowhere.yaml", lambda d: d["office"].update(id="nowhere"))
    with structlog.testing.capture_logs() as logs:
        loaded = seed_and_load_offices(engine, files)
    assert [c.office.id for c in loaded] == ["sai-gon"]
    assert office_ids(engine) == {"sai-gon"}
    (refused,) = [e for e in logs if e["event"] == "offices.config_refused"]
    assert refused["office"] == "nowhere" and "nowhere.yaml" in refused["path"]
    assert "'nowhere' is not the one-stop office of any unit of the province data" in refused["reason"]
    assert "sai-gon" in refused["reason"] and "dead office" in refused["reason"]


def test_a_file_whose_hours_differ_from_the_registry_is_refused_and_changes_nothing(
        engine: Engine, files: Path, registry: RegistryStore) -> None:
    _write(files, "sai-gon.yaml", lambda d: (d.update(version=2),
                                             d["hours"].update(periods=["07:00-11:30", "13:00-17:00"]),
                                             d["counters"].pop()))
    with structlog.testing.capture_logs() as logs:
        assert seed_and_load_offices(engine, files) == []
    (refused,) = [e for e in logs if e["event"] == "offices.config_refused"]
    assert "hours 07:00-11:30, 13:00-17:00" in refused["reason"]
    assert "differ from the registry's 07:30-11:30, 13:30-17:00" in refused["reason"]
    assert "onestop office hours sai-gon" in refused["reason"]
    assert _version(engine) == 1 and [n for n, _ in _counters(engine)] == [1, 2, 3]


def test_a_newer_file_upgrades_the_registry_and_an_older_one_changes_nothing(
        engine: Engine, files: Path, registry: RegistryStore) -> None:
    registry.set_counter("sai-gon", 4, ["ho-tich"])  # version 2
    _write(files, "sai-gon.yaml", lambda d: d["counters"].pop())  # version 1: older than the registry
    seed_and_load_offices(engine, files)
    assert _version(engine) == 2 and [n for n, _ in _counters(engine)] == [1, 2, 3, 4]
    _write(files, "sai-gon.yaml", lambda d: (d.update(version=3), d["counters"].pop()))
    seed_and_load_offices(engine, files)
    assert _version(engine) == 3 and [n for n, _ in _counters(engine)] == [1, 2]


def test_unknown_catalogue_fields_are_refused_one_line_each(engine: Engine, files: Path) -> None:
    _write(files, "sai-gon.yaml", lambda d: (d["fields"][0].update(catalogue=["ho_tich", "khai_sinh"]),
                                             d["fields"][1].update(catalogue=["nha_o"])))
    with structlog.testing.capture_logs() as logs:
        assert seed_and_load_offices(engine, files) == []
    (refused,) = [e for e in logs if e["event"] == "offices.config_refused"]
    assert "queue field 'ho-tich': unknown catalogue field 'khai_sinh'" in refused["reason"]
    assert "queue field 'dat-dai': unknown catalogue field 'nha_o'" in refused["reason"]
    assert office_ids(engine) == set()


# -- changes ----------------------------------------------------------------------------------------


def test_an_office_only_for_a_unit_of_the_province(registry: RegistryStore) -> None:
    with pytest.raises(RegistryError, match="'cho-lon-cu' is not the one-stop office of any unit") as err:
        registry.add_office("cho-lon-cu")
    assert "known offices:" in str(err.value) and "sai-gon" in str(err.value)
    with pytest.raises(RegistryError, match="already in the registry"):
        registry.add_office("sai-gon")
    other = _other_commune(registry)
    record = registry.add_office(other.office)
    assert (record.office.version, record.unit, record.office.office.name) == (1, other, other.office_name)
    assert record.office.hours == other.hours and record.office.counters == []


def test_every_change_bumps_the_version_and_rewrites_the_counter_table(
        engine: Engine, registry: RegistryStore) -> None:
    registry.set_field("sai-gon", "bao-tro", name="Bảo trợ xã hội", prefix="E", catalogue=["bao_tro_xa_hoi"])
    assert _version(engine) == 2
    registry.set_counter("sai-gon", 4, ["bao-tro", "ho-tich"])
    assert _version(engine) == 3 and _counters(engine)[-1] == (4, ["bao-tro", "ho-tich"])
    registry.set_counter("sai-gon", 1, ["ho-tich"])
    assert _version(engine) == 4 and _counters(engine)[0] == (1, ["ho-tich"])
    assert registry.get("sai-gon").counter(1).keypad is not None  # type: ignore[union-attr]  # hardware kept
    registry.remove_counter("sai-gon", 2)
    assert _version(engine) == 5 and [n for n, _ in _counters(engine)] == [1, 3, 4]
    registry.set_field("sai-gon", "bao-tro", name="Bảo trợ xã hội – Người có công",
                       catalogue=["bao_tro_xa_hoi", "nguoi_co_cong"])
    field = registry.get("sai-gon").field("bao-tro")
    assert field is not None and (field.prefix, field.catalogue) == ("E", ("bao_tro_xa_hoi", "nguoi_co_cong"))


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r.set_counter("sai-gon", 5, ["xay-dung"]), "counter 5: unknown queue field 'xay-dung'; known: ho-tich"),
    (lambda r: r.set_field("sai-gon", "ho-tich", catalogue=["khai_sinh"]), "unknown catalogue field 'khai_sinh'"),
    (lambda r: r.set_field("sai-gon", "xay-dung", name="Xây dựng"), "needs a name and a prefix"),
    (lambda r: r.set_field("sai-gon", "xay-dung", name="Xây dựng", prefix="A"), "prefix 'A' is used twice"),
    (lambda r: r.remove_counter("sai-gon", 9), "has no counter 9; its counters: 1, 2, 3"),
    (lambda r: r.set_counter("nowhere", 1, ["ho-tich"]), "office 'nowhere' is not in the registry"),
])
def test_a_refused_change_says_why_and_changes_nothing(engine: Engine, registry: RegistryStore, change: Any,
                                                       message: str) -> None:
    with pytest.raises(RegistryError, match=message.replace("(", r"\(")):
        change(registry)
    assert _version(engine) == 1 and [n for n, _ in _counters(engine)] == [1, 2, 3]


def test_officers_are_assigned_within_the_office_administration(engine: Engine, registry: RegistryStore) -> None:
    home = registry.unit_of_office("sai-gon")
    other = _other_commune(registry)
    users = UserStore(engine)
    users.add("tn.lan", full_name="Trần Ngọc Lan", unit=f"{home.code}.vp", roles=["reception"], password=None)
    users.add("nv.binh", full_name="Nguyễn Văn Bình", unit=other.code, roles=["reception"], password=None)
    record = registry.assign("sai-gon", "tn.lan", [1, 3])
    assert [(o.full_name, o.counters) for o in record.officers] == [("Trần Ngọc Lan", (1, 3))]
    assert _version(engine) == 2
    with pytest.raises(RegistryError, match="Nguyễn Văn Bình.*does not include office 'sai-gon'"):
        registry.assign("sai-gon", "nv.binh")
    with pytest.raises(RegistryError, match="has no counter 7"):
        registry.assign("sai-gon", "tn.lan", [7])
    with pytest.raises(RegistryError, match="no user 'ghost'"):
        registry.assign("sai-gon", "ghost")
    registry.remove_counter("sai-gon", 3)  # her other counter stays
    assert registry.show("sai-gon").officers[0].counters == (1,)
    with pytest.raises(RegistryError, match="tn.lan is assigned to counter 1 only"):
        registry.remove_counter("sai-gon", 1)
    assert registry.unassign("sai-gon", "tn.lan").officers == ()
    with pytest.raises(RegistryError, match="not assigned"):
        registry.unassign("sai-gon", "tn.lan")


def test_deadlines_count_with_the_registry_hours(engine: Engine, registry: RegistryStore) -> None:
    dossiers = DossierStore(engine)
    assert dossiers.calendar_of("sai-gon").hours.periods[0].start == time(7, 30)
    later = OfficeHours(periods=(Period(start=time(8), end=time(12)), Period(start=time(13, 30), end=time(17, 30))),
                        saturday_morning="closed")
    registry.set_hours("sai-gon", later)
    dossiers.offices_changed()
    assert dossiers.calendar_of("sai-gon").hours == later


# -- the hub's file ------------------------------------------------------------------------------------


def test_export_writes_the_demo_file_back(registry: RegistryStore) -> None:
    text = office_yaml(registry.get("sai-gon"))
    assert parse_office_config(yaml.safe_load(text), "export") == parse_office_config(DEMO, "sai-gon.yaml")
    assert "No hub is recorded" not in text


def test_export_follows_the_registry_and_writes_a_commented_hub_for_a_new_office(registry: RegistryStore) -> None:
    registry.set_hours("sai-gon", OfficeHours(saturday_morning="closed"))
    assert parse_office_config(yaml.safe_load(office_yaml(registry.get("sai-gon")))).hours.saturday_morning == \
        "closed"
    other = _other_commune(registry).office
    registry.add_office(other)
    with pytest.raises(RegistryError, match="has no queue field yet"):
        office_yaml(registry.get(other))
    registry.set_field(other, "ho-tich", name="Hộ tịch", prefix="A", catalogue=["ho_tich"])
    registry.set_field(other, "dat-dai", name="Đất đai", prefix="B")
    registry.set_counter(other, 1, ["ho-tich"])
    registry.set_counter(other, 2, ["dat-dai", "ho-tich"])
    text = office_yaml(registry.get(other))
    assert "# No hub is recorded for this office yet" in text
    config = parse_office_config(yaml.safe_load(text), "export")
    assert [b.field for b in config.hub.kiosk] == ["ho-tich", "dat-dai"]
    assert [c.led_address for c in config.counters] == [1, 2]
    assert config.version == 5 and config.hours == registry.unit_of_office(other).hours
