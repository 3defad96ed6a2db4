"""A procedure's published card and the province's catalogue of them, with its look-ups.

A procedure is what a citizen asks for (register a birth, get a construction
permit). Its published card (001, "Nội dung của TTHC") gives: field, competent
agency, time limit, fees and charges, documents to submit, steps, legal basis,
partner agencies. The workflow and the deadlines read these facts from here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from cloud.domain.catalogue.base import Code, Entry, Level, Slug, Text
from cloud.domain.deadlines import NOMINAL_WORKING_DAY, SupplementPolicy, TimeLimit
from cloud.domain.roles import Role


class ProcedureField(Entry):
    """A field (lĩnh vực): the citizen picks it at the kiosk; reports group by it."""

    code: Slug
    name: Text


class PartnerAgency(Entry):
    """A kind of agency a procedure works with under one-stop liên thông (tax, police, land registry…)."""

    code: Slug
    name: Text


class RequiredDocument(Entry):
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


class Fee(Entry):
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


class Step(Entry):
    """One step of the internal process (quy trình nội bộ) with its time budget and who does it."""

    name: Text
    budget: TimeLimit
    role: Role
    unit: str | None = None


class LienThong(Entry):
    """A part of the procedure done by a partner agency (one-stop liên thông).

    ``counted`` is False when the law excludes that agency's time from the
    procedure's limit (e.g. the time to fulfil financial obligations in land
    procedures).
    """

    agency: Slug
    task: Text
    time_limit: TimeLimit | None = None
    counted: bool = True


class Procedure(Entry):
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
    applicants: tuple[Text, ...] = ()
    """Who may apply (đối tượng thực hiện): "Công dân Việt Nam", "Tổ chức"… as the published card says."""
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


class Catalogue(Entry):
    """A province's procedure catalogue, validated and cross-checked (:func:`~cloud.domain.catalogue.parse_catalogue`)."""

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
