"""Load the procedure catalogue and the province's units into the database.

Files are read here and handed to the pure parsers (``parse_catalogue``,
``parse_province``; the calendar's overrides through
``workdays.load_calendar_overrides``), which name the file and the
entry in every error (:class:`~cloud.domain.datafile.DataError`). Loading is an
upsert: running it twice changes nothing, and editing a YAML file then running
it again updates the rows. Procedures or units removed from the files are kept
(dossiers refer to them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, func, select

from cloud.db import upsert
from cloud.db.dossiers import admin_unit_table, procedure_table
from cloud.db.engine import write_transaction
from cloud.domain.catalogue import Catalogue, Procedure, Province, parse_catalogue, parse_province
from cloud.domain.datafile import DataError
from workdays import OVERRIDES_FILE, CalendarOverrides, load_calendar_overrides

CATALOGUE_FILE = "catalogue.yaml"
PROVINCE_FILE = "province.yaml"


@dataclass(frozen=True)
class ReferenceData:
    catalogue: Catalogue
    province: Province


@dataclass(frozen=True)
class SeedReport:
    procedures: int
    procedures_new: int
    units: int
    units_new: int
    fields: int

    def __str__(self) -> str:
        return (f"{self.procedures} procedures in {self.fields} fields ({self.procedures_new} new), "
                f"{self.units} administrative units ({self.units_new} new)")


#: libyaml's parser with the safe constructor: parses the catalogue in ~15 ms instead of ~100 ms, paid at every
#: first start and in every test that starts the app. The same Python objects; only its error messages are terser.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(str(path), [f"{path}: cannot read: {exc.strerror or exc}"]) from None
    try:
        return yaml.load(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        pass  # parsed again below, for the pure-Python parser's message (it quotes the line)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataError(str(path), [f"{path}: not valid YAML: {exc}"]) from None


def load_reference(directory: Path) -> ReferenceData:
    """Read and validate ``catalogue.yaml`` and ``province.yaml`` from ``directory``; raises DataError."""
    catalogue = parse_catalogue(_read_yaml(directory / CATALOGUE_FILE), str(directory / CATALOGUE_FILE))
    province = parse_province(_read_yaml(directory / PROVINCE_FILE), str(directory / PROVINCE_FILE), catalogue)
    return ReferenceData(catalogue, province)


def load_overrides(directory: Path) -> CalendarOverrides:
    """The calendar's per-year overrides: ``directory``'s own ``calendar_overrides.yaml`` if it has one, else
    the file shipped in ``workdays/data/`` (the one the hubs read), so that a deployment can publish a newer
    government decision without a release."""
    path = directory / OVERRIDES_FILE
    return load_calendar_overrides(path if path.exists() else None)


def procedure_row(p: Procedure, now: datetime) -> dict[str, Any]:
    """A procedure as the ``procedure`` table holds it (the seed's and the console editor's one shape)."""
    return {
        "code": p.code, "name": p.name, "field": p.field, "level": p.level,
        "time_limit": p.time_limit.model_dump(mode="json"),
        "fees": [f.model_dump(mode="json") for f in p.fees],
        "data": p.model_dump(mode="json"), "updated_at": now,
    }


def seed(engine: Engine, data: ReferenceData, now: datetime | None = None) -> SeedReport:
    """Upsert every procedure and unit in one transaction."""
    now = now or datetime.now(UTC)
    procedures = [procedure_row(p, now) for p in data.catalogue.procedures]
    units = [
        {
            "id": placed.unit.code, "name": placed.unit.name, "kind": placed.level,
            "parent": placed.parent.code if placed.parent is not None else None,
            "office": placed.unit.office.code, "office_name": placed.unit.office.name,
            "agency_id": placed.unit.office.agency_id,
            "data": {
                "unit_kind": placed.unit.kind,
                "division_code": placed.unit.division_code,
                "postal_zone": placed.postal_zone,
                "office": placed.unit.office.model_dump(mode="json"),
                "departments": [d.model_dump(mode="json") for d in placed.unit.departments],
            },
            "updated_at": now,
        }
        for placed in data.province.walk()  # parents before their children: the rows' foreign keys need it
    ]
    with write_transaction(engine) as conn:
        dialect = conn.dialect.name
        known_procedures = conn.execute(select(func.count()).select_from(procedure_table)).scalar_one()
        known_units = conn.execute(select(func.count()).select_from(admin_unit_table)).scalar_one()
        for table, rows, key in ((procedure_table, procedures, "code"), (admin_unit_table, units, "id")):
            for row in rows:  # one by one: units in order, parents first
                stmt = upsert.insert(dialect, table).values(**row)
                stmt = stmt.on_conflict_do_update(
                    index_elements=[key], set_={c: stmt.excluded[c] for c in row if c != key}
                )
                conn.execute(stmt)
        total_procedures = conn.execute(select(func.count()).select_from(procedure_table)).scalar_one()
        total_units = conn.execute(select(func.count()).select_from(admin_unit_table)).scalar_one()
    return SeedReport(
        procedures=len(procedures), procedures_new=total_procedures - known_procedures,
        units=len(units), units_new=total_units - known_units, fields=len(data.catalogue.fields),
    )


def catalogue_is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(procedure_table)).scalar_one() == 0


def seed_if_empty(engine: Engine, directory: Path) -> SeedReport | None:
    """Seed when the procedure table is empty (first start, tests, the demo); otherwise leave it alone."""
    if not catalogue_is_empty(engine):
        return None
    return seed(engine, load_reference(directory))
