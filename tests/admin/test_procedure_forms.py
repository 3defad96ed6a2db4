"""Quản trị → a procedure's downloadable forms: publish, list, download by anyone, withdraw; audited, at once."""

from __future__ import annotations

import hashlib
import io
import stat
import zipfile
from pathlib import Path
from urllib.parse import unquote

from fastapi.testclient import TestClient

from cloud.auth.users import UserStore
from cloud.domain.roles import Role
from tests.admin.test_officers_page import ADMIN, trail
from tests.auth.conftest import SAME_ORIGIN, as_role

CODE = "HT.01"
UPLOAD = f"/console/admin/catalogue/{CODE}/forms"
LIST = f"/api/v1/catalogue/{CODE}/forms"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TITLE = "Tờ khai đăng ký khai sinh"


def docx(*extra: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        for name in extra:
            z.writestr(name, "x")
    return out.getvalue()


def upload(client: TestClient, data: bytes, *, title: str = TITLE, name: str = "to-khai.pdf",
           content_type: str = "application/pdf", headers: dict[str, str] | None = None):
    return client.post(UPLOAD, headers=ADMIN if headers is None else headers, data={"title": title},
                       files={"file": (name, data, content_type)}, follow_redirects=False)


def stored_files(client: TestClient) -> list[Path]:
    root = client.app.state.procedure_forms.files.root  # type: ignore[attr-defined]  # Starlette types app as ASGIApp
    return [p for p in root.rglob("*") if p.is_file() and p.parent.name != "tmp"]


def test_a_published_form_is_listed_and_downloaded_by_anyone_byte_for_byte(client: TestClient) -> None:
    answer = upload(client, PDF)
    assert answer.status_code == 303 and answer.headers["location"].endswith("?done=form_added#bieu-mau")
    page = client.get(answer.headers["location"], headers=ADMIN)
    assert "Đã tải biểu mẫu lên" in page.text and TITLE in page.text and 'data-testid="procedure-form-1-remove"' in page.text
    [listed] = client.get(LIST).json()  # anonymous: the catalogue is public
    assert listed["title"] == TITLE and listed["type_label"] == "PDF" and listed["size"] == len(PDF)
    assert listed["sha256"] == hashlib.sha256(PDF).hexdigest()
    got = client.get(listed["url"])  # anonymous too
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == listed["sha256"]
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-type-options"] == "nosniff"
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment;") and unquote(disposition.split("''", 1)[1]) == f"{TITLE}.pdf"
    [on_disk] = stored_files(client)
    assert on_disk.name == listed["sha256"] and stat.S_IMODE(on_disk.stat().st_mode) == 0o600
    [entry] = trail(client, f"procedure:{CODE}")
    assert entry.action == "procedure_form_added" and entry.actor.officer == "admin.test"
    assert entry.data["sha256"] == listed["sha256"] and entry.data["title"] == TITLE
    word = upload(client, docx(), title="Tờ khai (bản Word)", name="to-khai.bin", content_type="application/octet-stream")
    assert word.status_code == 303
    assert [f["type_label"] for f in client.get(LIST).json()] == ["PDF", "DOCX"]


def test_the_type_is_read_from_the_bytes_and_the_size_and_title_are_checked(client: TestClient) -> None:
    html = upload(client, b"<html><script>alert(1)</script></html>" * 10)  # claims to be a PDF
    assert html.status_code == 415 and "Chỉ nhận biểu mẫu dạng PDF hoặc DOCX (Word)" in html.text
    xlsx = upload(client, docx("xl/workbook.xml").replace(b"word/document.xml", b"word/documenx.xml"),
                  name="x.docx", content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert xlsx.status_code == 415
    macro = upload(client, docx("word/vbaProject.bin"), name="x.docx")
    assert macro.status_code == 415
    big = upload(client, PDF + b"0" * (5 * 1024 * 1024))
    assert big.status_code == 413 and "vượt quá dung lượng cho phép (5 MB)" in big.text
    empty = upload(client, b"")
    assert empty.status_code == 422 and "Tệp rỗng" in empty.text
    untitled = upload(client, PDF, title="   ")
    assert untitled.status_code == 422 and "Vui lòng nhập tên biểu mẫu" in untitled.text
    no_file = client.post(UPLOAD, headers=ADMIN, data={"title": TITLE}, files={"other": ("a", b"x")})
    assert no_file.status_code == 422 and "Vui lòng chọn tệp biểu mẫu" in no_file.text
    assert client.get(LIST).json() == [] and stored_files(client) == []
    assert trail(client, f"procedure:{CODE}") == []


def test_removal_is_audited_and_takes_the_form_away_at_once(client: TestClient) -> None:
    assert upload(client, PDF).status_code == 303
    [listed] = client.get(LIST).json()
    removed = client.post(f"{UPLOAD}/{listed['id']}/remove", headers=ADMIN, follow_redirects=False)
    assert removed.status_code == 303 and removed.headers["location"].endswith("?done=form_removed#bieu-mau")
    assert client.get(LIST).json() == [] and client.get(listed["url"]).status_code == 404
    assert stored_files(client) == []
    added, gone = trail(client, f"procedure:{CODE}")
    assert (added.action, gone.action) == ("procedure_form_added", "procedure_form_removed")
    assert gone.data["sha256"] == listed["sha256"] and gone.actor.officer == "admin.test"
    again = client.post(f"{UPLOAD}/{listed['id']}/remove", headers=ADMIN)
    assert again.status_code == 404 and "Không tìm thấy biểu mẫu này" in again.text
    assert len(trail(client, f"procedure:{CODE}")) == 2
    assert client.get("/api/v1/catalogue/KHONG.CO/forms").status_code == 404


def test_other_roles_and_foreign_pages_cannot_publish_or_remove(client: TestClient, users: UserStore) -> None:
    for role in (Role.reception, Role.it, Role.public):
        refused = upload(client, PDF, headers=as_role(role))
        assert refused.status_code == 303 and refused.headers["location"].startswith("/login"), role
    assert client.get(LIST).json() == []
    assert upload(client, PDF).status_code == 303
    [listed] = client.get(LIST).json()
    assert client.post(f"{UPLOAD}/{listed['id']}/remove", headers=as_role(Role.reception),
                       follow_redirects=False).headers["location"].startswith("/login")
    users.add("qt.test", full_name="Quản trị kiểm thử", unit="sai-gon", roles=["admin"], password="mật khẩu đủ dài")
    assert client.post("/login", data={"username": "qt.test", "password": "mật khẩu đủ dài"}, headers=SAME_ORIGIN,
                       follow_redirects=False).status_code == 303
    evil = {"Origin": "https://evil.example"}
    forged = upload(client, PDF, title="Giả mạo", headers=evil)
    assert forged.status_code == 403 and forged.json()["code"] == "cross_origin"
    forged_remove = client.post(f"{UPLOAD}/{listed['id']}/remove", headers=evil)
    assert forged_remove.status_code == 403
    assert [f["title"] for f in client.get(LIST).json()] == [TITLE]
    assert upload(client, PDF, title="Bản chính thức", headers=SAME_ORIGIN).status_code == 303  # the same session, own page


def test_the_desks_intake_page_links_the_procedures_forms(client: TestClient) -> None:
    assert upload(client, PDF).status_code == 303
    [listed] = client.get(LIST).json()
    page = client.get("/console/offices/sai-gon/counters/1/intake", params={"procedure": CODE},
                      headers=as_role(Role.reception))
    assert page.status_code == 200 and 'data-testid="procedure-forms"' in page.text
    assert f'href="{listed["url"]}"' in page.text and TITLE in page.text
