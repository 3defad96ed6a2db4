"""The procedure catalogue (danh mục thủ tục hành chính) and the province's administrative units.

A procedure is what a citizen asks for (register a birth, get a construction
permit). Its published card (001, "Nội dung của TTHC") gives: field, competent
agency, time limit, fees and charges, documents to submit, steps, legal basis,
partner agencies. The workflow and the deadlines read these facts from here,
so an error in the file must be caught before a dossier is received against it.

Two pure parsers take the loaded YAML and the file's name and report every
problem at once, each naming the file and the entry, e.g.::

    catalogue.yaml: procedures[12] (code HT.04): time_limit: working_days must be a positive number, got 0

Cross-references are checked too: field and partner-agency codes exist, codes
are unique, and a procedure's step budgets fit in its time limit (days count
as 8 working hours: :data:`~cloud.domain.deadlines.NOMINAL_WORKING_DAY`).

The administrative hierarchy is province → district → commune, each with its
one-stop office and departments. Since 1 July 2025 Vietnam runs local
government on two levels (province, commune); a province may therefore list
communes directly, and a catalogue may simply not use the district level.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cloud.domain.datafile import DataError, validation_problems
from cloud.domain.deadlines import NOMINAL_WORKING_DAY, SupplementPolicy, TimeLimit
from cloud.domain.postal import PostalZone
from cloud.domain.roles import Role
from workdays import OfficeHours

Level = Literal["province", "district", "commune"]
"""Competent level (cấp có thẩm quyền): tỉnh, huyện, xã."""

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"
SLUG_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"

Code = Annotated[str, Field(pattern=CODE_PATTERN)]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
Text = Annotated[str, Field(min_length=1, max_length=500)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value


# -- catalogue -------------------------------------------------------------


class ProcedureField(_Frozen):
    """A field (lĩnh vực): the citizen picks it at the kiosk; reports group by it."""

    code: Slug
    name: Text


class PartnerAgency(_Frozen):
    """A kind of agency a procedure works with under one-stop liên thông (tax, police, land registry…)."""

    code: Slug
    name: Text


class RequiredDocument(_Frozen):
    """One paper of the dossier, counted the way the national catalogue does ("Bản chính: 1, Bản sao: 0")."""

    name: Text
    originals: Annotated[int, Field(ge=0, le=20)] = 0
    copies: Annotated[int, Field(ge=0, le=20)] = 0
    note: str | None = None
    conditional: bool = False
    """Needed only in the case its name states ("(nếu có)", "(trường hợp …)"): the desk judges, the
    completeness check does not demand it."""

    @model_validator(mode="after")
    def _some(self) -> RequiredDocument:
        if self.originals + self.copies == 0:
            raise ValueError(f"document {self.name!r} needs at least one original or copy")
        return self


class Fee(_Frozen):
    """A fee (phí) or charge (lệ phí) in VND.

    ``per`` says what the amount is for (a page, a copy, a dossier…);
    ``max_vnd`` caps a per-unit fee (certified copies: at most 200,000 VND a
    copy). ``collected_for`` names the partner agency the money belongs to when
    the lead agency collects it under the representative mechanism (``None``:
    the competent agency itself).
    """

    name: Text
    kind: Literal["fee", "charge"] = "charge"
    amount_vnd: Annotated[int, Field(ge=0)]
    per: Literal["dossier", "page", "copy", "case", "contract", "certificate", "licence", "person"] = "dossier"
    max_vnd: Annotated[int, Field(ge=0)] | None = None
    collected_for: Slug | None = None
    note: str | None = None


class Step(_Frozen):
    """One step of the internal process (quy trình nội bộ) with its time budget and who does it."""

    name: Text
    budget: TimeLimit
    role: Role
    unit: str | None = None


class LienThong(_Frozen):
    """A part of the procedure done by a partner agency (one-stop liên thông).

    ``counted`` is False when the law excludes that agency's time from the
    procedure's limit (e.g. the time to fulfil financial obligations in land
    procedures).
    """

    agency: Slug
    task: Text
    time_limit: TimeLimit | None = None
    counted: bool = True


class Procedure(_Frozen):
    """A procedure's card: everything the workflow and deadlines need to know about it."""

    code: Code
    name: Text
    field: Slug
    level: Level
    time_limit: TimeLimit
    fees: tuple[Fee, ...] = ()
    documents: Annotated[tuple[RequiredDocument, ...], Field(min_length=1)]
    steps: tuple[Step, ...] = ()
    online_level: Annotated[int, Field(ge=1, le=4)] = 2
    lien_thong: tuple[LienThong, ...] = ()
    postal_return: bool = False
    supplement_policy: SupplementPolicy = "pause"
    legal_basis: tuple[Text, ...] = ()
    result: str | None = None
    note: str | None = None

    @field_validator("time_limit")
    @classmethod
    def _whole_days(cls, value: TimeLimit) -> TimeLimit:
        if value.unit == "working_days" and value.amount != int(value.amount):
            raise ValueError(f"a legal time limit in working days must be whole, got {value.amount}")
        return value

    @property
    def step_budget(self) -> timedelta:
        """The steps' budgets added up, days counted as 8 working hours."""
        return sum((s.budget.working_time(NOMINAL_WORKING_DAY) for s in self.steps), timedelta())

    @property
    def free(self) -> bool:
        return all(f.amount_vnd == 0 for f in self.fees)


