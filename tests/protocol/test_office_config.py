"""Office configuration files: validated before anything runs, errors name the key path."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from protocol.office_config import ConfigError, parse_office_config

ROOT = Path(__file__).resolve().parents[2]
DEMO = yaml.safe_load((ROOT / "firmware_configs" / "demo.yaml").read_text(encoding="utf-8"))


def test_every_shipped_config_is_valid():
    for path in (ROOT / "firmware_configs").glob("*.yaml"):
        parse_office_config(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)


def _broken(change) -> dict:
    data = yaml.safe_load(yaml.safe_dump(DEMO, allow_unicode=True))
    change(data)
    return data


@pytest.mark.parametrize("change, message", [
    (lambda d: d["counters"][0].update(fields=["xay-dung"]), "counters[0].fields: unknown field 'xay-dung'"),
    (lambda d: d["fields"][1].update(prefix="A"), "fields: prefix 'A' is used twice"),
    (lambda d: d["opening_hours"].update(mon=["07:00-11:30", "11:00-17:00"]), "opening_hours.mon: periods"),
    (lambda d: d["opening_hours"].update(tue=["7h-11h"]), "must look like 07:30-11:30"),
    (lambda d: d["office"].update(timezone="Asia/Saigon2"), "office.timezone"),
    (lambda d: d["hub"]["kiosk"][1].update(pin=17), "pin 17 is used twice"),
    (lambda d: d["hub"]["kiosk"][0].update(field="nope"), "hub.kiosk[0].field: unknown field 'nope'"),
])
def test_errors_name_the_key_path(change, message):
    with pytest.raises(ConfigError) as err:
        parse_office_config(_broken(change), "demo.yaml")
    assert message in str(err.value)
    assert str(err.value).startswith("demo.yaml: ")
