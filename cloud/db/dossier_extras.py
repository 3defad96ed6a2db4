"""Tables of what a dossier action leaves besides the dossier row and its event
(issue #4): fee receipts and their yearly numbering, the sub-task index of
liên thông, and the citizens' notification outbox.

All of them are written by ``cloud.dossiers.records`` inside the action's
transaction, so a refused or conflicting action leaves none of them behind:

* ``fee_receipt`` / ``receipt_sequence``: one numbered receipt per payment;
  the number comes from ``receipt_sequence`` (one row per office and year,
  ``INSERT … ON CONFLICT DO UPDATE SET last_seq = last_seq + 1 RETURNING``),
  so numbers are unique and without gaps;
* ``dossier_subtask``: a copy of each dossier's sub-tasks (which live in
  ``dossier.data``), so a partner agency's inbox is one indexed query;
* ``notification``: the transactional outbox the SMS / Zalo / e-mail workers
  read in ``id`` order; ``delivered_at`` is set when a worker says so.

Every change here needs a migration (``migrations/versions/0004_dossier_extras.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Text
from sqlmodel import Field, SQLModel

from cloud.db.dossiers import CODE, DOSSIER_CODE
from cloud.db.types import UtcDateTime, table_of


class ReceiptSequence(SQLModel, table=True):
    """The last receipt number given out per one-stop office and (local) year."""

    __tablename__ = "receipt_sequence"

    office: str = Field(primary_key=True, max_length=CODE)
    year: int = Field(primary_key=True)
    last_seq: int


class FeeReceiptRow(SQLModel, table=True):
    """A numbered receipt (biên lai) for one payment at the desk."""

    __tablename__ = "fee_receipt"
    __table_args__ = (Index("ix_fee_receipt_dossier", "dossier"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(sa_type=String(80), unique=True)
    dossier: str = Field(foreign_key="dossier.code", max_length=DOSSIER_CODE)
    office: str = Field(max_length=CODE)
    year: int
    seq: int
    amount_vnd: int = Field(sa_type=BigInteger)
    lead_vnd: int = Field(sa_type=BigInteger, description="What the lead agency keeps.")
    owed_vnd: dict[str, int] = Field(sa_type=JSON, description="Partner agency → amount owed (representative mechanism).")
    lines: list[dict[str, Any]] = Field(sa_type=JSON, description="The fees paid: name, quantity, amount, collected_for.")
    collected_by_role: str = Field(max_length=32)
    collected_by_unit: str = Field(max_length=CODE)
    collected_by_officer: str = Field(sa_type=String(200))
    at: datetime = Field(sa_type=UtcDateTime)
    note: str | None = Field(default=None, sa_type=Text)


class DossierSubtaskRow(SQLModel, table=True):
    """A sub-task of a dossier sent to another unit (liên thông), copied from ``dossier.data`` on every change."""

    __tablename__ = "dossier_subtask"
    __table_args__ = (Index("ix_dossier_subtask_unit", "unit", "answered_at"),)

    dossier: str = Field(primary_key=True, foreign_key="dossier.code", max_length=DOSSIER_CODE)
    number: int = Field(primary_key=True)
    unit: str = Field(max_length=CODE)
    officer: str | None = Field(default=None, sa_type=String(200))
    subject: str = Field(sa_type=Text)
    sent_at: datetime = Field(sa_type=UtcDateTime)
    due: datetime = Field(sa_type=UtcDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    answer: str | None = Field(default=None, sa_type=Text)
    confirmed: bool | None = None


class NotificationRow(SQLModel, table=True):
    """A message to the citizen, written in the transaction of the action that makes it (outbox)."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_dossier", "dossier"),)

    id: int | None = Field(default=None, primary_key=True)
    dossier: str = Field(foreign_key="dossier.code", max_length=DOSSIER_CODE)
    kind: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UtcDateTime)
    payload: dict[str, Any] = Field(sa_type=JSON, description="text (Vietnamese, ready to send) and the facts.")
    delivered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    delivered_via: str | None = Field(default=None, max_length=32)


receipt_sequence_table = table_of(ReceiptSequence)
fee_receipt_table = table_of(FeeReceiptRow)
dossier_subtask_table = table_of(DossierSubtaskRow)
notification_table = table_of(NotificationRow)
