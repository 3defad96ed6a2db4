"""Office configuration files: validated before anything runs, errors name the key path."""

from __future__ import annotations

import copy
from datetime import time
from pathlib import Path

import pytest
import yaml

from protocol.office_config import ConfigError, OfficeConfig, parse_office_config
from workdays import OfficeHours, Period

ROOT = Path(__file__).resolve().parents[2]
DEMO_PATH = ROOT / "firmware_configs" / "sai-gon.yaml"
DEMO = yaml.safe_load(DEMO_PATH.read_text(encoding="utf-8"))


def test_demo_yaml_parses():
    cfg = parse_office_config(DEMO, "sai-gon.yaml")
    assert isinstance(cfg, OfficeConfig)
    assert (cfg.version, cfg.office.id, cfg.office.timezone, cfg.hub.id) == (1, "sai-gon", "Asia/Ho_Chi_Minh", "hub")
    assert [(f.code, f.prefix) for f in cfg.fields] == [("ho-tich", "A"), ("dat-dai", "B"), ("chung-thuc", "C"),
                                                        ("kinh-doanh", "D")]
    assert [c.number for c in cfg.counters] == [1, 2, 3]
    assert cfg.hours == OfficeHours(periods=(Period(start=time(7, 30), end=time(11, 30)),
                                             Period(start=time(13, 30), end=time(17))),
                                    weekdays=(0, 1, 2, 3, 4), saturday_morning="reception", cutoff=time(15))
    assert [f.catalogue for f in cfg.fields] == [("ho_tich",), ("dat_dai",), ("chung_thuc",), ("dang_ky_kinh_doanh",)]
    assert cfg.field("dat-dai").name == "Đất đai"
    assert cfg.counter(2).fields == ["dat-dai"] and cfg.counter(9) is None  # type: ignore[union-attr]  # counter(2) exists in the sample; counter() is Optional for an unknown number


def test_every_shipped_config_is_valid():
    paths = sorted((ROOT / "firmware_configs").glob("*.yaml"))
    assert paths
    for path in paths:
        parse_office_config(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)


def test_a_parsed_config_survives_json_and_back():
    cfg = parse_office_config(DEMO)
    assert parse_office_config(cfg.model_dump(mode="json")) == cfg


def test_opening_hours_is_refused_with_how_to_write_hours():
    """A file of before the one schedule: refused, not read beside ``hours`` (two definitions again)."""
    data = copy.deepcopy(DEMO)
    data["opening_hours"] = {"mon": ["07:00-11:30", "13:00-17:00"]}
    with pytest.raises(ConfigError) as err:
        parse_office_config(data, "old.yaml")
    assert "opening_hours is no longer read" in str(err.value)
    assert 'hours: {periods: ["07:30-11:30", "13:30-17:00"], weekdays: [mon, tue, wed, thu, fri]' in str(err.value)


def test_catalogue_fields_are_optional_for_older_files():
    data = copy.deepcopy(DEMO)
    for f in data["fields"]:
        f.pop("catalogue")
    assert all(f.catalogue == () for f in parse_office_config(data).fields)


def _errors(change) -> str:
    data = copy.deepcopy(DEMO)
    change(data)
    with pytest.raises(ConfigError) as err:
        parse_office_config(data, "sai-gon.yaml")
    text = str(err.value)
    assert all(line.startswith("sai-gon.yaml: ") for line in text.splitlines()), text
    return text


