"""When the desk receives citizens: the office's one schedule, closed on days off.

The hours are the office configuration's ``hours``, the same
:class:`workdays.OfficeHours` the cloud counts the office's deadlines with
(the registry writes both from one definition), and the days come from
``workdays``' calendar: Vietnam's public holidays (Tết and the other lunar
ones included, with their compensatory days), the government's swaps with
the Saturday worked in exchange, the shipped per-year override file, and the
office's own ``days_off``. The desk is open in the calendar's *reception*
periods of the day (:meth:`workdays.WorkingCalendar.reception_periods`), so:

* a working weekday opens with ``hours.periods``;
* a day off (a holiday or a local day off) closes the desk, Saturday-morning
  reception included;
* a Saturday or Sunday the government made a working day ("làm bù") opens
  with the hours of a normal working day: a make-up day replaces a full one;
* a Saturday opens in the morning (``hours.saturday_period``) when
  ``saturday_morning`` is ``reception`` or ``working``; any other weekend day
  stays closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from protocol.office_config import OfficeConfig
from workdays import CalendarOverrides, DayOff, Period, WorkingCalendar, day_vi

ALL_DAY = (Period(start=time(0, 0), end=time(23, 59, 59)),)
"""The demo's ``open_all_day``: every day, at any hour."""

_SEARCH_DAYS = 366
"""How far ahead to look for the day the desk opens again (an office with no opening hours never does)."""


@dataclass(frozen=True, eq=False)
class OpeningDays:
    """The days and hours of one office's desk. ``calendar=None`` opens every day, all day (the demo's ``open_all_day``)."""

    config: OfficeConfig
    calendar: WorkingCalendar | None

    @classmethod
    def of(cls, config: OfficeConfig, overrides: CalendarOverrides | None) -> OpeningDays:
        """With ``overrides`` (the year's decisions) and the config's local ``days_off``; ``None``: always open."""
        if overrides is None:
            return cls(config, None)
        calendar = WorkingCalendar(
            hours=config.hours,
            overrides=overrides,
            tz=ZoneInfo(config.office.timezone),
            local_days_off={d.date: d.name for d in config.days_off},
        )
        return cls(config, calendar)

    def day_off(self, day: date) -> DayOff | None:
        """The holiday or local day off that closes the desk on ``day`` (a plain weekend is not one)."""
        if self.calendar is None:
            return None
        off = self.calendar.day_off(day)
        return off if off is not None and off.kind != "weekend" else None

    def periods(self, day: date) -> tuple[Period, ...]:
        """When the desk receives citizens on ``day`` (empty: closed all day)."""
        if self.calendar is None:
            return ALL_DAY
        return self.calendar.reception_periods(day)

    def next_open_day(self, day: date) -> date | None:
        """The first day after ``day`` when the desk opens, or ``None`` if none within a year."""
        for ahead in range(1, _SEARCH_DAYS + 1):
            candidate = day + timedelta(days=ahead)
            if self.periods(candidate):
                return candidate
        return None

    def closed_message_vi(self, off: DayOff) -> str:
        """What the kiosk shows on a day off: the day's name, and when the desk opens again."""
        if off.name.lower().startswith("ngày nghỉ"):
            # The package's name of a swapped day already says it: "Ngày nghỉ (thay cho ngày 22/08/2026)".
            text = f"Hôm nay là {off.name[0].lower()}{off.name[1:]}."
        elif off.kind == "local":
            text = f"Hôm nay là ngày nghỉ ({off.name})."
        else:
            text = f"Hôm nay là ngày nghỉ lễ ({off.name})."
        reopen = self.next_open_day(off.day)
        if reopen is not None:
            text += f" Bộ phận một cửa tiếp nhận trở lại từ {day_vi(reopen)}."
        return text
