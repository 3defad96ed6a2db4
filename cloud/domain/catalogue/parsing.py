"""Validating the loaded ``catalogue.yaml`` and ``province.yaml``: every problem at once, each by file and entry.

An error in the files must be caught before a dossier is received against
them. The parsers take the loaded YAML and the file's name (the caller
reads the file: the domain does no I/O) and report every problem at once,
each naming the file and the entry, e.g.::

    catalogue.yaml: procedures[12] (code HT.04): time_limit: working_days must be a positive number, got 0

Cross-references are checked too: field and partner-agency codes exist, codes
are unique, and a procedure's step budgets fit in its time limit (days count
as 8 working hours: :data:`~cloud.domain.deadlines.NOMINAL_WORKING_DAY`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from datetime import timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cloud.domain.catalogue.procedures import Catalogue, PartnerAgency, Procedure, ProcedureField
from cloud.domain.catalogue.units import LEVELS, Province, Unit
from cloud.domain.datafile import DataError, validation_problems
from cloud.domain.deadlines import NOMINAL_WORKING_DAY

M = TypeVar("M", bound=BaseModel)


def _entry_label(index: int, entry: Any, section: str) -> str:
    code = entry.get("code") if isinstance(entry, Mapping) else None
    return f"{section}[{index}]" + (f" (code {code})" if code else "")


def _parse_list(
    source: str, data: Mapping[str, Any], section: str, model: type[M], problems: list[str]
) -> list[tuple[int, M]]:
    """Validate each entry of ``data[section]`` on its own, so every bad entry is reported by index and code.

    Returns ``(index, model)`` for the valid entries, so later checks can name them too.
    """
    raw = data.get(section, [])
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        problems.append(f"{source}: {section}: must be a list")
        return []
    out = []
    for index, entry in enumerate(raw):
        label = _entry_label(index, entry, section)
        try:
            out.append((index, model.model_validate(entry)))
        except ValidationError as exc:
            problems.extend(validation_problems(exc, f"{source}: {label}"))
    return out


def _duplicates(source: str, section: str, codes: list[str], problems: list[str]) -> None:
    seen: dict[str, int] = {}
    for index, code in enumerate(codes):
        if code in seen:
            problems.append(f"{source}: {section}[{index}] (code {code}): code: duplicate of {section}[{seen[code]}]")
        else:
            seen[code] = index


def procedure_problems(proc: Procedure, field_codes: Collection[str], agency_codes: Collection[str]) -> list[str]:
    """What a valid :class:`Procedure` may still get wrong against its catalogue: unknown field or partner
    agency codes, step budgets beyond the time limit. The file's parser and the console's editor both ask."""
    problems = []
    if proc.field not in field_codes:
        problems.append(f"field: unknown field {proc.field!r}; known: {', '.join(sorted(field_codes))}")
    for k, part in enumerate(proc.lien_thong):
        if part.agency not in agency_codes:
            problems.append(f"lien_thong[{k}].agency: unknown agency {part.agency!r}")
    for k, fee in enumerate(proc.fees):
        if fee.collected_for is not None and fee.collected_for not in agency_codes:
            problems.append(f"fees[{k}].collected_for: unknown agency {fee.collected_for!r}")
    limit = proc.time_limit.working_time(NOMINAL_WORKING_DAY)
    if proc.steps and proc.step_budget > limit:
        problems.append(
            f"steps: budgets add up to {_hours(proc.step_budget)} working hours, "
            f"more than the time limit of {proc.time_limit} ({_hours(limit)} h at 8 h a day)"
        )
    return problems


def parse_catalogue(data: Mapping[str, Any] | None, source: str) -> Catalogue:
    """Validate a loaded ``catalogue.yaml`` and return the :class:`Catalogue`.

    Raises :class:`~cloud.domain.datafile.DataError` listing every problem,
    each naming ``source`` and the entry (index and code).
    """
    if not isinstance(data, Mapping):
        raise DataError(source, [f"{source}: the file must be a mapping with fields, agencies and procedures"])
    problems: list[str] = []
    unknown = sorted(set(data) - {"fields", "agencies", "procedures", "version", "note"})
    if unknown:
        problems.append(f"{source}: unknown top-level keys {', '.join(map(str, unknown))}")
    fields = _parse_list(source, data, "fields", ProcedureField, problems)
    agencies = _parse_list(source, data, "agencies", PartnerAgency, problems)
    procedures = _parse_list(source, data, "procedures", Procedure, problems)
    _duplicates(source, "fields", [f.code for _, f in fields], problems)
    _duplicates(source, "agencies", [a.code for _, a in agencies], problems)
    if not procedures and not problems:
        problems.append(f"{source}: procedures: the catalogue has no procedures")

    field_codes = {f.code for _, f in fields}
    agency_codes = {a.code for _, a in agencies}
    seen: dict[str, int] = {}
    for index, proc in procedures:
        label = f"{source}: procedures[{index}] (code {proc.code})"
        if proc.code in seen:
            problems.append(f"{label}: code: duplicate of procedures[{seen[proc.code]}]")
        else:
            seen[proc.code] = index
        problems.extend(f"{label}: {p}" for p in procedure_problems(proc, field_codes, agency_codes))
    if problems:
        raise DataError(source, problems)
    return Catalogue(
        source=source,
        fields=tuple(f for _, f in fields),
        agencies=tuple(a for _, a in agencies),
        procedures=tuple(p for _, p in procedures),
    )


def _hours(value: timedelta) -> str:
    hours = value.total_seconds() / 3600
    return f"{hours:g}"


def parse_province(data: Mapping[str, Any] | None, source: str, catalogue: Catalogue | None = None) -> Province:
    """Validate a loaded ``province.yaml``; with a catalogue, check department fields and agencies exist.

    The tree's shape is data, and checked here: the root, and only the root,
    is of province level, and no unit is of a higher level than its parent (a
    commune cannot hold a district; a unit may hold units of its own level,
    so deeper trees need no code). Codes must be unique across all units and departments (a
    code identifies a unit in hand-overs), and so must offices' ids and
    ``agency_id``. Every problem names the file and the entry, by its path in
    the tree: ``province.yaml: units[2].units[0] (code tdm.phu_hoa): ...``.
    """
    if not isinstance(data, Mapping):
        raise DataError(source, [f"{source}: the file must be a mapping describing one province"])
    try:
        province = Province.model_validate(data)
    except ValidationError as exc:
        raise DataError(source, validation_problems(exc, source)) from None
    problems: list[str] = []
    codes: dict[str, str] = {}
    offices: dict[str, str] = {}
    agency_ids: dict[str, str] = {}
    known_fields = {f.code for f in catalogue.fields} if catalogue is not None else None
    known_agencies = {a.code for a in catalogue.agencies} if catalogue is not None else None

    def claim(seen: dict[str, str], what: str, code: str, where: str) -> None:
        if code in seen:
            problems.append(f"{source}: {where}: {what} {code!r} already used by {seen[code]}")
        else:
            seen[code] = where

    if province.level != "province":
        problems.append(f"{source}: kind: the root must be a province (tinh, thanh_pho_trung_uong), got {province.kind}")
    for path, unit, parent in _tree(province):
        where = f"{path} (code {unit.code})" if path else f"{unit.kind} {unit.code}"
        label = f"{where} ({unit.name})"
        if parent is not None and (unit.level == "province" or LEVELS.index(unit.level) < LEVELS.index(parent.level)):
            problems.append(f"{source}: {where}: kind: a {unit.kind} ({unit.level} level) cannot be under "
                            f"{parent.code}, a {parent.kind} ({parent.level} level)")
        claim(codes, "code", unit.code, label)
        claim(offices, "office id", unit.office.code, label)
        claim(agency_ids, "office agency_id", unit.office.agency_id, label)
        for dept in unit.departments:
            claim(codes, "code", dept.code, f"{label} department {dept.name}")
            if known_fields is not None:
                for fld in dept.fields:
                    if fld not in known_fields:
                        problems.append(f"{source}: {label}: department {dept.code}: unknown field {fld!r}")
            if known_agencies is not None and dept.agency is not None and dept.agency not in known_agencies:
                problems.append(f"{source}: {label}: department {dept.code}: unknown agency {dept.agency!r}")
    if problems:
        raise DataError(source, problems)
    return province


def _tree(province: Province) -> Iterator[tuple[str, Unit, Unit | None]]:
    """Every unit with its key path in the file (``units[2].units[0]``; the root's is empty) and its parent."""
    stack: list[tuple[str, Unit, Unit | None]] = [("", province, None)]
    while stack:
        path, unit, parent = stack.pop()
        yield path, unit, parent
        prefix = f"{path}." if path else ""
        stack.extend((f"{prefix}units[{i}]", child, unit) for i, child in reversed(list(enumerate(unit.units))))
