"""The clerk's register of results (sổ đăng ký văn bản đi): one row per registered result, numbered per office and year.

``result_register_sequence`` gives the numbers as ``receipt_sequence`` gives
receipt numbers (``INSERT … ON CONFLICT DO UPDATE SET last_number =
last_number + 1 RETURNING``, in the action's transaction), so they run
1, 2, 3… without gaps; the unique index on (office, year, number) makes a
duplicate impossible even for a writer that bypassed the sequence.

Every change here needs a migration (``migrations/versions/0015_result_register.py``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from cloud.db.dossiers import CODE, DOSSIER_CODE
from cloud.db.types import UtcDateTime, table_of


class ResultRegisterSequence(SQLModel, table=True):
    """The last register number given out per one-stop office and (local) year."""

    __tablename__ = "result_register_sequence"

    office: str = Field(primary_key=True, max_length=CODE)
    year: int = Field(primary_key=True)
    last_number: int


class ResultRegisterRow(SQLModel, table=True):
    """A result (or refusal notice) as the clerk entered it: the register's line, and the dossier it closes."""

    __tablename__ = "result_register"
    __table_args__ = (
        Index("ux_result_register_office_year_number", "office", "year", "number", unique=True),
        Index("ux_result_register_dossier", "dossier", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    office: str = Field(max_length=CODE)
    year: int
    number: int
    dossier: str = Field(foreign_key="dossier.code", max_length=DOSSIER_CODE)
    outcome: str = Field(max_length=16, description="approved or refused")
    document_number: str = Field(sa_type=String(60), description="Số, ký hiệu: 125/QĐ-UBND.")
    signed_on: date
    signer: str = Field(sa_type=String(200))
    stamped: bool
    registered_at: datetime = Field(sa_type=UtcDateTime)
    registered_by_unit: str = Field(max_length=CODE)
    registered_by_officer: str = Field(sa_type=String(200))


result_register_sequence_table = table_of(ResultRegisterSequence)
result_register_table = table_of(ResultRegisterRow)
