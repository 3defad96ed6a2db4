"""Table of the downloadable forms of the catalogue's procedures (issue 11).

``procedure_form``: one row per published form, with its title (what people
read and the download's name), the SHA-256 its bytes are stored under
(``cloud.dossiers.procedure_forms``), their size and the media type read from
them, who published it and when. Rows are added and deleted, each in the
transaction of its audit entry (``procedure_form_added``,
``procedure_form_removed``). Migration: ``0016_procedure_forms.py``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String
from sqlmodel import Field, SQLModel

from cloud.db.dossiers import CODE
from cloud.db.types import UtcDateTime, table_of


class ProcedureFormRow(SQLModel, table=True):
    """One downloadable form of a procedure."""

    __tablename__ = "procedure_form"
    __table_args__ = (Index("ix_procedure_form_procedure", "procedure", "id"),
                      Index("ix_procedure_form_sha256", "sha256"))

    id: int | None = Field(default=None, primary_key=True)
    procedure: str = Field(foreign_key="procedure.code", max_length=CODE)
    title: str = Field(sa_type=String(255), description="What people read; the download is named after it.")
    sha256: str = Field(sa_type=String(64), description="Hex digest: the stored file's name.")
    size: int = Field(sa_type=BigInteger)
    media_type: str = Field(sa_type=String(100), description="Read from the bytes, not from the upload's header.")
    uploaded_by: str = Field(sa_type=String(200), description="The administrator's login.")
    uploaded_role: str = Field(max_length=32)
    uploaded_unit: str = Field(max_length=CODE)
    at: datetime = Field(sa_type=UtcDateTime)


procedure_form_table = table_of(ProcedureFormRow)
