"""Table of the downloadable forms of the catalogue's procedures (issue 11).

``procedure_form``: one row per published form, with its title (what people
read and the download's name), the SHA-256 its bytes are stored under
(``cloud.dossiers.procedure_forms``), their size and the media type read from
them, who published it and when. Rows are added and deleted, each in the
transaction of its audit entry (``procedure_form_added``,
``procedure_form_removed``). Migration: ``0016_procedure_forms.py``.
"""

from __future__ import annotations

from sqlalchemy import Index, String
from sqlmodel import Field

from cloud.db.dossier_files import StoredFileColumns
from cloud.db.dossiers import CODE
from cloud.db.types import table_of


class ProcedureFormRow(StoredFileColumns, table=True):
    """One downloadable form of a procedure."""

    __tablename__ = "procedure_form"
    __table_args__ = (Index("ix_procedure_form_procedure", "procedure", "id"),
                      Index("ix_procedure_form_sha256", "sha256"))

    id: int | None = Field(default=None, primary_key=True)
    procedure: str = Field(foreign_key="procedure.code", max_length=CODE)
    title: str = Field(sa_type=String(255), description="What people read; the download is named after it.")
    media_type: str = Field(sa_type=String(100), description="Read from the bytes, not from the upload's header.")


procedure_form_table = table_of(ProcedureFormRow)
