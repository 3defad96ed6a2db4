"""Returning a result by post: the quote the desk gives, and what it records when it posts.

The prices and delivery times are the tariff's (:mod:`cloud.domain.postal`,
``cloud/data/postal_fees.yaml``, seed 001's table 2.1); the expected delivery
date counts the delivery days as working days of the sending office's
calendar. Whether a procedure may be returned by post at all is the
catalogue's ``postal_return`` (the workflow refuses ``return_result`` by post
otherwise; :func:`quote` refuses the same way).

Pure: the time of sending and the calendar are passed in.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from cloud.domain.postal import PostalTariff, PostalZone, delivery_days, expected_delivery, postal_fee
from cloud.domain.workflow import ProcedureTerms
from workdays import WorkingCalendar


class PostalReturnRefused(ValueError):
    """The procedure does not allow returning its result by post."""


class PostalQuote(BaseModel):
    """What a return by post costs and when it should arrive."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zone: PostalZone
    zone_label: str
    items: int
    fee_collected_between_trips: bool
    fee_vnd: int
    vat_included: bool | None
    delivery_days: int
    sent_at: datetime
    expected_delivery: datetime
    tariff: str
    """The tariff's source (the contract with the post office)."""


def quote(terms: ProcedureTerms, tariff: PostalTariff, calendar: WorkingCalendar, zone: PostalZone, *,
          sent_at: datetime, items: int = 1, fee_collected_between_trips: bool = False) -> PostalQuote:
    """The price and expected delivery of ``items`` results of a ``terms`` dossier sent to ``zone`` at ``sent_at``."""
    if not terms.postal_return:
        raise PostalReturnRefused(f"procedure {terms.code} does not allow returning the result by post")
    z = tariff.zones[zone]
    return PostalQuote(
        zone=zone, zone_label=z.label, items=items, fee_collected_between_trips=fee_collected_between_trips,
        fee_vnd=postal_fee(tariff, zone, items=items, fee_collected_between_trips=fee_collected_between_trips),
        vat_included=z.vat_included, delivery_days=delivery_days(tariff, zone), sent_at=sent_at,
        expected_delivery=expected_delivery(calendar, tariff, zone, sent_at), tariff=tariff.source,
    )
