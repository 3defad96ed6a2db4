"""A dossier's notes and attached files: the bytes on disk, the rows and their audit entries (issue 11).

**On disk** the files live under ``Settings.attachments_path`` (0700), each
named by its SHA-256 (``ab/abcdef…``, 0600): a name a browser sent never
reaches a path, and the same scan attached twice is stored once. A file is
first written to ``tmp/`` in the same directory tree (so the rename is on one
file system), hashed and measured while it is written, ``fsync``'d, then
renamed into place: a crash leaves a stray file in ``tmp/`` (removed at the
next start), never a half file under a digest.

**In the database** the row and its audit entry (``attachment_added``,
``note_added``) are inserted in one write transaction, which also moves the
file into place. If that transaction fails, a file this upload brought to
disk is removed again unless some row names its digest (another upload of
the same bytes committed meanwhile); placing and removing a digest's file
are serialised with the rows by :func:`lock_digest`; :func:`commit_with_file`
does all of this for any table of stored files (the catalogue's forms too).

Refusals (:class:`UploadRefused`, :class:`cloud.domain.attachments.BadText`)
happen before anything is kept.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import structlog
from sqlalchemy import Connection, Engine, Table, func, select, text

from cloud.db import audit
from cloud.db.dossier_files import attachment_table, note_table
from cloud.db.engine import write_transaction
from cloud.domain.attachments import EMPTY, SNIFF_BYTES, WRONG_TYPE, Refusal, clean_filename, clean_note, sniff
from cloud.domain.attachments import too_large as too_large_refusal
from cloud.domain.workflow import Actor
from transport.private_files import PRIVATE_FILE, private_dir

log = structlog.get_logger(__name__)

CHUNK = 256 * 1024
R = TypeVar("R")


class UploadRefused(Exception):
    """The upload is empty, too large or of a type not allowed: nothing was kept."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.detail)
        self.refusal = refusal


@dataclass(frozen=True)
class Attachment:
    id: int
    dossier: str
    filename: str
    sha256: str
    size: int
    media_type: str
    uploaded_by: str
    at: datetime


@dataclass(frozen=True)
class Note:
    id: int
    dossier: str
    author: str
    text: str
    at: datetime


@dataclass(frozen=True)
class _Received:
    sha256: str
    size: int
    media_type: str
    temp: Path
    """Where it was written, in ``tmp/``, until :meth:`FileStore.place` moves it."""

    def row_values(self, actor: Actor, at: datetime) -> dict[str, Any]:
        """The columns every table of stored files has: the bytes' digest, size and type, who and when."""
        return {"sha256": self.sha256, "size": self.size, "media_type": self.media_type,
                "uploaded_by": actor.officer, "uploaded_role": actor.role.value, "uploaded_unit": actor.unit,
                "at": at}

    def audit_data(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "size": self.size, "media_type": self.media_type}


class FileStore:
    """Content-addressed files, private to the service's account.

    ``sniff`` and ``wrong_type`` say which types it keeps (a dossier's attachments by default; the
    catalogue's downloadable forms, ``cloud.dossiers.procedure_forms``, take PDF and DOCX).
    """

    def __init__(self, root: Path, sniff: Callable[[bytes], str | None] = sniff,
                 wrong_type: Refusal = WRONG_TYPE) -> None:
        self.root = root
        self.tmp = root / "tmp"
        self.sniff = sniff
        self.wrong_type = wrong_type

    def prepare(self) -> None:
        """Create the directories (0700) and remove what a crash left half-written in ``tmp/``.

        Missing parents are made 0700 too (``mkdir(parents=True)`` would give them the umask's 0755):
        the default root is under the data directory, which this may be the first to create.
        """
        for missing in reversed([p for p in (self.root, *self.root.parents) if not p.exists()]):
            private_dir(missing)
        private_dir(self.tmp)
        for stray in self.tmp.iterdir():
            stray.unlink(missing_ok=True)

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def receive(self, source: BinaryIO, max_bytes: int) -> _Received:
        """Copy ``source`` to ``tmp/``, hashed and measured; :class:`UploadRefused` (nothing kept) when it may not be."""
        private_dir(self.tmp)
        temp = self.tmp / f"{secrets.token_hex(8)}.part"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_FILE)
        try:
            digest, size, head = hashlib.sha256(), 0, b""
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise UploadRefused(too_large_refusal(max_bytes))
                    if len(head) < SNIFF_BYTES:
                        head += chunk[:SNIFF_BYTES]
                        if len(head) >= SNIFF_BYTES and self.sniff(head) is None:
                            raise UploadRefused(self.wrong_type)  # no need to read the rest
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if size == 0:
                raise UploadRefused(EMPTY)
            media_type = self.sniff(head)
            if media_type is None:
                raise UploadRefused(self.wrong_type)
            return _Received(digest.hexdigest(), size, media_type, temp)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def place(self, received: _Received) -> bool:
        """Move a received file to its digest's place; False (and the copy dropped) when it is there already."""
        final = self.path_of(received.sha256)
        private_dir(final.parent)
        if final.exists():
            received.temp.unlink(missing_ok=True)
            return False
        os.replace(received.temp, final)
        return True