class Catalogue(_Frozen):
    """A province's procedure catalogue, validated and cross-checked."""

    source: str
    fields: tuple[ProcedureField, ...]
    agencies: tuple[PartnerAgency, ...] = ()
    procedures: tuple[Procedure, ...]

    def procedure(self, code: str) -> Procedure:
        for p in self.procedures:
            if p.code == code:
                return p
        raise KeyError(f"no procedure {code!r} in {self.source}")

    def field(self, code: str) -> ProcedureField:
        for f in self.fields:
            if f.code == code:
                return f
        raise KeyError(f"no field {code!r} in {self.source}")

    def in_field(self, field: str) -> tuple[Procedure, ...]:
        return tuple(p for p in self.procedures if p.field == field)


def _entry_label(index: int, entry: Any, section: str) -> str:
    code = entry.get("code") if isinstance(entry, Mapping) else None
    return f"{section}[{index}]" + (f" (code {code})" if code else "")


def _parse_list(
    source: str, data: Mapping[str, Any], section: str, model: type[BaseModel], problems: list[str]
) -> list[tuple[int, Any]]:
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
        if proc.field not in field_codes:
            problems.append(f"{label}: field: unknown field {proc.field!r}; known: {', '.join(sorted(field_codes))}")
        for k, part in enumerate(proc.lien_thong):
            if part.agency not in agency_codes:
                problems.append(f"{label}: lien_thong[{k}].agency: unknown agency {part.agency!r}")
        for k, fee in enumerate(proc.fees):
            if fee.collected_for is not None and fee.collected_for not in agency_codes:
                problems.append(f"{label}: fees[{k}].collected_for: unknown agency {fee.collected_for!r}")
        limit = proc.time_limit.working_time(NOMINAL_WORKING_DAY)
        if proc.steps and proc.step_budget > limit:
            problems.append(
                f"{label}: steps: budgets add up to {_hours(proc.step_budget)} working hours, "
                f"more than the time limit of {proc.time_limit} ({_hours(limit)} h at 8 h a day)"
            )
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


# -- administrative hierarchy ------------------------------------------------


class Department(_Frozen):
    """A specialist department (phòng, sở) or, at a commune, an officer's post (công chức Tư pháp – Hộ tịch).

    ``fields``: the fields whose dossiers it handles. ``agency``: set when the
    unit belongs to a partner agency (e.g. the tax sub-department), naming the
    catalogue's partner-agency code.
    """

    code: Code
    name: Text
    fields: tuple[Slug, ...] = ()
    agency: Slug | None = None


