"""A migrated cloud database with nothing but the audit log in use, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from cloud.db import audit, migrate
from cloud.db.engine import make_engine, write_transaction
from cloud.domain.audit import AuditEntry

T0 = datetime(2026, 10, 12, 1, 0, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """``database_url`` is parametrized (tests/postgres.py): every test here runs on both databases."""
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def record(engine: Engine, n: int, subject: str = "user:tn.lan") -> AuditEntry:
    """Append entry number ``n`` of a test, in its own write transaction, as user management would."""
    with write_transaction(engine) as conn:
        return audit.append(conn, at=T0 + timedelta(seconds=n), actor_role="admin", actor_unit="tdm.ubnd",
                            actor_officer="qt.nam", action="change_user", subject=subject,
                            data={"n": n, "full_name": "Trần Ngọc Lan", "roles": ["reception"]})
