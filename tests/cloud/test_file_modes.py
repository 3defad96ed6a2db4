"""cloud.db (applicants' names and phones, password and token hashes) is readable by the service's account only.

The real service starts on a fresh data directory under the usual umask
(022, with which files used to come out 0644) and under none at all (0666);
the directory must be 0700 and the database and SQLite's ``-wal`` and
``-shm`` files 0600 while it runs. A database an earlier release left 0644,
with its ``-wal`` and ``-shm`` in use, is tightened when the service opens it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import structlog.testing

from cloud.app import CloudServer
from cloud.settings import Settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def db_files(settings: Settings) -> list[Path]:
    db = settings.data_dir / "cloud.db"
    return [db, db.with_name("cloud.db-wal"), db.with_name("cloud.db-shm")]


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def test_a_fresh_data_directory_and_database_are_the_service_s_only(
        umask: int, settings: Settings, start_cloud: Callable[..., CloudServer]) -> None:
    assert not settings.data_dir.exists()
    start_cloud()  # migrated, seeded, connected: the database is open in WAL mode
    assert {p.name: oct(mode(p)) for p in [settings.data_dir, *db_files(settings)]} == {
        "cloud": "0o700", "cloud.db": "0o600", "cloud.db-wal": "0o600", "cloud.db-shm": "0o600"}


def test_a_database_left_readable_by_an_earlier_release_is_tightened_on_start(
        settings: Settings, start_cloud: Callable[..., CloudServer]) -> None:
    settings.data_dir.mkdir(mode=0o755)
    os.chmod(settings.data_dir, 0o755)
    db, wal, shm = db_files(settings)
    earlier = sqlite3.connect(db)  # kept open: its -wal and -shm stay, as under a running release
    earlier.execute("PRAGMA journal_mode=WAL")
    earlier.execute("CREATE TABLE left_by_an_earlier_release (x TEXT)")
    for path in (db, wal, shm):
        os.chmod(path, 0o644)
    try:
        with structlog.testing.capture_logs() as logs:
            start_cloud()
        assert {p.name: oct(mode(p)) for p in (db, wal, shm)} == {
            "cloud.db": "0o600", "cloud.db-wal": "0o600", "cloud.db-shm": "0o600"}
        tightened = {Path(e["path"]).name: (e["was"], e["now"]) for e in logs if e["event"] == "file_mode_tightened"}
        assert tightened == {name: ("0o644", "0o600") for name in ("cloud.db", "cloud.db-wal", "cloud.db-shm")}
        # An existing directory is the operator's: left as it is, with a warning saying how to fix it.
        assert mode(settings.data_dir) == 0o755
        assert [e["path"] for e in logs if e["event"] == "data_dir_not_private"] == [str(settings.data_dir)]
    finally:
        earlier.close()