class OneStopOffice(_Frozen):
    """The one-stop desk of a unit: Bộ phận tiếp nhận và trả kết quả, or the provincial Trung tâm Phục vụ hành chính công.

    ``agency_id``: the unit's electronic identifier, which starts its dossier
    codes (``{agency}-{yymmdd}-{seq:04d}``).
    """

    code: Code
    name: Text
    agency_id: Annotated[str, Field(pattern=r"^[A-Z0-9](?:[A-Z0-9._]*[A-Z0-9])?$")]
    hours: OfficeHours = Field(default_factory=OfficeHours)
    counters: Annotated[int, Field(ge=1, le=200)] | None = None


class Commune(_Frozen):
    code: Code
    name: Text
    kind: Literal["xa", "phuong", "thi_tran", "dac_khu"] = "xa"
    office: OneStopOffice
    departments: tuple[Department, ...] = ()


class District(_Frozen):
    code: Code
    name: Text
    kind: Literal["huyen", "quan", "thi_xa", "thanh_pho"] = "huyen"
    postal_zone: PostalZone = "province"
    office: OneStopOffice
    departments: tuple[Department, ...] = ()
    communes: Annotated[tuple[Commune, ...], Field(min_length=1)]


class Province(_Frozen):
    code: Code
    name: Text
    kind: Literal["tinh", "thanh_pho"] = "tinh"
    note: str | None = None
    office: OneStopOffice
    departments: tuple[Department, ...] = ()
    districts: tuple[District, ...] = ()
    communes: tuple[Commune, ...] = ()

    def units(self) -> Iterator[tuple[Level, Province | District | Commune]]:
        """Every unit, province first, then each district followed by its communes."""
        yield "province", self
        for district in self.districts:
            yield "district", district
            for commune in district.communes:
                yield "commune", commune
        for commune in self.communes:
            yield "commune", commune

    def offices(self) -> Iterator[OneStopOffice]:
        for _, unit in self.units():
            yield unit.office

    def find_office(self, code: str) -> OneStopOffice:
        for office in self.offices():
            if office.code == code:
                return office
        raise KeyError(f"no one-stop office {code!r} in {self.name}")


def parse_province(data: Mapping[str, Any] | None, source: str, catalogue: Catalogue | None = None) -> Province:
    """Validate a loaded ``province.yaml``; with a catalogue, check department fields and agencies exist.

    Codes must be unique across all units, offices and departments (a code
    identifies a unit in hand-overs), and so must offices' ``agency_id``.
    """
    if not isinstance(data, Mapping):
        raise DataError(source, [f"{source}: the file must be a mapping describing one province"])
    try:
        province = Province.model_validate(data)
    except ValidationError as exc:
        raise DataError(source, validation_problems(exc, source)) from None
    problems: list[str] = []
    codes: dict[str, str] = {}
    agency_ids: dict[str, str] = {}

    def claim(code: str, where: str) -> None:
        if code in codes:
            problems.append(f"{source}: {where}: code {code!r} already used by {codes[code]}")
        else:
            codes[code] = where

    for level, unit in province.units():
        where = f"{level} {unit.code} ({unit.name})"
        claim(unit.code, where)
        claim(unit.office.code, f"{where} office")
        if unit.office.agency_id in agency_ids:
            problems.append(
                f"{source}: {where}: office agency_id {unit.office.agency_id!r} already used by {agency_ids[unit.office.agency_id]}"
            )
        agency_ids[unit.office.agency_id] = where
        for dept in unit.departments:
            claim(dept.code, f"{where} department {dept.name}")
            if catalogue is not None:
                known_fields = {f.code for f in catalogue.fields}
                known_agencies = {a.code for a in catalogue.agencies}
                for fld in dept.fields:
                    if fld not in known_fields:
                        problems.append(f"{source}: {where}: department {dept.code}: unknown field {fld!r}")
                if dept.agency is not None and dept.agency not in known_agencies:
                    problems.append(f"{source}: {where}: department {dept.code}: unknown agency {dept.agency!r}")
    if problems:
        raise DataError(source, problems)
    return province
