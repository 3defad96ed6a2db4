"""Helpers for the domain tests: read a shipped data file, make a moment in Vietnam's time zone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.workdays.support import vn

__all__ = ["DATA", "load", "vn"]

DATA = Path(__file__).resolve().parents[2] / "cloud" / "data"


def load(name: str) -> Any:
    """A data file of ``cloud/data`` loaded as YAML (tests may read files; the domain may not)."""
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
