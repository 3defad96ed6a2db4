"""The work waiting for one person or desk, soonest due first: the console's team, inbox, approvals and results lists.

``DossierStore.list`` answers the API's filters newest first; an officer's
day is ordered by the legal due date instead, and a department head needs
each specialist's load. Both are read here with one query each on the
dossier table's own columns (state, holder, handling unit, office, due date)
and its indexes (the load is a GROUP BY on ``assignee_officer``, the
dossier's assignee copied out of its JSON for this).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, case, func, select

from cloud.db.dossiers import dossier_table
from cloud.domain.workflow import TERMINAL_STATES, Dossier, DossierState
from cloud.dossiers.store import CLOCK_RUNNING, SUMMARY_COLUMNS, DossierSummary, StoredDossier, summary_row

OPEN_STATES = tuple(s for s in DossierState if s not in TERMINAL_STATES)
"""States of a dossier somebody still has to work on."""
ASSIGNED_WORK = (DossierState.assigned, DossierState.in_process, DossierState.waiting_verification,
                 DossierState.supplement_requested, DossierState.submitted_for_approval)
"""States in which a dossier counts in its specialist's load (from assignment to the leader's decision)."""


def worklist(engine: Engine, *, states: Iterable[DossierState], handling_unit: str | None = None,
             holder: tuple[str, str] | None = None, office: str | None = None, limit: int = 200) -> list[StoredDossier]:
    """Dossiers in ``states``, soonest legal due first; ``holder``: (unit, officer) holding them."""
    t = dossier_table
    query = _where(select(t), states, handling_unit, holder, office).order_by(t.c.due_at, t.c.code).limit(limit)
    with engine.connect() as conn:
        return [StoredDossier(Dossier.model_validate(r.data), r.applicant_name, r.version, r.due_at,
                              applicant_phone=r.applicant_phone, applicant_email=r.applicant_email)
                for r in conn.execute(query)]


def worklist_summaries(engine: Engine, *, states: Iterable[DossierState], handling_unit: str | None = None,
                       holder: tuple[str, str] | None = None, office: str | None = None,
                       limit: int = 200) -> list[DossierSummary]:
    """:func:`worklist` as list rows, without parsing each dossier's whole data (the inbox, the team page)."""
    t = dossier_table
    query = _where(select(*SUMMARY_COLUMNS), states, handling_unit, holder, office).order_by(t.c.due_at, t.c.code)
    with engine.connect() as conn:
        return [summary_row(r) for r in conn.execute(query.limit(limit))]


def worklist_count(engine: Engine, *, states: Iterable[DossierState], handling_unit: str | None = None,
                   holder: tuple[str, str] | None = None, office: str | None = None) -> int:
    """How many dossiers :func:`worklist` would list without its limit (a page shows the first ones and this)."""
    query = _where(select(func.count()).select_from(dossier_table), states, handling_unit, holder, office)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _where(query: Any, states: Iterable[DossierState], handling_unit: str | None, holder: tuple[str, str] | None,
           office: str | None) -> Any:
    t = dossier_table
    query = query.where(t.c.state.in_([s.value for s in states]))
    if handling_unit is not None:
        query = query.where(t.c.handling_unit == handling_unit)
    if office is not None:
        query = query.where(t.c.office == office)
    if holder is not None:
        query = query.where(t.c.holder_unit == holder[0], t.c.holder_officer == holder[1])
    return query


@dataclass
class Load:
    """One specialist's open dossiers and how many of them are past the legal due date."""

    open: int = 0
    overdue: int = 0


def department_load(engine: Engine, unit: str, now: datetime) -> dict[str, Load]:
    """Assignee login → their load among department ``unit``'s dossiers (from assignment to the decision)."""
    t = dossier_table
    assignee = t.c.assignee_officer  # a column, not the JSON: no row's whole data is parsed to count
    late = case((t.c.state.in_([s.value for s in CLOCK_RUNNING]) & (t.c.due_at < now), 1), else_=0)
    query = (select(assignee.label("officer"), func.count().label("open"), func.sum(late).label("overdue"))
             .where(t.c.handling_unit == unit, t.c.state.in_([s.value for s in ASSIGNED_WORK]))
             .group_by(assignee))  # counted by the database: a big department's rows never reach Python
    with engine.connect() as conn:
        return {row.officer: Load(int(row.open), int(row.overdue or 0)) for row in conn.execute(query) if row.officer}
