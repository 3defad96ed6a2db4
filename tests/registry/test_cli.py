"""``onestop office …`` on a real database: what an IT officer types, what they read, the exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from onestop_cli.main import app
from protocol.office_config import parse_office_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ONESTOP_DATA_DIR", str(tmp_path / "cloud"))
    runner = CliRunner()
    assert runner.invoke(app, ["seed"]).exit_code == 0
    return runner


def _ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_an_office_from_nothing_to_its_hub_file(runner: CliRunner, tmp_path: Path) -> None:
    refused = runner.invoke(app, ["office", "add", "cho-lon-cu"])
    assert refused.exit_code == 1
    assert "ERROR: 'cho-lon-cu' is not the one-stop office of any unit of the province data; known offices:" in \
        refused.output and "sai-gon" in refused.output
    assert "added sai-gon: " in _ok(runner, "office", "add", "sai-gon", "--name", "UBND phường Sài Gòn")
    unknown = runner.invoke(app, ["office", "field", "set", "sai-gon", "ho-tich", "--name", "Hộ tịch", "--prefix",
                                  "A", "--catalogue", "khai_sinh"])
    assert unknown.exit_code == 1 and "unknown catalogue field 'khai_sinh'" in unknown.output
    _ok(runner, "office", "field", "set", "sai-gon", "ho-tich", "--name", "Hộ tịch", "--prefix", "A",
        "--catalogue", "ho_tich")
    _ok(runner, "office", "field", "set", "sai-gon", "dat-dai", "--name", "Đất đai", "--prefix", "B",
        "--catalogue", "dat_dai", "--catalogue", "xay_dung")
    _ok(runner, "office", "counter", "add", "sai-gon", "1", "--field", "ho-tich")
    assert "counter 2 serves dat-dai, ho-tich, version 5" in _ok(
        runner, "office", "counter", "add", "sai-gon", "2", "--field", "dat-dai", "--field", "ho-tich")
    _ok(runner, "users", "add", "tn.lan", "--name", "Trần Ngọc Lan", "--unit", "hcm.sai_gon.vp", "--role",
        "reception", "--no-password")
    assert "Trần Ngọc Lan (tn.lan) → UBND phường Sài Gòn: quầy 2" in _ok(
        runner, "office", "officer", "assign", "sai-gon", "tn.lan", "--counter", "2")
    shown = _ok(runner, "office", "show", "sai-gon")
    assert "đơn vị (unit):        Phường Sài Gòn (hcm.sai_gon)" in shown
    assert "B   dat-dai          Đất đai  →  Đất đai, Xây dựng" in shown
    assert "quầy 2: Đất đai, Hộ tịch" in shown and "Trần Ngọc Lan (tn.lan): quầy 2" in shown
    assert "07:30-11:30, 13:30-17:00" in shown
    assert "sai-gon" in _ok(runner, "office", "list")
    _ok(runner, "office", "hours", "sai-gon", "--periods", "07:30-11:30,13:30-17:00", "--saturday-morning", "closed")
    out = tmp_path / "sai-gon.yaml"
    _ok(runner, "office", "export", "sai-gon", "--out", str(out))
    checked = runner.invoke(app, ["config", "check", str(out)])
    assert checked.exit_code == 0 and "OK – UBND phường Sài Gòn: 2 fields, 2 counters, version 7" in checked.output
    config = parse_office_config(yaml.safe_load(out.read_text(encoding="utf-8")))
    assert config.hours.saturday_morning == "closed" and config.fields[1].catalogue == ("dat_dai", "xay_dung")
    assert "tn.lan no longer assigned" in _ok(runner, "office", "officer", "unassign", "sai-gon", "tn.lan")
    assert "counter 1 removed" in _ok(runner, "office", "counter", "remove", "sai-gon", "1")


def test_bad_hours_and_unknown_offices_are_refused(runner: CliRunner) -> None:
    bad = runner.invoke(app, ["office", "hours", "sai-gon", "--periods", "13:30-17:00,07:30-11:30"])
    assert bad.exit_code == 1 and "overlap or are out of order" in bad.output
    missing = runner.invoke(app, ["office", "show", "sai-gon"])
    assert missing.exit_code == 1 and "office 'sai-gon' is not in the registry" in missing.output
