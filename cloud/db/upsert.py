"""``INSERT ... ON CONFLICT`` for the databases the cloud runs on.

SQLite and PostgreSQL spell an upsert the same way but SQLAlchemy exposes it
per dialect; projections are written as upserts so that two writers (ingest
workers in a shared subscription) can never lose each other's update.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite


def insert(dialect_name: str, table: Table) -> Any:
    """The dialect's ``insert(table)``, which has ``on_conflict_do_update`` and ``excluded``."""
    if dialect_name == "sqlite":
        return sqlite.insert(table)
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"database {dialect_name!r} is not supported; use SQLite or PostgreSQL")
