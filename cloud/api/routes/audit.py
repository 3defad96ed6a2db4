"""The audit log, read over the API (permission audit.read: admin, provincial monitor).

Reading only: the log is appended by the changes themselves, and verifying
the whole chain is ``onestop audit verify`` on the server (docs/audit.md),
which can take minutes on millions of entries.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from cloud.api.deps import EngineDep, allow
from cloud.db import audit
from cloud.domain.access import Permission as P
from cloud.domain.audit import AuditEntry

router = APIRouter(prefix="/audit", tags=["audit"], dependencies=[allow(P.audit_read)])


class AuditEntryView(BaseModel):
    seq: int
    at: datetime
    actor_role: str
    actor_unit: str
    actor_officer: str
    action: str
    subject: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    head_seq: int
    head_hash: str
    entries: list[AuditEntryView]


def _view(entry: AuditEntry) -> AuditEntryView:
    return AuditEntryView(seq=entry.seq, at=entry.at, actor_role=entry.actor.role, actor_unit=entry.actor.unit,
                          actor_officer=entry.actor.officer, action=entry.action, subject=entry.subject,
                          data=dict(entry.data), prev_hash=entry.prev_hash, hash=entry.hash)


@router.get("", response_model=AuditPage)
def read_log(
    engine: EngineDep,
    subject: Annotated[str | None, Query(max_length=200, description="e.g. dossier:H74.718-261123-0001, "
                                         "user:tn.lan; all subjects when absent")] = None,
    after: Annotated[int, Query(ge=0, description="entries after this seq (paging)")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """Entries in chain order, with the head's seq and hash (note it down: docs/audit.md, 'anchors')."""
    with engine.connect() as conn:
        head = audit.read_head(conn)
        if subject is not None:
            entries = [e for e in audit.read_subject(conn, subject) if e.seq > after][:limit]
        else:
            entries = list(itertools.islice(audit.read_all(conn, batch_size=limit, after_seq=after), limit))
    return AuditPage(head_seq=head.last_seq if head else 0, head_hash=head.last_hash if head else "",
                     entries=[_view(e) for e in entries])
