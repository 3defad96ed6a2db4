"""The audit log in the database: its two tables, appending inside the caller's transaction, reading it back.

The rules (hash recipe, verification) are in :mod:`cloud.domain.audit`;
``docs/audit.md`` explains them for operators and auditors.

**Recording a change** — call :func:`append` on the connection of the
transaction that makes the change, as its last statement, so the entry
commits or rolls back with what it records::

    from cloud.db import audit
    from cloud.db.engine import write_transaction

    with write_transaction(engine) as conn:
        conn.execute(update(user_table).where(...).values(active=False))   # the change
        audit.append(conn, at=now, actor_role="admin", actor_unit="tdm.ubnd", actor_officer="qt.nam",
                     action="deactivate_user", subject=audit.subject_of("user", "tn.lan"),
                     data={"revoked_tokens": 3})

``subject`` is ``kind:id`` (``dossier:<code>``, ``user:<username>``) so a
subject's trail is one indexed query; ``action`` a short verb of that kind's
vocabulary (the workflow's action names for dossiers); ``data`` a JSON object
saying what changed. Never put a secret in ``data`` (a password, its hash, a
token): the log is kept forever and read by auditors. Use ``write_transaction``
(``BEGIN IMMEDIATE`` on SQLite); ``append`` last, because on PostgreSQL it
locks the head row until the commit, and every audited change in the
province waits for that lock.

**Why the chain cannot fork.** Each append reads the head (last seq, last
hash), writes entry ``last_seq + 1`` with ``prev_hash = last_hash`` and moves
the head. On PostgreSQL ``SELECT … FOR UPDATE`` on the head row makes a
second append wait until the first commits, then read the new head; on
SQLite the write transaction holds the database's write lock from its first
statement. Should a caller get that wrong, ``seq`` is the primary key and the
head only moves from the seq it was read at, so the losing append fails
instead of forking the chain.

**A missing head row fails every append** (:class:`AuditHeadMissing`): the
migration creates it, so its absence means the log was tampered with, and
restarting the chain would hide that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Connection, Engine, Index, String, bindparam, select, update
from sqlmodel import Field, SQLModel

from cloud.db.types import BigInt, UtcDateTime, table_of
from cloud.domain.audit import AuditActor, AuditEntry, AuditHead, chain, subject_of

HEAD_ID = 1
"""The id of ``audit_head``'s one row."""
READ_BATCH = 10_000
"""Entries per query when streaming the log: bounded memory, few round trips."""


class AuditEntryRow(SQLModel, table=True):
    """One change, chained to the one before by ``prev_hash`` (recipe in cloud.domain.audit)."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_subject", "subject", "seq"),)

    seq: int = Field(sa_type=BigInt, primary_key=True, sa_column_kwargs={"autoincrement": False},
                     description="1, 2, 3… without gaps; given by append from the head, never by the database.")
    at: datetime = Field(sa_type=UtcDateTime)
    actor_role: str = Field(sa_type=String(32))
    actor_unit: str = Field(sa_type=String(40))
    actor_officer: str = Field(sa_type=String(200))
    action: str = Field(sa_type=String(64))
    subject: str = Field(sa_type=String(200), description="kind:id, e.g. dossier:H74.718-261012-0001")
    data: dict[str, Any] = Field(sa_type=JSON)
    prev_hash: str = Field(sa_type=String(64))
    hash: str = Field(sa_type=String(64))


class AuditHeadRow(SQLModel, table=True):
    """The last entry's seq and hash, moved by every append: verify compares the chain's end with it."""

    __tablename__ = "audit_head"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False}, description="Always 1.")
    last_seq: int = Field(sa_type=BigInt)
    last_hash: str = Field(sa_type=String(64))


entry_table = table_of(AuditEntryRow)
head_table = table_of(AuditHeadRow)


class AuditHeadMissing(RuntimeError):
    """The ``audit_head`` row is gone: the log was tampered with (or the database was never migrated)."""


# Built once, values as parameters: a statement rebuilt per append cost more CPU than the hashing.
_INSERT_ENTRY = entry_table.insert()
_MOVE_HEAD = update(head_table).where(head_table.c.id == HEAD_ID, head_table.c.last_seq == bindparam("read_seq"))
_READ_HEAD_FOR_UPDATE = select(head_table.c.last_seq, head_table.c.last_hash).where(
    head_table.c.id == HEAD_ID).with_for_update()


def append(conn: Connection, *, at: datetime, actor_role: str, actor_unit: str, actor_officer: str, action: str,
           subject: str, data: Mapping[str, Any]) -> AuditEntry:
    """Append one entry in ``conn``'s transaction and move the head; returns the entry with its seq and hash.

    Raises :class:`cloud.domain.audit.AuditError` for a bad argument (naive
    ``at``, ``subject`` not ``kind:id``, ``data`` not JSON) and
    :class:`AuditHeadMissing`; either way the caller's transaction should
    roll back, since its change would go unrecorded.
    """
    head = _locked_head(conn)
    entry = chain(head, at=at, actor=AuditActor(actor_role, actor_unit, actor_officer), action=action,
                  subject=subject, data=data)
    conn.execute(_INSERT_ENTRY, dict(
        seq=entry.seq, at=entry.at, actor_role=entry.actor.role, actor_unit=entry.actor.unit,
        actor_officer=entry.actor.officer, action=entry.action, subject=entry.subject, data=entry.data,
        prev_hash=entry.prev_hash, hash=entry.hash,
    ))
    moved = conn.execute(_MOVE_HEAD, dict(read_seq=head.last_seq, last_seq=entry.seq, last_hash=entry.hash))
    if moved.rowcount != 1:  # pragma: no cover - the locks above make this unreachable
        raise RuntimeError(f"audit head moved during append of entry {entry.seq}")
    return entry


def _locked_head(conn: Connection) -> AuditHead:
    row = conn.execute(_READ_HEAD_FOR_UPDATE).first()
    if row is None:
        raise AuditHeadMissing("the audit_head row is missing: the audit log was tampered with or the database "
                               "is not migrated; run `onestop audit verify`")
    return AuditHead(int(row.last_seq), row.last_hash)


# -- reading -------------------------------------------------------------------


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction whose queries all see the same moment of the database.

    Verification reads the head and then the entries in many queries; without
    one snapshot, an append committed in between would show up as an entry
    beyond the head. PostgreSQL: REPEATABLE READ. SQLite: an explicit
    ``BEGIN``, since the driver would otherwise run each SELECT on its own,
    and in WAL mode the first read fixes what the transaction sees (writers
    go on meanwhile).
    """
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin() as transaction:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN")
            yield conn
            transaction.rollback()


