"""Helpers for the domain tests: read a shipped data file, make a moment in Vietnam's time zone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from cloud.domain.calendar import VN_TZ

DATA = Path(__file__).resolve().parents[2] / "cloud" / "data"


def load(name: str) -> Any:
    """A data file of ``cloud/data`` loaded as YAML (tests may read files; the domain may not)."""
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in Vietnam's time zone."""
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)
