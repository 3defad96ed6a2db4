"""Fixtures for the calendar: the shipped override file and the default office week.

Tests may read files (the calendar may not, except through its loader): the
shipped overrides are loaded once here, so a broken override file fails these
tests.
"""

from __future__ import annotations

import pytest

from workdays import CalendarOverrides, WorkingCalendar, load_calendar_overrides


@pytest.fixture(scope="session")
def overrides() -> CalendarOverrides:
    return load_calendar_overrides()


@pytest.fixture(scope="session")
def calendar(overrides: CalendarOverrides) -> WorkingCalendar:
    """The default office week (Mon–Fri, 07:30–11:30 and 13:30–17:00, cut-off 15:00) with the shipped overrides."""
    return WorkingCalendar(overrides=overrides)
