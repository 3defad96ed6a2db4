"""A dossier's notes and attached files over the API (issue 11): stored whole or not at all, typed by their bytes.

The real service (SQLite and PostgreSQL), with the attachment limit lowered
to 200 KB so that "too large" is cheap to send. Every refusal is checked to
have left no row, no audit entry and no file behind.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cloud.api.limits import BodyGate
from cloud.db import audit
from cloud.db.dossier_files import attachment_table, note_table
from cloud.domain.roles import Role
from cloud.domain.workflow import Actor
from cloud.dossiers.files import DossierFiles, forget_unused
from cloud.settings import Settings
from tests.dossiers.conftest import bc_reception, head, leader, new_dossier, reception, specialist
from tests.dossiers.flows import act

LIMIT = 200_000
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n" + b"\x00" * 3000
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x01" * 200


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.attachment_max_bytes = LIMIT
    return settings


def upload(client: TestClient, code: str, who: dict[str, str], data: bytes, name: str = "bien-ban.pdf",
           content_type: str = "application/pdf"):
    return client.post(f"/api/v1/dossiers/{code}/attachments", headers=who,
                       files={"file": (name, data, content_type)})


def stored_files(settings: Settings) -> list[Path]:
    """Every file under the attachments directory, temporary ones included."""
    return sorted(p for p in settings.attachments_path.rglob("*") if p.is_file())


def counts(client: TestClient, code: str) -> tuple[int, int, list[str]]:
    """(attachment rows, note rows, audit actions) of dossier ``code``."""
    engine = client.app.state.engine  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state or middleware_stack
    with engine.connect() as conn:
        files = conn.execute(select(func.count()).select_from(attachment_table)
                             .where(attachment_table.c.dossier == code)).scalar_one()
        notes = conn.execute(select(func.count()).select_from(note_table).where(note_table.c.dossier == code)).scalar_one()
        actions = [e.action for e in audit.read_subject(conn, audit.subject_of("dossier", code))]
    return files, notes, actions


@pytest.fixture
def code(client: TestClient) -> str:
    """A KD.01 dossier received at Thủ Dầu Một and assigned to the specialist cv.an of the handling department."""
    code = new_dossier(client)["code"]
    assert act(client, code, "assign", head, {"officer": "cv.an"}).status_code == 200
    return code


def test_a_pdf_is_stored_with_its_checksum_and_comes_back_byte_for_byte(client: TestClient, settings: Settings,
                                                                         code: str) -> None:
    sent = upload(client, code, specialist, PDF, name="Biên bản kiểm tra.pdf")
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest() and body["size"] == len(PDF)
    assert (body["media_type"], body["type_label"], body["size_label"]) == ("application/pdf", "PDF", "3 KB")
    assert body["filename"] == "Biên bản kiểm tra.pdf" and body["uploaded_by_name"] == "Cán bộ cv.an"
    got = client.get(body["url"], headers=leader)  # a reader who does not handle it reads it
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == body["sha256"]
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert "filename*=utf-8''Bi%C3%AAn%20b%E1%BA%A3n" in got.headers["content-disposition"]
    listed = client.get(f"/api/v1/dossiers/{code}/attachments", headers=reception).json()
    assert [a["sha256"] for a in listed] == [body["sha256"]]
    assert counts(client, code)[0] == 1 and counts(client, code)[2][-1] == "attachment_added"
    on_disk = stored_files(settings)
    assert [p.name for p in on_disk] == [body["sha256"]], "stored once, under its digest, nothing left in tmp/"
    assert stat.S_IMODE(on_disk[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.attachments_path.stat().st_mode) == 0o700
    assert stat.S_IMODE(on_disk[0].parent.stat().st_mode) == 0o700


def test_the_desk_and_the_handling_unit_add_a_reader_who_does_not_handle_it_may_not(client: TestClient,
                                                                                    code: str) -> None:
    assert upload(client, code, reception, PNG, "anh.png", "image/png").status_code == 201  # the receiving desk
    assert upload(client, code, head, PDF).status_code == 201  # the handling department's head
    refused = upload(client, code, leader, PDF)  # reads the district's dossiers, does not handle this one
    assert refused.status_code == 403 and refused.json()["code"] == "not_handling", refused.text
    assert "giải quyết hồ sơ" in refused.json()["message_vi"]
    note = client.post(f"/api/v1/dossiers/{code}/notes", headers=leader, json={"text": "Ý kiến"})
    assert note.status_code == 403 and note.json()["code"] == "not_handling"
    assert counts(client, code)[:2] == (2, 0)


def test_a_file_over_the_limit_is_413_and_nothing_is_kept(client: TestClient, settings: Settings, code: str) -> None:
    just_over = upload(client, code, specialist, PDF[:5] + b"0" * (LIMIT - 4))  # within the body limit: read, cut
    assert just_over.status_code == 413 and just_over.json()["code"] == "file_too_large", just_over.text
    assert "195 KB" in just_over.json()["message_vi"]
    far_over = upload(client, code, specialist, PDF[:5] + b"0" * (settings.upload_max_body_bytes + 1))
    assert far_over.status_code == 413 and far_over.json()["code"] == "body_too_large", far_over.text
    exactly = upload(client, code, specialist, PDF[:5] + b"0" * (LIMIT - 5))
    assert exactly.status_code == 201, exactly.text
    assert counts(client, code)[0] == 1 and len(stored_files(settings)) == 1


def test_the_upload_route_has_its_own_body_limit_and_the_notes_the_small_default(client: TestClient,
                                                                                 settings: Settings) -> None:
    gate = client.app.middleware_stack  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state or middleware_stack
    while not isinstance(gate, BodyGate):
        gate = gate.app
    upload_route = gate.lookup("POST", "/api/v1/dossiers/X/attachments")
    console_route = gate.lookup("POST", "/console/dossiers/X/attachments")
    notes_route = gate.lookup("POST", "/api/v1/dossiers/X/notes")
    assert upload_route is not None and console_route is not None and notes_route is not None
    assert upload_route.max_body == console_route.max_body == LIMIT + 64 * 1024 == settings.upload_max_body_bytes
    assert notes_route.max_body == settings.http_max_body_bytes
    anonymous = client.post("/api/v1/dossiers/X/attachments", files={"file": ("a.pdf", PDF, "application/pdf")})
    assert anonymous.status_code == 401


@pytest.mark.parametrize("claimed", ["application/pdf", "image/png", "text/html"])
def test_bytes_that_are_no_pdf_jpeg_or_png_are_415_whatever_the_client_claims(client: TestClient, settings: Settings,
                                                                              code: str, claimed: str) -> None:
    for data in (b"<html><script>alert(1)</script></html>", b"MZ\x90\x00" + b"\x00" * 100, b"PK\x03\x04" + b"x" * 50):
        refused = upload(client, code, specialist, data, name="ket-qua.pdf", content_type=claimed)
        assert refused.status_code == 415 and refused.json()["code"] == "unsupported_type", refused.text
        assert "PDF, JPEG hoặc PNG" in refused.json()["message_vi"]
    assert counts(client, code) == (0, 0, ["receive", "assign"]) and stored_files(settings) == []


def test_a_path_in_the_name_is_cut_away_and_control_characters_or_no_name_refused(client: TestClient,
                                                                                  settings: Settings, code: str) -> None:
    for hostile, shown in [("../../etc/passwd.pdf", "passwd.pdf"), ("C:\\Users\\an\\scan.pdf", "scan.pdf"),
                           ("..\\..\\boot.ini.pdf", "boot.ini.pdf")]:
        sent = upload(client, code, specialist, PDF, name=hostile)
        assert sent.status_code == 201 and sent.json()["filename"] == shown, sent.text
    assert all(p.is_relative_to(settings.attachments_path) for p in stored_files(settings))
    assert not (settings.attachments_path.parent.parent / "etc").exists()
    for bad in ["bao\u202ecao.pdf", "xoa\x7f.pdf", "..", "x" * 201 + ".pdf"]:  # control bytes: test_attachments
        refused = upload(client, code, specialist, PDF, name=bad)
        assert refused.status_code == 422 and refused.json()["code"] == "bad_filename", (bad, refused.text)
    empty = upload(client, code, specialist, b"")
    assert empty.status_code == 422 and empty.json()["code"] == "empty_file"
    no_file = client.post(f"/api/v1/dossiers/{code}/attachments", headers=specialist, data={"file": "not a file"})
    assert no_file.status_code == 422 and no_file.json()["code"] == "file_required"
    assert counts(client, code)[0] == 3 and len(stored_files(settings)) == 1  # the same bytes, stored once


def test_another_administration_gets_404_for_every_file_route(client: TestClient, code: str) -> None:
    attachment = upload(client, code, specialist, PDF).json()
    missing = code[:-4] + "9999"
    for path in [f"/api/v1/dossiers/{code}/attachments", f"/api/v1/dossiers/{code}/notes",
                 f"/api/v1/dossiers/{code}/attachments/{attachment['id']}"]:
        theirs = client.get(path, headers=bc_reception)
        absent = client.get(path.replace(code, missing), headers=bc_reception)
        assert theirs.status_code == absent.status_code == 404 and theirs.json()["code"] == "dossier_not_found"
    assert upload(client, code, bc_reception, PDF).status_code == 404
    assert client.post(f"/api/v1/dossiers/{code}/notes", headers=bc_reception, json={"text": "x"}).status_code == 404
    unknown = client.get(f"/api/v1/dossiers/{code}/attachments/999", headers=specialist)
    assert unknown.status_code == 404 and unknown.json()["code"] == "attachment_not_found"
    assert client.get(f"/api/v1/dossiers/{code}/attachments/abc", headers=specialist).status_code == 404
    assert counts(client, code)[:2] == (1, 0)


def test_a_note_is_stored_with_its_audit_entry_and_bad_ones_are_refused(client: TestClient, code: str) -> None:
    sent = client.post(f"/api/v1/dossiers/{code}/notes", headers=specialist,
                       json={"text": "  Đã xác minh thực địa với UBND phường Phú Hòa.\r\nĐủ điều kiện.  "})
    assert sent.status_code == 201, sent.text
    assert sent.json()["text"] == "Đã xác minh thực địa với UBND phường Phú Hòa.\nĐủ điều kiện."
    assert sent.json()["author_name"] == "Cán bộ cv.an"
    listed = client.get(f"/api/v1/dossiers/{code}/notes", headers=leader).json()
    assert [n["text"] for n in listed] == [sent.json()["text"]]
    engine = client.app.state.engine  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state or middleware_stack
    with engine.connect() as conn:
        entry = audit.read_subject(conn, audit.subject_of("dossier", code))[-1]
    assert (entry.action, entry.actor.officer, entry.data["text"]) == ("note_added", "cv.an", sent.json()["text"])
    for text, problem in [("   ", "empty_note"), ("x" * 4001, "note_too_long"), ("a\x00b", "bad_note")]:
        refused = client.post(f"/api/v1/dossiers/{code}/notes", headers=specialist, json={"text": text})
        assert refused.status_code == 422 and refused.json()["code"] == problem, refused.text
        assert refused.json()["message_vi"]
    assert client.post(f"/api/v1/dossiers/{code}/notes", headers=specialist).status_code == 422
    assert counts(client, code)[1] == 1


def test_a_failed_transaction_leaves_no_row_no_entry_and_no_file(client: TestClient, settings: Settings, code: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    files: DossierFiles = client.app.state.files  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state or middleware_stack
    shared = upload(client, code, specialist, PNG, "anh.png", "image/png").json()  # committed: its file must stay
    before = counts(client, code)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(audit, "append", broken)
    actor = Actor(role=Role.specialist, unit="tdm.ptckh", officer="cv.an")
    with pytest.raises(RuntimeError):
        files.attach(code, "moi.pdf", io.BytesIO(PDF), actor, max_bytes=LIMIT)
    with pytest.raises(RuntimeError):
        files.attach(code, "lai.png", io.BytesIO(PNG), actor, max_bytes=LIMIT)
    with pytest.raises(RuntimeError):
        files.add_note(code, "không lưu", actor)
    monkeypatch.undo()
    assert counts(client, code) == before
    assert [p.name for p in stored_files(settings)] == [shared["sha256"]]

    class Cut(io.BytesIO):
        """An upload whose connection drops half-way."""

        def read(self, size: int | None = -1) -> bytes:
            if self.tell() > 0:
                raise OSError("connection reset")
            return super().read(1000)

    with pytest.raises(OSError):
        files.attach(code, "dut.pdf", Cut(PDF), actor, max_bytes=LIMIT)
    assert counts(client, code) == before
    assert [p.name for p in stored_files(settings)] == [shared["sha256"]], "a half-written file was left in tmp/"
    forget_unused(files.engine, files.files, attachment_table, shared["sha256"])  # a failed upload of the same bytes cleaning up: a committed row keeps the file
    assert [p.name for p in stored_files(settings)] == [shared["sha256"]]


def test_a_crash_s_half_written_file_is_removed_at_start(settings: Settings, client: TestClient) -> None:
    """What ``tmp/`` holds at start-up is an upload that never finished: the next start removes it."""
    stray = settings.attachments_path / "tmp" / "dead.part"
    stray.write_bytes(b"%PDF-half")
    client.app.state.files.files.prepare()  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state or middleware_stack
    assert not stray.exists() and os.path.isdir(settings.attachments_path / "tmp")
