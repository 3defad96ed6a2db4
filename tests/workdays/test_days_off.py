"""Days off from the ``holidays`` package, layered with the year's overrides and an office's local days off."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, time
from pathlib import Path

import pytest

from tests.workdays.support import vn
from workdays import (
    CalendarOverrides,
    DataError,
    DayOff,
    OfficeHours,
    WorkingCalendar,
    load_calendar_overrides,
    national_holidays,
)

ROOT = Path(__file__).resolve().parents[2]
TET_2027 = [date(2027, 2, d) for d in range(4, 11)]  # 29 Tết (Thu 4/2) … Mùng năm (Wed 10/2), from the package


def test_tet_2027_comes_from_the_package_with_vietnamese_names(calendar: WorkingCalendar) -> None:
    assert calendar.is_working_day(date(2027, 2, 3))
    for day in TET_2027:
        assert not calendar.is_working_day(day), day
    assert calendar.is_working_day(date(2027, 2, 11))
    assert calendar.holiday_name(date(2027, 2, 6)) == "Tết Nguyên Đán"  # 1/1 lunar: a Saturday
    assert calendar.holiday_name(date(2027, 2, 4)) == "29 Tết"  # given for the Saturday
    assert calendar.holiday_name(date(2027, 2, 10)) == "Mùng năm Tết Nguyên Đán"  # given for the Sunday
    assert calendar.holiday_name(date(2027, 4, 16)) == "Ngày Giỗ Tổ Hùng Vương"  # 10/3 lunar
    assert set(TET_2027) <= set(national_holidays(2027))


def test_counting_skips_tet_2027(calendar: WorkingCalendar) -> None:
    received = vn(2027, 2, 3, 9, 0)
    due = calendar.add_working_days(calendar.counting_start(received), 5)
    assert due == vn(2027, 2, 17, 17, 0)  # Thu 11, Fri 12, Mon 15, Tue 16, Wed 17
    assert calendar.working_days_between(received, due) == 5
    skipped = calendar.days_off_between(received.date(), due.date())
    assert [d.day for d in skipped] == [*TET_2027, date(2027, 2, 13), date(2027, 2, 14)]
    assert skipped[2] == DayOff(date(2027, 2, 6), "holiday", "Tết Nguyên Đán")
    assert skipped[2].reason_vi == "nghỉ lễ: Tết Nguyên Đán"
    assert skipped[-1] == DayOff(date(2027, 2, 14), "weekend", "Chủ nhật")
    assert skipped[-1].reason_vi == "nghỉ cuối tuần"


def test_a_local_day_off_closes_the_office_and_says_so() -> None:
    local = {date(2027, 3, 10): "Ngày giải phóng tỉnh (địa phương)", date(2027, 2, 8): "trùng Tết"}
    cal = WorkingCalendar(local_days_off=local)
    assert not cal.is_working_day(date(2027, 3, 10))
    off = cal.day_off(date(2027, 3, 10))
    assert off == DayOff(date(2027, 3, 10), "local", "Ngày giải phóng tỉnh (địa phương)")
    assert off.reason_vi == "ngày nghỉ riêng của cơ quan: Ngày giải phóng tỉnh (địa phương)"
    # On a national holiday the holiday's own name stays.
    assert cal.day_off(date(2027, 2, 8)) == DayOff(date(2027, 2, 8), "holiday", "Mùng ba Tết Nguyên Đán")
    assert cal.add_working_days(vn(2027, 3, 9, 9), 1) == vn(2027, 3, 11, 17, 0)
    assert WorkingCalendar().is_working_day(date(2027, 3, 10))


def test_a_local_day_off_wins_over_a_make_up_saturday() -> None:
    saturday = date(2026, 8, 22)  # worked in the package's 2026 swap
    assert WorkingCalendar().is_working_day(saturday)
    assert not WorkingCalendar(local_days_off={saturday: "x"}).is_working_day(saturday)


def test_overrides_win_over_the_package() -> None:
    # A newer decision: the 22/8/2026 make-up Saturday is cancelled, and 24/11/2026 is not a day off after all.
    overrides = CalendarOverrides(days_off={date(2026, 8, 22): "không làm bù"},
                                  cancelled_holidays={date(2026, 11, 24): "chưa là ngày nghỉ"})
    cal = WorkingCalendar(overrides=overrides)
    assert not cal.is_working_day(date(2026, 8, 22)) and not cal.is_make_up_day(date(2026, 8, 22))
    assert cal.day_off(date(2026, 8, 22)) == DayOff(date(2026, 8, 22), "holiday", "không làm bù")
    assert cal.is_working_day(date(2026, 11, 24))
    assert not WorkingCalendar().is_working_day(date(2026, 11, 24))


def test_a_swap_across_the_new_year_works_its_saturday() -> None:
    # Tết 2015: Friday 2/1/2015 off, worked on Saturday 27/12/2014 (the package files it under 2015).
    cal = WorkingCalendar()
    assert cal.is_working_day(date(2014, 12, 27)) and cal.is_make_up_day(date(2014, 12, 27))
    assert not cal.is_working_day(date(2015, 1, 2))


def test_compensatory_days_follow_the_national_week_not_the_office_week() -> None:
    # Giỗ Tổ 2026 falls on Sunday 26/4 and is observed on Monday 27/4 nationally. An office working
    # Tuesday to Saturday does not get Tuesday 28/4 off in its place.
    tue_to_sat = WorkingCalendar(hours=OfficeHours(weekdays=("tue", "wed", "thu", "fri", "sat")))
    assert tue_to_sat.holiday_name(date(2026, 4, 27)) == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"
    assert tue_to_sat.is_working_day(date(2026, 4, 28))
    assert tue_to_sat.day_off(date(2026, 4, 27)) == DayOff(date(2026, 4, 27), "holiday", "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)")
    assert tue_to_sat.day_off(date(2026, 10, 12)) == DayOff(date(2026, 10, 12), "weekend", "thứ Hai")


def test_a_make_up_saturday_is_a_full_day_even_with_saturday_morning_work() -> None:
    cal = WorkingCalendar(hours=OfficeHours(saturday_morning="working"))
    assert cal.periods(date(2025, 4, 26)) == cal.hours.periods
    assert cal.periods(date(2025, 4, 19)) == (cal.hours.saturday_period,)


def test_after_cutoff() -> None:
    cal = WorkingCalendar()
    assert not cal.after_cutoff(vn(2027, 2, 3, 14, 59))
    assert cal.after_cutoff(vn(2027, 2, 3, 15, 0))
    assert not cal.after_cutoff(vn(2027, 2, 6, 16, 0))  # a holiday: no working day to cut
    assert cal.counting_start(vn(2027, 2, 3, 15, 0)) == vn(2027, 2, 11, 7, 30)
    assert not WorkingCalendar(hours=OfficeHours(cutoff=None)).after_cutoff(vn(2027, 2, 3, 16, 0))
    assert OfficeHours().cutoff == time(15, 0)


def test_the_shipped_override_file_holds_only_what_the_package_lacks(overrides: CalendarOverrides) -> None:
    package = {d for year in (2024, 2025, 2026) for d in national_holidays(year)}
    worked = {d for year in (2024, 2025, 2026) for d in national_holidays(year).weekend_workdays}
    assert not set(overrides.days_off) & package
    assert not set(overrides.working_days) & worked
    assert overrides.working_days == {date(2026, 1, 10): "Tết Dương lịch 2026: nghỉ thứ Sáu 02/01, làm bù thứ Bảy 10/01"}


def test_loader_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.yaml"
    with pytest.raises(DataError, match=r"nothing.yaml: cannot read"):
        load_calendar_overrides(missing)
    broken = tmp_path / "broken.yaml"
    broken.write_text("swaps: [\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"broken.yaml: not valid YAML"):
        load_calendar_overrides(broken)
    listed = tmp_path / "list.yaml"
    listed.write_text("- 2027-01-01\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"list.yaml: must be a mapping"):
        load_calendar_overrides(listed)
    impossible = tmp_path / "impossible.yaml"
    impossible.write_text("days_off: [{date: 2027-02-30, reason: x}]\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"impossible.yaml: not valid YAML: day is out of range"):
        load_calendar_overrides(impossible)
    bad = tmp_path / "bad.yaml"
    bad.write_text("days_off: [{date: '2027-02-30', reason: x}]\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.yaml: days_off\[0\].date"):
        load_calendar_overrides(bad)
    good = tmp_path / "good.yaml"
    good.write_text("days_off: [{date: 2027-03-10, reason: Nghỉ}]\n", encoding="utf-8")
    assert load_calendar_overrides(good).days_off == {date(2027, 3, 10): "Nghỉ"}


def test_importing_the_package_reads_no_data_file() -> None:
    """Pure at import: the override file is read only by the loader, when it is called."""
    probe = (
        "import json, sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == 'open' else None)\n"
        "import workdays\n"
        "cal = workdays.WorkingCalendar()\n"
        "before = [p for p in opened if p.endswith('.yaml')]\n"
        "workdays.load_calendar_overrides()\n"
        "after = [p for p in opened if p.endswith('.yaml')]\n"
        "print(json.dumps([before, after]))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    before, after = json.loads(out.stdout)
    assert before == []
    assert [Path(p).name for p in after] == ["calendar_overrides.yaml"]
