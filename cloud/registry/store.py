"""The registry of offices in the database: add an office for a unit, its queue fields, counters and officers.

Every change is one transaction that rewrites the office's row (its
configuration and a bumped ``config_version``) and its ``counter`` rows
together, so the API's office views, the ingest's list of offices and the
exported firmware file never disagree. The rules that need no database (a
counter names only known queue fields, catalogue slugs exist, hardware
defaults) are :mod:`cloud.registry.model`'s.

An office can only be the one-stop office of a unit of the province data
(``admin_unit.office``, seeded from ``cloud/data/province.yaml``); an officer
can only be assigned where their unit's administration reaches
(:func:`cloud.domain.scope.scope_for`, the rule of the dossier read scopes: an
officer works for the offices of their unit and of the units under it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy import Connection, Engine, delete, select

from cloud.db.dossiers import admin_unit_table
from cloud.db.engine import write_transaction
from cloud.db.registry import officer_assignment_table
from cloud.db.tables import counter_table, office_table
from cloud.db.upsert import insert
from cloud.db.users import user_table
from cloud.domain.roles import Role
from cloud.domain.scope import AdminUnit, scope_for
from cloud.registry.model import (
    RegistryCounter,
    RegistryError,
    RegistryOffice,
    hours_text,
    parse_registry_office,
    unknown_catalogue_fields,
)
from protocol.errors import validation_text
from protocol.office_config import FieldConfig, OfficeConfig, OfficeInfo
from workdays import OfficeHours

log = structlog.get_logger(__name__)


def catalogue_fields(reference_data: Path) -> dict[str, str]:
    """Slug → name of the fields of the procedure catalogue in ``reference_data`` (``cloud/data/catalogue.yaml``)."""
    from cloud.dossiers.seed import load_reference  # the seed imports the dossier tables; only needed here

    return {f.code: f.name for f in load_reference(reference_data).catalogue.fields}


class UnknownOffice(RegistryError):
    """No such office in the registry (HTTP 404)."""


@dataclass(frozen=True)
class Unit:
    """An administrative unit of the province data, as the registry needs it."""

    code: str
    name: str
    office: str
    office_name: str
    parent: str | None
    hours: OfficeHours


@dataclass(frozen=True)
class Assignment:
    username: str
    full_name: str
    unit: str
    counters: tuple[int, ...]
    """Counter numbers the officer may sit at; empty: any counter of the office."""


@dataclass(frozen=True)
class OfficeRecord:
    """An office of the registry with its unit and officers, for listing and showing."""

    office: RegistryOffice
    unit: Unit | None
    officers: tuple[Assignment, ...]

    @property
    def id(self) -> str:
        return self.office.office.id


class RegistryStore:
    """The registry over one engine. ``catalogue_fields``: slug → name of the catalogue's fields, to check against."""

    def __init__(self, engine: Engine, catalogue_fields: Mapping[str, str],
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.catalogue_fields = dict(catalogue_fields)
        self.clock = clock

    # -- reading ---------------------------------------------------------------------------------

    def units(self, conn: Connection | None = None) -> dict[str, Unit]:
        """Every administrative unit of the province data, by code."""
        if conn is None:
            with self.engine.connect() as own:
                return self.units(own)
        units = {}
        for row in conn.execute(select(admin_unit_table)):
            hours = OfficeHours.model_validate((row.data or {}).get("office", {}).get("hours") or {})
            units[row.id] = Unit(row.id, row.name, row.office, row.office_name, row.parent, hours)
        return units

    def unit_of_office(self, office: str, conn: Connection | None = None) -> Unit:
        """The unit whose one-stop office ``office`` is, or a RegistryError listing the province's offices."""
        units = self.units(conn)
        found = next((u for u in units.values() if u.office == office), None)
        if found is None:
            if not units:
                raise RegistryError(f"office {office!r}: the province data is not loaded (run onestop seed), "
                                    "so no office can be registered")
            known = ", ".join(sorted(u.office for u in units.values()))
            raise RegistryError(f"{office!r} is not the one-stop office of any unit of the province data; "
                                f"known offices: {known}")
        return found

    def get(self, office: str, conn: Connection | None = None) -> RegistryOffice:
        if conn is None:
            with self.engine.connect() as own:
                return self.get(office, own)
        row = conn.execute(select(office_table.c.config).where(office_table.c.id == office)).first()
        if row is None:
            raise UnknownOffice(f"office {office!r} is not in the registry; add it with onestop office add "
                                "or POST /api/v1/registry/offices")
        return parse_registry_office(row.config, office)

    def list(self) -> list[OfficeRecord]:
        with self.engine.connect() as conn:
            ids = list(conn.execute(select(office_table.c.id).order_by(office_table.c.id)).scalars())
            return [self._record(conn, office) for office in ids]

    def show(self, office: str) -> OfficeRecord:
        with self.engine.connect() as conn:
            return self._record(conn, office)

    def _record(self, conn: Connection, office: str) -> OfficeRecord:
        registered = self.get(office, conn)
        unit_code = conn.execute(select(office_table.c.unit).where(office_table.c.id == office)).scalar_one()
        unit = self.units(conn).get(unit_code) if unit_code else None
        a, u = officer_assignment_table.c, user_table.c
        rows = conn.execute(select(a.username, a.counters, u.full_name, u.unit)
                            .join(user_table, u.username == a.username)
                            .where(a.office == office).order_by(u.full_name, a.username)).all()
        officers = tuple(Assignment(r.username, r.full_name, r.unit, tuple(r.counters)) for r in rows)
        return OfficeRecord(registered, unit, officers)

    # -- changing --------------------------------------------------------------------------------

    def add_office(self, office: str, *, name: str | None = None, timezone: str = "Asia/Ho_Chi_Minh") -> OfficeRecord:
        """Register the one-stop office ``office`` of its unit, with the unit's hours; no fields or counters yet."""
        with write_transaction(self.engine) as conn:
            unit = self.unit_of_office(office, conn)
            if conn.execute(select(office_table.c.id).where(office_table.c.id == office)).first() is not None:
                raise RegistryError(f"office {office!r} is already in the registry")
            try:
                info = OfficeInfo(id=office, name=name or unit.office_name, timezone=timezone)
            except ValidationError as exc:
                raise RegistryError(f"office {office!r}: {validation_text(exc, root='value')}") from None
            registered = RegistryOffice(version=1, office=info, hours=unit.hours)
            self._save(conn, registered, unit.code)
            log.info("registry.office_added", office=office, unit=unit.code)
        return self.show(office)

    def set_field(self, office: str, code: str, *, name: str | None = None, prefix: str | None = None,
                  catalogue: Sequence[str] | None = None) -> RegistryOffice:
        """Add the queue field ``code`` (name and prefix required) or change what is given of it."""
        def change(current: RegistryOffice) -> RegistryOffice:
            old = current.field(code)
            if old is None and (name is None or prefix is None):
                raise RegistryError(f"office {office!r}: a new queue field {code!r} needs a name and a prefix")
            data: dict[str, Any] = old.model_dump() if old is not None else {"code": code}
            data.update({k: v for k, v in (("name", name), ("prefix", prefix),
                                           ("catalogue", tuple(catalogue) if catalogue is not None else None))
                         if v is not None})
            try:
                new = FieldConfig.model_validate(data)
            except ValidationError as exc:
                raise RegistryError(f"office {office!r}: queue field {code!r}: {validation_text(exc, root='value')}") from None
            problems = unknown_catalogue_fields([new], self.catalogue_fields)
            if problems:
                raise RegistryError(f"office {office!r}: " + "; ".join(problems))
            fields = [new if f.code == code else f for f in current.fields] if old else [*current.fields, new]
            return current.changed(fields=[f.model_dump(mode="json") for f in fields])
        return self._change(office, change, "registry.field_set", field=code)

    def set_counter(self, office: str, number: int, fields: Sequence[str]) -> RegistryOffice:
        """Add counter ``number`` serving ``fields``, or change the fields of an existing one (hardware kept)."""
        def change(current: RegistryOffice) -> RegistryOffice:
            old = current.counter(number)
            counter = (old.model_copy(update={"fields": list(fields)}) if old is not None
                       else RegistryCounter(number=number, fields=list(fields)) if fields else None)
            if counter is None:
                raise RegistryError(f"office {office!r}: counter {number} needs at least one queue field")
            counters = ([counter if c.number == number else c for c in current.counters] if old
                        else sorted([*current.counters, counter], key=lambda c: c.number))
            return current.changed(counters=[c.model_dump(mode="json", exclude_none=True) for c in counters])
        return self._change(office, change, "registry.counter_set", counter=number)

    def remove_counter(self, office: str, number: int) -> RegistryOffice:
        def change(current: RegistryOffice) -> RegistryOffice:
            if current.counter(number) is None:
                raise RegistryError(f"office {office!r} has no counter {number}; its counters: "
                                    f"{', '.join(str(c.number) for c in current.counters) or 'none'}")
            if len(current.counters) == 1 and current.hub is not None:
                raise RegistryError(f"office {office!r}: counter {number} is its last one; a hub needs a counter")
            return current.changed(counters=[c.model_dump(mode="json", exclude_none=True)
                                             for c in current.counters if c.number != number])

        def held(conn: Connection) -> None:
            a = officer_assignment_table.c
            for username, counters in conn.execute(select(a.username, a.counters).where(a.office == office)):
                if number in counters and len(counters) == 1:
                    raise RegistryError(f"office {office!r}: {username} is assigned to counter {number} only; "
                                        "unassign or reassign them first")
                if number in counters:
                    conn.execute(officer_assignment_table.update().where(a.office == office, a.username == username)
                                 .values(counters=[c for c in counters if c != number]))
        return self._change(office, change, "registry.counter_removed", before=held, counter=number)

    def set_hours(self, office: str, hours: OfficeHours) -> RegistryOffice:
        """The office's one schedule: the hub's file, the queue and the deadlines all follow it."""
        return self._change(office, lambda current: current.changed(hours=hours.model_dump(mode="json")),
                            "registry.hours_set", hours=hours_text(hours))

    def assign(self, office: str, username: str, counters: Sequence[int] = ()) -> OfficeRecord:
        """Let ``username`` sit at ``counters`` of ``office`` (none given: any of its counters)."""
        with write_transaction(self.engine) as conn:
            current = self.get(office, conn)
            user = conn.execute(select(user_table.c.unit, user_table.c.active, user_table.c.full_name)
                                .where(user_table.c.username == username)).first()
            if user is None:
                raise RegistryError(f"no user {username!r}; create the account first (onestop users add)")
            if not user.active:
                raise RegistryError(f"user {username!r} is disabled")
            unknown = sorted(set(counters) - {c.number for c in current.counters})
            if unknown:
                raise RegistryError(f"office {office!r} has no counter {unknown[0]}; its counters: "
                                    f"{', '.join(str(c.number) for c in current.counters) or 'none'}")
            admin_units = {u.code: AdminUnit(u.office, u.parent) for u in self.units(conn).values()}
            reach = scope_for(Role.reception, user.unit, admin_units).offices or frozenset()
            if office not in reach:
                raise RegistryError(f"{username} ({user.full_name}) works for unit {user.unit!r}, whose "
                                    f"administration does not include office {office!r}; their offices: "
                                    f"{', '.join(sorted(reach)) or 'none'}")
            row = {"office": office, "username": username, "counters": sorted(set(counters)),
                   "assigned_at": self.clock()}
            stmt = insert(conn.dialect.name, officer_assignment_table).values(row)
            conn.execute(stmt.on_conflict_do_update(
                index_elements=[officer_assignment_table.c.office, officer_assignment_table.c.username],
                set_={"counters": stmt.excluded.counters, "assigned_at": stmt.excluded.assigned_at}))
            self._bump(conn, current)
            log.info("registry.officer_assigned", office=office, username=username, counters=row["counters"])
        return self.show(office)

    def unassign(self, office: str, username: str) -> OfficeRecord:
        with write_transaction(self.engine) as conn:
            current = self.get(office, conn)
            a = officer_assignment_table.c
            done = conn.execute(delete(officer_assignment_table).where(a.office == office, a.username == username))
            if not done.rowcount:
                raise RegistryError(f"{username!r} is not assigned to office {office!r}")
            self._bump(conn, current)
            log.info("registry.officer_unassigned", office=office, username=username)
        return self.show(office)

    # -- files -----------------------------------------------------------------------------------

    def import_config(self, config: OfficeConfig, source: str) -> RegistryOffice:
        """Seed or upgrade the registry from a firmware file (startup); raises RegistryError to refuse it.

        Refused: an office that is not one of the province's (a dead office),
        catalogue fields the catalogue lacks, and hours that differ from the
        registry's (the registry's are the one schedule; a new office's are its
        unit's in the province data). A file older than the registry, or of the
        same version, changes nothing: the registry has moved on.
        """
        office = config.office.id
        with write_transaction(self.engine) as conn:
            try:
                unit = self.unit_of_office(office, conn)
            except RegistryError as exc:
                raise RegistryError(f"{source}: {exc}; the file describes a dead office") from None
            problems = unknown_catalogue_fields(config.fields, self.catalogue_fields)
            if problems:
                raise RegistryError("; ".join(f"{source}: {p}" for p in problems))
            exists = conn.execute(select(office_table.c.config).where(office_table.c.id == office)).first()
            try:
                current = parse_registry_office(exists.config, office) if exists is not None else None
            except RegistryError:
                current = None  # loaded by a cloud older than the registry (opening_hours): seeded anew from the file
            expected = current.hours if current is not None else unit.hours
            if config.hours != expected:
                raise RegistryError(f"{source}: hours {hours_text(config.hours)} differ from the registry's "
                                    f"{hours_text(expected)}; change them in the registry "
                                    f"(onestop office hours {office} …) and export the file again")
            if current is not None and current.version >= config.version:
                unit_known = conn.execute(select(office_table.c.unit).where(office_table.c.id == office)).scalar()
                if unit_known is None:
                    conn.execute(office_table.update().where(office_table.c.id == office).values(unit=unit.code))
                return current
            registered = RegistryOffice.of(config)
            self._save(conn, registered, unit.code)
        return registered

    # -- one transaction per change ------------------------------------------------------------------

    def _change(self, office: str, change: Callable[[RegistryOffice], RegistryOffice], event: str,
                before: Callable[[Connection], None] | None = None, **details: Any) -> RegistryOffice:
        with write_transaction(self.engine) as conn:
            current = self.get(office, conn)
            new = change(current)
            if before is not None:
                before(conn)
            unit = conn.execute(select(office_table.c.unit).where(office_table.c.id == office)).scalar()
            self._save(conn, new, unit)
            log.info(event, office=office, version=new.version, **details)
        return new

    def _bump(self, conn: Connection, current: RegistryOffice) -> None:
        """Officers are the registry's too: their change is a new version of the office."""
        unit = conn.execute(select(office_table.c.unit).where(office_table.c.id == current.office.id)).scalar()
        self._save(conn, current.changed(), unit)

    def _save(self, conn: Connection, office: RegistryOffice, unit: str | None) -> None:
        row = {"id": office.office.id, "unit": unit, "name": office.office.name, "timezone": office.office.timezone,
               "config": office.stored(), "config_version": office.version, "updated_at": self.clock()}
        stmt = insert(conn.dialect.name, office_table).values(row)
        conn.execute(stmt.on_conflict_do_update(index_elements=[office_table.c.id],
                                                set_={k: stmt.excluded[k] for k in row if k != "id"}))
        conn.execute(delete(counter_table).where(counter_table.c.office == office.office.id))
        if office.counters:
            conn.execute(counter_table.insert(), [{"office": office.office.id, "number": c.number,
                                                   "fields": list(c.fields)} for c in office.counters])
