"""Tables of the dossier workflow (issue #4): the catalogue, the administrative units,
dossiers, their event log and the daily code sequences.

The rules live in :mod:`cloud.domain.workflow` (pure); these rows only store
what it returns. ``dossier.data`` is the whole serialised pure
:class:`~cloud.domain.workflow.Dossier`; the other columns of ``dossier`` are
copies of some of its fields for filtering and listing, rewritten on every
change. ``version`` is the optimistic-concurrency counter: a write states the
version it read and fails if another writer moved it on (HTTP 409).

Every change here needs a migration (``migrations/versions/0002_dossiers.py``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlmodel import Field, SQLModel

from cloud.db.types import UtcDateTime, table_of

CODE = 40  # cloud.domain.catalogue.CODE_PATTERN allows 40 characters
DOSSIER_CODE = 80


class ProcedureRow(SQLModel, table=True):
    """A procedure of the catalogue (``cloud/data/catalogue.yaml``)."""

    __tablename__ = "procedure"

    code: str = Field(primary_key=True, max_length=CODE)
    name: str = Field(sa_type=Text)
    field: str = Field(max_length=CODE, index=True)
    level: str = Field(max_length=16)
    time_limit: dict[str, Any] = Field(sa_type=JSON)
    fees: list[dict[str, Any]] = Field(sa_type=JSON)
    data: dict[str, Any] = Field(sa_type=JSON, description="The whole parsed Procedure, as JSON.")
    updated_at: datetime = Field(sa_type=UtcDateTime)


class AdminUnit(SQLModel, table=True):
    """A province, district or commune with its one-stop office (``cloud/data/province.yaml``)."""

    __tablename__ = "admin_unit"

    id: str = Field(primary_key=True, max_length=CODE)
    name: str = Field(sa_type=Text)
    kind: str = Field(max_length=16, description="province, district or commune")
    parent: str | None = Field(default=None, foreign_key="admin_unit.id", max_length=CODE)
    office: str = Field(max_length=CODE, unique=True, description="Code of the unit's one-stop office.")
    office_name: str = Field(sa_type=Text)
    agency_id: str = Field(max_length=CODE, unique=True, description="Electronic identifier: starts dossier codes.")
    data: dict[str, Any] = Field(sa_type=JSON, description="The unit's office (hours…) and departments, as JSON.")
    updated_at: datetime = Field(sa_type=UtcDateTime)


class DossierRow(SQLModel, table=True):
    __tablename__ = "dossier"
    __table_args__ = (
        Index("ix_dossier_office_state", "office", "state"),
        Index("ix_dossier_due_at", "due_at"),
        Index("ix_dossier_office_ticket", "office", "ticket_id"),
        # The console at 100,000 dossiers (issue 11, bench/console.py): the list newest first, the inbox and
        # the team page soonest due first, each read from an index in its order instead of a sort of every row.
        Index("ix_dossier_received_at", "received_at", "code"),
        Index("ix_dossier_holder_due", "holder_officer", "due_at", "holder_unit", "state"),
        Index("ix_dossier_unit_state_due", "handling_unit", "state", "due_at"),
        Index("ix_dossier_unit_state_assignee", "handling_unit", "state", "assignee_officer", "due_at"),
    )

    code: str = Field(primary_key=True, max_length=DOSSIER_CODE)
    procedure: str = Field(foreign_key="procedure.code", max_length=CODE)
    office: str = Field(max_length=CODE)
    handling_unit: str = Field(max_length=CODE)
    state: str = Field(max_length=32)
    holder_unit: str = Field(max_length=CODE)
    holder_officer: str | None = Field(default=None, sa_type=String(200))
    assignee_officer: str | None = Field(default=None, sa_type=String(200),
                                         description="The specialist assigned (data.assignee.officer): the team's load.")
    applicant_name: str = Field(sa_type=String(200), description="Personal data: never in the public view.")
    applicant_phone: str | None = Field(default=None, sa_type=String(16),
                                        description="E.164 (cloud.domain.contact); personal data, for notifications.")
    applicant_email: str | None = Field(default=None, sa_type=String(254), description="Personal data.")
    channel: str = Field(max_length=16)
    received_at: datetime = Field(sa_type=UtcDateTime)
    due_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    data: dict[str, Any] = Field(sa_type=JSON, description="The serialised pure Dossier.")
    version: int = Field(default=1)
    ticket_id: str | None = Field(default=None, max_length=32,
                                  description="The queue ticket of the turn it was received at (ticket.ticket_id).")
    counter: int | None = Field(default=None, description="The counter that called that ticket.")


class DossierEventRow(SQLModel, table=True):
    __tablename__ = "dossier_event"
    __table_args__ = (Index("ix_dossier_event_dossier", "dossier", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    dossier: str = Field(foreign_key="dossier.code", max_length=DOSSIER_CODE)
    action: str = Field(max_length=32)
    from_state: str | None = Field(default=None, max_length=32)
    to_state: str = Field(max_length=32)
    actor_role: str = Field(max_length=32)
    actor_unit: str = Field(max_length=CODE)
    actor_officer: str = Field(sa_type=String(200))
    at: datetime = Field(sa_type=UtcDateTime)
    payload: dict[str, Any] = Field(sa_type=JSON)


class DossierSequence(SQLModel, table=True):
    """The last sequence number given out per agency and (local) day."""

    __tablename__ = "dossier_sequence"

    agency: str = Field(primary_key=True, max_length=CODE)
    day: date = Field(primary_key=True)
    last_seq: int


procedure_table = table_of(ProcedureRow)
admin_unit_table = table_of(AdminUnit)
dossier_table = table_of(DossierRow)
dossier_event_table = table_of(DossierEventRow)
dossier_sequence_table = table_of(DossierSequence)
