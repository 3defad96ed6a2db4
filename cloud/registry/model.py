"""An office as the registry holds it, and the hub's configuration generated from it (pure: no I/O).

The registry keeps an office in the shape of the hub's configuration
(:class:`protocol.office_config.OfficeConfig`) so that one definition serves
both: the same fields, counters, hours and days off. What an office being set
up may lack is the hardware: a counter without its LED address or keypad
pins, an office without its hub section. :func:`hub_config` fills those in
with documented defaults when the file is generated, and keeps whatever the
registry has stored (an imported file's hub, kiosk, LED and keypad settings).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from typing import Annotated

from pydantic import Field, ValidationError, model_validator

from protocol.errors import validation_text
from protocol.office_config import (
    ConfigError,
    FieldConfig,
    HubConfig,
    KeypadPins,
    KioskButton,
    LocalDayOff,
    OfficeConfig,
    OfficeInfo,
    Strict,
    parse_office_config,
)
from workdays import OfficeHours


class RegistryError(ValueError):
    """A change the registry refuses; the message says why and what is known (English, for the API's detail)."""


class RegistryCounter(Strict):
    """A counter (quầy) and the queue fields it serves; its hardware may not be known yet."""

    number: Annotated[int, Field(ge=1, le=999)]
    fields: Annotated[list[str], Field(min_length=1)]
    led_address: Annotated[int, Field(ge=1, le=247)] | None = None
    keypad: KeypadPins | None = None


class RegistryOffice(Strict):
    """One office of the registry: the hub's configuration, with the hardware optional."""

    version: Annotated[int, Field(ge=1)]
    office: OfficeInfo
    hours: OfficeHours
    days_off: list[LocalDayOff] = Field(default_factory=list)
    fields: list[FieldConfig] = Field(default_factory=list)
    counters: list[RegistryCounter] = Field(default_factory=list)
    hub: HubConfig | None = None

    @model_validator(mode="after")
    def _consistent(self) -> RegistryOffice:
        codes = [f.code for f in self.fields]
        for where, key, values in (("fields", "code", codes), ("fields", "prefix", [f.prefix for f in self.fields]),
                                   ("counters", "number", [c.number for c in self.counters])):
            twice = [v for v, n in Counter[object](values).items() if n > 1]
            if twice:
                raise ValueError(f"{where}: {key} {twice[0]!r} is used twice")
        for counter in self.counters:
            unknown = [c for c in counter.fields if c not in codes]
            if unknown:
                raise ValueError(f"counter {counter.number}: unknown queue field {unknown[0]!r}; "
                                 f"known: {', '.join(codes) or 'none yet'}")
        return self

    @classmethod
    def of(cls, config: OfficeConfig) -> RegistryOffice:
        return cls.model_validate(config.model_dump(mode="json"))

    def stored(self) -> dict[str, object]:
        """The JSON of the ``office.config`` column (what the API's office views read)."""
        return self.model_dump(mode="json", exclude_none=True)

    def field(self, code: str) -> FieldConfig | None:
        return next((f for f in self.fields if f.code == code), None)

    def counter(self, number: int) -> RegistryCounter | None:
        return next((c for c in self.counters if c.number == number), None)

    def changed(self, **update: object) -> RegistryOffice:
        """A copy with ``update`` applied, validated again, and the version bumped."""
        data = {**self.model_dump(mode="json"), **update, "version": self.version + 1}
        try:
            return RegistryOffice.model_validate(data)
        except ValidationError as exc:
            raise RegistryError(validation_text(exc, self.office.id, separator="; ", root="office")) from None


def parse_registry_office(data: object, source: str) -> RegistryOffice:
    try:
        return RegistryOffice.model_validate(data)
    except ValidationError as exc:
        raise RegistryError(validation_text(exc, source, separator="; ", root="office")) from None


def unknown_catalogue_fields(fields: Iterable[FieldConfig], known: Collection[str]) -> list[str]:
    """One line per catalogue slug a queue field names that the catalogue does not have."""
    return [f"queue field {f.code!r}: unknown catalogue field {slug!r}; known: {', '.join(sorted(known))}"
            for f in fields for slug in f.catalogue if slug not in known]


# -- the generated hub file ---------------------------------------------------------------------

FREE_PINS = (17, 27, 22, 23, 24, 5, 6, 13, 19, 26, 12, 16, 20, 21, 7, 8, 25, 4, 18, 9, 10, 11)
"""BCM pins a generated file hands out, in order: not 0-3 (ID EEPROM, I²C) nor 14-15 (the UART)."""


def hub_config(office: RegistryOffice) -> tuple[OfficeConfig, bool]:
    """The hub's configuration of ``office``, and whether its hardware was generated (no hub section stored).

    Stored hardware is kept as it is; what is missing gets defaults: LED
    address = counter number when free, keypad and kiosk pins from
    :data:`FREE_PINS` in order, one kiosk button per queue field. Refused with
    a :class:`RegistryError` while the office has no queue field or counter.
    """
    if not office.fields or not office.counters:
        raise RegistryError(f"office {office.office.id!r} has no {'queue field' if not office.fields else 'counter'} "
                            "yet: a hub needs at least one of each (onestop office field add / counter add)")
    generated = office.hub is None
    used = {p for c in office.counters if c.keypad for p in c.keypad.model_dump().values()}
    if office.hub is not None:
        used |= {b.pin for b in office.hub.kiosk}
    free = [p for p in FREE_PINS if p not in used]

    def take(n: int) -> list[int]:
        if len(free) < n:
            raise RegistryError(f"office {office.office.id!r}: not enough free GPIO pins for its kiosk and keypads; "
                                "set them in the hub section of its file and import it")
        taken, free[:n] = free[:n], []
        return taken

    hub = office.hub or HubConfig(kiosk=[KioskButton(pin=pin, field=f.code)
                                         for f, pin in zip(office.fields, take(len(office.fields)), strict=True)])
    addresses = {c.led_address for c in office.counters if c.led_address is not None}
    counters = []
    for c in office.counters:
        address = c.led_address
        if address is None:
            address = c.number if c.number <= 247 and c.number not in addresses else min(
                set(range(1, 248)) - addresses)
            addresses.add(address)
        keypad = c.keypad or KeypadPins(**dict(zip(("next", "recall", "done", "no_show"), take(4), strict=True)))
        counters.append({"number": c.number, "fields": c.fields, "led_address": address, "keypad": keypad})
    data = {**office.model_dump(exclude={"hub", "counters"}), "counters": counters, "hub": hub}
    try:
        return parse_office_config(data, office.office.id), generated
    except ConfigError as exc:
        raise RegistryError(str(exc).replace("\n", "; ")) from None


def hours_text(hours: OfficeHours) -> str:
    """``07:30-11:30, 13:30-17:00 (mon-fri), Saturday morning: reception, cut-off 15:00``: for logs and errors."""
    days = ",".join(("mon", "tue", "wed", "thu", "fri", "sat", "sun")[d] for d in hours.weekdays)
    cutoff = f"{hours.cutoff:%H:%M}" if hours.cutoff else "none"
    return (f"{', '.join(str(p) for p in hours.periods)} ({days}), Saturday morning {hours.saturday_morning} "
            f"{hours.saturday_period}, cut-off {cutoff}")


def catalogue_names(fields: Mapping[str, str], slugs: Iterable[str]) -> list[str]:
    return [fields.get(s, s) for s in slugs]
