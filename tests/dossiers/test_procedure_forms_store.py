"""The forms' store on SQLite and PostgreSQL: the same bytes stored once, the file kept while a row names it."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cloud.db import audit, migrate
from cloud.db.engine import make_engine
from cloud.domain.roles import Role
from cloud.domain.workflow import Actor
from cloud.dossiers.catalogue_edit import ProcedureMissing
from cloud.dossiers.files import UploadRefused
from cloud.dossiers.procedure_forms import ProcedureForms, form_store
from cloud.dossiers.seed import seed_if_empty
from cloud.settings import Settings

PDF = b"%PDF-1.4\n%%EOF\n"
ADMIN = Actor(role=Role.admin, unit="sai-gon", officer="quantri")


def test_shared_bytes_stay_until_the_last_form_naming_them_goes(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    seed_if_empty(engine, Settings().reference_data)
    files = form_store(tmp_path / "attachments")
    files.prepare()
    forms = ProcedureForms(engine, files, clock=lambda: datetime(2026, 12, 2, 9, tzinfo=UTC))
    first = forms.add("HT.01", "Tờ khai đăng ký khai sinh", io.BytesIO(PDF), ADMIN, max_bytes=1024)
    second = forms.add("HT.01", "Tờ khai (bản sao)", io.BytesIO(PDF), ADMIN, max_bytes=1024)
    assert first.sha256 == second.sha256 and files.path_of(first.sha256).read_bytes() == PDF
    with pytest.raises(ProcedureMissing):
        forms.add("KHONG.CO", "Tờ khai", io.BytesIO(PDF), ADMIN, max_bytes=1024)
    with pytest.raises(UploadRefused) as refused:
        forms.add("HT.01", "Tờ khai", io.BytesIO(PDF * 100), ADMIN, max_bytes=1024)
    assert refused.value.refusal.status == 413
    assert [f.title for f in forms.forms("HT.01")] == ["Tờ khai đăng ký khai sinh", "Tờ khai (bản sao)"]
    assert forms.remove("HT.01", first.id, ADMIN) is not None
    assert files.path_of(first.sha256).is_file()  # the second form still names these bytes
    assert forms.remove("HT.01", second.id, ADMIN) is not None
    assert not files.path_of(first.sha256).exists() and forms.forms("HT.01") == []
    assert forms.remove("HT.01", second.id, ADMIN) is None
    assert list(files.tmp.iterdir()) == []
    with engine.connect() as conn:
        actions = [e.action for e in audit.read_subject(conn, "procedure:HT.01")]
    assert actions == ["procedure_form_added"] * 2 + ["procedure_form_removed"] * 2
