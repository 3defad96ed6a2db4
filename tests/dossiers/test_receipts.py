"""Fees collected at the desk: numbered receipts (per office and year, no gaps), the fee statement with the
representative mechanism's split, and the receipt-and-appointment slip."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from cloud.db.dossier_extras import fee_receipt_table
from cloud.dossiers.store import DossierStore
from tests.dossiers.conftest import Clock, bc_reception, desk, head, it, new_dossier, papers, reception, specialist
from tests.dossiers.flows import act, advance, events

FEES = "/api/v1/dossiers/{}/fees"


def collect(client: TestClient, code: str, amount: int, who: dict[str, str] = reception, **extra: object):
    return act(client, code, "collect_fees", who, {"amount_vnd": amount, **extra})


def test_each_payment_gets_the_next_receipt_number_of_the_office_and_year(client: TestClient) -> None:
    first, second = new_dossier(client)["code"], new_dossier(client)["code"]
    assert collect(client, first, 100_000).status_code == 200
    assert collect(client, second, 100_000).status_code == 200
    advance(client, first, "result_at_desk")
    assert collect(client, first, 20_000, desk, note="Phí sao y").status_code == 200

    statement = client.get(FEES.format(first), headers=reception).json()
    assert [r["number"] for r in statement["receipts"]] == ["H74.718-BL-2026-000001", "H74.718-BL-2026-000003"]
    assert [r["collected_by_officer"] for r in statement["receipts"]] == ["tn.lan", "tkq.mai"]
    assert statement["receipts"][1]["note"] == "Phí sao y"
    assert statement["due_vnd"] == 100_000 and statement["paid_vnd"] == 120_000 and statement["balance_vnd"] == -20_000
    assert statement["due"][0]["name"] == "Lệ phí đăng ký hộ kinh doanh" and statement["lead_vnd"] == 120_000
    assert [e["payload"]["receipt"] for e in events(client, first, "collect_fees")] == [
        "H74.718-BL-2026-000001", "H74.718-BL-2026-000003"]
    assert client.get(FEES.format(second), headers=head).json()["receipts"][0]["number"] == "H74.718-BL-2026-000002"


def test_a_refused_payment_uses_no_number_and_each_office_counts_its_own(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    assert collect(client, code, 100_000, specialist).status_code == 409  # the desk collects, not the specialist
    mismatch = collect(client, code, 100_000, lines=[{"fee": "Lệ phí đăng ký hộ kinh doanh", "quantity": 2}])
    assert mismatch.status_code == 409 and "add up to 200000 VND" in mismatch.json()["detail"]
    unknown_fee = collect(client, code, 5_000, lines=[{"fee": "Phí gửi xe"}])
    assert unknown_fee.status_code == 409 and "has no fee 'Phí gửi xe'" in unknown_fee.json()["detail"]
    assert collect(client, code, 0).status_code == 422 and collect(client, code, -5).status_code == 422
    assert collect(client, code, 100_000).status_code == 200
    assert client.get(FEES.format(code), headers=reception).json()["receipts"][0]["number"] == "H74.718-BL-2026-000001"

    ben_cat = client.post("/api/v1/dossiers", headers=bc_reception,
                          json={"procedure": "KD.01", "office": "bc-bptn", "applicant_name": "Trần Văn Cường",
                                "documents": papers(client, "KD.01")})
    assert ben_cat.status_code == 201, ben_cat.text
    assert collect(client, ben_cat.json()["code"], 100_000, bc_reception).status_code == 200
    numbers = client.get(FEES.format(ben_cat.json()["code"]), headers=bc_reception).json()["receipts"]
    assert [r["number"] for r in numbers] == ["H74.721-BL-2026-000001"]


def test_numbering_restarts_with_the_year(client: TestClient, clock: Clock) -> None:
    code = new_dossier(client)["code"]
    assert collect(client, code, 100_000).status_code == 200
    clock.advance(datetime(2027, 1, 4, 9, 0, tzinfo=clock.now.tzinfo) - clock.now)  # a Monday in January
    assert collect(client, code, 10_000).status_code == 200
    numbers = [r["number"] for r in client.get(FEES.format(code), headers=reception).json()["receipts"]]
    assert numbers == ["H74.718-BL-2026-000001", "H74.718-BL-2027-000001"]


def test_parallel_payments_get_distinct_numbers_without_gaps(client: TestClient, store: DossierStore) -> None:
    codes = [new_dossier(client)["code"] for _ in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda c: collect(client, c, 100_000).status_code, codes))
    assert statuses == [200] * 8
    with store.engine.connect() as conn:
        rows = conn.execute(select(fee_receipt_table.c.seq, fee_receipt_table.c.number)).all()
    assert sorted(r.seq for r in rows) == list(range(1, 9)) and len({r.number for r in rows}) == 8


def test_the_lead_agency_collects_once_and_owes_the_tax_office_its_part(client: TestClient) -> None:
    """Representative mechanism (001): the desk takes the stamp duty for the tax office with its own fee."""
    code = new_dossier(client, procedure="DD.02")["code"]
    card = client.get("/api/v1/catalogue/DD.02").json()["fees"]
    lines = [{"fee": card[0]["name"]}, {"fee": card[1]["name"], "amount_vnd": 12_500_000}]
    assert collect(client, code, 12_530_000, lines=lines).status_code == 200
    statement = client.get(FEES.format(code), headers=reception).json()
    assert statement["lead_vnd"] == 30_000 and statement["owed_vnd"] == {"thue": 12_500_000}
    assert [f["set_by_notice"] for f in statement["due"]] == [False, True]
    (receipt,) = statement["receipts"]
    assert receipt["lines"] == [
        {"name": card[0]["name"], "quantity": 1, "amount_vnd": 30_000, "collected_for": None},
        {"name": card[1]["name"], "quantity": 1, "amount_vnd": 12_500_000, "collected_for": "thue"},
    ]
    assert receipt["owed_vnd"] == {"thue": 12_500_000} and receipt["lead_vnd"] == 30_000


def test_the_receipt_slip_shows_what_the_paper_shows(client: TestClient) -> None:
    created = new_dossier(client, applicant="Nguyễn Thị Bình")
    response = client.get(f"/api/v1/dossiers/{created['code']}/receipt", headers=reception)
    assert response.status_code == 200, response.text
    slip = response.json()
    assert slip["code"] == slip["barcode"] == created["code"] and slip["applicant_name"] == "Nguyễn Thị Bình"
    assert slip["issuer"] == ["ỦY BAN NHÂN DÂN THÀNH PHỐ THỦ DẦU MỘT",
                              "Bộ phận tiếp nhận và trả kết quả thành phố Thủ Dầu Một"]
    assert slip["procedure_name"] == "Đăng ký thành lập hộ kinh doanh" and slip["time_limit"] == "03 ngày làm việc"
    assert datetime.fromisoformat(slip["appointment"]) == datetime.fromisoformat(created["appointment"])
    assert slip["documents"][0] == {"name": "Giấy đề nghị đăng ký hộ kinh doanh theo mẫu", "originals": 1, "copies": 0}
    assert slip["received_by"] == "Cán bộ tn.lan"  # a name people read, not the login tn.lan
    assert "Căn cước công dân" in slip["id_card_notice"]
    assert "history" not in slip and "holder" not in response.text and "version" not in slip


def test_fees_and_slip_errors_are_clear(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    for path in (FEES, "/api/v1/dossiers/{}/receipt"):
        missing = client.get(path.format("H74.718-261012-9999"), headers=reception)
        assert missing.status_code == 404 and missing.json()["code"] == "dossier_not_found"
        assert client.get(path.format(code)).status_code == 401
        assert client.get(path.format(code), headers=it).status_code == 403  # IT runs the workers, reads no dossiers
        assert client.get(path.format("x" * 81), headers=reception).status_code == 422
    assert client.get(FEES.format(code), headers=reception).json()["receipts"] == []


def test_receipts_are_written_with_the_payment_or_not_at_all(client: TestClient, store: DossierStore) -> None:
    code = new_dossier(client)["code"]
    stale = client.post(f"/api/v1/dossiers/{code}/actions/collect_fees", headers={**reception, "If-Match": "7"},
                        json={"amount_vnd": 100_000})
    assert stale.status_code == 409 and stale.json()["code"] == "dossier_changed"
    with store.engine.connect() as conn:
        assert conn.execute(select(fee_receipt_table)).all() == []
    assert client.get(f"/api/v1/dossiers/{code}", headers=reception).json()["dossier"]["payments"] == []


def test_the_desk_receives_only_a_complete_dossier_and_the_slip_lists_what_it_counted(client: TestClient) -> None:
    form = "Giấy đề nghị đăng ký hộ kinh doanh theo mẫu"
    card = client.get("/api/v1/catalogue/KD.01").json()["documents"]
    assert [(d["code"], d["name"]) for d in card][:1] == [("KD.01-1", form)]  # each paper's code on the card
    body = {"procedure": "KD.01", "office": "tdm-bptn", "applicant_name": "Lê Văn Tư"}
    incomplete = client.post("/api/v1/dossiers", headers=reception, json={**body, "documents": []})
    assert incomplete.status_code == 409 and f"{form}: cần 1 bản chính" in incomplete.json()["detail"]
    assert incomplete.json()["code"] == "dossier_incomplete"
    assert f"{form}: cần 1 bản chính, 0 bản sao; đã nhận 0 bản chính, 0 bản sao" in incomplete.json()["message_vi"]
    assert incomplete.json()["message_vi"].startswith("Hồ sơ chưa đủ thành phần")  # not the generic refusal
    assert client.get("/api/v1/dossiers", headers=reception).json() == []  # nothing received, no code used
    counted = [{"code": "KD.01-1"}]  # the counts the card asks (1 original)
    created = client.post("/api/v1/dossiers", headers=reception, json={**body, "documents": counted})
    assert created.status_code == 201, created.text
    assert created.json()["code"].endswith("-0001")
    slip = client.get(f"/api/v1/dossiers/{created.json()['code']}/receipt", headers=reception).json()
    assert [(d["name"], d["originals"], d["copies"]) for d in slip["documents"]] == [(form, 1, 0)]
    bad = client.post("/api/v1/dossiers", headers=reception, json={**body, "documents": [{"code": "KD.01-1", "originals": -1}]})
    assert bad.status_code == 422
    unknown = client.post("/api/v1/dossiers", headers=reception, json={**body, "documents": [{"code": "KD.01-9"}]})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_document"
    assert "KD.01-1, KD.01-2" in unknown.json()["detail"] and "KD.01-9" in unknown.json()["message_vi"]


def test_documents_are_required_and_the_slip_lists_exactly_the_papers_received(client: TestClient) -> None:
    """A dossier without its papers was accepted and its slip listed every paper of the card (issue 10)."""
    body = {"procedure": "KD.01", "office": "tdm-bptn", "applicant_name": "Lê Văn Tư"}
    missing = client.post("/api/v1/dossiers", headers=reception, json=body)
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "documents"]
    card = client.get("/api/v1/catalogue/KD.01").json()["documents"]
    assert len(card) == 2 and card[1]["conditional"]  # the family household's minutes: only "nếu có"
    created = client.post("/api/v1/dossiers", headers=reception,
                          json={**body, "documents": [{"code": "KD.01-1", "originals": 2}]})
    assert created.status_code == 201, created.text
    slip = client.get(f"/api/v1/dossiers/{created.json()['code']}/receipt", headers=reception).json()
    assert slip["documents"] == [{"name": card[0]["name"], "originals": 2, "copies": 0}]  # not the minutes
    recorded = client.get(f"/api/v1/dossiers/{created.json()['code']}", headers=reception).json()["dossier"]
    assert recorded["documents"] == [{"code": "KD.01-1", "name": card[0]["name"], "originals": 2, "copies": 0}]