def read_head(conn: Connection) -> AuditHead | None:
    row = conn.execute(select(head_table.c.last_seq, head_table.c.last_hash).where(head_table.c.id == HEAD_ID)).first()
    return None if row is None else AuditHead(int(row.last_seq), row.last_hash)


def read_all(conn: Connection, *, batch_size: int = READ_BATCH, after_seq: int = 0,
             on_batch: Callable[[int], None] | None = None) -> Iterator[AuditEntry]:
    """Every entry after ``after_seq`` in seq order, fetched ``batch_size`` at a time (keyset pages, so memory
    stays flat on millions of rows); ``on_batch(n)`` is told how many each page brought (progress bars)."""
    last = after_seq
    while True:
        page = entry_table.c.seq > last
        try:
            entries = [_entry(row) for row in conn.execute(
                select(entry_table).where(page).order_by(entry_table.c.seq).limit(batch_size))]
        except (ValueError, TypeError):  # a row SQLite let someone fill with what its column cannot read back
            seqs = conn.execute(select(entry_table.c.seq).where(page).order_by(entry_table.c.seq)
                                .limit(batch_size)).scalars().all()
            entries = [_read_one(conn, seq) for seq in seqs]
        if not entries:
            return
        yield from entries
        last = entries[-1].seq
        if on_batch is not None:
            on_batch(len(entries))


def read_subject(conn: Connection, subject: str) -> list[AuditEntry]:
    """The trail of one subject (``dossier:<code>``, ``user:<name>``), oldest first."""
    rows = conn.execute(select(entry_table).where(entry_table.c.subject == subject).order_by(entry_table.c.seq))
    return [_entry(row) for row in rows]


def _read_one(conn: Connection, seq: int) -> AuditEntry:
    """One entry, or — when a column holds text its type cannot parse (an ``at`` that is no date, ``data``
    that is no JSON: SQLite accepts anything) — a stand-in that cannot match its hash, so verify reports
    the entry as altered instead of stopping on a parse error."""
    try:
        return _entry(conn.execute(select(entry_table).where(entry_table.c.seq == seq)).one())
    except (ValueError, TypeError):
        raw = conn.execute(select(entry_table.c.prev_hash, entry_table.c.hash).where(entry_table.c.seq == seq)).one()
        no_instant: Any = None  # nothing can be hashed without it
        return AuditEntry(seq, no_instant, AuditActor("", "", ""), "", "", {}, raw.prev_hash, raw.hash)


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(row.seq, row.at, AuditActor(row.actor_role, row.actor_unit, row.actor_officer), row.action,
                      row.subject, row.data, row.prev_hash, row.hash)


__all__ = [
    "HEAD_ID", "AuditEntryRow", "AuditHeadMissing", "AuditHeadRow", "append", "entry_table", "head_table",
    "read_all", "read_head", "read_subject", "snapshot", "subject_of",
]
