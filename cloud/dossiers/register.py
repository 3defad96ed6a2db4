"""The clerk's register of results in the database: its numbers, its lines, and the page's queries.

The pure rule (cloud.domain.workflow, ``register_result``) takes the register
number as an input; this module gives it out. :func:`numbered` runs inside
:meth:`~cloud.dossiers.store.DossierStore.act`'s transaction, before the
pure ``apply``, and :func:`record_entry` after it (a recorder of
cloud.dossiers.records), so the number, the dossier's change, the register's
line and the audit entry commit together or not at all: a refused or
conflicting registration gives its number back, and numbers have no gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, select

from cloud.db import upsert
from cloud.db.result_register import result_register_sequence_table, result_register_table
from cloud.domain.workflow import RegisterPayload

if TYPE_CHECKING:
    from cloud.dossiers.records import ActionContext

SYSTEM_FIELD = "book_number"
"""The payload field the system fills: a caller who sends it is refused (the register's numbers are not typed)."""


def next_number(conn: Connection, office: str, year: int) -> int:
    """The next register number of ``office`` in ``year``; the sequence row stays locked until the commit."""
    t = result_register_sequence_table
    stmt = upsert.insert(conn.dialect.name, t).values(office=office, year=year, last_number=1)
    stmt = stmt.on_conflict_do_update(index_elements=[t.c.office, t.c.year], set_={"last_number": t.c.last_number + 1})
    return int(conn.execute(stmt.returning(t.c.last_number)).scalar_one())


def numbered(conn: Connection, office: str, year: int, payload: RegisterPayload) -> RegisterPayload:
    """``payload`` with the register's next number of ``office`` in ``year``."""
    return payload.model_copy(update={SYSTEM_FIELD: next_number(conn, office, year)})


def record_entry(ctx: ActionContext) -> dict[str, Any]:
    """The register's line of the result just registered; its number goes into the event's payload."""
    d = ctx.dossier
    r = d.registration
    assert r is not None  # register_result's effect sets it
    ctx.conn.execute(result_register_table.insert().values(
        office=d.office, year=r.year, number=r.book_number, dossier=d.code, outcome=d.outcome or "approved",
        document_number=r.document_number, signed_on=r.signed_on, signer=r.signer, stamped=r.stamped,
        registered_at=r.registered_at, registered_by_unit=r.registered_by.unit,
        registered_by_officer=r.registered_by.officer or ctx.actor.officer,
    ))
    return {"register": r.register_number}


@dataclass(frozen=True)
class RegisterLine:
    """One line of the register as the page prints it."""

    number: int
    year: int
    dossier: str
    outcome: str
    document_number: str
    signed_on: date
    signer: str
    stamped: bool
    registered_at: datetime
    registered_by: str

    @property
    def register_number(self) -> str:
        return f"{self.number}/{self.year}"


def register_of(engine: Engine, office: str, year: int) -> list[RegisterLine]:
    """The register of ``office`` for ``year``, in number order."""
    t = result_register_table
    query = select(t).where(t.c.office == office, t.c.year == year).order_by(t.c.number)
    with engine.connect() as conn:
        return [RegisterLine(r.number, r.year, r.dossier, r.outcome, r.document_number, r.signed_on, r.signer,
                             r.stamped, r.registered_at, r.registered_by_officer) for r in conn.execute(query)]
