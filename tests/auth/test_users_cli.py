"""``onestop users``: the first admin of an installation is made from the shell."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cloud.auth.users import UserStore
from cloud.db.engine import make_engine
from onestop_cli.main import app


def test_add_list_token_passwd_and_deactivate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONESTOP_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    added = runner.invoke(app, ["users", "add", "qt.quan", "--name", "Đặng Văn Quân", "--unit", "sai-gon",
                                "--role", "admin", "--role", "it", "--password-stdin"], input="mật khẩu quản trị\n")
    assert added.exit_code == 0, added.output
    assert "created qt.quan (Đặng Văn Quân, sai-gon): admin, it" in added.output
    assert "qt.quan" in runner.invoke(app, ["users", "list"]).output
    duplicate = runner.invoke(app, ["users", "add", "qt.quan", "--name", "X", "--unit", "u", "--role", "admin",
                                    "--no-password"])
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    weak = runner.invoke(app, ["users", "passwd", "qt.quan", "--password-stdin"], input="short\n")
    assert weak.exit_code == 1 and "at least 10 characters" in weak.output
    issued = runner.invoke(app, ["users", "token", "qt.quan", "--name", "script"])
    assert issued.exit_code == 0
    secret = issued.stdout.splitlines()[0]
    engine = make_engine(f"sqlite:///{tmp_path / 'cloud.db'}")
    users = UserStore(engine)
    user = users.resolve(secret)
    assert user is not None and user.username == "qt.quan"
    assert users.authenticate("qt.quan", "mật khẩu quản trị") is not None
    assert runner.invoke(app, ["users", "deactivate", "qt.quan"]).exit_code == 0
    assert UserStore(engine).resolve(secret) is None  # (a running service notices within RESOLVE_CACHE_S)
    engine.dispose()
