"""The real cloud app of tests/dossiers (migrated, seeded, its clock moved by the test), here on SQLite only.

The printouts read through the same queries as the JSON slip, which
tests/dossiers runs on both databases; rendering and reading a PDF back is
what these tests add, and it costs seconds, so once is enough.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossiers.conftest import client, clock, reference_data, settings, store

__all__ = ["client", "clock", "reference_data", "settings", "store"]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{(tmp_path / 'cloud' / 'cloud.db').resolve()}"
