"""Liveness and readiness: database reachable, broker connected, ingest progressing."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from cloud.api import schemas
from cloud.api.deps import CommandBusDep, EngineDep, IngestDep

router = APIRouter(prefix="/health", tags=["health"])


@router.get("", response_model=schemas.Health)
def health(engine: EngineDep, ingest: IngestDep, bus: CommandBusDep) -> schemas.Health:
    try:
        with engine.connect() as conn:
            offices = int(conn.execute(text("SELECT COUNT(*) FROM office")).scalar() or 0)
        database = True
    except SQLAlchemyError:
        database, offices = False, 0
    stats = ingest.writer.stats
    mqtt = ingest.connected and bus.connected
    return schemas.Health(
        status="ok" if database and mqtt else "degraded",
        database=database,
        mqtt_connected=mqtt,
        commands_connected=bus.connected,
        ingest=schemas.IngestHealth(connected=ingest.connected, queued=ingest.writer.queued, received=stats.received,
                                    stored=stats.stored, duplicates=stats.duplicates, dead_letters=stats.dead_letters,
                                    batches=stats.batches, failed_batches=stats.failed_batches,
                                    last_batch_at=stats.last_batch_at),
        offices=offices,
    )
