"""The working calendar of a one-stop office: which moments count toward a legal time limit.

Legal time limits for administrative procedures are counted in *working* days
or hours ("ngày làm việc", "giờ làm việc"). A working moment is one inside the
office's working periods (e.g. 07:30–11:30 and 13:30–17:00) on a working day.
A day is a working day when it is one of the office's working weekdays and not
a public holiday, unless the government swapped it (a Saturday made a working
day to bridge a holiday: "làm bù").

Three sources decide the days, in this order of precedence:

1. per-year overrides (``cloud/data/calendar_overrides.yaml``): make-up working
   days, extra days off, and holidays cancelled for a year; they win because
   they are the government's announcement for that year;
2. Vietnam's public holidays from the ``holidays`` package (New Year, Tết with
   its observed days, Hùng Kings, 30/4, 1/5, 2/9 and its adjacent day, the
   swapped days off it knows about);
3. the office's weekly pattern (:class:`OfficeHours`).

Conventions (see ``docs/deadlines.md`` for the reasoning and references):

* all datetimes are timezone-aware; they are converted to Asia/Ho_Chi_Minh
  (no DST, UTC+7) and results come back in that zone. A naive datetime is
  refused, because the cloud stores UTC and a naive value is ambiguous;
* working periods are half-open ``[start, end)`` for "where does work resume",
  but a due moment may be the end of a period (17:00 is "by the end of the day");
* ``add_working_days(start, n)`` follows the Civil Code 2015 (Art. 147–148): the
  day of ``start`` is not counted, and the limit ends at the end of the n-th
  working day after it;
* the afternoon cut-off (15:00 by default) is applied by
  :meth:`WorkingCalendar.counting_start`, not by the adders, so that adding n
  then m working days equals adding n + m.

This module does no I/O and never reads the clock: every moment is passed in.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import holidays
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cloud.domain.datafile import DataError, validation_problems

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
"""Vietnam's only time zone; no daylight saving time."""

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SATURDAY = 5

_SEARCH_LIMIT_DAYS = 3 * 366
"""How far to look for the next working day before declaring the calendar broken
(a calendar whose overrides turn every day off would otherwise loop forever)."""


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
        for earlier, later in zip(self.periods, self.periods[1:]):
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
    days. Raises :class:`~cloud.domain.datafile.DataError` naming the file and
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


@functools.lru_cache(maxsize=64)
def vietnam_public_holidays(year: int) -> Mapping[date, str]:
    """Vietnam's public holidays of ``year`` with Vietnamese names, from the ``holidays`` package.

    Cached per year: the package computes the lunar dates (Tết, Hùng Kings)
    on every call, and a deadline computation asks about hundreds of days.
    """
    return dict(holidays.country_holidays("VN", years=year, language="vi"))


