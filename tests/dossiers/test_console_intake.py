"""The reception officer's intake page at a counter (issue 11), rendered and submitted as a browser would.

Search by name without accents, the procedure's card (papers, fees, time
limit), the applicant checked on the server (Vietnamese message under the
field, values kept, nothing saved), and the four outcomes: receive (a
dossier, its Mẫu 01), supplement, refusal and redirect (an intake outcome,
its Mẫu 02 / 03). Another administration's office is not found.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cloud.db.dossiers import dossier_table
from cloud.db.intake_outcomes import outcome_table
from cloud.dossiers.store import DossierStore
from tests.dossiers.conftest import OFFICE, bc_reception, reception, specialist
from tests.dossiers.test_ticket_intake import TODAY, call, hub_reports, issued

PAGE = f"/console/offices/{OFFICE}/counters/2/intake"
FORM = {"procedure": "HT.01", "applicant_name": "Trần Văn Phúc", "id_number": "079 190 001 234",
        "address": "45 Bạch Đằng, phường Phú Cường", "phone": "0987654321"}


def submit(client: TestClient, outcome: str, papers: tuple[str, ...] = ("HT.01-1", "HT.01-2"), **fields: str):
    data = {**FORM, **fields, "outcome": outcome}
    return client.post(PAGE, headers=reception, data={**data, "papers": list(papers)}, follow_redirects=False)


def rows(store: DossierStore) -> tuple[int, int]:
    with store.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(dossier_table)).scalar_one(),
                conn.execute(select(func.count()).select_from(outcome_table)).scalar_one())


def test_the_search_finds_the_procedure_without_accents_and_shows_its_card(client: TestClient) -> None:
    found = client.get(PAGE, headers=reception, params={"q": "dang ky khai sinh"})
    assert found.status_code == 200
    assert 'data-testid="procedure-HT.01"' in found.text and "Đăng ký khai sinh" in found.text
    first = re.search(r"data-testid=\"procedure-([A-Z][^\"]+)\"", found.text)
    assert first is not None and first.group(1) == "HT.01", "the whole name is not ranked first"
    card = client.get(PAGE, headers=reception, params={"procedure": "HT.01"}).text
    assert 'data-testid="procedure-card"' in card
    assert "Tờ khai đăng ký khai sinh theo mẫu" in card and 'value="HT.01-2"' in card  # its papers to tick
    assert "Trong ngày" in card and "Lệ phí đăng ký khai sinh đúng hạn" in card  # time limit and fees
    none = client.get(PAGE, headers=reception, params={"q": "khong co thu tuc nay"}).text
    assert 'data-testid="procedure-none"' in none


def test_bad_input_shows_vietnamese_messages_keeps_the_values_and_saves_nothing(client: TestClient,
                                                                              store: DossierStore) -> None:
    before = rows(store)
    for outcome in ("receive", "supplement", "refusal", "redirect"):
        page = submit(client, outcome, applicant_name="Trần Văn Phúc", id_number="12ab", phone="12345")
        assert page.status_code == 422, (outcome, page.text[:300])
        assert "Số căn cước gồm 12 chữ số" in page.text and "Số điện thoại không hợp lệ" in page.text
        assert 'value="Trần Văn Phúc"' in page.text and 'value="45 Bạch Đằng, phường Phú Cường"' in page.text
        assert 'value="HT.01-1" checked' in page.text
    missing = submit(client, "receive", papers=("HT.01-1",))
    assert missing.status_code == 422 and "Hồ sơ chưa đủ thành phần" in missing.text and "Giấy chứng sinh" in missing.text
    refusal = submit(client, "refusal", reasons="  ")
    assert refusal.status_code == 422 and "ít nhất một lý do" in refusal.text
    redirect = submit(client, "redirect", agency="")
    assert redirect.status_code == 422 and "tên cơ quan có thẩm quyền" in redirect.text
    assert submit(client, "đóng dấu").status_code == 422
    assert rows(store) == before


def test_receiving_creates_the_dossier_of_the_called_ticket_and_links_its_receipt(client: TestClient,
                                                                                store: DossierStore) -> None:
    hub_reports(store, issued(1, "A001"), call(1, "A001"))
    page = client.get(PAGE, headers=reception, params={"procedure": "HT.01"}).text
    assert "Đang phục vụ số <b>A001</b>" in page and f'name="ticket" value="{TODAY}-075500-0001"' in page
    done = submit(client, "receive", ticket=f"{TODAY}-075500-0001")
    assert done.status_code == 303, done.text[:500]
    code = done.headers["location"].split("dossier=")[1]
    detail = client.get(f"/api/v1/dossiers/{code}", headers=reception).json()
    assert detail["applicant_name"] == "Trần Văn Phúc" and detail["applicant_phone"] == "+84987654321"
    assert detail["ticket"]["number"] == "A001" and detail["procedure"] == "HT.01"
    result = client.get(done.headers["location"], headers=reception).text
    assert f"/api/v1/dossiers/{code}/receipt.pdf" in result and "Mẫu 01, 2 liên" in result
    pdf = client.get(f"/api/v1/dossiers/{code}/receipt.pdf", headers=reception)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"


def test_supplement_refusal_and_redirect_print_their_slips(client: TestClient, store: DossierStore) -> None:
    made = {
        "supplement": submit(client, "supplement", papers=("HT.01-1",), supplement_items="Giấy chứng sinh\nSổ hộ khẩu"),
        "refusal": submit(client, "refusal", reasons="Người nộp không phải là người có quyền yêu cầu"),
        "redirect": submit(client, "redirect", agency="Công an phường Phú Cường"),
    }
    for kind, response in made.items():
        assert response.status_code == 303, (kind, response.text[:500])
    references = {kind: r.headers["location"].split("reference=")[1] for kind, r in made.items()}
    assert references == {"supplement": "BS-261012-0001", "refusal": "TC-261012-0001", "redirect": "CQ-261012-0001"}
    shown = client.get(made["supplement"].headers["location"], headers=reception).text
    assert "Giấy chứng sinh (hoặc văn bản" in shown and "Sổ hộ khẩu" in shown and "Mẫu 02" in shown
    assert "Công an phường Phú Cường" in client.get(made["redirect"].headers["location"], headers=reception).text
    for reference in references.values():
        slip = client.get(f"/api/v1/intake-outcomes/{reference}/slip.pdf", headers=reception)
        assert slip.status_code == 200 and slip.content[:5] == b"%PDF-"
    assert rows(store) == (0, 3)


def test_another_office_is_not_found_and_other_roles_sign_in_as_reception(client: TestClient) -> None:
    assert client.get("/console/offices/bc-bptn/counters/1/intake", headers=reception).status_code == 404
    assert client.get(PAGE, headers=bc_reception).status_code == 404
    assert client.post(PAGE, headers=bc_reception, data={**FORM, "outcome": "refusal", "reasons": "x"}).status_code == 404
    to_login = client.get(PAGE, headers=specialist, follow_redirects=False)
    assert to_login.status_code == 303 and to_login.headers["location"].startswith("/login?next=")


def test_a_console_session_submits_only_from_the_consoles_own_pages(client: TestClient, store: DossierStore) -> None:
    from datetime import timedelta

    users = client.app.state.users  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app, without .state
    session = users.issue_token("tn.lan", kind="session", name="browser", ttl=timedelta(hours=1))
    client.cookies.set("onestop_session", session.secret)
    data = {**FORM, "outcome": "refusal", "reasons": "Hồ sơ giả mạo"}
    forged = client.post(PAGE, data=data, headers={"Origin": "https://evil.example"}, follow_redirects=False)
    bare = client.post(PAGE, data=data, follow_redirects=False)
    assert forged.status_code == bare.status_code == 403 and forged.json()["code"] == "cross_origin"
    assert rows(store) == (0, 0)
    same = client.post(PAGE, data=data, headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert same.status_code == 303 and rows(store) == (0, 1)


def test_receiving_an_unknown_procedure_is_a_message_not_an_error(client: TestClient, store: DossierStore) -> None:
    page = submit(client, "receive", procedure="XX.99", papers=("XX.99-1",))
    assert page.status_code == 422 and "Vui lòng chọn thủ tục hành chính trong danh mục." in page.text
    assert rows(store) == (0, 0)
