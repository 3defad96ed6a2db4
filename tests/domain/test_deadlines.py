"""Deadlines: due dates per kind of limit, completion and open status, apologies, supplements, step dues."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloud.domain.deadlines import (
    DeadlineError,
    OpenStatus,
    TimeLimit,
    Timing,
    apologise,
    classify_completion,
    due_date,
    max_new_appointment,
    open_status,
    pause_for_supplement,
    resume_after_supplement,
    start_clock,
    step_due_dates,
)
from tests.domain.support import vn
from workdays import VN_TZ, WorkingCalendar

MONDAY = vn(2026, 10, 12, 10, 0)
THREE_DAYS = TimeLimit.days(3)


# -- time limits --------------------------------------------------------------


def test_time_limit_shorthands_and_labels() -> None:
    assert TimeLimit.model_validate("same_day") == TimeLimit.same_day()
    assert TimeLimit.model_validate({"working_days": 3}) == THREE_DAYS
    assert TimeLimit.model_validate({"working_hours": 4}) == TimeLimit.hours(4)
    assert THREE_DAYS.label_vi == "03 ngày làm việc"
    assert TimeLimit.hours(4).label_vi == "04 giờ làm việc"
    assert TimeLimit.same_day().label_vi == "Trong ngày"
    assert str(TimeLimit.days(15)) == "15 working days"
    for bad in ({"working_days": 0}, {"weeks": 2}, {"working_days": 1, "working_hours": 2}, "tomorrow"):
        with pytest.raises(ValueError):
            TimeLimit.model_validate(bad)


def test_due_dates(calendar: WorkingCalendar) -> None:
    assert due_date(calendar, THREE_DAYS, MONDAY) == vn(2026, 10, 15, 17, 0)
    assert due_date(calendar, THREE_DAYS, vn(2026, 10, 12, 15, 30)) == vn(2026, 10, 16, 17, 0)  # after the cut-off
    assert due_date(calendar, THREE_DAYS, vn(2026, 10, 17, 9, 0)) == vn(2026, 10, 22, 17, 0)  # a Saturday
    assert due_date(calendar, TimeLimit.same_day(), MONDAY) == vn(2026, 10, 12, 17, 0)
    assert due_date(calendar, TimeLimit.same_day(), vn(2026, 10, 12, 15, 0)) == vn(2026, 10, 13, 17, 0)
    assert due_date(calendar, TimeLimit.hours(4), MONDAY) == vn(2026, 10, 12, 16, 0)
    assert due_date(calendar, TimeLimit.days(15), MONDAY) == vn(2026, 11, 2, 17, 0)
    assert due_date(calendar, THREE_DAYS, vn(2026, 2, 13, 10)) == vn(2026, 2, 25, 17, 0)  # across Tết 2026
    with pytest.raises(DeadlineError, match="whole"):
        due_date(calendar, TimeLimit.days(1.5), MONDAY)


# -- completion and open status ---------------------------------------------------


def test_completion_early_on_time_late(calendar: WorkingCalendar) -> None:
    clock = start_clock(calendar, THREE_DAYS, MONDAY)
    assert classify_completion(calendar, clock, vn(2026, 10, 14, 16, 0)) is Timing.early
    assert classify_completion(calendar, clock, vn(2026, 10, 15, 9, 0)) is Timing.on_time
    assert classify_completion(calendar, clock, vn(2026, 10, 15, 17, 0)) is Timing.on_time
    assert classify_completion(calendar, clock, vn(2026, 10, 15, 17, 1)) is Timing.late


def test_open_status(calendar: WorkingCalendar) -> None:
    clock = start_clock(calendar, THREE_DAYS, MONDAY)
    assert open_status(calendar, clock, vn(2026, 10, 13, 9)) is OpenStatus.in_time
    assert open_status(calendar, clock, vn(2026, 10, 14, 17)) is OpenStatus.due_soon  # 1 working day left
    assert open_status(calendar, clock, vn(2026, 10, 14, 16)) is OpenStatus.in_time
    assert open_status(calendar, clock, vn(2026, 10, 14, 16), due_soon_within=timedelta(hours=16)) is OpenStatus.due_soon
    assert open_status(calendar, clock, vn(2026, 10, 15, 17, 1)) is OpenStatus.overdue
    paused = pause_for_supplement(calendar, clock, vn(2026, 10, 13, 10))
    assert open_status(calendar, paused, vn(2026, 10, 20, 10)) is OpenStatus.waiting_citizen


# -- apology --------------------------------------------------------------------


def test_apology_extends_the_appointment_by_at_most_half(calendar: WorkingCalendar) -> None:
    clock = start_clock(calendar, THREE_DAYS, MONDAY)
    # Half of 3 days = 11 h 15 min of working time after Thursday 17:00 → Monday 11:15.
    assert max_new_appointment(calendar, clock) == vn(2026, 10, 19, 11, 15)
    later = apologise(calendar, clock, reason="Chờ ý kiến cơ quan thuế", new_appointment=vn(2026, 10, 19, 11, 0), issued_at=vn(2026, 10, 14, 10))
    assert later.appointment == vn(2026, 10, 19, 11, 0)
    assert later.due == clock.due  # the legal due never moves
    assert later.apologies[0].issued_before_due
    # Completed by the new appointment: still late.
    assert classify_completion(calendar, later, vn(2026, 10, 16, 10)) is Timing.late
    assert open_status(calendar, later, vn(2026, 10, 16, 10)) is OpenStatus.overdue
    with pytest.raises(DeadlineError, match="at most half"):
        apologise(calendar, clock, reason="x", new_appointment=vn(2026, 10, 19, 15), issued_at=vn(2026, 10, 14, 10))
    # The cap is cumulative.
    with pytest.raises(DeadlineError, match="at most half"):
        apologise(calendar, later, reason="x", new_appointment=vn(2026, 10, 19, 13, 30), issued_at=vn(2026, 10, 16, 10))


@pytest.mark.parametrize(
    ("reason", "new", "message"),
    [
        ("   ", vn(2026, 10, 16, 10), "reason"),
        ("late", vn(2026, 10, 15, 16), "after the legal due"),
        ("late", vn(2026, 10, 17, 10), "not on a working day"),
    ],
)
def test_apology_refusals(calendar: WorkingCalendar, reason: str, new: datetime, message: str) -> None:
    clock = start_clock(calendar, THREE_DAYS, MONDAY)
    with pytest.raises(DeadlineError, match=message):
        apologise(calendar, clock, reason=reason, new_appointment=new, issued_at=vn(2026, 10, 14, 10))


# -- supplements ------------------------------------------------------------------


def test_pause_keeps_the_remaining_time(calendar: WorkingCalendar) -> None:
    clock = start_clock(calendar, THREE_DAYS, MONDAY)  # due Thu 15/10 17:00
    paused = pause_for_supplement(calendar, clock, vn(2026, 10, 13, 10))
    assert paused.remaining == timedelta(hours=20)  # Tue 10:00–17:00 (5 h) + Wed + Thu
    resumed = resume_after_supplement(calendar, paused, vn(2026, 10, 19, 9))
    # 20 working hours from Mon 19/10 09:00 → Wed 21/10 16:00, rounded up to the end of that day.
    assert resumed.due == vn(2026, 10, 21, 17, 0)
    assert resumed.appointment == resumed.due and not resumed.paused


def test_pause_with_hours_is_not_rounded(calendar: WorkingCalendar) -> None:
    clock = start_clock(calendar, TimeLimit.hours(8), MONDAY)  # due Tue 10:30
    paused = pause_for_supplement(calendar, clock, vn(2026, 10, 12, 14, 0))  # 2 h done, 6 h left
    resumed = resume_after_supplement(calendar, paused, vn(2026, 10, 14, 8, 0))
    assert resumed.due == vn(2026, 10, 14, 16, 0)  # Wed 08:00 + 6 h, lunch skipped


def test_restart_runs_the_full_limit_again(calendar: WorkingCalendar) -> None:
    clock = start_clock(calendar, THREE_DAYS, MONDAY, policy="restart")
    paused = pause_for_supplement(calendar, clock, vn(2026, 10, 13, 10))
    resumed = resume_after_supplement(calendar, paused, vn(2026, 10, 19, 9))
    assert resumed.due == vn(2026, 10, 22, 17, 0)
    assert resumed.counting_from == vn(2026, 10, 19, 9)


def test_an_overdue_dossier_stays_overdue_through_a_pause(calendar: WorkingCalendar) -> None:
    clock = start_clock(calendar, THREE_DAYS, MONDAY)
    paused = pause_for_supplement(calendar, clock, vn(2026, 10, 16, 10))
    assert paused.remaining == timedelta(0)
    assert resume_after_supplement(calendar, paused, vn(2026, 10, 19, 9)).due == clock.due


def test_pause_and_resume_refusals(calendar: WorkingCalendar) -> None:
    clock = start_clock(calendar, THREE_DAYS, MONDAY)
    with pytest.raises(DeadlineError, match="not stopped"):
        resume_after_supplement(calendar, clock, vn(2026, 10, 13))
    paused = pause_for_supplement(calendar, clock, vn(2026, 10, 13, 10))
    with pytest.raises(DeadlineError, match="already stopped"):
        pause_for_supplement(calendar, paused, vn(2026, 10, 13, 11))
    with pytest.raises(DeadlineError, match="stopped"):
        apologise(calendar, paused, reason="x", new_appointment=vn(2026, 10, 16, 10), issued_at=vn(2026, 10, 14))


# -- steps ------------------------------------------------------------------------


def test_step_dues_share_the_real_window(calendar: WorkingCalendar) -> None:
    clock = start_clock(calendar, THREE_DAYS, MONDAY)
    budgets = [TimeLimit.hours(4), TimeLimit.hours(2), TimeLimit.hours(12), TimeLimit.hours(4), TimeLimit.hours(2)]
    dues = step_due_dates(calendar, clock, budgets)
    assert dues == tuple(sorted(dues))
    assert dues[-1] == clock.due
    assert dues[0] > clock.counting_from
    short = step_due_dates(calendar, clock, [TimeLimit.hours(4)])
    assert short[0] < clock.due  # budgets under the limit leave slack at the end


@settings(max_examples=100, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 6, 30), timezones=st.just(VN_TZ)),
    days=st.integers(min_value=1, max_value=30),
    unit=st.sampled_from(["working_days", "working_hours", "same_day"]),
)
def test_due_dates_of_every_kind_land_on_working_days(calendar: WorkingCalendar, start: datetime, days: int, unit: str) -> None:
    limit = TimeLimit.same_day() if unit == "same_day" else TimeLimit(unit=unit, amount=days)  # type: ignore[arg-type]  # unit is a str drawn by hypothesis from the Literal's values
    due = due_date(calendar, limit, start)
    assert calendar.is_working_day(due.date())
    assert due > start
