"""The database: migrations from code, SQLite tuning, offices from firmware_configs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import structlog
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select
from sqlmodel import SQLModel

from cloud.db import migrate
from cloud.db.engine import make_engine
from cloud.db.office_configs import office_ids
from cloud.db.tables import counter_table, office_table
from cloud.settings import Settings
from tests.registry.seeding import seed_and_load_offices


def test_migrations_create_exactly_the_models_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    database_url: str) -> None:
    monkeypatch.chdir(tmp_path)  # no alembic.ini here: the config is built in code
    if database_url.startswith("sqlite"):
        database_url = f"sqlite:///{tmp_path / 'nested' / 'cloud.db'}"
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    migrate.upgrade(engine)  # idempotent: a restart does nothing
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
        assert diff == []
        head = ScriptDirectory.from_config(migrate.alembic_config(engine)).get_current_head()
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cloud.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_settings_default_to_a_sqlite_file_under_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONESTOP_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("ONESTOP_MQTT_PASSWORD", "s3cret")
    monkeypatch.setenv("ONESTOP_COMMAND_TIMEOUT_S", "1.5")
    settings = Settings()
    assert settings.db_url == f"sqlite:///{tmp_path / 'd' / 'cloud.db'}"
    assert settings.mqtt_settings().password == "s3cret"
    assert "s3cret" not in repr(settings)
    assert settings.command_timeout_s == 1.5
    assert Settings(database_url="postgresql://u@h/db").db_url == "postgresql://u@h/db"


def test_a_broken_office_file_is_logged_and_skipped(tmp_path: Path, firmware_configs: Path) -> None:
    (firmware_configs / "garbage.yaml").write_text("office: [unclosed", encoding="utf-8")
    engine = make_engine(f"sqlite:///{tmp_path / 'cloud.db'}")
    migrate.upgrade(engine)
    with structlog.testing.capture_logs() as logs:
        configs = seed_and_load_offices(engine, firmware_configs)
    assert [c.office.id for c in configs] == ["sai-gon"]
    assert office_ids(engine) == {"sai-gon"}
    errors = {Path(e["path"]).name: e["errors"] for e in logs if e["event"] == "offices.config_invalid"}
    assert set(errors) == {"broken.yaml", "garbage.yaml"}
    assert any("counters.0" in line or "unknown field 'dat-dai'" in line for line in errors["broken.yaml"]), errors
    assert "cannot read YAML" in errors["garbage.yaml"][0]
    with engine.connect() as conn:
        assert conn.execute(select(office_table.c.name)).scalar() == "UBND phường Sài Gòn"
        assert sorted(conn.execute(select(counter_table.c.number))) == [(1,), (2,), (3,)]


def test_loading_again_updates_the_office_and_replaces_its_counters(tmp_path: Path, firmware_configs: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cloud.db'}")
    migrate.upgrade(engine)
    seed_and_load_offices(engine, firmware_configs)
    demo = firmware_configs / "sai-gon.yaml"
    text = demo.read_text(encoding="utf-8").replace("version: 1", "version: 2")
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("- {number: 3"))
    demo.write_text(text + os.linesep, encoding="utf-8")
    seed_and_load_offices(engine, firmware_configs)
    with engine.connect() as conn:
        assert conn.execute(select(office_table.c.config_version)).scalar() == 2
        assert sorted(n for (n,) in conn.execute(select(counter_table.c.number))) == [1, 2]
