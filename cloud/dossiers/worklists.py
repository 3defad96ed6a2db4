"""The work waiting for one person or desk, soonest due first: the console's team, inbox, approvals and results lists.

``DossierStore.list`` answers the API's filters newest first; an officer's
day is ordered by the legal due date instead, and a department head needs
each specialist's load. Both are read here with one query each on the
dossier table's own columns (state, holder, handling unit, office, due date)
and its indexes; the assignee, kept only in the dossier's JSON, is read from
the rows of the department's open dossiers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from cloud.db.dossiers import dossier_table
from cloud.domain.workflow import TERMINAL_STATES, Dossier, DossierState
from cloud.dossiers.store import CLOCK_RUNNING, StoredDossier

OPEN_STATES = tuple(s for s in DossierState if s not in TERMINAL_STATES)
"""States of a dossier somebody still has to work on."""
ASSIGNED_WORK = (DossierState.assigned, DossierState.in_process, DossierState.waiting_verification,
                 DossierState.supplement_requested, DossierState.submitted_for_approval)
"""States in which a dossier counts in its specialist's load (from assignment to the leader's decision)."""


def worklist(engine: Engine, *, states: Iterable[DossierState], handling_unit: str | None = None,
             holder: tuple[str, str] | None = None, office: str | None = None, limit: int = 200) -> list[StoredDossier]:
    """Dossiers in ``states``, soonest legal due first; ``holder``: (unit, officer) holding them."""
    t = dossier_table
    query = select(t).where(t.c.state.in_([s.value for s in states]))
    if handling_unit is not None:
        query = query.where(t.c.handling_unit == handling_unit)
    if office is not None:
        query = query.where(t.c.office == office)
    if holder is not None:
        query = query.where(t.c.holder_unit == holder[0], t.c.holder_officer == holder[1])
    query = query.order_by(t.c.due_at, t.c.code).limit(limit)
    with engine.connect() as conn:
        return [StoredDossier(Dossier.model_validate(r.data), r.applicant_name, r.version, r.due_at,
                              applicant_phone=r.applicant_phone, applicant_email=r.applicant_email)
                for r in conn.execute(query)]


@dataclass
class Load:
    """One specialist's open dossiers and how many of them are past the legal due date."""

    open: int = 0
    overdue: int = 0


def department_load(engine: Engine, unit: str, now: datetime) -> dict[str, Load]:
    """Assignee login → their load among department ``unit``'s dossiers (from assignment to the decision)."""
    t = dossier_table
    assignee = t.c.data[("assignee", "officer")].as_string()
    query = select(assignee.label("officer"), t.c.state, t.c.due_at).where(
        t.c.handling_unit == unit, t.c.state.in_([s.value for s in ASSIGNED_WORK]))
    running = {s.value for s in CLOCK_RUNNING}
    loads: dict[str, Load] = {}
    with engine.connect() as conn:
        for row in conn.execute(query):
            if not row.officer:
                continue
            load = loads.setdefault(row.officer, Load())
            load.open += 1
            due = row.due_at if row.due_at.tzinfo is not None else row.due_at.replace(tzinfo=now.tzinfo)
            if row.state in running and due < now:
                load.overdue += 1
    return loads
