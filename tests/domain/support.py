"""Helpers for the domain tests: read a shipped data file, make a moment in Vietnam's time zone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.workdays.support import vn

__all__ = ["DATA", "THREE_LEVELS", "load", "vn"]

DATA = Path(__file__).resolve().parents[2] / "cloud" / "data"
THREE_LEVELS = Path(__file__).resolve().parents[1] / "data" / "three_levels"
"""The three-level sample (Bình Dương before 2025): a complete reference-data directory for the tests."""


def load(name: str, directory: Path = DATA) -> Any:
    """A data file of ``cloud/data`` (or ``directory``) loaded as YAML (tests may read files; the domain may not)."""
    return yaml.safe_load((directory / name).read_text(encoding="utf-8"))
