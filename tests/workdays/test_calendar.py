"""The working calendar: holidays (lunar ones included), swaps, office hours, cut-off, arithmetic.

Moved from tests/domain/ with the calendar (``cloud.domain.calendar`` → ``workdays``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloud.domain.datafile import DataError
from tests.workdays.support import vn
from workdays import (
    VN_TZ,
    CalendarOverrides,
    OfficeHours,
    WorkingCalendar,
    parse_calendar_overrides,
)

# 2026-10-12 is a Monday with no holiday in the following weeks.
MONDAY = vn(2026, 10, 12, 10, 0)


# -- days -------------------------------------------------------------------


def test_tet_2026_is_nine_days_off(calendar: WorkingCalendar) -> None:
    # Tết Bính Ngọ: civil servants off from Saturday 14/2 to Sunday 22/2/2026.
    assert calendar.is_working_day(date(2026, 2, 13))
    for day in range(14, 23):
        assert not calendar.is_working_day(date(2026, 2, day)), day
    assert calendar.is_working_day(date(2026, 2, 23))
    assert calendar.holiday_name(date(2026, 2, 17)) == "Tết Nguyên Đán"


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),  # Tết Dương lịch
        date(2026, 4, 27),  # Giỗ Tổ Hùng Vương (Sunday 26/4) observed on Monday
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 8, 31),  # swapped day off
        date(2026, 9, 1),  # the day adjacent to 2/9
        date(2026, 9, 2),
        date(2025, 1, 29),  # Tết Ất Tỵ
        date(2025, 4, 7),  # Giỗ Tổ Hùng Vương 2025
    ],
)
def test_public_holidays_are_off(calendar: WorkingCalendar, day: date) -> None:
    assert not calendar.is_working_day(day)
    assert calendar.holiday_name(day)


def test_swaps_from_the_overrides_file(calendar: WorkingCalendar) -> None:
    plain = WorkingCalendar()
    # New Year 2026: the package does not know the swap; the overrides file does.
    assert plain.is_working_day(date(2026, 1, 2)) and not plain.is_working_day(date(2026, 1, 10))
    assert not calendar.is_working_day(date(2026, 1, 2))
    assert calendar.is_working_day(date(2026, 1, 10))  # a Saturday worked
    assert "làm bù" in (calendar.holiday_name(date(2026, 1, 2)) or "")
    # Make-up Saturdays of the swaps the package knows (its weekend_workdays). This test used to
    # assert that the package could not express them (`not plain.is_working_day(saturday)`); it can,
    # so they are no longer in the overrides file and the plain calendar works them too.
    for saturday, day_off in ((date(2024, 5, 4), date(2024, 4, 29)), (date(2025, 4, 26), date(2025, 5, 2)),
                              (date(2026, 8, 22), date(2026, 8, 31))):
        assert saturday.weekday() == 5
        assert plain.is_working_day(saturday) and not plain.is_working_day(day_off)
        assert calendar.is_working_day(saturday)
        assert calendar.periods(saturday) == calendar.hours.periods  # a full day
        assert calendar.is_make_up_day(saturday) and not calendar.is_make_up_day(day_off)


def test_cancelled_holiday_and_extra_day_off() -> None:
    overrides = CalendarOverrides(
        cancelled_holidays={date(2026, 11, 24): "not yet a holiday"},
        days_off={date(2026, 10, 14): "provincial day off"},
    )
    cal = WorkingCalendar(overrides=overrides)
    assert not WorkingCalendar().is_working_day(date(2026, 11, 24))
    assert cal.is_working_day(date(2026, 11, 24))
    assert not cal.is_working_day(date(2026, 10, 14))
    assert cal.holiday_name(date(2026, 10, 14)) == "provincial day off"


def test_configurable_weekdays() -> None:
    cal = WorkingCalendar(hours=OfficeHours(weekdays=("tue", "wed", "thu", "fri", "sat")))
    assert not cal.is_working_day(date(2026, 10, 12))  # Monday
    assert cal.is_working_day(date(2026, 10, 17))  # Saturday


# -- moments ----------------------------------------------------------------


def test_add_working_days_counts_from_the_next_day_and_ends_at_closing(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(MONDAY, 3) == vn(2026, 10, 15, 17, 0)
    assert calendar.add_working_days(MONDAY.replace(hour=7, minute=30), 3) == vn(2026, 10, 15, 17, 0)
    assert calendar.add_working_days(vn(2026, 10, 16, 10), 1) == vn(2026, 10, 19, 17, 0)  # Friday → Monday
    assert calendar.add_working_days(MONDAY, 0) == MONDAY


def test_add_working_days_skips_tet_2026(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(vn(2026, 2, 13, 10), 3) == vn(2026, 2, 25, 17, 0)


def test_make_up_saturday_counts(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(vn(2026, 1, 9, 10), 1) == vn(2026, 1, 10, 17, 0)


def test_add_working_hours_skips_lunch_nights_and_weekends(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_hours(MONDAY, 4) == vn(2026, 10, 12, 16, 0)
    assert calendar.add_working_hours(vn(2026, 10, 12, 16), 2) == vn(2026, 10, 13, 8, 30)
    assert calendar.add_working_hours(vn(2026, 10, 16, 16), 1.5) == vn(2026, 10, 19, 8, 0)
    assert calendar.add_working_hours(vn(2026, 10, 12, 9), 2.5) == vn(2026, 10, 12, 11, 30)  # ends at a period's end
    assert calendar.add_working_hours(vn(2026, 10, 12, 12), timedelta(minutes=30)) == vn(2026, 10, 12, 14, 0)
    assert calendar.add_working_hours(MONDAY, 0) == MONDAY


def test_next_working_moment(calendar: WorkingCalendar) -> None:
    assert calendar.next_working_moment(MONDAY) == MONDAY
    assert calendar.next_working_moment(vn(2026, 10, 12, 11, 30)) == vn(2026, 10, 12, 13, 30)
    assert calendar.next_working_moment(vn(2026, 10, 12, 17)) == vn(2026, 10, 13, 7, 30)
    assert calendar.next_working_moment(vn(2026, 10, 12, 6)) == vn(2026, 10, 12, 7, 30)
    assert calendar.next_working_moment(vn(2026, 10, 17, 9)) == vn(2026, 10, 19, 7, 30)  # Saturday
    assert calendar.next_working_moment(vn(2026, 2, 13, 17, 30)) == vn(2026, 2, 23, 7, 30)  # into Tết


def test_cut_off_moves_the_counting_start_to_the_next_working_day(calendar: WorkingCalendar) -> None:
    assert calendar.counting_start(vn(2026, 10, 12, 14, 59)) == vn(2026, 10, 12, 14, 59)
    assert calendar.counting_start(vn(2026, 10, 12, 15, 0)) == vn(2026, 10, 13, 7, 30)
    assert calendar.counting_start(vn(2026, 10, 16, 16, 0)) == vn(2026, 10, 19, 7, 30)
    assert calendar.counting_start(vn(2026, 10, 12, 12, 0)) == vn(2026, 10, 12, 13, 30)
    no_cutoff = WorkingCalendar(hours=OfficeHours(cutoff=None))
    assert no_cutoff.counting_start(vn(2026, 10, 12, 16, 0)) == vn(2026, 10, 12, 16, 0)


def test_saturday_morning_reception_does_not_count() -> None:
    cal = WorkingCalendar(hours=OfficeHours(saturday_morning="reception"))
    saturday = vn(2026, 10, 17, 9, 0)
    assert cal.is_open(saturday)
    assert not cal.is_working_day(saturday.date())
    assert not cal.is_open(vn(2026, 10, 17, 14, 0))
    assert cal.counting_start(saturday) == vn(2026, 10, 19, 7, 30)
    assert not cal.is_open(vn(2026, 5, 2, 9, 0)) or cal.holiday_name(date(2026, 5, 2)) is None


def test_saturday_morning_working_counts_as_a_short_day() -> None:
    cal = WorkingCalendar(hours=OfficeHours(saturday_morning="working"))
    assert cal.is_working_day(date(2026, 10, 17))
    assert cal.add_working_days(vn(2026, 10, 16, 10), 1) == vn(2026, 10, 17, 11, 30)
    assert cal.add_working_hours(vn(2026, 10, 16, 16), 2) == vn(2026, 10, 17, 8, 30)
    assert cal.working_time_between(vn(2026, 10, 17, 0), vn(2026, 10, 18, 0)) == timedelta(hours=4)


def test_working_days_between_and_time_between(calendar: WorkingCalendar) -> None:
    assert calendar.working_days_between(date(2026, 10, 12), date(2026, 10, 15)) == 3
    assert calendar.working_days_between(date(2026, 10, 15), date(2026, 10, 12)) == -3
    assert calendar.working_days_between(vn(2026, 2, 13, 9), vn(2026, 2, 23, 9)) == 1
    assert calendar.working_time_between(vn(2026, 10, 12, 7, 30), vn(2026, 10, 12, 17)) == timedelta(hours=7, minutes=30)
    assert calendar.working_time_between(vn(2026, 10, 12, 17), vn(2026, 10, 12, 7, 30)) == -timedelta(hours=7, minutes=30)
    assert calendar.day_length == timedelta(hours=7, minutes=30)


def test_times_in_other_zones_are_converted(calendar: WorkingCalendar) -> None:
    utc = datetime(2026, 10, 12, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
    due = calendar.add_working_days(utc, 3)
    assert due == vn(2026, 10, 15, 17, 0) and due.tzinfo == VN_TZ


def test_naive_datetimes_are_refused(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="naive"):
        calendar.add_working_days(datetime(2026, 10, 12, 10), 1)


def test_office_hours_validation() -> None:
    with pytest.raises(ValueError, match="overlap"):
        OfficeHours(periods=("07:30-12:00", "11:30-17:00"))
    with pytest.raises(ValueError, match="saturday_morning"):
        OfficeHours(weekdays=("mon", "sat"), saturday_morning="reception")
    with pytest.raises(ValueError, match="weekday"):
        OfficeHours(weekdays=("mon", "funday"))
    hours = OfficeHours.model_validate({"periods": ["07:00-11:30", "13:30-17:00"], "cutoff": "16:00"})
    assert hours.day_length == timedelta(hours=8) and hours.cutoff == time(16, 0)


def test_override_file_errors_name_the_file_and_entry() -> None:
    with pytest.raises(DataError) as info:
        parse_calendar_overrides(
            {"swaps": [{"day_off": "2026-01-02", "working_day": "2026-01-08", "reason": "x"}],
             "days_off": [{"date": "2026-13-01", "reason": "y"}]},
            "calendar_overrides.yaml",
        )
    text = str(info.value)
    assert "calendar_overrides.yaml: swaps[0]: make-up day 2026-01-08 is a thu" in text
    assert "calendar_overrides.yaml: days_off[0].date" in text
    with pytest.raises(DataError, match="both as working day and day off"):
        parse_calendar_overrides(
            {"working_days": [{"date": "2026-01-10", "reason": "a"}], "days_off": [{"date": "2026-01-10", "reason": "b"}]},
            "o.yaml",
        )


# -- properties ---------------------------------------------------------------

STARTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 6, 30), timezones=st.just(VN_TZ))
DAYS = st.integers(min_value=0, max_value=60)
CALENDARS = st.sampled_from(["default", "saturday_working", "no_overrides"])


def _calendar(kind: str, base: WorkingCalendar) -> WorkingCalendar:
    if kind == "saturday_working":
        return WorkingCalendar(hours=OfficeHours(saturday_morning="working"), overrides=base.overrides)
    if kind == "no_overrides":
        return WorkingCalendar()
    return base


@settings(max_examples=150, deadline=None)
@given(start=STARTS, n=st.integers(min_value=1, max_value=60), kind=CALENDARS)
def test_a_due_date_never_falls_on_a_non_working_day(calendar: WorkingCalendar, start: datetime, n: int, kind: str) -> None:
    cal = _calendar(kind, calendar)
    due = cal.add_working_days(cal.counting_start(start), n)
    assert cal.is_working_day(due.date())
    assert due == cal.end_of_working_day(due.date())
    by_hours = cal.add_working_hours(start, n)
    assert cal.is_working_day(by_hours.date())


@settings(max_examples=150, deadline=None)
@given(a=STARTS, b=STARTS, n=DAYS, kind=CALENDARS)
def test_due_dates_are_monotonic_in_the_start(calendar: WorkingCalendar, a: datetime, b: datetime, n: int, kind: str) -> None:
    cal = _calendar(kind, calendar)
    early, late = min(a, b), max(a, b)
    assert cal.add_working_days(early, n) <= cal.add_working_days(late, n)
    assert cal.add_working_days(cal.counting_start(early), n) <= cal.add_working_days(cal.counting_start(late), n)
    assert cal.add_working_hours(early, n) <= cal.add_working_hours(late, n)


@settings(max_examples=150, deadline=None)
@given(start=STARTS, n=DAYS, m=DAYS, kind=CALENDARS)
def test_adding_n_then_m_working_days_equals_adding_n_plus_m(
    calendar: WorkingCalendar, start: datetime, n: int, m: int, kind: str
) -> None:
    cal = _calendar(kind, calendar)
    assert cal.add_working_days(cal.add_working_days(start, n), m) == cal.add_working_days(start, n + m)
    assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


@settings(max_examples=100, deadline=None)
@given(start=STARTS, a=st.integers(min_value=0, max_value=6000), b=st.integers(min_value=0, max_value=6000))
def test_adding_working_minutes_is_additive(calendar: WorkingCalendar, start: datetime, a: int, b: int) -> None:
    first = calendar.add_working_hours(start, timedelta(minutes=a))
    assert calendar.add_working_hours(first, timedelta(minutes=b)) == calendar.add_working_hours(start, timedelta(minutes=a + b))
    if a:
        assert calendar.working_time_between(calendar.next_working_moment(start), first) == timedelta(minutes=a)
