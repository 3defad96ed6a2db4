"""``onestop office …``: the cloud's registry of one-stop offices, managed from the server's shell.

The registry is the truth for an office's counters, queue fields, officers
and hours; ``export`` writes the hub's firmware file from it. Exit codes: 0
done, 1 refused (the message says why and what is known), 2 the database or
the reference data cannot be used.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from cloud.registry import OfficeRecord, RegistryStore

office_app = typer.Typer(help="The registry of one-stop offices: counters, queue fields, officers, hours.",
                         no_args_is_help=True)
counter_app = typer.Typer(help="An office's counters (quầy) and the queue fields each serves.", no_args_is_help=True)
field_app = typer.Typer(help="An office's queue fields (lĩnh vực at the kiosk) and the catalogue fields they serve.",
                        no_args_is_help=True)
officer_app = typer.Typer(help="Officers assigned to an office's counters.", no_args_is_help=True)
office_app.add_typer(counter_app, name="counter")
office_app.add_typer(field_app, name="field")
office_app.add_typer(officer_app, name="officer")

OfficeArg = Annotated[str, typer.Argument(help="office id, e.g. sai-gon")]


@contextmanager
def _registry() -> Iterator[RegistryStore]:
    from sqlalchemy.exc import SQLAlchemyError

    from cloud.db import migrate
    from cloud.db.engine import make_engine
    from cloud.domain.datafile import DataError
    from cloud.registry import RegistryError, RegistryStore, catalogue_fields
    from cloud.settings import Settings
    from onestop_cli.environment import read_settings

    settings = read_settings(Settings)
    try:
        fields = catalogue_fields(settings.reference_data)
    except DataError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    engine = make_engine(settings.db_url)
    try:
        migrate.upgrade(engine)
        yield RegistryStore(engine, fields)
    except RegistryError as exc:
        _fail(str(exc))
    except SQLAlchemyError as exc:
        typer.echo(f"ERROR: cannot use the database {engine.url.render_as_string()}: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()


def _fail(message: str) -> NoReturn:
    typer.echo(f"ERROR: {message}", err=True)
    raise typer.Exit(1)


def _describe(record: OfficeRecord, catalogue: dict[str, str]) -> None:
    from cloud.registry.model import hours_text

    office = record.office
    unit = f"{record.unit.name} ({record.unit.code})" if record.unit else "— (not linked to a unit yet)"
    typer.echo(f"{office.office.id}: {office.office.name}")
    typer.echo(f"  đơn vị (unit):        {unit}")
    typer.echo(f"  phiên bản (version):  {office.version}")
    typer.echo(f"  giờ làm việc (hours): {hours_text(office.hours)}")
    for day in office.days_off:
        typer.echo(f"  ngày nghỉ riêng:      {day.date:%d/%m/%Y} {day.name}")
    typer.echo("  lĩnh vực (queue fields):")
    for f in office.fields or []:
        served = ", ".join(catalogue.get(s, s) for s in f.catalogue) or "— (no catalogue field)"
        typer.echo(f"    {f.prefix:<3} {f.code:<16} {f.name}  →  {served}")
    if not office.fields:
        typer.echo("    — none: onestop office field set OFFICE CODE --name … --prefix …")
    typer.echo("  quầy (counters):")
    names = {f.code: f.name for f in office.fields}
    for c in office.counters:
        typer.echo(f"    quầy {c.number}: {', '.join(names.get(code, code) for code in c.fields)}")
    if not office.counters:
        typer.echo("    — none: onestop office counter add OFFICE NUMBER --field …")
    typer.echo("  cán bộ (officers):")
    for officer in record.officers:
        where = ", ".join(f"quầy {n}" for n in officer.counters) or "mọi quầy (any counter)"
        typer.echo(f"    {officer.full_name} ({officer.username}): {where}")
    if not record.officers:
        typer.echo("    — none: onestop office officer assign OFFICE USERNAME")
    typer.echo(f"  hub: {'recorded' if office.hub else 'none recorded (export writes defaults)'}")


@office_app.command("list")
def list_offices() -> None:
    """Every office of the registry with its unit, counters and officers."""
    with _registry() as registry:
        for record in registry.list():
            unit = record.unit.name if record.unit else "—"
            typer.echo(f"{record.id:<16} v{record.office.version:<4} {len(record.office.counters):>2} quầy "
                       f"{len(record.officers):>2} cán bộ  {record.office.office.name} ({unit})")


@office_app.command("show")
def show(office: OfficeArg) -> None:
    """An office: its unit, hours, queue fields with their catalogue fields, counters and officers."""
    with _registry() as registry:
        _describe(registry.show(office), registry.catalogue_fields)


@office_app.command("add")
def add(
    office: OfficeArg,
    name: Annotated[str | None, typer.Option(help="the office's name [default: the province data's]")] = None,
    timezone: Annotated[str, typer.Option(help="IANA time zone")] = "Asia/Ho_Chi_Minh",
) -> None:
    """Register the one-stop office of a unit of the province data (its id is the unit's office id)."""
    with _registry() as registry:
        record = registry.add_office(office, name=name, timezone=timezone)
        unit = record.unit.name if record.unit else "?"
        typer.echo(f"added {record.id}: {record.office.office.name} ({unit}), version {record.office.version}")


@field_app.command("set")
def field_set(
    office: OfficeArg,
    code: Annotated[str, typer.Argument(help="queue field code, e.g. ho-tich")],
    name: Annotated[str | None, typer.Option(help="as the kiosk shows it, e.g. 'Hộ tịch'")] = None,
    prefix: Annotated[str | None, typer.Option(help="ticket number prefix, 1-3 capital letters")] = None,
    catalogue: Annotated[list[str] | None, typer.Option(
        help="a catalogue field it serves (cloud/data/catalogue.yaml, e.g. ho_tich); repeat for several")] = None,
) -> None:
    """Add a queue field or change its name, prefix or catalogue fields."""
    with _registry() as registry:
        updated = registry.set_field(office, code, name=name, prefix=prefix, catalogue=catalogue)
        typer.echo(f"{office}: queue field {code} set, version {updated.version}")


@counter_app.command("add")
def counter_add(
    office: OfficeArg,
    number: Annotated[int, typer.Argument(help="counter number")],
    field: Annotated[list[str], typer.Option(help="a queue field it serves; repeat for several")],
) -> None:
    """Add a counter, or change the queue fields of an existing one (its LED and keypad settings are kept)."""
    with _registry() as registry:
        updated = registry.set_counter(office, number, field)
        typer.echo(f"{office}: counter {number} serves {', '.join(field)}, version {updated.version}")


@counter_app.command("remove")
def counter_remove(office: OfficeArg, number: Annotated[int, typer.Argument(help="counter number")]) -> None:
    """Remove a counter."""
    with _registry() as registry:
        updated = registry.remove_counter(office, number)
        typer.echo(f"{office}: counter {number} removed, version {updated.version}")


@officer_app.command("assign")
def officer_assign(
    office: OfficeArg,
    username: Annotated[str, typer.Argument(help="the officer's account")],
    counter: Annotated[list[int] | None, typer.Option(help="a counter they may sit at; repeat; none: any")] = None,
) -> None:
    """Assign an officer of the office's administration to its counters."""
    with _registry() as registry:
        record = registry.assign(office, username, counter or [])
        officer = next(o for o in record.officers if o.username == username)
        where = ", ".join(f"quầy {n}" for n in officer.counters) or "mọi quầy"
        typer.echo(f"{officer.full_name} ({username}) → {record.office.office.name}: {where}")


@officer_app.command("unassign")
def officer_unassign(office: OfficeArg, username: Annotated[str, typer.Argument(help="the officer's account")]) -> None:
    """Remove an officer from the office's counters."""
    with _registry() as registry:
        record = registry.unassign(office, username)
        typer.echo(f"{username} no longer assigned to {record.office.office.name}")


@office_app.command("hours")
def hours(
    office: OfficeArg,
    periods: Annotated[str, typer.Option(help="working periods, e.g. '07:30-11:30,13:30-17:00'")],
    weekdays: Annotated[str, typer.Option(help="working weekdays, e.g. mon,tue,wed,thu,fri")] = "mon,tue,wed,thu,fri",
    saturday_morning: Annotated[str, typer.Option(help="closed, reception or working")] = "closed",
    saturday_period: Annotated[str, typer.Option(help="Saturday morning's period")] = "07:30-11:30",
    cutoff: Annotated[str, typer.Option(help="received later counts from the next working day; 'none': no cut-off")]
        = "15:00",
) -> None:
    """Set the office's one schedule: the queue, the counters and the deadlines all follow it."""
    from pydantic import ValidationError

    from protocol.errors import validation_text
    from workdays import OfficeHours

    try:
        new = OfficeHours.model_validate({
            "periods": [p.strip() for p in periods.split(",") if p.strip()],
            "weekdays": [d.strip() for d in weekdays.split(",") if d.strip()],
            "saturday_morning": saturday_morning, "saturday_period": saturday_period,
            "cutoff": None if cutoff.lower() == "none" else cutoff,
        })
    except ValidationError as exc:
        _fail(validation_text(exc, root="hours"))
    with _registry() as registry:
        updated = registry.set_hours(office, new)
        typer.echo(f"{office}: hours set, version {updated.version}; export the hub's file again")


@office_app.command("export")
def export(
    office: OfficeArg,
    out: Annotated[Path | None, typer.Option(help="write here instead of standard output")] = None,
) -> None:
    """The hub's firmware file (firmware_configs/OFFICE.yaml) generated from the registry."""
    from cloud.registry import office_yaml

    with _registry() as registry:
        text = office_yaml(registry.get(office))
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {out}", err=True)
