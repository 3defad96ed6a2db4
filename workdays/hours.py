"""An office's working week: its working periods, working weekdays, Saturday morning and afternoon cut-off.

This is what the ``holidays`` package does not model: it knows which *days*
are off, not the hours of a day, nor that a dossier received after 15:00
counts from the next working day. The days themselves are decided in
:mod:`workdays.days_off`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
"""Vietnam's only time zone; no daylight saving time."""

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
"""How a citizen reads the day of the week: "thứ Hai, 22/02/2027"."""
SATURDAY = 5


def day_vi(day: date) -> str:
    """``date(2027, 2, 11)`` → ``"thứ Năm, 11/02/2027"``, as written on slips and screens."""
    return f"{WEEKDAY_NAMES_VI[day.weekday()]}, {day:%d/%m/%Y}"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Frozen):
    """A stretch of working time within a day, in local time, e.g. 07:30–11:30."""

    start: time
    end: time

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = value.replace("–", "-").split("-")
            if len(parts) != 2:
                raise ValueError(f"period {value!r} must look like 07:30-11:30")
            return {"start": parts[0].strip(), "end": parts[1].strip()}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end <= self.start:
            raise ValueError(f"period {self} ends before it starts")
        return self

    @property
    def length(self) -> timedelta:
        return datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


SaturdayMorning = Literal["closed", "reception", "working"]


class OfficeHours(_Frozen):
    """An office's weekly working pattern.

    ``saturday_morning`` covers the common provincial practice of opening the
    desk on Saturday mornings:

    * ``closed``: Saturday is a day off;
    * ``reception``: the desk receives and returns dossiers, but Saturday does
      not count toward time limits (the departments that process dossiers do
      not work). A dossier received then counts from the next working period;
    * ``working``: Saturday morning is a (short) working day that counts.

    ``cutoff``: a dossier received on a working day at or after this time
    counts from the next working day (the 15:00 rule of Decree 23/2015 for
    certification and of the civil-status rules; see docs/deadlines.md).
    ``None`` disables it.
    """

    periods: tuple[Period, ...] = (Period(start=time(7, 30), end=time(11, 30)), Period(start=time(13, 30), end=time(17, 0)))
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    saturday_morning: SaturdayMorning = "closed"
    saturday_period: Period = Period(start=time(7, 30), end=time(11, 30))
    cutoff: time | None = time(15, 0)

    @field_validator("weekdays", mode="before")
    @classmethod
    def _weekday_names(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple, set, frozenset)):
            out = []
            for item in value:
                if isinstance(item, str):
                    name = item.strip().lower()[:3]
                    if name not in WEEKDAY_NAMES:
                        raise ValueError(f"unknown weekday {item!r}; use mon, tue, wed, thu, fri, sat, sun")
                    out.append(WEEKDAY_NAMES.index(name))
                else:
                    out.append(item)
            return tuple(sorted(set(out)))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> OfficeHours:
        if not self.periods:
            raise ValueError("an office needs at least one working period a day")
        for earlier, later in zip(self.periods, self.periods[1:], strict=False):
            if later.start < earlier.end:
                raise ValueError(f"periods {earlier} and {later} overlap or are out of order")
        if not self.weekdays:
            raise ValueError("an office needs at least one working weekday")
        if any(not 0 <= d <= 6 for d in self.weekdays):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        if self.saturday_morning != "closed" and SATURDAY in self.weekdays:
            raise ValueError("saturday_morning applies only when Saturday is not already a full working weekday")
        return self

    @property
    def day_length(self) -> timedelta:
        """Working time in a full working day (7 h 30 min with the default periods)."""
        return sum((p.length for p in self.periods), timedelta())

    @property
    def weekend(self) -> frozenset[int]:
        """The weekdays that are not working days (Saturday counts as working when its morning does)."""
        working = set(self.weekdays)
        if self.saturday_morning == "working":
            working.add(SATURDAY)
        return frozenset(set(range(7)) - working)
