"""Fixtures for the pure domain rules: the shipped data files and a calendar.

Tests may read files (the domain may not): the data files are loaded here once
and handed to the pure parsers, so a broken data file fails these tests.
"""

from __future__ import annotations

import pytest

from cloud.domain.catalogue import Catalogue, Province, parse_catalogue, parse_province
from cloud.domain.postal import PostalTariff, parse_postal_tariff
from tests.domain.support import THREE_LEVELS, load
from tests.workdays.conftest import calendar, overrides

__all__ = ["calendar", "catalogue", "overrides", "province", "tariff", "three_levels"]  # the calendar fixtures are shared with tests/workdays


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return parse_catalogue(load("catalogue.yaml"), "catalogue.yaml")


@pytest.fixture(scope="session")
def province(catalogue: Catalogue) -> Province:
    return parse_province(load("province.yaml"), "province.yaml", catalogue)


@pytest.fixture(scope="session")
def three_levels(catalogue: Catalogue) -> Province:
    """The three-level sample (province → district → commune) of tests/data/three_levels."""
    return parse_province(load("province.yaml", THREE_LEVELS), "three_levels/province.yaml", catalogue)


@pytest.fixture(scope="session")
def tariff() -> PostalTariff:
    return parse_postal_tariff(load("postal_fees.yaml"), "postal_fees.yaml")
