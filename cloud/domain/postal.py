"""Returning results by post: the fee the citizen pays and how long delivery takes.

The figures are a contract between a district and the provincial post office,
so they are data (``cloud/data/postal_fees.yaml``), not code. The shipped
defaults are Thủ Dầu Một's (seed 001, Bảng 2.1 "Quy định giá cước hồ sơ chuyển
qua đường bưu điện", from contract 533/BĐBD-UBNDTPTDM of 22/4/2016):

* one delivery (with or without a fee collected): 20,000 VND within the
  province, 30,000 to the remote districts (Dầu Tiếng, Phú Giáo), 10,000 for
  the 2nd and each further item to the same address within the province in
  one delivery, 60,500 outside the province;
* two deliveries with a fee collected between them (the postman brings the
  papers to the office, collects the fee, then delivers the result): 100,000
  within the province, 150,000 outside;
* delivery within 1 day in the city, 2 days elsewhere in the province, at most
  4 days between provinces.

Readings we chose where the table is silent (docs/deadlines.md): the
further-item price applies to one-delivery items within the province,
including the remote districts, and never to two-delivery items; delivery days
are working days.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cloud.domain.datafile import DataError, validation_problems
from workdays import WorkingCalendar

PostalZone = Literal["city", "province", "remote", "out_of_province"]
"""Where the result goes: the office's own city, elsewhere in the province,
a remote part of the province (a district before 2025, a commune or island
since), another province. A unit's zone is its ``postal_zone`` in
province.yaml or, when it sets none, that of the nearest unit above it
(:attr:`~cloud.domain.catalogue.PlacedUnit.postal_zone`)."""

ZONES: tuple[PostalZone, ...] = ("city", "province", "remote", "out_of_province")

Vnd = Annotated[int, Field(ge=0, le=10_000_000)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ZoneTariff(_Frozen):
    label: str
    one_trip_vnd: Vnd
    two_trips_vnd: Vnd
    delivery_days: Annotated[int, Field(ge=0, le=30)]
    in_province: bool
    areas: tuple[str, ...] = ()
    vat_included: bool | None = True
    """``None``: the tariff does not say."""


class PostalTariff(_Frozen):
    """The tariff of one contract with the post office."""

    source: str
    currency: Literal["VND"] = "VND"
    zones: dict[PostalZone, ZoneTariff]
    further_item_same_address_vnd: Vnd

    @model_validator(mode="after")
    def _all_zones(self) -> PostalTariff:
        missing = [z for z in ZONES if z not in self.zones]
        if missing:
            raise ValueError(f"zones: missing {', '.join(missing)}")
        return self


def parse_postal_tariff(data: Mapping[str, Any] | None, source: str) -> PostalTariff:
    """Validate a loaded ``postal_fees.yaml``; errors name the file and the key path."""
    try:
        return PostalTariff.model_validate(data or {})
    except ValidationError as exc:
        raise DataError(source, validation_problems(exc, source)) from None


def postal_fee(tariff: PostalTariff, zone: PostalZone, *, items: int = 1, fee_collected_between_trips: bool = False) -> int:
    """What the citizen pays, in VND, for ``items`` results sent to one address in one delivery.

    ``fee_collected_between_trips``: the two-delivery service, priced per item.
    """
    if items < 1:
        raise ValueError("items must be at least 1")
    z = tariff.zones[zone]
    if fee_collected_between_trips:
        return z.two_trips_vnd * items
    further = tariff.further_item_same_address_vnd if z.in_province else z.one_trip_vnd
    return z.one_trip_vnd + further * (items - 1)


def delivery_days(tariff: PostalTariff, zone: PostalZone) -> int:
    """The post office's promised delivery time, in working days."""
    return tariff.zones[zone].delivery_days


def expected_delivery(calendar: WorkingCalendar, tariff: PostalTariff, zone: PostalZone, sent_at: datetime) -> datetime:
    """By when the citizen should have the result: the end of the n-th working day after sending."""
    return calendar.add_working_days(sent_at, delivery_days(tariff, zone))
