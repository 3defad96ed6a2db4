"""The clerk's console page: results waiting for the register, the form and its checks, the year's register."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.dossiers.conftest import clerk, desk, new_dossier
from tests.dossiers.flows import advance
from tests.dossiers.test_result_register import last_number, register_lines

PAGE = "/console/register"
SAME_SITE = {"Origin": "http://testserver"}
FORM = {"document_symbol": "QĐ-UBND", "document_number": "", "signed_on": "12/10/2026",
        "signer": "Phạm Quang Minh", "stamped": "yes"}


def post(client: TestClient, code: str, form: dict[str, str], origin: dict[str, str] = SAME_SITE):
    return client.post(f"{PAGE}/{code}", headers={**clerk, **origin}, data=form, follow_redirects=False)


def test_the_page_lists_signed_results_and_registers_one(client: TestClient, store) -> None:
    signed, open_ = new_dossier(client, applicant="Nguyễn Thị Bình")["code"], new_dossier(client)["code"]
    advance(client, signed, "approved")
    page = client.get(PAGE, headers=clerk)
    assert page.status_code == 200
    assert f'data-testid="register-form-{signed}"' in page.text and "Nguyễn Thị Bình" in page.text
    assert f"register-form-{open_}" not in page.text  # not signed yet
    assert 'value="QĐ-UBND"' in page.text and 'value="Cán bộ pct.minh"' in page.text  # the signer by name
    assert 'value="12/10/2026"' in page.text  # today, as officers write dates
    assert 'data-testid="register-empty"' in page.text and "năm 2026" in page.text

    done = post(client, signed, FORM)
    assert done.status_code == 303 and done.headers["location"] == f"{PAGE}?done=1/2026"
    after = client.get(done.headers["location"], headers=clerk).text
    assert "Đã vào sổ số 1/2026." in after and f"register-form-{signed}" not in after
    assert 'data-testid="register-line-1"' in after and "1/QĐ-UBND" in after and "12/10/2026" in after
    assert "Cán bộ vt.hoa" in after and ">vt.hoa<" not in after  # who registered it, by name
    assert register_lines(store) == [(2026, 1, signed)]
    record = client.get(f"/console/dossiers/{signed}", headers=desk).text  # what the desk then reads
    assert "Số 1/2026 · 1/QĐ-UBND · ký ngày 12/10/2026 · Phạm Quang Minh · đã đóng dấu" in record
    assert "Vào sổ, đóng dấu kết quả" in record  # the history's step


def test_the_form_is_checked_in_vietnamese_and_nothing_is_registered(client: TestClient, store) -> None:
    code = new_dossier(client)["code"]
    advance(client, code, "approved")
    bad = post(client, code, {**FORM, "document_symbol": "", "signed_on": "31/02/2026", "signer": "  "})
    assert bad.status_code == 422
    for message in ("Nhập ký hiệu văn bản (ví dụ QĐ-UBND)", "Ngày ký “31/02/2026” không hợp lệ; ghi theo dạng",
                    "Nhập họ và tên người ký."):
        assert message in bad.text
    assert 'value="31/02/2026"' in bad.text  # what the clerk typed is kept
    assert post(client, code, {**FORM, "signed_on": "hôm qua"}).status_code == 422
    odd = post(client, code, {**FORM, "document_number": "125/<QĐ>"})
    assert odd.status_code == 422 and "không hợp lệ: chỉ gồm chữ, số" in odd.text and "<QĐ>" not in odd.text
    future = post(client, code, {**FORM, "signed_on": "13/10/2026"})
    assert future.status_code == 409 and "Ngày ký 13/10/2026 là ngày trong tương lai." in future.text
    assert last_number(store) == [] and register_lines(store) == []
    assert post(client, code, FORM).status_code == 303
    twice = post(client, code, FORM)
    assert twice.status_code == 409 and "Không tìm thấy" not in twice.text
    assert register_lines(store) == [(2026, 1, code)]


def test_a_write_from_another_site_is_refused(client: TestClient, store) -> None:
    code = new_dossier(client)["code"]
    advance(client, code, "approved")
    for origin in ({"Origin": "http://evil.example"}, {}):
        refused = post(client, code, FORM, origin)
        assert refused.status_code == 403 and "Yêu cầu không đến từ trang của hệ thống" in refused.text
    assert register_lines(store) == [] and last_number(store) == []


def test_the_page_is_the_clerks(client: TestClient) -> None:
    landed = client.get("/console/home", headers=clerk, follow_redirects=False)
    assert landed.status_code == 303 and landed.headers["location"] == PAGE
    other = client.get(PAGE, headers=desk, follow_redirects=False)
    assert other.status_code == 303 and other.headers["location"].startswith("/login?next=/console/register")
    assert client.post(f"{PAGE}/X", headers={**desk, **SAME_SITE}, data=FORM, follow_redirects=False).status_code == 303
