"""Scan-to-transfer in the console (``POST /console/scan``): one scan records the hand-over and answers one
Vietnamese line by names; every refusal is a line too, never a 500 or a half-done move."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.dossiers.conftest import desk, head, new_dossier, reception
from tests.dossiers.flows import advance, events

HTMX = {"HX-Request": "true"}


def scan(client: TestClient, who: dict[str, str], scanned: str, partial: bool = True):
    return client.post("/console/scan", headers={**who, **(HTMX if partial else {})}, data={"scanned": scanned})


def test_the_results_desk_scans_a_slip_and_reads_who_handed_the_result_over(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    advance(client, code, "registered")
    line = scan(client, desk, f"https://dichvucong.example.vn/api/v1/public/dossiers/{code.lower()}\r\n")
    assert line.status_code == 200, line.text
    assert line.text.startswith('<li class="ok" data-testid="scan-result">')
    assert f"Đã nhận hồ sơ {code} (" in line.text and "từ Cán bộ vt.hoa" in line.text  # the clerk who registered it, by name
    assert "<html" not in line.text  # htmx gets the line alone
    assert client.get(f"/api/v1/dossiers/{code}", headers=head).json()["state"] == "result_at_desk"
    assert events(client, code, "deliver_result")[0]["payload"]["via"] == "scan"


def test_a_refused_scan_says_the_dossier_s_state_and_changes_nothing(client: TestClient) -> None:
    code = new_dossier(client)["code"]  # just received: not at the results desk's step
    line = scan(client, desk, code)
    assert line.status_code == 409
    assert f"Hồ sơ {code} đang ở trạng thái “Đã tiếp nhận”" in line.text, line.text
    assert "Chuyển kết quả về bộ phận một cửa" in line.text and 'class="error"' in line.text
    assert client.get(f"/api/v1/dossiers/{code}", headers=head).json()["version"] == 1


def test_unreadable_unknown_and_not_allowed_scans_are_lines_in_vietnamese(client: TestClient) -> None:
    unreadable = scan(client, desk, "xin chào")
    assert unreadable.status_code == 422 and "Không đọc được mã hồ sơ" in unreadable.text
    unknown = scan(client, desk, "H74.718-261012-9999")
    assert unknown.status_code == 404 and "Không tìm thấy hồ sơ" in unknown.text
    empty = scan(client, desk, "   ")
    assert empty.status_code == 422 and "Chưa quét được mã nào" in empty.text
    no_default = scan(client, head, "H74.718-261012-0001")  # a head assigns: they open the dossier instead
    assert no_default.status_code == 403 and "không có thao tác mặc định" in no_default.text
    assert scan(client, desk, "\x00" * 10).status_code == 422  # control characters only: nothing scanned
    assert scan(client, desk, "x" * 2001).status_code == 422  # longer than any slip's QR code: refused, not a 500
    signed_out = client.post("/console/scan", headers=HTMX, data={"scanned": "H74.718-261012-0001"})
    assert signed_out.status_code == 401 and "đăng nhập lại" in signed_out.text


def test_without_javascript_the_form_posts_the_page_back(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    advance(client, code, "registered")
    page = scan(client, desk, code, partial=False)
    assert page.status_code == 200 and "<html" in page.text and f"Đã nhận hồ sơ {code}" in page.text
    assert 'data-testid="scan-input"' in page.text  # ready for the next slip


def test_the_scan_field_is_on_the_pages_of_roles_whose_scan_has_a_default(client: TestClient) -> None:
    assert 'data-testid="scan-input"' in client.get("/console/dossiers", headers=desk).text
    assert 'data-testid="scan-input"' in client.get("/console/dossiers", headers=reception).text
    assert 'data-testid="scan-input"' not in client.get("/console/dossiers", headers=head).text
