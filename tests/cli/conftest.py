"""Fixtures of the command-line tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.children import Child


@pytest.fixture
def onestop() -> Iterator[type[Child]]:
    """``onestop(args, log, env)`` starts a child; whatever is still running at the end is killed."""
    children: list[Child] = []

    class Tracked(Child):
        def __init__(self, args: list[str], log: Path, env: dict[str, str]) -> None:
            super().__init__(args, log, env)
            children.append(self)

    yield Tracked
    for child in children:
        child.kill()
