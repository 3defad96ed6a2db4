"""The working calendar of a one-stop office: which moments count toward a legal time limit.

Legal time limits for administrative procedures are counted in *working* days
or hours ("ngày làm việc", "giờ làm việc"). A working moment is one inside the
office's working periods (e.g. 07:30–11:30 and 13:30–17:00) on a working day.

Which days are working days is the ``holidays`` package's answer, extended
with the year's overrides, the office's local days off and its week
(:mod:`workdays.days_off`); n-th working day and working-day counts are its
``get_nth_working_day`` and ``get_working_days_count``. This module adds what
the package does not model: the hours of a day, the afternoon cut-off and
limits in working hours.

Conventions (see ``docs/deadlines.md`` for the reasoning and references):

* all datetimes are timezone-aware; they are converted to the office's zone
  (Asia/Ho_Chi_Minh: no DST, UTC+7) and results come back in that zone. A
  naive datetime is refused, because the cloud stores UTC and a naive value
  is ambiguous;
* working periods are half-open ``[start, end)`` for "where does work resume",
  but a due moment may be the end of a period (17:00 is "by the end of the day");
* ``add_working_days(start, n)`` follows the Civil Code 2015 (Art. 147–148): the
  day of ``start`` is not counted, and the limit ends at the end of the n-th
  working day after it;
* the afternoon cut-off (15:00 by default) is applied by
  :meth:`WorkingCalendar.counting_start`, not by the adders, so that adding n
  then m working days equals adding n + m.

Every search for the next working day ends: an office has at least one
working weekday and the overrides are finite lists.

This module does no I/O and never reads the clock: every moment is passed in.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from workdays.days_off import DayOff, OfficeDaysOff
from workdays.hours import SATURDAY, VN_TZ, WEEKDAY_NAMES_VI, OfficeHours, Period
from workdays.overrides import CalendarOverrides

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, eq=False)
class WorkingCalendar:
    """Answers "is this a working moment?" and adds working time, for one office.

    Build one per office from its :class:`OfficeHours`, the province's
    :class:`CalendarOverrides` and the office's own ``local_days_off``
    (date → name). ``public_holidays=False`` is for tests and for offices
    that must ignore the national list (none we know of). Safe to share
    between threads.
    """

    hours: OfficeHours = field(default_factory=OfficeHours)
    overrides: CalendarOverrides = field(default_factory=CalendarOverrides)
    public_holidays: bool = True
    tz: ZoneInfo = VN_TZ
    local_days_off: Mapping[date, str] = field(default_factory=dict)
    _days: OfficeDaysOff = field(init=False, repr=False)
    # The package fills a year in when a date of it is first asked about; a
    # second thread must not read that year half-filled.
    _lock: threading.RLock = field(init=False, repr=False, default_factory=threading.RLock)

    def __post_init__(self) -> None:
        days = OfficeDaysOff(
            weekend=self.hours.weekend,
            overrides=self.overrides,
            local_days_off=self.local_days_off,
            public_holidays=self.public_holidays,
        )
        object.__setattr__(self, "_days", days)

    # -- days -------------------------------------------------------------

    def holiday_name(self, day: date) -> str | None:
        """Why ``day`` is off despite being a working weekday (in Vietnamese), or ``None``."""
        with self._lock:
            return self._days.get(day)

    def day_off(self, day: date) -> DayOff | None:
        """Why ``day`` does not count toward time limits, or ``None`` when it is a working day."""
        with self._lock:
            if self._days.is_working_day(day):
                return None
            name = self._days.get(day)
            if name is None:
                return DayOff(day, "weekend", WEEKDAY_NAMES_VI[day.weekday()])
            return DayOff(day, "local" if day in self._days.local_days else "holiday", name)

    def days_off_between(self, a: date, b: date) -> tuple[DayOff, ...]:
        """The days off ``d`` with ``a < d < b``, in order: what counting from ``a`` to ``b`` skipped."""
        out = []
        day = a + _ONE_DAY
        while day < b:
            off = self.day_off(day)
            if off is not None:
                out.append(off)
            day += _ONE_DAY
        return tuple(out)

    def is_make_up_day(self, day: date) -> bool:
        """True for a weekend day the government made a working day (a swap's "làm bù")."""
        with self._lock:
            return day.weekday() >= SATURDAY and self._days.is_working_day(day) and day in self._days.weekend_workdays

    def periods(self, day: date) -> tuple[Period, ...]:
        """The working periods of ``day`` that count toward time limits (empty on a day off)."""
        with self._lock:
            if not self._days.is_working_day(day):
                return ()
            if day.weekday() in self.hours.weekdays or day in self._days.weekend_workdays:
                return self.hours.periods  # a make-up day replaces a full weekday
        return (self.hours.saturday_period,)  # the only other working day: a working Saturday morning

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
        with self._lock:
            return self._days.is_working_day(day)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        with self._lock:
            return self._days.get_nth_working_day(day, 1)

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

    def after_cutoff(self, received: datetime) -> bool:
        """True when ``received`` is on a working day at or after the afternoon cut-off (15:00 by default)."""
        local = self.local(received)
        cutoff = self.hours.cutoff
        return cutoff is not None and bool(self.periods(local.date())) and local.time() >= cutoff

    def counting_start(self, received: datetime) -> datetime:
        """The moment from which a time limit runs for a dossier received at ``received``.

        Received on a working day at or after the cut-off → the start of the
        next working day. Received outside working time (lunch, evening,
        weekend, holiday, Saturday-morning reception) → the next working
        period. Otherwise the moment of receipt itself.
        """
        local = self.local(received)
        if self.after_cutoff(local):
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
        with self._lock:
            day = self._days.get_nth_working_day(local.date(), n)
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
        while True:
            for period in self.periods(day):
                begin, end = self._at(day, period.start), self._at(day, period.end)
                if end <= cursor:
                    continue
                begin = max(begin, cursor)
                available = end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += _ONE_DAY
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
        if db == da:
            return 0
        with self._lock:
            return self._days.get_working_days_count(da + _ONE_DAY, db)

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
            day += _ONE_DAY
        return total
