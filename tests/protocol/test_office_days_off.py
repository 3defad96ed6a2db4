"""The office configuration's local days off (``days_off``): validated, errors name the key path."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest
import yaml

from edge.config_file import load_office_config
from protocol.office_config import ConfigError, LocalDayOff, parse_office_config

ROOT = Path(__file__).resolve().parents[2]
DEMO = yaml.safe_load((ROOT / "firmware_configs" / "sai-gon.yaml").read_text(encoding="utf-8"))


def _with(days_off: object) -> dict[str, object]:
    data = copy.deepcopy(DEMO)
    data["days_off"] = days_off
    return data


def test_days_off_are_optional_and_parsed() -> None:
    assert parse_office_config(DEMO).days_off == []
    cfg = parse_office_config(_with([{"date": date(2027, 3, 10), "name": " Ngày giải phóng tỉnh "}]))
    assert cfg.days_off == [LocalDayOff(date=date(2027, 3, 10), name="Ngày giải phóng tỉnh")]
    assert parse_office_config(cfg.model_dump(mode="json")) == cfg


@pytest.mark.parametrize(("days_off", "message"), [
    ([{"date": "2027-02-30", "name": "x"}], "sai-gon.yaml: days_off.0.date: Input should be a valid date"),
    ([{"date": "2027-03-10"}], "sai-gon.yaml: days_off.0.name: Field required"),
    ([{"date": "2027-03-10", "name": "   "}], "sai-gon.yaml: days_off.0.name: Value error, a day off needs a name"),
    ([{"date": "2027-03-10", "name": "a", "reason": "b"}], "sai-gon.yaml: days_off.0.reason: Extra inputs are not permitted"),
    ([{"date": "2027-03-10", "name": "a"}, {"date": "2027-03-10", "name": "b"}],
     "sai-gon.yaml: days_off: Value error, 2027-03-10 is listed twice (days_off[0] and days_off[1])"),
    ({"2027-03-10": "a"}, "sai-gon.yaml: days_off: Input should be a valid list"),
])
def test_bad_days_off_name_the_key_path(days_off: object, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_office_config(_with(days_off), "sai-gon.yaml")
    assert message in str(err.value)


def test_an_impossible_unquoted_date_in_the_yaml_is_a_config_error(tmp_path: Path) -> None:
    text = (ROOT / "firmware_configs" / "sai-gon.yaml").read_text(encoding="utf-8")
    path = tmp_path / "office.yaml"
    path.write_text(text + "days_off:\n  - {date: 2027-02-30, name: x}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"office.yaml: not valid YAML: day is out of range"):
        load_office_config(path)
