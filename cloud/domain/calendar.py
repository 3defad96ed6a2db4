"""Moved to the top-level package :mod:`workdays`, which the hub imports too.

Only ``cloud.domain.workflow`` still imports this name (it is being split into
a package on a parallel branch); import from ``workdays`` in new code. Delete
this module once nothing imports it.
"""

from workdays import VN_TZ, CalendarOverrides, OfficeHours, Period, WorkingCalendar, parse_calendar_overrides

__all__ = ["VN_TZ", "CalendarOverrides", "OfficeHours", "Period", "WorkingCalendar", "parse_calendar_overrides"]
