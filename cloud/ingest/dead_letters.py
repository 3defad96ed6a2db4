"""Dead letters: every message the cloud could not use, kept with the reason.

Nothing the edge sends is dropped silently. A dead letter keeps the exact
bytes (for a replay after a fix) and a readable copy (for a person reading
``GET /api/v1/dead-letters``). Events that end here are not lost either: the
node's cursor does not pass them, so a fixed edge re-sends them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import Connection, Engine

from cloud.db.engine import write_transaction
from cloud.db.tables import dead_letter_table

log = structlog.get_logger(__name__)

MAX_REASON = 2000


def dead_letter(topic: str, payload: bytes, reason: str, received_at: datetime | None = None) -> dict[str, Any]:
    """The row for one dead letter (to insert in a caller's transaction)."""
    return {
        "topic": topic[:1024],
        "payload": payload.decode("utf-8", errors="replace"),
        "payload_raw": bytes(payload),
        "reason": reason[:MAX_REASON],
        "received_at": received_at or datetime.now(UTC),
    }


def insert_dead_letters(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(dead_letter_table.insert(), rows)
        for row in rows:
            log.warning("ingest.dead_letter", topic=row["topic"], reason=row["reason"])


def record_dead_letter(engine: Engine, topic: str, payload: bytes, reason: str) -> None:
    """Store one dead letter in its own transaction (for callers outside a batch)."""
    with write_transaction(engine) as conn:
        insert_dead_letters(conn, [dead_letter(topic, payload, reason)])
