"""The hub's data directory, hub.db and its -wal/-shm, and the announcements' audio are the hub's account's only.

The real hub agent (simulated devices, the real office broker) starts on a
fresh data directory under the usual umask (022, with which hub.db used to
be 0644) and under none; a hub.db an earlier release left 0644, with its
``-wal`` and ``-shm`` in use, is tightened when the store opens it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from edge.agent import HubAgent, HubOptions
from edge.config_file import load_office_config
from edge.store import Store

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def test_a_fresh_hub_keeps_its_data_to_itself(umask: int, tmp_path: Path, office_broker) -> None:
    office = office_broker("sai-gon", bridged=False)
    data = tmp_path / "edge"
    agent = HubAgent(load_office_config(ROOT / "firmware_configs/sai-gon.yaml"),
                     HubOptions(data_dir=data, simulate=True, mqtt_port=office.port,
                                mqtt_password=office.hub_password, display_port=0, open_all_day=True))
    agent.start()
    try:
        with agent.store.transaction() as conn:  # a write, so that the WAL holds something
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('file_modes_test', 'x')")
        found = {p.relative_to(tmp_path).as_posix(): oct(mode(p))
                 for p in (data, data / "hub.db", data / "hub.db-wal", data / "hub.db-shm", data / "audio")}
    finally:
        agent.stop()
    assert found == {"edge": "0o700", "edge/hub.db": "0o600", "edge/hub.db-wal": "0o600",
                     "edge/hub.db-shm": "0o600", "edge/audio": "0o700"}


def test_a_hub_db_left_readable_by_an_earlier_release_is_tightened_when_opened(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    earlier = sqlite3.connect(db)  # kept open: its -wal and -shm stay, as under the agent of that release
    earlier.execute("PRAGMA journal_mode=WAL")
    earlier.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    files = [db, db.with_name("hub.db-wal"), db.with_name("hub.db-shm")]
    for path in files:
        os.chmod(path, 0o644)
    try:
        with capture_logs() as logs:
            store = Store(db)
        store.close()
        assert [oct(mode(p)) for p in files] == ["0o600"] * 3
        tightened = [(Path(e["path"]).name, e["was"], e["now"]) for e in logs if e["event"] == "file_mode_tightened"]
        assert tightened == [("hub.db", "0o644", "0o600"), ("hub.db-wal", "0o644", "0o600"),
                             ("hub.db-shm", "0o644", "0o600")]
    finally:
        earlier.close()
