"""Postal return: the fees and delivery times of seed 001's table 2.1."""

from __future__ import annotations

import pytest

from cloud.domain.catalogue import Province
from cloud.domain.datafile import DataError
from cloud.domain.postal import PostalTariff, delivery_days, expected_delivery, parse_postal_tariff, postal_fee
from tests.domain.support import load, vn
from workdays import WorkingCalendar


def test_one_delivery_prices(tariff: PostalTariff) -> None:
    assert postal_fee(tariff, "city") == 20_000
    assert postal_fee(tariff, "province") == 20_000
    assert postal_fee(tariff, "remote") == 30_000
    assert postal_fee(tariff, "out_of_province") == 60_500


def test_further_items_to_the_same_address(tariff: PostalTariff) -> None:
    assert postal_fee(tariff, "city", items=3) == 20_000 + 2 * 10_000
    assert postal_fee(tariff, "remote", items=2) == 30_000 + 10_000
    assert postal_fee(tariff, "out_of_province", items=2) == 2 * 60_500  # no discount outside the province
    with pytest.raises(ValueError):
        postal_fee(tariff, "city", items=0)


def test_two_deliveries_with_the_fee_collected_between(tariff: PostalTariff) -> None:
    assert postal_fee(tariff, "city", fee_collected_between_trips=True) == 100_000
    assert postal_fee(tariff, "remote", fee_collected_between_trips=True) == 100_000
    assert postal_fee(tariff, "out_of_province", fee_collected_between_trips=True) == 150_000
    assert postal_fee(tariff, "province", items=2, fee_collected_between_trips=True) == 200_000


def test_delivery_times(tariff: PostalTariff, calendar: WorkingCalendar) -> None:
    assert [delivery_days(tariff, z) for z in ("city", "province", "remote", "out_of_province")] == [1, 2, 2, 4]
    assert expected_delivery(calendar, tariff, "out_of_province", vn(2026, 10, 16, 10)) == vn(2026, 10, 22, 17, 0)
    assert tariff.zones["out_of_province"].vat_included is None  # the table says nothing for that row


def test_every_district_has_a_zone_with_a_price(tariff: PostalTariff, three_levels: Province) -> None:
    districts = [p for p in three_levels.walk() if p.level == "district"]
    assert {d.postal_zone for d in districts} <= set(tariff.zones)
    assert {d.unit.name for d in districts if d.postal_zone == "remote"} == {"Huyện Dầu Tiếng", "Huyện Phú Giáo"}


def test_a_unit_takes_the_postal_zone_of_its_nearest_ancestor(three_levels: Province, province: Province,
                                                              tariff: PostalTariff) -> None:
    """A commune sets no zone: it is its district's; the province's own units are in the "province" zone."""
    assert three_levels.find("dt.minh_hoa").postal_zone == "remote" and three_levels.find("dt.minh_hoa").unit.postal_zone is None
    assert three_levels.find("tdm.phu_hoa").postal_zone == "city"
    assert three_levels.find("bd").postal_zone == "province"
    assert {p.postal_zone for p in province.walk()} <= set(tariff.zones)
    assert {p.unit.name for p in province.walk() if p.postal_zone == "remote"} == {
        "Xã Dầu Tiếng", "Xã Cần Giờ", "Đặc khu Côn Đảo"}


def test_tariff_errors_name_the_file_and_key() -> None:
    data = load("postal_fees.yaml")
    data["zones"]["remote"]["one_trip_vnd"] = -1
    del data["zones"]["city"]
    with pytest.raises(DataError) as info:
        parse_postal_tariff(data, "postal_fees.yaml")
    text = str(info.value)
    assert "postal_fees.yaml: zones.remote.one_trip_vnd" in text
    data = load("postal_fees.yaml")
    del data["zones"]["city"]
    with pytest.raises(DataError, match="missing city"):
        parse_postal_tariff(data, "postal_fees.yaml")
