"""The catalogue's downloadable forms: the bytes on disk, the rows and their audit entries (issue 11).

**On disk** the forms live under ``Settings.attachments_path / "forms"``: a
:class:`~cloud.dossiers.files.FileStore` of their own (0700, each file 0600,
named by its SHA-256, written to ``tmp/`` then renamed), which keeps PDF and
DOCX (:mod:`cloud.domain.procedure_forms`); being apart from the dossiers'
files, removing a form never touches a dossier's attachment of the same bytes.

**In the database** the row and its audit entry (``procedure_form_added`` /
``procedure_form_removed``, subject ``procedure:<code>``) go in one write
transaction, which also moves the file into place. A failed upload leaves
nothing; a removed form's file goes once no row names its digest (checked
under the digest's lock, like the attachments'). A form is in force at once:
every listing reads the table.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import structlog
from sqlalchemy import Connection, Engine, delete, select

from cloud.db import audit
from cloud.db.dossiers import procedure_table
from cloud.db.engine import write_transaction
from cloud.db.procedure_forms import procedure_form_table
from cloud.domain.procedure_forms import DOCX, WRONG_TYPE, clean_title, download_name, is_docx, sniff_form
from cloud.domain.workflow import Actor
from cloud.dossiers.catalogue_edit import ProcedureMissing
from cloud.dossiers.files import FileStore, UploadRefused, commit_with_file, forget_unused

log = structlog.get_logger(__name__)

T = procedure_form_table.c


def form_store(attachments_path: Path) -> FileStore:
    """The forms' file store, beside the dossiers' files."""
    return FileStore(attachments_path / "forms", sniff=sniff_form, wrong_type=WRONG_TYPE)


@dataclass(frozen=True)
class ProcedureForm:
    id: int
    procedure: str
    title: str
    sha256: str
    size: int
    media_type: str
    uploaded_by: str
    at: datetime

    @property
    def filename(self) -> str:
        return download_name(self.title, self.media_type)


def _word_document(path: Path) -> bool:
    """Whether the ZIP at ``path`` is a Word document (its central directory only: nothing is inflated)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return is_docx(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


class ProcedureForms:
    """Downloadable forms of procedures; ``clock`` is the dossier store's (tests move it)."""

    def __init__(self, engine: Engine, files: FileStore, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.files = files
        self.clock = clock

    def add(self, code: str, title: str | None, source: BinaryIO, actor: Actor, *, max_bytes: int) -> ProcedureForm:
        """Publish ``source`` as a form of procedure ``code`` with its audit entry, or keep nothing.

        Raises :class:`~cloud.domain.attachments.BadText` (title), :class:`UploadRefused` (empty, too
        large, not a PDF or DOCX) or :class:`ProcedureMissing`.
        """
        clean = clean_title(title)
        received = self.files.receive(source, max_bytes)
        at = self.clock()
        if received.media_type == DOCX and not _word_document(received.temp):
            received.temp.unlink(missing_ok=True)
            raise UploadRefused(WRONG_TYPE)

        def row_and_audit(conn: Connection) -> int:
            if conn.execute(select(procedure_table.c.code).where(procedure_table.c.code == code)).first() is None:
                raise ProcedureMissing(code)
            new_id = conn.execute(procedure_form_table.insert().values(
                procedure=code, title=clean, **received.row_values(actor, at)).returning(T.id)).scalar_one()
            audit.append(conn, at=at, actor_role=actor.role.value, actor_unit=actor.unit,
                         actor_officer=actor.officer, action="procedure_form_added",
                         subject=audit.subject_of("procedure", code),
                         data={"form": new_id, "title": clean, **received.audit_data()})
            return int(new_id)

        new_id = commit_with_file(self.engine, self.files, received, procedure_form_table, row_and_audit)
        return ProcedureForm(new_id, code, clean, received.sha256, received.size, received.media_type,
                             actor.officer, at)

    def remove(self, code: str, form_id: int, actor: Actor) -> ProcedureForm | None:
        """Withdraw a form with its audit entry; None when the procedure has no such form (nothing done)."""
        at = self.clock()
        with write_transaction(self.engine) as conn:
            row = conn.execute(select(procedure_form_table).where(T.procedure == code, T.id == form_id)).first()
            if row is None:
                return None
            conn.execute(delete(procedure_form_table).where(T.id == form_id))
            audit.append(conn, at=at, actor_role=actor.role.value, actor_unit=actor.unit,
                         actor_officer=actor.officer, action="procedure_form_removed",
                         subject=audit.subject_of("procedure", code),
                         data={"form": form_id, "title": row.title, "sha256": row.sha256, "size": row.size})
        forget_unused(self.engine, self.files, procedure_form_table, row.sha256)
        return _form(row)

    def forms(self, code: str) -> list[ProcedureForm]:
        """The procedure's forms in the order they were published."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(procedure_form_table).where(T.procedure == code).order_by(T.id))
            return [_form(r) for r in rows]

    def form(self, code: str, form_id: int) -> ProcedureForm | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(procedure_form_table).where(T.procedure == code, T.id == form_id)).first()
        return None if row is None else _form(row)


def _form(r: Any) -> ProcedureForm:
    return ProcedureForm(r.id, r.procedure, r.title, r.sha256, r.size, r.media_type, r.uploaded_by, r.at)
