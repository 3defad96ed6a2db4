"""Alembic environment: online migrations on the engine handed over by cloud.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import cloud.db.audit  # noqa: F401  (the hash-chained audit log)
import cloud.db.dossier_extras  # noqa: F401  (receipts, sub-tasks, notifications)
import cloud.db.dossier_files  # noqa: F401  (notes and attachments)
import cloud.db.dossiers  # noqa: F401  (registers the dossier tables)
import cloud.db.procedure_forms  # noqa: F401  (downloadable forms of the catalogue)
import cloud.db.result_register  # noqa: F401  (the clerk's register of results)
import cloud.db.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
import cloud.db.users  # noqa: F401

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run them against a database")
run_migrations_online()
