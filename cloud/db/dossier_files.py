"""Tables of a dossier's notes and attached files (issue 11).

``dossier_attachment`` holds what a listing shows and what a download needs:
the name as given (cleaned for display, ``cloud.domain.attachments``), the
SHA-256 under which the bytes are stored on disk (``cloud.dossiers.files``),
their size and the media type read from them, who uploaded it and when.
Several rows may name the same digest (the same scan attached twice): the
file is stored once. ``dossier_note`` is a note's text, author and moment.

Rows are only ever added, each in the transaction of its audit entry
(``attachment_added``, ``note_added``). Every change here needs a migration
(``migrations/versions/0014_dossier_files.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text
from sqlmodel import Field, SQLModel

from cloud.db.dossiers import CODE, DOSSIER_CODE
from cloud.db.types import UtcDateTime, table_of


class StoredFileColumns(SQLModel):
    """What every table of stored files has (the catalogue's forms too, ``cloud.db.procedure_forms``).

    ``cloud.dossiers.files.commit_with_file`` fills them and finds a digest's rows by ``sha256``.
    """

    sha256: str = Field(sa_type=String(64), description="Hex digest: the stored file's name.")
    size: int = Field(sa_type=BigInteger)
    uploaded_by: str = Field(sa_type=String(200), description="The uploader's login.")
    uploaded_role: str = Field(max_length=32)
    uploaded_unit: str = Field(max_length=CODE)
    at: datetime = Field(sa_type=UtcDateTime)


class DossierAttachmentRow(StoredFileColumns, table=True):
    """One file attached to a dossier."""

    __tablename__ = "dossier_attachment"
    __table_args__ = (Index("ix_dossier_attachment_dossier", "dossier", "id"),
                      Index("ix_dossier_attachment_sha256", "sha256"))

    id: int | None = Field(default=None, primary_key=True)
    dossier: str = Field(foreign_key="dossier.code", max_length=DOSSIER_CODE)
    filename: str = Field(sa_type=String(255), description="As the uploader named it, cleaned for display.")
    media_type: str = Field(sa_type=String(64), description="Read from the bytes, not from the upload's header.")


class DossierNoteRow(SQLModel, table=True):
    """One note written on a dossier by an officer handling it."""

    __tablename__ = "dossier_note"
    __table_args__ = (Index("ix_dossier_note_dossier", "dossier", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    dossier: str = Field(foreign_key="dossier.code", max_length=DOSSIER_CODE)
    author: str = Field(sa_type=String(200), description="The officer's login.")
    author_role: str = Field(max_length=32)
    author_unit: str = Field(max_length=CODE)
    text: str = Field(sa_type=Text)
    at: datetime = Field(sa_type=UtcDateTime)


attachment_table = table_of(DossierAttachmentRow)
note_table = table_of(DossierNoteRow)