@pytest.mark.parametrize("change, message", [
    # unknown keys, wherever they are
    (lambda d: d["counters"][1].update(colour="red"), "sai-gon.yaml: counters.1.colour: Extra inputs are not permitted"),
    (lambda d: d["counters"][0]["keypad"].update(call=4), "sai-gon.yaml: counters.0.keypad.call: Extra inputs are not permitted"),
    (lambda d: d["hub"]["mqtt"].update(password="secret"), "sai-gon.yaml: hub.mqtt.password: Extra inputs are not permitted"),
    (lambda d: d.update(holidays=[]), "sai-gon.yaml: holidays: Extra inputs are not permitted"),
    # duplicates
    (lambda d: d["fields"][1].update(prefix="A"), "fields: prefix 'A' is used twice"),
    (lambda d: d["fields"][1].update(code="ho-tich"), "fields: code 'ho-tich' is used twice"),
    (lambda d: d["counters"][1].update(number=1), "counters: number 1 is used twice"),
    (lambda d: d["counters"][1].update(led_address=1), "counters: led_address 1 is used twice"),
    (lambda d: d["hub"]["kiosk"][1].update(pin=17), "kiosk and keypads: pin 17 is used twice"),
    (lambda d: d["counters"][0]["keypad"].update(next=17), "kiosk and keypads: pin 17 is used twice"),
    (lambda d: d["counters"][0]["keypad"].update(recall=5), "kiosk and keypads: pin 5 is used twice"),
    # hours: the calendar's OfficeHours
    (lambda d: d["hours"].update(periods=["07:00-11:30", "11:00-17:00"]),
     "sai-gon.yaml: hours: Value error, periods 07:00-11:30 and 11:00-17:00 overlap or are out of order"),
    (lambda d: d["hours"].update(periods=["11:30-07:30"]),
     "hours.periods.0: Value error, period 11:30-07:30 ends before it starts"),
    (lambda d: d["hours"].update(saturday_morning="sometimes"),
     "hours.saturday_morning: Input should be 'closed', 'reception' or 'working'"),
    (lambda d: d["hours"].update(weekdays=["mon", "sat"], saturday_morning="reception"),
     "hours: Value error, saturday_morning applies only when Saturday is not already a full working weekday"),
    (lambda d: d["hours"].update(opening="07:00"), "hours.opening: Extra inputs are not permitted"),
    (lambda d: d.pop("hours"), "sai-gon.yaml: hours: Field required"),
    # catalogue fields
    (lambda d: d["fields"][0].update(catalogue=["Hộ tịch"]), "fields.0.catalogue.0: String should match pattern"),
    (lambda d: d["fields"][0].update(catalogue=["ho_tich", "ho_tich"]),
     "fields.0.catalogue: Value error, catalogue: field 'ho_tich' is used twice"),
    # time zone
    (lambda d: d["office"].update(timezone="Asia/Saigon2"), "office.timezone: Value error, unknown time zone 'Asia/Saigon2'"),
    (lambda d: d["office"].update(timezone="UTC+7"), "office.timezone: Value error, unknown time zone 'UTC+7'"),
    (lambda d: d["office"].update(timezone="../../etc/passwd"), "office.timezone: Value error, unknown time zone"),
    # references and values
    (lambda d: d["counters"][0].update(fields=["xay-dung"]),
     "counters[0].fields: unknown field 'xay-dung'; known: ho-tich, dat-dai, chung-thuc, kinh-doanh"),
    (lambda d: d["counters"][0].update(fields=[]), "counters.0.fields: List should have at least 1 item"),
    (lambda d: d["hub"]["kiosk"][0].update(field="nope"), "hub.kiosk[0].field: unknown field 'nope'"),
    (lambda d: d["hub"]["kiosk"][0].update(pin=40), "hub.kiosk.0.pin: Input should be less than or equal to 27"),
    (lambda d: d["fields"][0].update(prefix="a"), "fields.0.prefix: String should match pattern '^[A-Z]{1,3}$'"),
    (lambda d: d["fields"][0].update(code="Ho Tich"), "fields.0.code: String should match pattern"),
    (lambda d: d["office"].update(id="Demo"), "office.id: String should match pattern"),
    (lambda d: d.update(version=0), "version: Input should be greater than or equal to 1"),
    (lambda d: d.update(fields=[]), "fields: List should have at least 1 item"),
    (lambda d: d["counters"][2].update(number=1000), "counters.2.number: Input should be less than or equal to 999"),
    (lambda d: d.pop("hub"), "sai-gon.yaml: hub: Field required"),
])
def test_errors_name_the_key_path(change, message):
    assert message in _errors(change)


def test_every_field_error_is_reported_at_once():
    def two_mistakes(d):
        d["counters"][1]["colour"] = "red"
        d["office"]["timezone"] = "Mars/Olympus"

    lines = _errors(two_mistakes).splitlines()
    assert len(lines) == 2
    assert any("counters.1.colour" in line for line in lines) and any("office.timezone" in line for line in lines)


def test_adjacent_periods_do_not_overlap():
    data = copy.deepcopy(DEMO)
    data["hours"]["periods"] = ["07:00-11:30", "11:30-12:00"]
    assert len(parse_office_config(data).hours.periods) == 2


def test_an_error_is_a_value_error_and_names_the_source():
    assert issubclass(ConfigError, ValueError)
    with pytest.raises(ConfigError, match=r"^<config>: \(top level\): Input should be a valid dictionary"):
        parse_office_config(["not", "a", "mapping"])
