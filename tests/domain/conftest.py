"""Fixtures for the pure domain rules: the shipped data files and a calendar.

Tests may read files (the domain may not): the data files are loaded here once
and handed to the pure parsers, so a broken data file fails these tests.
"""

from __future__ import annotations

import pytest

from cloud.domain.calendar import CalendarOverrides, WorkingCalendar, parse_calendar_overrides
from cloud.domain.catalogue import Catalogue, Province, parse_catalogue, parse_province
from cloud.domain.postal import PostalTariff, parse_postal_tariff
from tests.domain.support import load


@pytest.fixture(scope="session")
def overrides() -> CalendarOverrides:
    return parse_calendar_overrides(load("calendar_overrides.yaml"), "calendar_overrides.yaml")


@pytest.fixture(scope="session")
def calendar(overrides: CalendarOverrides) -> WorkingCalendar:
    """The default office week (Mon–Fri, 07:30–11:30 and 13:30–17:00, cut-off 15:00) with the shipped overrides."""
    return WorkingCalendar(overrides=overrides)


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return parse_catalogue(load("catalogue.yaml"), "catalogue.yaml")


@pytest.fixture(scope="session")
def province(catalogue: Catalogue) -> Province:
    return parse_province(load("province.yaml"), "province.yaml", catalogue)


@pytest.fixture(scope="session")
def tariff() -> PostalTariff:
    return parse_postal_tariff(load("postal_fees.yaml"), "postal_fees.yaml")
