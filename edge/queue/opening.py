"""When the desk receives citizens: the office's weekly opening hours, closed on days off.

The weekly hours are the office configuration's ``opening_hours``. Which days
are off comes from ``workdays``, the calendar the cloud counts deadlines
with: Vietnam's public holidays (Tết and the other lunar ones included, with
their compensatory days), the government's swaps with the Saturday worked in
exchange, the shipped per-year override file, and the office's own
``days_off``. So:

* a day off (a holiday or a local day off) closes the desk whatever
  ``opening_hours`` says, Saturday-morning reception included;
* a Saturday or Sunday the government made a working day ("làm bù") opens
  with the hours of a normal weekday: Monday's, or the first weekday (Monday
  to Friday) that has hours. A make-up day replaces a full working day, the
  overrides do not say which weekday it replaces, and the offices we know
  keep the same hours Monday to Friday;
* any other day opens with its weekday's ``opening_hours`` (a plain weekend
  stays closed unless the office opens it, e.g. Saturday mornings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from protocol.office_config import WEEKDAYS, OfficeConfig, Period, Weekday
from workdays import CalendarOverrides, DayOff, WorkingCalendar, day_vi

MAKE_UP_DAY_HOURS_FROM: tuple[Weekday, ...] = WEEKDAYS[:5]
"""A make-up weekend day opens with the hours of the first of these weekdays that has any."""

_SEARCH_DAYS = 366
"""How far ahead to look for the day the desk opens again (an office with no opening hours never does)."""


@dataclass(frozen=True, eq=False)
class OpeningDays:
    """The days and hours of one office's desk. ``calendar=None`` ignores days off (the demo's ``open_all_day``)."""

    config: OfficeConfig
    calendar: WorkingCalendar | None

    @classmethod
    def of(cls, config: OfficeConfig, overrides: CalendarOverrides | None) -> OpeningDays:
        """With ``overrides`` (the year's decisions) and the config's local ``days_off``; ``None``: days off ignored."""
        if overrides is None:
            return cls(config, None)
        calendar = WorkingCalendar(
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

    def periods(self, day: date) -> list[Period]:
        """When the desk receives citizens on ``day`` (empty: closed all day)."""
        if self.day_off(day) is not None:
            return []
        hours = self.config.opening_hours
        if self.calendar is not None and self.calendar.is_make_up_day(day):
            return next((hours[d] for d in MAKE_UP_DAY_HOURS_FROM if hours.get(d)), [])
        return hours.get(WEEKDAYS[day.weekday()], [])

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
