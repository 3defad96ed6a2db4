"""Fixtures for the hardware drivers: twins at the OS boundary, started and stopped per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gpiozero.pins.mock import MockFactory

from edge.simulation import LedBoardTwin, PrinterTwin


@pytest.fixture
def printer_twin() -> Iterator[PrinterTwin]:
    with PrinterTwin() as twin:
        yield twin


@pytest.fixture
def led_twin() -> Iterator[LedBoardTwin]:
    with LedBoardTwin() as twin:
        yield twin


@pytest.fixture
def pin_factory() -> Iterator[MockFactory]:
    factory = MockFactory()
    yield factory
    factory.reset()
