"""The hub's firmware file (``firmware_configs/{office}.yaml``) written from the registry (pure: returns text).

The text is what a person would write: hours as ``"07:30-11:30"``, one flow
mapping per field, counter and kiosk button, comments that say where it came
from, and a commented hub section when the registry had none (its pins and
ports are defaults to check against the wiring). ``onestop config check``
accepts the result: :func:`office_yaml` parses it back before returning it.
"""

from __future__ import annotations

from typing import Any

import yaml

from cloud.registry.model import RegistryOffice, hub_config
from protocol.office_config import OfficeConfig, parse_office_config
from workdays import WEEKDAY_NAMES, OfficeHours


def hours_data(hours: OfficeHours) -> dict[str, Any]:
    """``hours`` in the file's form: periods as text, weekdays by name."""
    return {
        "periods": [str(p) for p in hours.periods],
        "weekdays": [WEEKDAY_NAMES[d] for d in hours.weekdays],
        "saturday_morning": hours.saturday_morning,
        "saturday_period": str(hours.saturday_period),
        "cutoff": f"{hours.cutoff:%H:%M}" if hours.cutoff is not None else None,
    }


def _flow(value: Any) -> str:
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, sort_keys=False, width=1000)
    return text.removesuffix("\n").removesuffix("\n...").strip()  # a lone scalar ends its document with "..."


def _block(key: str, value: Any) -> str:
    return yaml.safe_dump({key: value}, allow_unicode=True, default_flow_style=False, sort_keys=False,
                          width=1000).rstrip("\n")


def _items(key: str, items: list[dict[str, Any]]) -> str:
    if not items:
        return f"{key}: []"
    return "\n".join([f"{key}:", *(f"  - {_flow(item)}" for item in items)])


def office_yaml(office: RegistryOffice) -> str:
    """The firmware file of ``office``; raises :class:`~cloud.registry.model.RegistryError` if it cannot run a hub."""
    config, generated = hub_config(office)
    data = config.model_dump(mode="json", exclude_defaults=False)
    hub = data["hub"]
    lines = [
        f"# {config.office.name}: the office configuration of its hub, generated from the cloud's registry",
        f"# (onestop office export {config.office.id}). Change the office in the registry (onestop office …,",
        "# /api/v1/registry) and export again rather than editing this file: the cloud refuses a file",
        "# whose hours differ from the registry's.",
        f"# Validate with: onestop config check firmware_configs/{config.office.id}.yaml",
        _block("version", config.version),
        _block("office", data["office"]),
        "# The office's one schedule: the queue opens in it, deadlines count it (workdays.OfficeHours).",
        "\n".join(["hours:", *(f"  {k}: {_flow(v)}" for k, v in hours_data(config.hours).items())]),
        "# Public holidays (Tết included) and the government's swaps need no entry: the hub knows them.",
        _items("days_off", [{"date": d.date.isoformat(), "name": d.name} for d in config.days_off]),
        "# catalogue: the fields of the procedure catalogue each queue field serves.",
        _items("fields", [{k: v for k, v in f.items() if k != "catalogue" or v} for f in data["fields"]]),
        _items("counters", data["counters"]),
    ]
    kiosk = hub.pop("kiosk")
    hub_text = "\n".join([_block("hub", {k: v for k, v in hub.items()}), _items("  kiosk", kiosk)])
    if generated:
        lines.append("# No hub is recorded for this office yet: these are defaults (local broker, USB serial")
        lines.append("# printer and LED bus, one kiosk button per field, keypad pins in order). Check them against")
        lines.append("# the wiring, then import the corrected file to record them in the registry.")
    lines.append(hub_text)
    text = "\n".join(lines) + "\n"
    parsed = parse_office_config(yaml.safe_load(text), f"{config.office.id}.yaml")
    assert parsed == config, "the written file must say what the registry holds"
    return text


def exported_config(office: RegistryOffice) -> OfficeConfig:
    return hub_config(office)[0]
