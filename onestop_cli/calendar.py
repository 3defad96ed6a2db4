"""``onestop calendar due``: a dossier's due date worked out by hand, with every day it skipped and why.

An officer checking a date on a receipt slip (or a citizen's complaint) needs
more than the date: which days did not count, and why — a weekend, a public
holiday (named as the calendar names it, in Vietnamese), a local day off of
that office, the 15:00 cut-off. The date itself comes from
``cloud.domain.deadlines.due_date``, the function the cloud's dossiers use,
on the same ``workdays`` calendar the hub's kiosk uses.

The office's YAML (``firmware_configs/OFFICE.yaml``, or ``--config``) gives
its time zone and local days off; working periods and the cut-off are the
default office week (07:30–11:30, 13:30–17:00, 15:00).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from workdays import DataError, WorkingCalendar, day_vi, load_calendar_overrides

calendar_app = typer.Typer(help="The working calendar (workdays): check a due date by hand.", no_args_is_help=True)


def _moment_vi(moment: datetime) -> str:
    return f"{day_vi(moment.date())} {moment:%H:%M}"


@calendar_app.command("due")
def due(
    received: Annotated[datetime, typer.Option(
        "--from", formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help="when the complete dossier was received, in the office's local time, e.g. 2027-02-03T09:00")],
    days: Annotated[int | None, typer.Option(min=1, help="time limit in working days")] = None,
    hours: Annotated[float | None, typer.Option(min=0.01, help="time limit in working hours")] = None,
    office: Annotated[str | None, typer.Option(help="office id: reads CONFIGS_DIR/OFFICE.yaml")] = None,
    config: Annotated[Path | None, typer.Option(help="an office YAML, instead of --office")] = None,
    configs_dir: Annotated[Path, typer.Option(envvar="ONESTOP_FIRMWARE_CONFIGS",
                                              help="directory of office YAML files")] = Path("firmware_configs"),
    overrides: Annotated[Path | None, typer.Option(
        help="calendar_overrides.yaml to use (default: the one shipped in workdays/data)")] = None,
) -> None:
    """Print the due date of a dossier and each day the count skipped, with the reason."""
    from cloud.domain.deadlines import TimeLimit, due_date
    from edge.config_file import load_office_config
    from protocol.office_config import ConfigError

    if (days is None) == (hours is None):
        raise typer.BadParameter("give exactly one of --days and --hours")
    if (office is None) == (config is None):
        raise typer.BadParameter("give exactly one of --office and --config")
    path = config if config is not None else configs_dir / f"{office}.yaml"
    try:
        cfg = load_office_config(path)
        year_overrides = load_calendar_overrides(overrides)
    except (ConfigError, DataError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None

    tz = ZoneInfo(cfg.office.timezone)
    calendar = WorkingCalendar(hours=cfg.hours, overrides=year_overrides, tz=tz,
                               local_days_off={d.date: d.name for d in cfg.days_off})
    limit = TimeLimit.days(days) if days is not None else TimeLimit.hours(hours or 0)
    at = received.replace(tzinfo=tz)
    start = calendar.counting_start(at)
    deadline = due_date(calendar, limit, at)

    periods = ", ".join(f"{p.start:%H:%M}–{p.end:%H:%M}" for p in calendar.hours.periods)
    cutoff = calendar.hours.cutoff
    typer.echo(f"Cơ quan: {cfg.office.name} ({cfg.office.id}), múi giờ {cfg.office.timezone}")
    late = f"; hồ sơ tiếp nhận sau {cutoff:%H:%M} được tính từ ngày làm việc tiếp theo" if cutoff else ""
    typer.echo(f"Giờ làm việc: {periods}{late}")
    typer.echo(f"Tiếp nhận: {_moment_vi(at)}")
    typer.echo(f"Thời hạn: {limit.label_vi}" + (" (không tính ngày tiếp nhận)" if limit.unit == "working_days" else ""))
    typer.echo(f"Bắt đầu tính: {_moment_vi(start)}")
    typer.echo("Các ngày không tính:")
    skipped = []
    if calendar.after_cutoff(at) and cutoff is not None:
        skipped.append(f"{day_vi(at.date())} — tiếp nhận sau {cutoff:%H:%M}: tính từ ngày làm việc tiếp theo")
    for off in calendar.days_off_between(at.date(), deadline.date()):
        skipped.append(f"{day_vi(off.day)} — {off.reason_vi}")
    for line in skipped or ["(không có)"]:
        typer.echo(f"  {line}")
    if limit.unit == "working_days":
        counted = _working_days(calendar, start.date(), deadline.date())
        typer.echo("Các ngày làm việc được tính: " + ", ".join(f"{d:%d/%m}" for d in counted))
    typer.echo(f"Hạn giải quyết: {_moment_vi(deadline)}")


def _working_days(calendar: WorkingCalendar, after: date, through: date) -> list[date]:
    """The working days ``d`` with ``after < d <= through``: the days a limit in days counted."""
    out, day = [], after
    while day < through:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            out.append(day)
    return out
