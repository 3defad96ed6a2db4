"""The ``command`` table: one row per command sent, updated with its fate.

Each function is one short statement, because they run on the request's
critical path (``send`` waits for the insert before publishing, and for the
update before answering).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, Engine, select, update

from cloud.db.engine import write_transaction
from cloud.db.tables import command_table
from protocol import Ack, CommandEnvelope


class AckOutcome(StrEnum):
    RECORDED = "recorded"  # the command was pending or expired; now it says ok/error
    DUPLICATE = "duplicate"  # it already had its ack (QoS 1 delivered the ack twice)
    UNKNOWN = "unknown"  # no such command: sent by another cloud, or the ack is bogus


def insert_pending(engine: Engine, envelope: CommandEnvelope) -> None:
    with engine.begin() as conn:
        conn.execute(command_table.insert().values(
            id=envelope.id, office=envelope.office, node=envelope.node, name=envelope.name, data=envelope.data,
            status="pending", created_at=envelope.ts, expires_at=envelope.expires_at,
        ))


AckEffect = Callable[[Connection, Ack], None]
"""What the cloud records because the node did what it was asked (a counter's sitting), written in the
transaction that stores the ack, so the ack is never stored without it, nor it without the ack."""


def record_ack(engine: Engine, ack: Ack, effect: AckEffect | None = None) -> AckOutcome:
    """Store the ack's result, and run ``effect`` in the same transaction when it is the first ack and ok.

    A late ack (after the cloud gave up) still records what the node did."""
    c = command_table.c
    with write_transaction(engine) as conn:
        changed = conn.execute(
            update(command_table)
            .where(c.id == ack.command_id, c.status.in_(("pending", "expired")))
            .values(status="ok" if ack.ok else "error", acked_at=ack.ts, result=ack.result,
                    error=ack.error.model_dump() if ack.error else None)
        ).rowcount
        if changed:
            if effect is not None and ack.ok:
                effect(conn, ack)
            return AckOutcome.RECORDED
        exists = conn.execute(select(c.id).where(c.id == ack.command_id)).first()
    return AckOutcome.DUPLICATE if exists else AckOutcome.UNKNOWN


def mark_expired(engine: Engine, command_id: str) -> None:
    c = command_table.c
    with engine.begin() as conn:
        conn.execute(update(command_table).where(c.id == command_id, c.status == "pending").values(status="expired"))


def mark_not_sent(engine: Engine, command_id: str, reason: str) -> None:
    c = command_table.c
    with engine.begin() as conn:
        conn.execute(update(command_table).where(c.id == command_id, c.status == "pending")
                     .values(status="error", error={"code": "not_sent", "message": reason}))


def expire_overdue(engine: Engine, now: datetime) -> int:
    """Commands left pending by a previous run whose deadline passed: nobody waits for them any more."""
    c = command_table.c
    with engine.begin() as conn:
        return conn.execute(
            update(command_table).where(c.status == "pending", c.expires_at < now).values(status="expired")
        ).rowcount