@dataclass(frozen=True, eq=False)
class WorkingCalendar:
    """Answers "is this a working moment?" and adds working time, for one office.

    Build one per office from its :class:`OfficeHours` and the province's
    :class:`CalendarOverrides`. ``public_holidays=False`` is for tests and
    for offices that must ignore the national list (none we know of).
    """

    hours: OfficeHours = field(default_factory=OfficeHours)
    overrides: CalendarOverrides = field(default_factory=CalendarOverrides)
    public_holidays: bool = True
    tz: ZoneInfo = VN_TZ

    # -- days -------------------------------------------------------------

    def holiday_name(self, day: date) -> str | None:
        """Why ``day`` is off despite being a working weekday, or ``None``."""
        if day in self.overrides.working_days:
            return None
        if day in self.overrides.days_off:
            return self.overrides.days_off[day]
        if self.public_holidays and day not in self.overrides.cancelled_holidays:
            return vietnam_public_holidays(day.year).get(day)
        return None

    def periods(self, day: date) -> tuple[Period, ...]:
        """The working periods of ``day`` that count toward time limits (empty on a day off)."""
        if day in self.overrides.working_days:
            return self.hours.periods  # a make-up day replaces a full weekday
        if self.holiday_name(day) is not None:
            return ()
        weekday = day.weekday()
        if weekday in self.hours.weekdays:
            return self.hours.periods
        if weekday == SATURDAY and self.hours.saturday_morning == "working":
            return (self.hours.saturday_period,)
        return ()

    def reception_periods(self, day: date) -> tuple[Period, ...]:
        """When the desk is open on ``day``: its working periods plus Saturday-morning reception."""
        counted = self.periods(day)
        if counted:
            return counted
        if (
            day.weekday() == SATURDAY
            and self.hours.saturday_morning == "reception"
            and self.holiday_name(day) is None
        ):
            return (self.hours.saturday_period,)
        return ()

    def is_working_day(self, day: date) -> bool:
        """True when ``day`` has working periods that count toward time limits."""
        if isinstance(day, datetime):
            day = self.local(day).date()
        return bool(self.periods(day))

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return next(self._working_days_after(day))

    def _working_days_after(self, day: date) -> Iterator[date]:
        """Working days strictly after ``day``, in order, forever."""
        gap = 0
        current = day
        while True:
            current += timedelta(days=1)
            if self.periods(current):
                gap = 0
                yield current
            else:
                gap += 1
                if gap > _SEARCH_LIMIT_DAYS:
                    raise ValueError(f"no working day within {_SEARCH_LIMIT_DAYS} days after {day}: check the calendar overrides")

    def start_of_working_day(self, day: date) -> datetime:
        """When work starts on ``day`` (which must be a working day)."""
        periods = self._require_periods(day)
        return datetime.combine(day, periods[0].start, tzinfo=self.tz)

    def end_of_working_day(self, day: date) -> datetime:
        """When work ends on ``day`` (which must be a working day): the moment a day-based limit expires."""
        periods = self._require_periods(day)
        return datetime.combine(day, periods[-1].end, tzinfo=self.tz)

    def _require_periods(self, day: date) -> tuple[Period, ...]:
        periods = self.periods(day)
        if not periods:
            raise ValueError(f"{day} is not a working day")
        return periods

    @property
    def day_length(self) -> timedelta:
        """Working time of a full working day; the unit for "half the regulated time"."""
        return self.hours.day_length

    # -- moments ----------------------------------------------------------

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the office's time zone; refuses naive datetimes (the cloud stores UTC)."""
        if not isinstance(moment, datetime):
            raise TypeError(f"expected a datetime, got {type(moment).__name__}")
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"naive datetime {moment.isoformat()}: pass an aware datetime (UTC or Asia/Ho_Chi_Minh)")
        return moment.astimezone(self.tz)

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.tz)

    def is_working_moment(self, moment: datetime) -> bool:
        """True inside a counted working period (start inclusive, end exclusive)."""
        local = self.local(moment)
        return any(p.start <= local.time() < p.end for p in self.periods(local.date()))

    def is_open(self, moment: datetime) -> bool:
        """True when the desk receives citizens (working periods plus Saturday-morning reception)."""
        local = self.local(moment)
        return any(p.start <= local.time() < p.end for p in self.reception_periods(local.date()))

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` itself if it is a working moment, otherwise the start of the next working period."""
        local = self.local(moment)
        for period in self.periods(local.date()):
            start, end = self._at(local.date(), period.start), self._at(local.date(), period.end)
            if local < end:
                return max(local, start)
        return self.start_of_working_day(self.next_working_day(local.date()))

    def counting_start(self, received: datetime) -> datetime:
        """The moment from which a time limit runs for a dossier received at ``received``.

        Received on a working day at or after the cut-off → the start of the
        next working day. Received outside working time (lunch, evening,
        weekend, holiday, Saturday-morning reception) → the next working
        period. Otherwise the moment of receipt itself.
        """
        local = self.local(received)
        cutoff = self.hours.cutoff
        if cutoff is not None and self.periods(local.date()) and local.time() >= cutoff:
            return self.start_of_working_day(self.next_working_day(local.date()))
        return self.next_working_moment(local)

    # -- arithmetic ---------------------------------------------------------

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """The end of the n-th working day after the day of ``start`` (Civil Code 2015, Art. 147–148).

        The day of ``start`` itself is not counted, whatever the hour: received
        Monday 10:00 with 3 working days → due Thursday at the end of the
        working day (17:00). ``n == 0`` returns ``start`` unchanged (adding
        nothing changes nothing). Apply :meth:`counting_start` first to honour
        the cut-off and reception outside working time.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        local = self.local(start)
        if n == 0:
            return local
        days = self._working_days_after(local.date())
        day = local.date()
        for _ in range(n):
            day = next(days)
        return self.end_of_working_day(day)

    def add_working_hours(self, start: datetime, hours: float | timedelta) -> datetime:
        """The moment when ``hours`` of working time have elapsed after ``start``.

        Time outside working periods does not count: 4 hours from Monday
        10:00 with 07:30–11:30 / 13:30–17:00 is Monday 16:00. The result may
        be the end of a period (11:30, 17:00). Zero returns ``start`` unchanged.
        """
        remaining = hours if isinstance(hours, timedelta) else timedelta(hours=float(hours))
        if remaining < timedelta(0):
            raise ValueError("hours must be >= 0")
        local = self.local(start)
        if remaining == timedelta(0):
            return local
        day, cursor = local.date(), local
        gap = 0
        while True:
            periods = self.periods(day)
            for period in periods:
                begin, end = self._at(day, period.start), self._at(day, period.end)
                if end <= cursor:
                    continue
                begin = max(begin, cursor)
                available = end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            gap = 0 if periods else gap + 1
            if gap > _SEARCH_LIMIT_DAYS:
                raise ValueError(f"no working time within {_SEARCH_LIMIT_DAYS} days after {local.date()}")
            day += timedelta(days=1)
            cursor = self._at(day, time(0))

    def working_days_between(self, a: date | datetime, b: date | datetime) -> int:
        """Working days ``d`` with ``a < d <= b`` (by local date); negative when ``b`` is before ``a``.

        The inverse of :meth:`add_working_days`: ``working_days_between(s,
        add_working_days(s, n)) == n``.
        """
        da = self.local(a).date() if isinstance(a, datetime) else a
        db = self.local(b).date() if isinstance(b, datetime) else b
        if db < da:
            return -self.working_days_between(db, da)
        count, day = 0, da
        while day < db:
            day += timedelta(days=1)
            if self.periods(day):
                count += 1
        return count

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time in ``[a, b)``; negative when ``b`` is before ``a``.

        Used for the time left on a paused dossier and for "due soon".
        """
        la, lb = self.local(a), self.local(b)
        if lb < la:
            return -self.working_time_between(lb, la)
        total = timedelta(0)
        day = la.date()
        while day <= lb.date():
            for period in self.periods(day):
                begin = max(self._at(day, period.start), la)
                end = min(self._at(day, period.end), lb)
                if end > begin:
                    total += end - begin
            day += timedelta(days=1)
        return total
