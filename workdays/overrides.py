"""Per-year corrections to Vietnam's public holidays: decisions newer than the installed ``holidays`` package.

The government announces each year's days off (and any swap of a weekday off
against a Saturday worked) a few weeks ahead; a release of the ``holidays``
package follows some time later. Until it does, the decision is written in
``workdays/data/calendar_overrides.yaml`` (shipped with the package) or in a
deployment's own copy of that file. Overrides win over the package because
they are the announcement for that year.

:func:`parse_calendar_overrides` is pure (it takes the loaded YAML);
:func:`load_calendar_overrides` is the one function of this package that reads
a file, and only when it is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from workdays.datafile import DataError, validation_problems
from workdays.hours import SATURDAY, WEEKDAY_NAMES

OVERRIDES_FILE = "calendar_overrides.yaml"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CalendarOverrides(_Frozen):
    """A province's per-year corrections to the public-holiday list.

    ``working_days``: weekend days made working days (make-up days, "làm bù").
    ``days_off``: extra days off (the weekday given off in a swap, a one-off
    holiday). ``cancelled_holidays``: days the ``holidays`` package lists that
    are not days off that year. Values are the reason, shown to users.
    """

    working_days: dict[date, str] = Field(default_factory=dict)
    days_off: dict[date, str] = Field(default_factory=dict)
    cancelled_holidays: dict[date, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _disjoint(self) -> CalendarOverrides:
        both = sorted(set(self.working_days) & set(self.days_off))
        if both:
            raise ValueError(f"{', '.join(map(str, both))} listed both as working day and day off")
        return self


class _DayEntry(_Frozen):
    date: date
    reason: Annotated[str, Field(min_length=1)]
    source: str | None = None


class _Swap(_Frozen):
    # Not "off"/"on": YAML 1.1 reads those keys as booleans.
    day_off: date
    working_day: date
    reason: Annotated[str, Field(min_length=1)]
    source: str | None = None

    @model_validator(mode="after")
    def _distinct(self) -> _Swap:
        if self.day_off == self.working_day:
            raise ValueError("a swap needs two different days")
        if self.working_day.weekday() < SATURDAY:
            day = self.working_day
            raise ValueError(f"make-up day {day} is a {WEEKDAY_NAMES[day.weekday()]}, not a weekend day")
        return self


class _OverridesFile(_Frozen):
    swaps: list[_Swap] = Field(default_factory=list)
    working_days: list[_DayEntry] = Field(default_factory=list)
    days_off: list[_DayEntry] = Field(default_factory=list)
    cancelled_holidays: list[_DayEntry] = Field(default_factory=list)


def parse_calendar_overrides(data: Mapping[str, Any] | None, source: str) -> CalendarOverrides:
    """Build :class:`CalendarOverrides` from the loaded ``calendar_overrides.yaml``.

    The file lists government swaps as pairs (``day_off`` weekday,
    ``working_day`` weekend day) because that is how they are announced: one decision, two
    days. Raises :class:`~workdays.datafile.DataError` naming the file and
    entry.
    """
    try:
        parsed = _OverridesFile.model_validate(data or {})
    except ValidationError as exc:
        raise DataError(source, validation_problems(exc, source)) from None
    working = {e.date: e.reason for e in parsed.working_days}
    off = {e.date: e.reason for e in parsed.days_off}
    for swap in parsed.swaps:
        working[swap.working_day] = swap.reason
        off[swap.day_off] = swap.reason
    try:
        return CalendarOverrides(
            working_days=working,
            days_off=off,
            cancelled_holidays={e.date: e.reason for e in parsed.cancelled_holidays},
        )
    except ValidationError as exc:
        raise DataError(source, validation_problems(exc, source)) from None


def shipped_overrides_file() -> Traversable:
    """The override file installed with this package (package data, also inside a wheel)."""
    return files("workdays").joinpath("data").joinpath(OVERRIDES_FILE)


def load_calendar_overrides(path: Path | None = None) -> CalendarOverrides:
    """Read and parse an override file: ``path``, or the one shipped in ``workdays/data/``.

    Raises :class:`~workdays.datafile.DataError` naming the file when it
    cannot be read, is not YAML, or fails validation. The hub calls this once
    at start; the cloud once when the app starts (``cloud.dossiers.seed``).
    """
    source: Path | Traversable = path if path is not None else shipped_overrides_file()
    name = str(source)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(name, [f"{name}: cannot read: {exc.strerror or exc}"]) from None
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for an impossible date (2027-02-30)
        raise DataError(name, [f"{name}: not valid YAML: {exc}"]) from None
    if data is not None and not isinstance(data, Mapping):
        raise DataError(name, [f"{name}: must be a mapping of swaps, working_days, days_off, cancelled_holidays"])
    return parse_calendar_overrides(data, name)
