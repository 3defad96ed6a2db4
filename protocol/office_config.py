"""The configuration of one office: its fields, counters, hours, local days off and devices.

It is owned by the cloud (its registry of offices, ``cloud.registry``, which
generates it: ``onestop office export``) and applied by the office's nodes,
and it is what ``firmware_configs/*.yaml`` hold. Validation happens here,
before anything runs, with errors that name the key path (ESPHome's lesson: a
bad YAML must never half-start an office).

``hours`` is the office's one schedule, in the calendar's own form
(:class:`workdays.OfficeHours`: working periods, weekdays, Saturday morning,
cut-off): the kiosk issues tickets in its reception periods, the counters
work in them, and the cloud counts the office's deadlines with the same
definition, so the queue can no longer open at 07:00 while deadlines start at
07:30.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from protocol.errors import validation_text
from protocol.topics import ID_PATTERN
from workdays import OfficeHours

CATALOGUE_FIELD_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
"""A field slug of the procedure catalogue (``cloud.domain.catalogue.SLUG_PATTERN``)."""
OPENING_HOURS_GONE = (
    "opening_hours is no longer read: the office has one schedule, `hours`, which the kiosk, the counters and "
    "the deadlines all use; write it as `hours: {periods: [\"07:30-11:30\", \"13:30-17:00\"], "
    "weekdays: [mon, tue, wed, thu, fri], saturday_morning: reception, cutoff: \"15:00\"}` "
    "(saturday_morning: closed, reception or working), or generate the file with `onestop office export`"
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldConfig(Strict):
    """A field (lĩnh vực) citizens choose at the kiosk; its prefix starts each ticket number."""

    code: Annotated[str, Field(pattern=ID_PATTERN.pattern)]
    name: Annotated[str, Field(min_length=1, max_length=80)]
    prefix: Annotated[str, Field(pattern=r"^[A-Z]{1,3}$")]
    catalogue: tuple[Annotated[str, Field(pattern=CATALOGUE_FIELD_PATTERN)], ...] = Field(
        default=(), description="The procedure catalogue's fields (lĩnh vực, e.g. ho_tich) this queue field serves; "
                                "the cloud checks them against its catalogue. Empty in files older than the registry.")

    @field_validator("catalogue")
    @classmethod
    def _once_each(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        _unique("catalogue", "field", value)
        return value


BcmPin = Annotated[int, Field(ge=0, le=27, description="BCM pin number on the Pi's 40-pin header")]


class KeypadPins(Strict):
    next: BcmPin
    recall: BcmPin
    done: BcmPin
    no_show: BcmPin


class CounterConfig(Strict):
    number: Annotated[int, Field(ge=1, le=999)]
    fields: Annotated[list[str], Field(min_length=1)]
    led_address: Annotated[int, Field(ge=1, le=247)]
    keypad: KeypadPins


class KioskButton(Strict):
    pin: BcmPin
    field: str
    priority: bool = False


class SerialPort(Strict):
    port: str = Field(description="Device path, e.g. /dev/ttyUSB0; ignored when simulated.")
    baudrate: int = 9600


class MqttConfig(Strict):
    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password_file: str | None = Field(default=None, description="File holding the password; never put it in this YAML.")
    keepalive: int = 15


class HubConfig(Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN.pattern)] = "hub"
    mqtt: MqttConfig = MqttConfig()
    printer: SerialPort = SerialPort(port="/dev/ttyUSB0")
    led_bus: SerialPort = SerialPort(port="/dev/ttyUSB1")
    kiosk: list[KioskButton]
    display_port: int = 8001
    play_command: list[str] | None = Field(default=None, description="e.g. [aplay, -q]; None writes WAV files only.")
    resend_interval_s: float = Field(default=10.0, gt=0)


class OfficeInfo(Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN.pattern)]
    name: Annotated[str, Field(min_length=1)]
    timezone: str = "Asia/Ho_Chi_Minh"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class LocalDayOff(Strict):
    """A day this office is closed that the national calendar does not know: its own or its province's decision.

    National holidays, their compensatory days and the government's swaps
    are not listed here: the hub knows them (``workdays``).
    """

    date: date
    name: Annotated[str, Field(min_length=1, max_length=120, description="Shown on the kiosk, in Vietnamese.")]

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a day off needs a name to show on the kiosk")
        return value.strip()


class OfficeConfig(Strict):
    version: Annotated[int, Field(ge=1, description="Bumped on every change; nodes report the version they applied.")]
    office: OfficeInfo
    hours: OfficeHours = Field(description="The office's working and reception hours (workdays.OfficeHours): the "
                                           "queue opens in its reception periods, deadlines count its working time.")
    days_off: list[LocalDayOff] = Field(
        default_factory=list, description="Local days off, on top of Vietnam's public holidays, which the hub knows.")
    fields: Annotated[list[FieldConfig], Field(min_length=1)]
    counters: Annotated[list[CounterConfig], Field(min_length=1)]
    hub: HubConfig

    @model_validator(mode="before")
    @classmethod
    def _no_second_schedule(cls, data: Any) -> Any:
        if isinstance(data, dict) and "opening_hours" in data:
            raise ValueError(OPENING_HOURS_GONE)
        return data

    @field_validator("days_off")
    @classmethod
    def _one_entry_a_day(cls, value: list[LocalDayOff]) -> list[LocalDayOff]:
        first: dict[date, int] = {}
        for i, entry in enumerate(value):
            if entry.date in first:
                raise ValueError(f"{entry.date} is listed twice (days_off[{first[entry.date]}] and days_off[{i}])")
            first[entry.date] = i
        return value

    @model_validator(mode="after")
    def _cross_references(self) -> OfficeConfig:
        codes = [f.code for f in self.fields]
        _unique("fields", "code", codes)
        _unique("fields", "prefix", [f.prefix for f in self.fields])
        _unique("counters", "number", [c.number for c in self.counters])
        _unique("counters", "led_address", [c.led_address for c in self.counters])
        for i, counter in enumerate(self.counters):
            for code in counter.fields:
                if code not in codes:
                    raise ValueError(f"counters[{i}].fields: unknown field {code!r}; known: {', '.join(codes)}")
        for i, button in enumerate(self.hub.kiosk):
            if button.field not in codes:
                raise ValueError(f"hub.kiosk[{i}].field: unknown field {button.field!r}; known: {', '.join(codes)}")
        pins = [b.pin for b in self.hub.kiosk] + [
            p for c in self.counters for p in c.keypad.model_dump().values()
        ]
        _unique("kiosk and keypads", "pin", pins)
        return self

    def field(self, code: str) -> FieldConfig:
        return next(f for f in self.fields if f.code == code)

    def counter(self, number: int) -> CounterConfig | None:
        return next((c for c in self.counters if c.number == number), None)


def _unique(where: str, key: str, values: Sequence[Hashable]) -> None:
    seen: set[Hashable] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"{where}: {key} {v!r} is used twice")
        seen.add(v)


class ConfigError(ValueError):
    """An office configuration that does not validate; lines name the key path."""


def parse_office_config(data: object, source: str = "<config>") -> OfficeConfig:
    try:
        return OfficeConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(validation_text(exc, source, separator="\n", root="(top level)")) from None
