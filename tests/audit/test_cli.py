"""``onestop audit verify`` / ``show`` against a real cloud database (SQLite and PostgreSQL), tampered with raw SQL.

The command reads the database from the cloud's own settings
(``ONESTOP_DATABASE_URL``), as an operator would run it on the server.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from broker.process import free_port
from cloud.db import audit
from cloud.db.engine import write_transaction
from cloud.domain.audit import chain, head_after
from onestop_cli import audit as audit_cli
from onestop_cli.main import app
from tests.audit.conftest import record

ENTRIES = 6


def run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["audit", *args], env={"ONESTOP_DATABASE_URL": url}, catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def logged(engine: Engine) -> Engine:
    for n in range(1, ENTRIES + 1):
        record(engine, n, subject=f"user:u{n % 2}")
    return engine


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_an_intact_log_exits_0_with_its_size_and_head_hash(logged: Engine) -> None:
    code, out = run(url_of(logged), "verify")
    assert code == 0, out
    with logged.connect() as conn:
        head = audit.read_head(conn)
    assert head is not None
    assert "Nhật ký kiểm toán toàn vẹn: 6 mục." in out and "Audit log intact: 6 entries" in out
    assert head.last_hash in out and f"--anchor 6:{head.last_hash}" in out
    assert run(url_of(logged), "verify", "--anchor", f"6:{head.last_hash}")[0] == 0


def test_an_empty_log_is_intact(engine: Engine) -> None:
    code, out = run(url_of(engine), "verify")
    assert code == 0 and "toàn vẹn: 0 mục" in out


TAMPERING = {
    "update data": (["UPDATE audit_entry SET data = '{\"n\": 99}' WHERE seq = 3"], "mục 3 đã bị sửa", "entry 3 altered"),
    "update officer": (["UPDATE audit_entry SET actor_officer = 'someone.else' WHERE seq = 1"],
                       "mục 1 đã bị sửa", "entry 1 altered"),
    "delete a middle row": (["DELETE FROM audit_entry WHERE seq = 4"], "đã bị xóa, từ mục 4", "entry 4 removed"),
    "delete the last row": (["DELETE FROM audit_entry WHERE seq = 6"], "đã bị xóa, từ mục 6", "entry 6 removed"),
    "delete the head": (["DELETE FROM audit_head"], "đã bị xóa, từ mục 7", "head record"),
    "swap two rows' seq": (["UPDATE audit_entry SET seq = -1 WHERE seq = 2",
                            "UPDATE audit_entry SET seq = 2 WHERE seq = 5",
                            "UPDATE audit_entry SET seq = 5 WHERE seq = -1"], "mục 2 đã bị đổi chỗ", "entry 2 reordered"),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_a_tampered_log_exits_1_naming_the_entry(logged: Engine, case: str) -> None:
    statements, vietnamese, english = TAMPERING[case]
    with logged.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    code, out = run(url_of(logged), "verify")
    assert code == 1, out
    assert "Nhật ký kiểm toán BỊ THAY ĐỔI" in out and vietnamese in out and english in out


def test_a_value_its_column_cannot_read_back_is_reported_as_altered(logged: Engine) -> None:
    """SQLite stores whatever it is given: an ``at`` that is no date must not stop the verification."""
    garbage = "at = 'yesterday'" if logged.dialect.name == "sqlite" else "data = '[1, 2]'"
    with logged.begin() as conn:
        conn.exec_driver_sql(f"UPDATE audit_entry SET {garbage} WHERE seq = 2")
    code, out = run(url_of(logged), "verify")
    assert code == 1, out
    assert "mục 2 đã bị sửa" in out and "entry 2 altered" in out


def test_a_log_rewritten_with_its_head_is_caught_only_by_a_noted_hash(logged: Engine) -> None:
    """What docs/audit.md says verify cannot prove alone: the anchor noted earlier catches it."""
    with logged.connect() as conn:
        entries = list(audit.read_all(conn))
    noted = f"6:{entries[-1].hash}"
    with write_transaction(logged) as conn:  # the attacker recomputes entries 3–6 and the head
        conn.exec_driver_sql("DELETE FROM audit_entry WHERE seq >= 3")
        head = head_after(entries[1])
        for old in entries[2:]:
            forged = chain(head, at=old.at, actor=old.actor, action=old.action, subject=old.subject,
                           data={**old.data, "roles": ["admin"]})
            conn.execute(audit.entry_table.insert().values(
                seq=forged.seq, at=forged.at, actor_role=forged.actor.role, actor_unit=forged.actor.unit,
                actor_officer=forged.actor.officer, action=forged.action, subject=forged.subject,
                data=dict(forged.data), prev_hash=forged.prev_hash, hash=forged.hash))
            head = head_after(forged)
        conn.execute(audit.head_table.update().values(last_seq=head.last_seq, last_hash=head.last_hash))
    assert run(url_of(logged), "verify")[0] == 0
    code, out = run(url_of(logged), "verify", "--anchor", noted)
    assert code == 1 and "entry 6 altered" in out and "noted outside the database" in out


def test_a_long_log_gets_a_progress_indication(logged: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_cli, "PROGRESS_FROM", 1)
    code, out = run(url_of(logged), "verify")
    assert code == 0 and "Kiểm tra / verifying" in out  # CliRunner mixes stderr in; not a tty, so the label only


def test_show_prints_a_subjects_trail(logged: Engine) -> None:
    code, out = run(url_of(logged), "show", "--subject", "user:u1")
    assert code == 0, out
    lines = out.strip().splitlines()
    assert [int(line.split()[0]) for line in lines] == [1, 3, 5]
    assert "tdm.ubnd/qt.nam (admin)" in lines[0] and '"full_name": "Trần Ngọc Lan"' in lines[0]
    assert run(url_of(logged), "show", "--subject", "user:nobody")[0] == 1


def test_a_database_that_cannot_be_opened_exits_2(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'nowhere' / 'cloud.db'}"
    code, out = run(missing, "verify")
    assert code == 2 and "no such file" in out
    assert not (tmp_path / "nowhere").exists()  # verify never creates a database
    unmigrated = tmp_path / "other.db"
    sqlite3.connect(unmigrated).close()
    code, out = run(f"sqlite:///{unmigrated}", "verify")
    assert code == 2 and "migrated" in out
    code, out = run(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/cloud", "verify")
    assert code == 2 and "cannot open the database" in out
