"""Changing one procedure of the catalogue from the console: the row and its audit entry in one transaction.

The procedure table is the truth the desk's search (``GET /api/v1/catalogue``)
and every new dossier read, on each request, so a saved change is in force on
the next one; a dossier already received keeps the terms it was received
under (its own copy in ``dossier.data``). The seed only fills an empty table,
so a change made here survives restarts; ``onestop seed`` (an upsert from the
YAML file) would overwrite it.

``updated_at`` is the optimistic lock: the editor sends the one it read, and a
save over someone else's newer change is refused rather than silently undone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update

from cloud.db import audit
from cloud.db.dossiers import procedure_table
from cloud.db.engine import write_transaction
from cloud.domain.catalogue import Procedure
from cloud.domain.workflow import Actor
from cloud.dossiers.seed import procedure_row


class ProcedureMissing(LookupError):
    """No procedure of that code in the table."""


class ProcedureChangedMeanwhile(RuntimeError):
    """Someone saved the procedure after the editor read it."""


@dataclass(frozen=True)
class StoredProcedure:
    procedure: Procedure
    updated_at: datetime


def read(engine: Engine, code: str) -> StoredProcedure:
    with engine.connect() as conn:
        row = conn.execute(select(procedure_table.c.data, procedure_table.c.updated_at)
                           .where(procedure_table.c.code == code)).first()
    if row is None:
        raise ProcedureMissing(code)
    return StoredProcedure(Procedure.model_validate(row.data), row.updated_at)


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The keys that differ, each with its value before and after: what an auditor reads."""
    return {key: {"before": before.get(key), "after": after.get(key)}
            for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)}


def save(engine: Engine, new: Procedure, read_at: datetime, by: Actor,
         clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> StoredProcedure:
    """Store ``new`` over the procedure of its code if it is still as read at ``read_at``; audited as
    ``procedure_changed`` with the changed keys before and after. Nothing changed: nothing written."""
    now = clock()
    with write_transaction(engine) as conn:
        row = conn.execute(select(procedure_table.c.data, procedure_table.c.updated_at)
                           .where(procedure_table.c.code == new.code)).first()
        if row is None:
            raise ProcedureMissing(new.code)
        if row.updated_at != read_at:
            raise ProcedureChangedMeanwhile(new.code)
        after = new.model_dump(mode="json")
        diff = changes(row.data, after)
        if not diff:
            return StoredProcedure(new, row.updated_at)
        values = {k: v for k, v in procedure_row(new, now).items() if k != "code"}
        conn.execute(update(procedure_table).where(procedure_table.c.code == new.code).values(**values))
        audit.append(conn, at=now, actor_role=by.role.value, actor_unit=by.unit, actor_officer=by.officer,
                     action="procedure_changed", subject=audit.subject_of("procedure", new.code), data=diff)
    return StoredProcedure(new, now)
