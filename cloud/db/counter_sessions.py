"""Who sits at which counter: the officers' sittings and the counters' states, as the cloud records them.

A sitting starts when an officer signs in at a counter from the console and
ends when someone signs them out (``counter_session``); the counter's state
(``counter_state``) is what its hub last reported or acknowledged. Both are
written by :func:`apply_sitting`, inside the transaction that stores the
hub's ack of ``counter.set_status`` (``cloud.commands.records.record_ack``):
the cloud records a sitting exactly when the hub applied it.

The route refuses, before sending anything, to seat an officer who sits
elsewhere or at a counter someone else holds (HTTP 409, docs/cloud.md). The
records still follow the hub when two requests race: the sign-in the hub
applied last ends every other open sitting of that officer and that counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update

from cloud.db.tables import counter_session_table, counter_state_table
from cloud.db.upsert import insert

S = counter_session_table.c


@dataclass(frozen=True)
class Sitting:
    office: str
    counter: int
    officer_id: str
    officer_name: str
    status: str
    started_at: datetime


def _sitting(row: Any) -> Sitting:
    return Sitting(row.office, row.counter, row.officer_id, row.officer_name, row.status, row.started_at)


def open_sittings(conn: Connection, *, officer: str, office: str, counter: int) -> tuple[Sitting | None, Sitting | None]:
    """The open sitting of ``officer`` (anywhere), and the open one at ``office``'s ``counter`` (anyone's)."""
    rows = conn.execute(select(counter_session_table).where(S.ended_at.is_(None), or_(
        S.officer_id == officer, and_(S.office == office, S.counter == counter)))).all()
    mine = next((_sitting(r) for r in rows if r.officer_id == officer), None)
    here = next((_sitting(r) for r in rows if r.office == office and r.counter == counter), None)
    return mine, here


def sittings_of_office(conn: Connection, office: str) -> dict[int, Sitting]:
    rows = conn.execute(select(counter_session_table).where(S.ended_at.is_(None), S.office == office))
    return {r.counter: _sitting(r) for r in rows}


@dataclass(frozen=True)
class SittingChange:
    """What the hub acknowledged for one counter: its new status and who (None once closed)."""

    office: str
    counter: int
    status: str
    officer_id: str | None
    officer_name: str | None
    by: str
    """Who asked (the login of the signed-in caller)."""


def apply_sitting(conn: Connection, change: SittingChange, at: datetime) -> None:
    """Record ``change`` as applied by the hub at ``at`` (the ack's time), in the caller's transaction."""
    here = and_(S.office == change.office, S.counter == change.counter, S.ended_at.is_(None))
    if change.status == "closed":
        conn.execute(update(counter_session_table).where(here)
                     .values(status="closed", status_at=at, ended_at=at, ended_by=change.by))
    else:
        assert change.officer_id is not None and change.officer_name is not None
        current = conn.execute(select(S.id, S.officer_id).where(here)).first()
        if current is not None and current.officer_id == change.officer_id:
            conn.execute(update(counter_session_table).where(S.id == current.id)
                         .values(status=change.status, status_at=at, officer_name=change.officer_name))
        else:
            # The hub seated this officer here: any other open sitting of theirs, or of this counter, is over.
            conn.execute(update(counter_session_table)
                         .where(S.ended_at.is_(None), or_(S.officer_id == change.officer_id, here))
                         .values(status="closed", status_at=at, ended_at=at, ended_by=change.by))
            conn.execute(counter_session_table.insert().values(
                office=change.office, counter=change.counter, officer_id=change.officer_id,
                officer_name=change.officer_name, status=change.status, started_at=at, status_at=at))
    t = counter_state_table.c
    stmt = insert(conn.dialect.name, counter_state_table).values(
        office=change.office, number=change.counter, status=change.status, officer_id=change.officer_id,
        officer_name=change.officer_name, since=at)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[t.office, t.number],
        set_={k: stmt.excluded[k] for k in ("status", "officer_id", "officer_name", "since")},
        where=stmt.excluded.since >= t.since,
    ))
