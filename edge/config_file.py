"""Reading an office configuration from its YAML file (the I/O half of protocol.office_config)."""

from __future__ import annotations

from pathlib import Path

import yaml

from protocol.office_config import ConfigError, OfficeConfig, parse_office_config


def load_office_config(path: Path) -> OfficeConfig:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for an impossible date (days_off)
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    return parse_office_config(data, str(path))
