"""``onestop calendar due``: the due date an officer can check by hand, with the days skipped and why.

Run through typer's CliRunner against the shipped ``firmware_configs/sai-gon.yaml``
and the shipped override file; the date comes from the cloud's ``due_date``.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cloud.domain.deadlines import TimeLimit, due_date
from onestop_cli.main import app
from tests.workdays.support import vn
from workdays import WorkingCalendar, day_vi, load_calendar_overrides

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = {"ONESTOP_FIRMWARE_CONFIGS": str(ROOT / "firmware_configs")}

TET_2027 = [
    "thứ Năm, 04/02/2027 — nghỉ lễ: 29 Tết",
    "thứ Sáu, 05/02/2027 — nghỉ lễ: Giao thừa Tết Nguyên Đán",
    "thứ Bảy, 06/02/2027 — nghỉ lễ: Tết Nguyên Đán",
    "Chủ nhật, 07/02/2027 — nghỉ lễ: Mùng hai Tết Nguyên Đán",
    "thứ Hai, 08/02/2027 — nghỉ lễ: Mùng ba Tết Nguyên Đán",
    "thứ Ba, 09/02/2027 — nghỉ lễ: Mùng bốn Tết Nguyên Đán",
    "thứ Tư, 10/02/2027 — nghỉ lễ: Mùng năm Tết Nguyên Đán",
]


def run(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["calendar", "due", *args], env=CONFIGS)
    return result.exit_code, result.output.splitlines()


def test_five_working_days_across_tet_2027() -> None:
    code, lines = run("--office", "sai-gon", "--from", "2027-02-03T09:00", "--days", "5")
    assert code == 0, lines
    assert lines[-1] == "Hạn giải quyết: thứ Tư, 17/02/2027 17:00"
    assert "Tiếp nhận: thứ Tư, 03/02/2027 09:00" in lines
    assert "Thời hạn: 05 ngày làm việc (không tính ngày tiếp nhận)" in lines
    skipped = lines[lines.index("Các ngày không tính:") + 1:]
    assert [line.strip() for line in skipped[:9]] == [
        *TET_2027, "thứ Bảy, 13/02/2027 — nghỉ cuối tuần", "Chủ nhật, 14/02/2027 — nghỉ cuối tuần"]
    assert "Các ngày làm việc được tính: 11/02, 12/02, 15/02, 16/02, 17/02" in lines


def test_the_command_prints_the_cloud_due_date() -> None:
    """The same function as the cloud's dossiers (cloud.domain.deadlines.due_date), on the same calendar."""
    calendar = WorkingCalendar(overrides=load_calendar_overrides())
    for received, limit, args in [
        (vn(2027, 2, 3, 9, 0), TimeLimit.days(5), ["--days", "5"]),
        (vn(2026, 12, 30, 16, 0), TimeLimit.days(3), ["--days", "3"]),
        (vn(2026, 8, 28, 11, 0), TimeLimit.hours(6), ["--hours", "6"]),
    ]:
        expected = due_date(calendar, limit, received)
        code, lines = run("--office", "sai-gon", "--from", f"{received:%Y-%m-%dT%H:%M}", *args)
        assert code == 0, lines
        assert lines[-1] == f"Hạn giải quyết: {day_vi(expected.date())} {expected:%H:%M}"


def test_after_the_cut_off_the_count_starts_the_next_working_day() -> None:
    code, lines = run("--office", "sai-gon", "--from", "2027-02-03 15:30", "--days", "5")
    assert code == 0, lines
    assert "  thứ Tư, 03/02/2027 — tiếp nhận sau 15:00: tính từ ngày làm việc tiếp theo" in lines
    assert "Bắt đầu tính: thứ Năm, 11/02/2027 07:30" in lines
    assert lines[-1] == "Hạn giải quyết: thứ Năm, 18/02/2027 17:00"


def test_working_hours() -> None:
    code, lines = run("--office", "sai-gon", "--from", "2027-02-03T15:30", "--hours", "4")
    assert code == 0, lines
    assert "Thời hạn: 04 giờ làm việc" in lines
    assert lines[-1] == "Hạn giải quyết: thứ Năm, 11/02/2027 11:30"


def test_a_local_day_off_of_the_office_is_skipped_and_named(tmp_path: Path) -> None:
    data = yaml.safe_load((ROOT / "firmware_configs" / "sai-gon.yaml").read_text(encoding="utf-8"))
    data["days_off"] = [{"date": "2027-02-12", "name": "Ngày giải phóng tỉnh (địa phương)"}]
    config = tmp_path / "office.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, lines = run("--config", str(config), "--from", "2027-02-03T09:00", "--days", "5")
    assert code == 0, lines
    assert "  thứ Sáu, 12/02/2027 — ngày nghỉ riêng của cơ quan: Ngày giải phóng tỉnh (địa phương)" in lines
    assert lines[-1] == "Hạn giải quyết: thứ Năm, 18/02/2027 17:00"


def test_a_make_up_saturday_counts() -> None:
    code, lines = run("--office", "sai-gon", "--from", "2026-01-09T10:00", "--days", "1")
    assert code == 0, lines
    assert lines[-1] == "Hạn giải quyết: thứ Bảy, 10/01/2026 17:00"


def test_bad_arguments_are_refused_with_a_reason() -> None:
    code, lines = run("--office", "sai-gon", "--from", "2027-02-03T09:00")
    assert code == 2 and any("exactly one of --days and --hours" in line for line in lines)
    code, lines = run("--office", "nowhere", "--from", "2027-02-03T09:00", "--days", "5")
    assert code == 2 and any("nowhere.yaml: file not found" in line for line in lines)
    code, lines = run("--office", "sai-gon", "--from", "03/02/2027", "--days", "5")
    assert code == 2 and any("--from" in line for line in lines)


def test_the_readme_command_works_as_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    """README's commands list the calendar check an officer copies: it must name a shipped office and run from the repo root."""
    line = next(line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
                if line.startswith("onestop calendar due "))
    args = shlex.split(line.split("#", 1)[0])
    assert args[:3] == ["onestop", "calendar", "due"]
    monkeypatch.chdir(ROOT)  # the default --configs-dir is firmware_configs/, relative to where it is typed
    result = CliRunner().invoke(app, args[1:], env={"ONESTOP_FIRMWARE_CONFIGS": None})
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Hạn giải quyết: thứ Tư, 17/02/2027 17:00"
