"""The working-day calendar of Vietnam's one-stop offices, shared by the hub (kiosk opening days) and the cloud (deadlines).

Pure: no I/O and no clock reads, except :func:`load_calendar_overrides`,
which reads the override file when it is called. Days off come from the
``holidays`` package (statutory and lunar holidays, compensatory days,
official swaps with their worked Saturdays), extended with the per-year
overrides for decisions newer than the installed package and an office's
local days off (:mod:`workdays.days_off`); the hours of a day, the 15:00
cut-off and limits in working hours are :mod:`workdays.hours` and
:mod:`workdays.calendar`.

    cal = WorkingCalendar(hours=OfficeHours(), overrides=load_calendar_overrides())
    cal.add_working_days(cal.counting_start(received), 5)
"""

from workdays.calendar import WorkingCalendar
from workdays.datafile import DataError
from workdays.days_off import DayOff, DayOffKind, OfficeDaysOff, national_holidays
from workdays.hours import (
    SATURDAY,
    VN_TZ,
    WEEKDAY_NAMES,
    WEEKDAY_NAMES_VI,
    OfficeHours,
    Period,
    SaturdayMorning,
    day_vi,
)
from workdays.overrides import (
    OVERRIDES_FILE,
    CalendarOverrides,
    load_calendar_overrides,
    parse_calendar_overrides,
    shipped_overrides_file,
)

__all__ = [
    "OVERRIDES_FILE",
    "SATURDAY",
    "VN_TZ",
    "WEEKDAY_NAMES",
    "WEEKDAY_NAMES_VI",
    "CalendarOverrides",
    "DataError",
    "DayOff",
    "DayOffKind",
    "OfficeDaysOff",
    "OfficeHours",
    "Period",
    "SaturdayMorning",
    "WorkingCalendar",
    "day_vi",
    "load_calendar_overrides",
    "national_holidays",
    "parse_calendar_overrides",
    "shipped_overrides_file",
]
