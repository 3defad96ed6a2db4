"""The province's administrative units: province → district → commune, each with its one-stop office.

Since 1 July 2025 Vietnam runs local government on two levels (province,
commune); a province may therefore list communes directly, and a catalogue
may simply not use the district level. The tree is data: which units exist
and how they nest is province.yaml's business, not the code's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import Field

from cloud.domain.catalogue.base import Code, Entry, Level, Slug, Text
from cloud.domain.postal import PostalZone
from workdays import OfficeHours


class Department(Entry):
    """A specialist department (phòng, sở) or, at a commune, an officer's post (công chức Tư pháp – Hộ tịch).

    ``fields``: the fields whose dossiers it handles. ``agency``: set when the
    unit belongs to a partner agency (e.g. the tax sub-department), naming the
    catalogue's partner-agency code.
    """

    code: Code
    name: Text
    fields: tuple[Slug, ...] = ()
    agency: Slug | None = None


class OneStopOffice(Entry):
    """The one-stop desk of a unit: Bộ phận tiếp nhận và trả kết quả, or the provincial Trung tâm Phục vụ hành chính công.

    ``agency_id``: the unit's electronic identifier, which starts its dossier
    codes (``{agency}-{yymmdd}-{seq:04d}``).
    """

    code: Code
    name: Text
    agency_id: Annotated[str, Field(pattern=r"^[A-Z0-9](?:[A-Z0-9._]*[A-Z0-9])?$")]
    hours: OfficeHours = Field(default_factory=OfficeHours)
    counters: Annotated[int, Field(ge=1, le=200)] | None = None


class Commune(Entry):
    code: Code
    name: Text
    kind: Literal["xa", "phuong", "thi_tran", "dac_khu"] = "xa"
    office: OneStopOffice
    departments: tuple[Department, ...] = ()


class District(Entry):
    code: Code
    name: Text
    kind: Literal["huyen", "quan", "thi_xa", "thanh_pho"] = "huyen"
    postal_zone: PostalZone = "province"
    office: OneStopOffice
    departments: tuple[Department, ...] = ()
    communes: Annotated[tuple[Commune, ...], Field(min_length=1)]


class Province(Entry):
    code: Code
    name: Text
    kind: Literal["tinh", "thanh_pho"] = "tinh"
    note: str | None = None
    office: OneStopOffice
    departments: tuple[Department, ...] = ()
    districts: tuple[District, ...] = ()
    communes: tuple[Commune, ...] = ()

    def units(self) -> Iterator[tuple[Level, Province | District | Commune]]:
        """Every unit, province first, then each district followed by its communes."""
        yield "province", self
        for district in self.districts:
            yield "district", district
            for commune in district.communes:
                yield "commune", commune
        for commune in self.communes:
            yield "commune", commune

    def offices(self) -> Iterator[OneStopOffice]:
        for _, unit in self.units():
            yield unit.office

    def find_office(self, code: str) -> OneStopOffice:
        for office in self.offices():
            if office.code == code:
                return office
        raise KeyError(f"no one-stop office {code!r} in {self.name}")
