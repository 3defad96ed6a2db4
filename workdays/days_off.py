"""Which days are off for one office, as an entity of the ``holidays`` package.

The package knows Vietnam's statutory holidays (Labour Code 2019 Art. 112,
the lunar ones included: Tết Nguyên Đán and Giỗ Tổ Hùng Vương), the
compensatory days when one falls on a weekend, and the government's swaps up
to its release: the weekday given off *and* the Saturday worked in exchange
(``weekend_workdays``). It also counts working days (``is_working_day``,
``get_nth_working_day``, ``get_working_days_count``). What it cannot know is
layered on here, the way its documentation says to extend it (a
:class:`~holidays.HolidayBase` subclass that populates its own year):

1. the national list, computed with the national weekend (Saturday and
   Sunday), because compensatory days follow the national week, not an
   office's;
2. the per-year overrides (:class:`~workdays.overrides.CalendarOverrides`):
   cancelled holidays, extra days off, make-up working days;
3. the office's local days off (its own decision, e.g. a provincial
   anniversary), which win over everything: an office does not list a day it
   works;
4. the office's weekly pattern, as the entity's ``weekend``.

The package's counting then answers for the office as a whole.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

import holidays
from holidays import HolidayBase

from workdays.overrides import CalendarOverrides


@functools.lru_cache(maxsize=128)
def national_holidays(year: int) -> HolidayBase:
    """Vietnam's public holidays of ``year`` with Vietnamese names, as the ``holidays`` package lists them.

    Cached per year: the package computes the lunar dates on every
    population. Built with ``expand=False`` so that a lookup of another year
    never mutates this shared object; callers must not modify it.
    """
    return holidays.country_holidays("VN", years=year, expand=False, language="vi")


DayOffKind = Literal["weekend", "holiday", "local"]


@dataclass(frozen=True)
class DayOff:
    """Why a day does not count: the office's weekly rest, a holiday (national or decided that year), a local day off."""

    day: date
    kind: DayOffKind
    name: str
    """The holiday's name in Vietnamese ("Tết Nguyên Đán"); for a weekend, the day of the week."""

    @property
    def reason_vi(self) -> str:
        """One line for an officer: "nghỉ lễ: Tết Nguyên Đán", "nghỉ cuối tuần"."""
        if self.kind == "weekend":
            return "nghỉ cuối tuần"
        if self.kind == "local":
            return f"ngày nghỉ riêng của cơ quan: {self.name}"
        return f"nghỉ lễ: {self.name}"


class OfficeDaysOff(HolidayBase):
    """The days off of one office: national holidays, the year's overrides and local days off, with the office's weekend.

    A lazily populated ``holidays`` entity (one year at a time, when a date
    of that year is first asked about). It is not safe to populate from two
    threads at once; :class:`~workdays.calendar.WorkingCalendar` serialises
    its calls.
    """

    def __init__(
        self,
        *,
        weekend: Iterable[int],
        overrides: CalendarOverrides,
        local_days_off: Mapping[date, str],
        public_holidays: bool = True,
    ) -> None:
        self.weekend = set(weekend)
        self.weekend_workdays = set()
        self.local_days: set[date] = set()
        """Days that are off only because of the office's own list (for :class:`DayOff`'s kind)."""
        self._overrides = overrides
        self._local = dict(local_days_off)
        self._public = public_holidays
        super().__init__(language="vi")

    def _populate_public_holidays(self) -> None:
        """Fill in the year being populated (the package's extension point for an entity's own rules)."""
        year: int = self._year
        if self._public:
            cancelled = self._overrides.cancelled_holidays
            for day, name in national_holidays(year).items():
                if day not in cancelled:
                    self[day] = name
            # A swap decided for next year may work a Saturday of this one (2014-12-27 for Tết 2015).
            for source in (national_holidays(year), national_holidays(year + 1)):
                self.weekend_workdays.update(d for d in source.weekend_workdays if d.year == year)
        for day, reason in self._overrides.days_off.items():
            if day.year == year:
                self._remove(day)
                self[day] = reason
                self.weekend_workdays.discard(day)
        for day in self._overrides.working_days:
            if day.year == year:
                self._remove(day)
                self.weekend_workdays.add(day)
        for day, name in self._local.items():
            if day.year == year:
                self.weekend_workdays.discard(day)
                if day not in self:
                    self[day] = name
                    self.local_days.add(day)

    def _remove(self, day: date) -> None:
        # HolidayBase.pop(day, None) raises: a default of None means "no default" there.
        if day in self:
            self.pop(day)
