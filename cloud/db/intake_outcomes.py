"""Intake outcomes that create no dossier: a supplement asked for, a refusal, a redirect (``cloud.domain.intake``).

One row per outcome (``intake_outcome``), with the reference printed on its
slip; the reference's number comes from ``intake_outcome_sequence`` (one row
per kind and local day, ``INSERT … ON CONFLICT DO UPDATE SET last_seq =
last_seq + 1 RETURNING``, as the dossiers' own numbers), so two desks never
print the same reference. The row and its audit entry are written in one
transaction (:func:`record`): an outcome is never kept without its trace,
nor a trace without its outcome.

The applicant's name, ID number, address and phone are kept here (the slip
is reprinted from them) but not in the audit entry, which is kept forever.

Every change here needs a migration (``migrations/versions/0013_intake_outcomes.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Connection, Engine, Index, String, select
from sqlmodel import Field, SQLModel

from cloud.db import audit, upsert
from cloud.db.dossiers import CODE
from cloud.db.types import UtcDateTime, table_of
from cloud.domain.intake import AUDIT_ACTIONS, Applicant, OutcomeKind, reference
from cloud.domain.workflow import Actor, QueueTicket


class IntakeOutcomeRow(SQLModel, table=True):
    """One intake that ended without a dossier: who came, for what, and what the desk told them."""

    __tablename__ = "intake_outcome"
    __table_args__ = (Index("ix_intake_outcome_office_at", "office", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(sa_type=String(32), unique=True, description="BS-/TC-/CQ-yymmdd-nnnn, on the slip.")
    kind: str = Field(max_length=16, description="supplement, refusal or redirect")
    office: str = Field(max_length=63)
    counter: int | None = None
    ticket_id: str | None = Field(default=None, sa_type=String(32))
    ticket_number: str | None = Field(default=None, sa_type=String(16))
    officer: str = Field(sa_type=String(64), description="The receiving officer's login.")
    officer_name: str = Field(sa_type=String(120))
    applicant_name: str = Field(sa_type=String(200))
    applicant_id_number: str = Field(sa_type=String(12))
    applicant_address: str = Field(sa_type=String(300))
    applicant_phone: str | None = Field(default=None, sa_type=String(16))
    procedure: str = Field(max_length=CODE)
    procedure_name: str = Field(sa_type=String(300))
    items: list[str] = Field(sa_type=JSON, description="Missing items (supplement) or reasons (refusal, redirect).")
    agency: str | None = Field(default=None, sa_type=String(200), description="The competent agency (redirect).")
    at: datetime = Field(sa_type=UtcDateTime)


class IntakeOutcomeSequence(SQLModel, table=True):
    """The last number given per kind and local day."""

    __tablename__ = "intake_outcome_sequence"

    kind: str = Field(primary_key=True, max_length=16)
    day: date = Field(primary_key=True)
    last_seq: int


outcome_table = table_of(IntakeOutcomeRow)
sequence_table = table_of(IntakeOutcomeSequence)


@dataclass(frozen=True)
class NewOutcome:
    kind: OutcomeKind
    office: str
    applicant: Applicant
    procedure: str
    procedure_name: str
    items: tuple[str, ...]
    agency: str | None
    counter: int | None = None
    ticket: QueueTicket | None = None


@dataclass(frozen=True)
class StoredOutcome:
    reference: str
    kind: OutcomeKind
    office: str
    counter: int | None
    ticket_id: str | None
    ticket_number: str | None
    officer: str
    officer_name: str
    applicant: Applicant
    procedure: str
    procedure_name: str
    items: tuple[str, ...]
    agency: str | None
    at: datetime


def _stored(row: Any) -> StoredOutcome:
    return StoredOutcome(
        reference=row.reference, kind=OutcomeKind(row.kind), office=row.office, counter=row.counter,
        ticket_id=row.ticket_id, ticket_number=row.ticket_number, officer=row.officer, officer_name=row.officer_name,
        applicant=Applicant(row.applicant_name, row.applicant_id_number, row.applicant_address, row.applicant_phone),
        procedure=row.procedure, procedure_name=row.procedure_name, items=tuple(row.items), agency=row.agency,
        at=row.at)


def _next_seq(conn: Connection, kind: OutcomeKind, day: date) -> int:
    t = sequence_table
    stmt = upsert.insert(conn.dialect.name, t).values(kind=kind.value, day=day, last_seq=1)
    stmt = stmt.on_conflict_do_update(index_elements=[t.c.kind, t.c.day], set_={"last_seq": t.c.last_seq + 1})
    return int(conn.execute(stmt.returning(t.c.last_seq)).scalar_one())


def record(conn: Connection, new: NewOutcome, actor: Actor, officer_name: str, now: datetime,
           day: date) -> StoredOutcome:
    """Number and store ``new`` on the caller's write transaction, its audit entry last (cloud.db.audit)."""
    seq = _next_seq(conn, new.kind, day)
    ref = reference(new.kind, day, seq)
    a = new.applicant
    conn.execute(outcome_table.insert().values(
        reference=ref, kind=new.kind.value, office=new.office, counter=new.counter,
        ticket_id=new.ticket.id if new.ticket else None, ticket_number=new.ticket.number if new.ticket else None,
        officer=actor.officer, officer_name=officer_name, applicant_name=a.name, applicant_id_number=a.id_number,
        applicant_address=a.address, applicant_phone=a.phone, procedure=new.procedure,
        procedure_name=new.procedure_name, items=list(new.items), agency=new.agency, at=now))
    audit.append(conn, at=now, actor_role=actor.role.value, actor_unit=actor.unit, actor_officer=actor.officer,
                 action=AUDIT_ACTIONS[new.kind], subject=audit.subject_of("intake_outcome", ref),
                 data={"kind": new.kind.value, "office": new.office, "counter": new.counter,
                       "ticket": new.ticket.id if new.ticket else None, "procedure": new.procedure,
                       "items": list(new.items), "agency": new.agency})
    return StoredOutcome(ref, new.kind, new.office, new.counter, new.ticket.id if new.ticket else None,
                         new.ticket.number if new.ticket else None, actor.officer, officer_name, a, new.procedure,
                         new.procedure_name, new.items, new.agency, now)


def get(engine: Engine, ref: str) -> StoredOutcome | None:
    with engine.connect() as conn:
        row = conn.execute(select(outcome_table).where(outcome_table.c.reference == ref)).first()
    return _stored(row) if row is not None else None


def list_outcomes(engine: Engine, *, offices: frozenset[str] | None, office: str | None = None,
                  kind: OutcomeKind | None = None, limit: int = 100, offset: int = 0) -> Sequence[StoredOutcome]:
    """Newest first; ``offices``: the caller's scope (None: every office)."""
    t = outcome_table.c
    query = select(outcome_table)
    if offices is not None:
        query = query.where(t.office.in_(offices))
    if office is not None:
        query = query.where(t.office == office)
    if kind is not None:
        query = query.where(t.kind == kind.value)
    query = query.order_by(t.at.desc(), t.id.desc()).limit(limit).offset(offset)
    with engine.connect() as conn:
        return [_stored(r) for r in conn.execute(query)]


__all__ = ["IntakeOutcomeRow", "IntakeOutcomeSequence", "NewOutcome", "StoredOutcome", "get", "list_outcomes",
           "outcome_table", "record", "sequence_table"]
