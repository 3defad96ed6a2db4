"""An office's day at a glance: tickets issued, waiting, average wait, dossiers received, due today, overdue.

Read from what the cloud stores: the ticket projection (``ticket``, the ingest's) for the queue and the
dossier table for the desk's work, both for the office's local day. The figures are disjoint where a
reader would add them up: "đến hạn hôm nay" counts the unresolved dossiers whose legal due time is still
ahead today, "quá hạn" those whose due time has passed (``CLOCK_RUNNING``: a dossier paused for a
supplement is neither). The average wait is from issue to first call of today's called tickets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, select
from sqlmodel import Session

from cloud.api import schemas
from cloud.db.dossiers import dossier_table
from cloud.db.tables import Office, ticket_table
from cloud.dossiers.store import CLOCK_RUNNING


@dataclass(frozen=True)
class Overview:
    issued: int
    waiting: int
    waited: int
    """Today's tickets already called: what the average wait is taken over."""
    average_wait_s: float | None
    received: int
    due_today: int
    overdue: int
    at: datetime
    timezone: str

    @property
    def average_wait_text(self) -> str:
        """Minutes as officers say them ("4 phút", "dưới 1 phút"); "—" before the first call."""
        if self.average_wait_s is None:
            return "—"
        minutes = round(self.average_wait_s / 60)
        return "dưới 1 phút" if minutes < 1 else f"{minutes} phút"

    @property
    def at_text(self) -> str:
        return self.at.astimezone(ZoneInfo(self.timezone)).strftime("%H:%M")


def office_overview(session: Session, office: Office, queue: schemas.QueueView, now: datetime) -> Overview:
    """Today's figures of ``office``; ``queue`` is its queue view of the same moment (counts already read)."""
    tz = ZoneInfo(office.timezone)
    start = datetime.combine(queue.day, time(0), tz).astimezone(UTC)
    end = start + timedelta(days=1)
    t = ticket_table.c
    conn = session.connection()
    waits = [(called - issued).total_seconds() for issued, called in conn.execute(
        select(t.issued_at, t.called_at).where(t.office == office.id, t.day == queue.day,
                                               t.issued_at.is_not(None), t.called_at.is_not(None)))
             if called >= issued]
    d = dossier_table.c
    running = d.state.in_([s.value for s in CLOCK_RUNNING])

    def count(*where: ColumnElement[bool]) -> int:
        return int(conn.execute(select(func.count()).select_from(dossier_table)
                                .where(d.office == office.id, *where)).scalar() or 0)

    return Overview(
        issued=queue.counts.issued, waiting=queue.counts.waiting, waited=len(waits),
        average_wait_s=sum(waits) / len(waits) if waits else None,
        received=count(d.received_at >= start, d.received_at < end),
        due_today=count(running, and_(d.due_at >= now, d.due_at < end)),
        overdue=count(running, d.due_at < now),
        at=now, timezone=office.timezone,
    )