class DossierFiles:
    """Notes and attachments of dossiers; the clock is the dossier store's (tests move it)."""

    def __init__(self, engine: Engine, files: FileStore, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.files = files
        self.clock = clock

    def attach(self, code: str, filename: str | None, source: BinaryIO, actor: Actor, *, max_bytes: int) -> Attachment:
        """Store ``source`` as a file of dossier ``code`` with its row and audit entry, or keep nothing."""
        name = clean_filename(filename)
        received = self.files.receive(source, max_bytes)
        at = self.clock()
        def row_and_audit(conn: Connection) -> int:
            new_id = conn.execute(attachment_table.insert().values(
                dossier=code, filename=name, **received.row_values(actor, at)
            ).returning(attachment_table.c.id)).scalar_one()
            audit.append(conn, at=at, actor_role=actor.role.value, actor_unit=actor.unit,
                         actor_officer=actor.officer, action="attachment_added",
                         subject=audit.subject_of("dossier", code),
                         data={"attachment": new_id, "filename": name, **received.audit_data()})
            return int(new_id)

        new_id = commit_with_file(self.engine, self.files, received, attachment_table, row_and_audit)
        return Attachment(new_id, code, name, received.sha256, received.size, received.media_type,
                          actor.officer, at)

    def attachments(self, code: str) -> list[Attachment]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(attachment_table).where(attachment_table.c.dossier == code)
                                .order_by(attachment_table.c.id))
            return [_attachment(r) for r in rows]

    def attachment(self, code: str, attachment_id: int) -> Attachment | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(attachment_table).where(attachment_table.c.dossier == code,
                                                              attachment_table.c.id == attachment_id)).first()
        return None if row is None else _attachment(row)

    def add_note(self, code: str, text: str | None, actor: Actor) -> Note:
        """Store a note on dossier ``code`` with its audit entry (:class:`BadText` when it cannot be stored)."""
        clean = clean_note(text)
        at = self.clock()
        with write_transaction(self.engine) as conn:
            new_id = conn.execute(note_table.insert().values(
                dossier=code, author=actor.officer, author_role=actor.role.value, author_unit=actor.unit,
                text=clean, at=at).returning(note_table.c.id)).scalar_one()
            audit.append(conn, at=at, actor_role=actor.role.value, actor_unit=actor.unit,
                         actor_officer=actor.officer, action="note_added",
                         subject=audit.subject_of("dossier", code), data={"note": new_id, "text": clean})
        return Note(int(new_id), code, actor.officer, clean, at)

    def notes(self, code: str) -> list[Note]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(note_table).where(note_table.c.dossier == code).order_by(note_table.c.id))
            return [Note(r.id, r.dossier, r.author, r.text, r.at) for r in rows]


def commit_with_file(engine: Engine, files: FileStore, received: _Received, table: Table,
                     write: Callable[[Connection], R]) -> R:
    """Move ``received`` into place and run ``write`` (its row and audit entry) in one write transaction.

    If anything fails, nothing is kept: the copy in ``tmp/`` goes, and so does the placed file unless a
    committed row of ``table`` (which has a ``sha256`` column) names the same bytes.
    """
    created = False
    try:
        with write_transaction(engine) as conn:
            lock_digest(conn, received.sha256)
            created = files.place(received)
            result = write(conn)
    except BaseException:
        received.temp.unlink(missing_ok=True)
        if created:
            forget_unused(engine, files, table, received.sha256)
        raise
    return result


def forget_unused(engine: Engine, files: FileStore, table: Table, sha256: str) -> None:
    """Remove a digest's file unless a committed row of ``table`` still names it."""
    try:
        with write_transaction(engine) as conn:
            lock_digest(conn, sha256)
            used = conn.execute(select(func.count()).select_from(table)
                                .where(table.c.sha256 == sha256)).scalar_one()
            if not used:
                files.path_of(sha256).unlink(missing_ok=True)
    except Exception:  # the database is the reason we are here: keep the file rather than guess
        log.warning("stored_file_orphan_kept", table=table.name, sha256=sha256)


def lock_digest(conn: Connection, sha256: str) -> None:
    """Serialise placing and removing the file of one digest with the rows naming it.

    Without it, an upload whose transaction failed could remove the file that a second upload of the
    same bytes had just found in place and was committing a row for. On SQLite the write transaction
    already runs alone; on PostgreSQL a transaction-scoped advisory lock on the digest does it.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(sha256[:15], 16)})


def _attachment(r: Any) -> Attachment:
    return Attachment(r.id, r.dossier, r.filename, r.sha256, r.size, r.media_type, r.uploaded_by, r.at)
