"""Alembic, run from code: the service migrates its database when it starts.

The Alembic config is built here rather than read from an ``alembic.ini`` in
the working directory, so ``onestop cloud`` works from any directory and from
an installed package (the migration scripts are package data).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` on the engine's own connections (pragmas included)."""
    command.upgrade(alembic_config(engine), revision)
