"""The province's administrative units: one recursive tree whose root is the province.

Since 1 July 2025 Vietnam runs local government on two levels: the province
(tỉnh, thành phố trung ương) and the commune (xã, phường, đặc khu) under it.
The seeds describe the earlier three: province → district → commune. Which
units exist and how they nest is province.yaml's business, not the code's: a
:class:`Unit` holds its own ``units``, so both shapes (and deeper ones) are
configuration alone. A unit's competence level (the catalogue's
:data:`~cloud.domain.catalogue.base.Level`) follows from its ``kind``.

Each unit has a one-stop office whose ``code`` is the office id of the whole
system (MQTT topics, the broker's ACL, the hub's configuration, the dossier
tables): the MQTT id alphabet :data:`protocol.topics.ID_PATTERN`. Unit and
department codes keep their own dotted alphabet (``hcm.sai_gon.vhxh``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field

from cloud.domain.catalogue.base import Code, Entry, Level, Slug, Text
from cloud.domain.postal import PostalZone
from protocol.topics import ID_PATTERN
from workdays import OfficeHours

UnitKind = Literal[
    "tinh", "thanh_pho_trung_uong",  # province level
    "huyen", "quan", "thi_xa", "thanh_pho",  # district level (until 30 June 2025); thanh_pho: a city of a province
    "xa", "phuong", "thi_tran", "dac_khu",  # commune level (thi_tran: until 30 June 2025; dac_khu: since)
]
"""The kind of an administrative unit (loại đơn vị hành chính), spelled without diacritics."""

LEVEL_OF_KIND: dict[str, Level] = {
    "tinh": "province", "thanh_pho_trung_uong": "province",
    "huyen": "district", "quan": "district", "thi_xa": "district", "thanh_pho": "district",
    "xa": "commune", "phuong": "commune", "thi_tran": "commune", "dac_khu": "commune",
}
LEVELS: tuple[Level, ...] = ("province", "district", "commune")
"""Highest first: a unit's level is never above its parent's."""

OfficeId = Annotated[str, Field(pattern=ID_PATTERN.pattern)]
"""An office id: lowercase letters, digits and ``-``, at most 63 characters (the MQTT topic alphabet)."""


class Department(Entry):
    """A specialist department (phòng, sở) or, at a commune, an officer's post (công chức Tư pháp – Hộ tịch).

    ``fields``: the fields whose dossiers it handles. ``agency``: set when the
    unit belongs to a partner agency (e.g. the tax office), naming the
    catalogue's partner-agency code.
    """

    code: Code
    name: Text
    fields: tuple[Slug, ...] = ()
    agency: Slug | None = None


class OneStopOffice(Entry):
    """The one-stop desk of a unit: Trung tâm Phục vụ hành chính công (or, before 2025, Bộ phận tiếp nhận và trả kết quả).

    ``code``: the office id (``sai-gon``), the same on every side; the desk's
    officers have it as their unit. ``agency_id``: the unit's electronic
    identifier, which starts its dossier codes (``{agency}-{yymmdd}-{seq:04d}``).
    """

    code: OfficeId
    name: Text
    agency_id: Annotated[str, Field(pattern=r"^[A-Z0-9](?:[A-Z0-9._]*[A-Z0-9])?$")]
    hours: OfficeHours = Field(default_factory=OfficeHours)
    counters: Annotated[int, Field(ge=1, le=200)] | None = None


class Unit(Entry):
    """An administrative unit, its one-stop office and departments, and the units under it.

    ``division_code``: the official code of the unit in the national list of
    administrative divisions (mã đơn vị hành chính, as in the
    ``vietnam-provinces`` package), when known. ``postal_zone``: the zone of
    the postal tariff for results sent to this unit; a unit that does not set
    it takes its nearest ancestor's (``province`` at the root).
    """

    code: Code
    name: Text
    kind: UnitKind
    division_code: Annotated[int, Field(ge=1)] | None = None
    note: str | None = None
    postal_zone: PostalZone | None = None
    office: OneStopOffice
    departments: tuple[Department, ...] = ()
    units: tuple[Unit, ...] = ()

    @property
    def level(self) -> Level:
        return LEVEL_OF_KIND[self.kind]


@dataclass(frozen=True)
class PlacedUnit:
    """A unit where the tree puts it: its parent, its depth (the root is 0) and the postal zone it inherits."""

    unit: Unit
    parent: Unit | None
    depth: int
    postal_zone: PostalZone

    @property
    def level(self) -> Level:
        return self.unit.level

    @property
    def code(self) -> str:
        return self.unit.code


class Province(Unit):
    """The root of the tree: the province and, through ``units``, everything under it.

    Its shape is checked by :func:`~cloud.domain.catalogue.parse_province`
    (the root is of province level, no unit is above its parent's level,
    codes are unique), which reports each problem by entry.
    """

    def walk(self) -> Iterator[PlacedUnit]:
        """Every unit, parents before their children (depth first, in file order), the province first."""
        stack: list[tuple[Unit, Unit | None, int, PostalZone]] = [(self, None, 0, self.postal_zone or "province")]
        while stack:
            unit, parent, depth, zone = stack.pop()
            yield PlacedUnit(unit, parent, depth, zone)
            stack.extend((child, unit, depth + 1, child.postal_zone or zone) for child in reversed(unit.units))

    def offices(self) -> Iterator[OneStopOffice]:
        for placed in self.walk():
            yield placed.unit.office

    def find(self, code: str) -> PlacedUnit:
        """The unit of code ``code``, placed in the tree."""
        for placed in self.walk():
            if placed.unit.code == code:
                return placed
        raise KeyError(f"no unit {code!r} in {self.name}")

    def find_office(self, code: str) -> OneStopOffice:
        return self.unit_of_office(code).unit.office

    def unit_of_office(self, office: str) -> PlacedUnit:
        """The unit whose one-stop office has id ``office``."""
        for placed in self.walk():
            if placed.unit.office.code == office:
                return placed
        raise KeyError(f"no one-stop office {office!r} in {self.name}")

    def levels(self) -> frozenset[Level]:
        """The competence levels this tree has units of: all three before 2025, province and commune since."""
        return frozenset(placed.level for placed in self.walk())

    def serving_level(self, level: Level) -> Level:
        """The level whose units handle the catalogue's procedures of competence ``level`` in this tree.

        ``level`` itself when the tree has units of that level. Otherwise the
        nearest lower level it has, then the nearest higher: since 1 July 2025
        the district's procedures passed to the commune (Law on the
        Organisation of Local Government 2025; Decrees on the division of
        competences between the two levels), so in a two-level province a
        district-level procedure is received and handled at the commune/ward.
        """
        present = self.levels()
        if level in present:
            return level
        index = LEVELS.index(level)
        for candidate in (*LEVELS[index + 1:], *reversed(LEVELS[:index])):
            if candidate in present:
                return candidate
        return "province"  # unreachable: the root is always of province level

    def units_serving(self, level: Level) -> tuple[PlacedUnit, ...]:
        """The units that receive the procedures of competence ``level`` (see :meth:`serving_level`)."""
        serving = self.serving_level(level)
        return tuple(placed for placed in self.walk() if placed.level == serving)
