"""Dead letters: every message the cloud could not use, kept with the reason, in bounded space.

Nothing the edge sends is dropped silently, but junk must not fill the
disk either: a probe's ten 4 MB payloads grew the database by 113 MB, and a
retained one is delivered again at every cloud restart and bridge reconnect.
So a dead letter keeps

* the first ``PREFIX_BYTES`` of the payload (exact bytes, and a readable
  copy for a person reading ``GET /api/v1/dead-letters``), plus the full
  size and SHA-256, which identify the payload without storing it;
* one row per (topic, payload hash): a repeat adds to ``count`` and moves
  ``last_seen`` in the same statement (an upsert, in the caller's
  transaction);
* only what was seen in the last ``retention`` days, and at most
  ``max_rows`` rows: :func:`prune` deletes the oldest, a bounded number
  per call, so one call never holds the write lock for long.

Events that end here are not lost: the node's cursor does not pass them, so
a fixed edge re-sends them.
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Connection, Engine, delete, func, select

from cloud.db.engine import write_transaction
from cloud.db.tables import dead_letter_table
from cloud.db.upsert import insert

log = structlog.get_logger(__name__)

MAX_REASON = 2000
MAX_TOPIC = 1024
#: Bytes of a payload a dead letter keeps: enough to read what a message was, never megabytes.
PREFIX_BYTES = 4096
#: Most rows one :func:`prune` call deletes (the next call goes on).
PRUNE_CHUNK = 1000


def readable_prefix(payload: bytes, limit: int = PREFIX_BYTES) -> tuple[bytes, str]:
    """The kept bytes and their readable copy; a character cut at the limit is left out, not garbled."""
    prefix = bytes(payload[:limit])
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    return prefix, decoder.decode(prefix, final=len(payload) <= limit)


def dead_letter(topic: str, payload: bytes, reason: str, received_at: datetime | None = None) -> dict[str, Any]:
    """The row for one dead letter (to insert with :func:`insert_dead_letters` in a caller's transaction)."""
    prefix, text = readable_prefix(payload)
    at = received_at or datetime.now(UTC)
    return {
        "topic": topic[:MAX_TOPIC],
        "payload": text,
        "payload_raw": prefix,
        "payload_size": len(payload),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
        "reason": reason[:MAX_REASON],
        "count": 1,
        "first_seen": at,
        "last_seen": at,
    }


def _merged(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (topic, hash): an upsert may not touch one row twice in a statement."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["topic"], row["payload_sha256"])
        seen = merged.get(key)
        if seen is None:
            merged[key] = dict(row)
            continue
        seen["count"] += row["count"]
        seen["first_seen"] = min(seen["first_seen"], row["first_seen"])
        if row["last_seen"] >= seen["last_seen"]:
            seen["last_seen"], seen["reason"] = row["last_seen"], row["reason"]
    return list(merged.values())


def _upsert(dialect_name: str) -> Any:
    d = dead_letter_table.c
    stmt = insert(dialect_name, dead_letter_table)
    new = stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=[d.topic, d.payload_sha256],
        set_={
            "count": d.count + new.count,
            "reason": new.reason,  # the latest reason: a fix elsewhere may change why it fails
            "first_seen": func.least(d.first_seen, new.first_seen) if dialect_name == "postgresql"
            else func.min(d.first_seen, new.first_seen),
            "last_seen": func.greatest(d.last_seen, new.last_seen) if dialect_name == "postgresql"
            else func.max(d.last_seen, new.last_seen),
        },
    )


def insert_dead_letters(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Store dead letters in the caller's transaction; a repeat counts on its existing row."""
    if not rows:
        return
    conn.execute(_upsert(conn.dialect.name), _merged(rows))
    for row in rows:
        log.warning("ingest.dead_letter", topic=row["topic"], reason=row["reason"], size=row["payload_size"],
                    sha256=row["payload_sha256"])


def record_dead_letter(engine: Engine, topic: str, payload: bytes, reason: str) -> None:
    """Store one dead letter in its own transaction (for callers outside a batch)."""
    with write_transaction(engine) as conn:
        insert_dead_letters(conn, [dead_letter(topic, payload, reason)])


def prune(conn: Connection, now: datetime, retention: timedelta, max_rows: int, chunk: int = PRUNE_CHUNK) -> int:
    """Delete up to ``chunk`` dead letters last seen before the retention, or beyond the newest ``max_rows``.

    Both walk the ``(last_seen, id)`` index from its old end; returns how
    many rows went, so a caller that got a full chunk knows there is more.
    """
    d = dead_letter_table.c
    cutoff = now - retention
    newest_dropped = conn.execute(  # the newest row past the cap, if the table holds more than max_rows
        select(d.last_seen, d.id).order_by(d.last_seen.desc(), d.id.desc()).offset(max_rows).limit(1)
    ).first()
    doomed = d.last_seen < cutoff
    if newest_dropped is not None:
        at, row_id = newest_dropped
        doomed = doomed | (d.last_seen < at) | ((d.last_seen == at) & (d.id <= row_id))
    ids = list(conn.execute(select(d.id).where(doomed).order_by(d.last_seen, d.id).limit(chunk)).scalars())
    if ids:
        conn.execute(delete(dead_letter_table).where(d.id.in_(ids)))
        log.info("ingest.dead_letters_pruned", rows=len(ids), before=cutoff.isoformat(), max_rows=max_rows)
    return len(ids)
