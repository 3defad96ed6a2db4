"""Notes and attached files on the console's dossier page (issue 11): the forms, their messages, their guards.

The forms post to the console and come back to the dossier page (303) with a
Vietnamese message chosen by a code, never by text from the address. A
session (cookie) write from another site is refused before anything is read
or stored.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from cloud.api.deps import SESSION_COOKIE
from cloud.settings import Settings
from tests.dossiers.conftest import bc_reception, head, leader, new_dossier, specialist
from tests.dossiers.flows import act
from tests.dossiers.test_dossier_files import PDF, counts, stored_files


@pytest.fixture
def code(client: TestClient) -> str:
    code = new_dossier(client)["code"]
    assert act(client, code, "assign", head, {"officer": "cv.an"}).status_code == 200
    return code


def post_file(client: TestClient, code: str, who: dict[str, str], data: bytes = PDF, name: str = "bien-ban.pdf",
              content_type: str = "application/pdf", **kwargs: object):
    return client.post(f"/console/dossiers/{code}/attachments", headers=who, follow_redirects=False,
                       files={"file": (name, data, content_type)}, **kwargs)  # type: ignore[arg-type]  # TestClient.app is typed as a bare ASGI app, without .state; httpx's files= tuple typing


def test_an_upload_from_the_page_is_listed_with_its_size_type_uploader_and_time(client: TestClient, code: str) -> None:
    sent = post_file(client, code, specialist, name="Biên bản xác minh.pdf")
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == f"/console/dossiers/{code}?tep=attachment_added&muc=tep-dinh-kem#tep-dinh-kem"
    page = client.get(sent.headers["location"], headers=specialist).text
    assert 'data-testid="files-done"' in page and "Đã tải tệp lên hồ sơ." in page
    row = page[page.index('data-testid="attachment"'):]
    row = row[:row.index("</tr>")]
    assert "Biên bản xác minh.pdf" in row and "3 KB" in row and "PDF" in row and "Cán bộ cv.an" in row
    assert "12/10/2026" in row  # when, in Vietnam's time as officers write it
    assert f"/api/v1/dossiers/{code}/attachments/1" in row
    assert client.get(f"/api/v1/dossiers/{code}/attachments/1", headers=specialist).content == PDF
    assert 'enctype="multipart/form-data"' in page and 'data-testid="note-form"' in page


def test_a_refused_upload_says_why_in_vietnamese_and_keeps_nothing(client: TestClient, settings: Settings, code: str) -> None:
    wrong = post_file(client, code, specialist, b"<html>not a pdf</html>", "gia.pdf", "application/pdf")
    assert wrong.status_code == 303 and wrong.headers["location"].endswith("?loi=unsupported_type&muc=tep-dinh-kem#tep-dinh-kem")
    page = client.get(wrong.headers["location"], headers=specialist).text
    assert 'data-testid="files-error"' in page and "Chỉ nhận tệp PDF, JPEG hoặc PNG" in page
    empty = post_file(client, code, specialist, b"")
    assert empty.headers["location"].endswith("?loi=empty_file&muc=tep-dinh-kem#tep-dinh-kem")
    too_big = post_file(client, code, specialist, b"%PDF-" + b"0" * (settings.attachment_max_bytes + 10))
    assert too_big.status_code == 303 and "loi=file_too_large" in too_big.headers["location"]
    assert "vượt quá dung lượng cho phép (10 MB)" in client.get(too_big.headers["location"], headers=specialist).text
    assert counts(client, code)[0] == 0 and stored_files(settings) == []


def test_a_note_from_the_page_is_listed_by_its_author_s_name_and_audited(client: TestClient, code: str) -> None:
    sent = client.post(f"/console/dossiers/{code}/notes", headers=specialist, follow_redirects=False,
                       data={"text": "Đã gọi điện cho công dân bổ sung bản sao CCCD."})
    assert sent.status_code == 303 and sent.headers["location"] == f"/console/dossiers/{code}?tep=note_added&muc=ghi-chu#ghi-chu"
    page = client.get(sent.headers["location"], headers=leader).text
    assert "Đã gọi điện cho công dân bổ sung bản sao CCCD." in page and "Cán bộ cv.an" in page
    assert 'data-testid="note-form"' not in page and 'data-testid="attachment-form"' not in page, \
        "a reader who does not handle the dossier is offered the forms"
    assert counts(client, code)[1:] == (1, ["receive", "assign", "note_added"])
    empty = client.post(f"/console/dossiers/{code}/notes", headers=specialist, follow_redirects=False,
                        data={"text": "   "})
    assert empty.headers["location"].endswith("?loi=empty_note&muc=ghi-chu#ghi-chu")
    assert "Vui lòng nhập nội dung ghi chú." in client.get(empty.headers["location"], headers=specialist).text
    refused = client.post(f"/console/dossiers/{code}/notes", headers=leader, follow_redirects=False, data={"text": "x"})
    assert refused.headers["location"].endswith("?loi=not_handling&muc=ghi-chu#ghi-chu")
    assert counts(client, code)[1] == 1


def test_the_address_cannot_make_the_page_say_something_else(client: TestClient, code: str) -> None:
    page = client.get(f"/console/dossiers/{code}?loi=%3Cscript%3Ealert(1)%3C/script%3E&tep=hacked",
                      headers=specialist).text
    assert "<script>alert(1)" not in page and "hacked" not in page
    assert "Không thực hiện được; vui lòng thử lại." in page


def test_another_administration_gets_the_not_found_page_and_stores_nothing(client: TestClient, settings: Settings,
                                                                           code: str) -> None:
    upload = post_file(client, code, bc_reception)
    note = client.post(f"/console/dossiers/{code}/notes", headers=bc_reception, data={"text": "x"})
    assert upload.status_code == note.status_code == 404
    assert 'data-testid="dossier-not-found"' in upload.text and 'data-testid="dossier-not-found"' in note.text
    assert counts(client, code)[:2] == (0, 0) and stored_files(settings) == []


def test_a_session_write_from_another_site_is_refused_and_one_from_the_console_goes_through(
        client: TestClient, settings: Settings, code: str) -> None:
    users = client.app.state.users  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state; httpx's files= tuple typing
    session = users.issue_token("cv.an", kind="session", name="browser", ttl=timedelta(hours=1))
    client.cookies.set(SESSION_COOKIE, session.secret)
    try:
        for origin in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/x"}, {}):
            upload = post_file(client, code, origin)
            note = client.post(f"/console/dossiers/{code}/notes", headers=origin, data={"text": "giả mạo"},
                               follow_redirects=False)
            assert upload.status_code == note.status_code == 403, (origin, upload.text)
            assert upload.json()["code"] == note.json()["code"] == "cross_origin"
            api = client.post(f"/api/v1/dossiers/{code}/notes", headers=origin, json={"text": "giả mạo"})
            assert api.status_code == 403 and api.json()["code"] == "cross_origin"
        assert counts(client, code)[:2] == (0, 0) and stored_files(settings) == []
        ours = {"Origin": "http://testserver"}
        assert post_file(client, code, ours).status_code == 303
        assert client.post(f"/console/dossiers/{code}/notes", headers=ours, data={"text": "Hợp lệ"},
                           follow_redirects=False).status_code == 303
        assert counts(client, code)[:2] == (1, 1)
    finally:
        client.cookies.clear()
