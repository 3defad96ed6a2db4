"""Intakes that end without a dossier (issue 11): supplement asked for, refusal, redirect, over the API.

Each is recorded with a reference of its kind and day and an audit entry in
the same transaction; a wrong field is a 422 with Vietnamese messages and
leaves nothing behind; another administration's reception sees none of it.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cloud.db import audit
from cloud.db.audit import entry_table
from cloud.db.intake_outcomes import outcome_table
from cloud.dossiers.store import DossierStore
from tests.dossiers.conftest import OFFICE, bc_reception, reception, specialist

BINH = {"applicant_name": "Nguyễn Thị Bình", "applicant_id_number": "079190001234",
        "applicant_address": "12 Yersin, phường Phú Cường, Thủ Dầu Một", "applicant_phone": "0912 345 678"}
TIME_CARD = "Giấy chứng sinh (hoặc văn bản của người làm chứng / giấy cam đoan về việc sinh) (1 bản chính)"


def outcome(client: TestClient, kind: str, who: dict[str, str] = reception, **body: Any):
    return client.post("/api/v1/intake-outcomes", headers=who,
                       json={"kind": kind, "office": OFFICE, "procedure": "HT.01", **BINH, **body})


def counts(store: DossierStore) -> tuple[int, int]:
    with store.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(outcome_table)).scalar_one(),
                conn.execute(select(func.count()).select_from(entry_table)).scalar_one())


def test_a_supplement_lists_every_missing_paper_once_and_is_audited(client: TestClient, store: DossierStore) -> None:
    made = outcome(client, "supplement", papers=["HT.01-1"],
                   items=["Bản sao giấy chứng nhận kết hôn của cha mẹ", "bản sao  giấy chứng nhận kết hôn của cha mẹ",
                          TIME_CARD])
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["reference"] == "BS-261012-0001"
    assert body["items"] == [TIME_CARD, "Bản sao giấy chứng nhận kết hôn của cha mẹ"]  # each once
    assert body["applicant_phone"] == "+84912345678" and body["officer_name"] == "Cán bộ tn.lan"
    assert body["slip_url"] == "/api/v1/intake-outcomes/BS-261012-0001/slip.pdf"
    with store.engine.connect() as conn:
        [entry] = audit.read_subject(conn, "intake_outcome:BS-261012-0001")
    assert entry.action == "intake_supplement_requested" and entry.actor.officer == "tn.lan"
    assert entry.data["items"] == body["items"] and "Nguyễn Thị Bình" not in str(entry.data)  # no personal data
    second = outcome(client, "supplement", papers=[])
    assert second.json()["reference"] == "BS-261012-0002"
    assert second.json()["items"] == ["Tờ khai đăng ký khai sinh theo mẫu (1 bản chính)", TIME_CARD]


def test_refusal_and_redirect_are_numbered_by_kind(client: TestClient, store: DossierStore) -> None:
    refused = outcome(client, "refusal", items=["Người nộp không phải là người có quyền yêu cầu"])
    redirected = outcome(client, "redirect", agency="Ủy ban nhân dân phường Phú Cường", items=[])
    assert refused.status_code == redirected.status_code == 201, (refused.text, redirected.text)
    assert refused.json()["reference"] == "TC-261012-0001" and redirected.json()["reference"] == "CQ-261012-0001"
    assert redirected.json()["agency"] == "Ủy ban nhân dân phường Phú Cường"
    with store.engine.connect() as conn:
        assert [e.action for e in audit.read_subject(conn, "intake_outcome:CQ-261012-0001")] == ["intake_redirected"]
    listed = client.get("/api/v1/intake-outcomes", headers=reception).json()
    assert [o["reference"] for o in listed] == ["CQ-261012-0001", "TC-261012-0001"]
    assert [o["reference"] for o in client.get("/api/v1/intake-outcomes?kind=refusal", headers=reception).json()] == [
        "TC-261012-0001"]


def test_bad_input_is_a_vietnamese_message_and_saves_nothing(client: TestClient, store: DossierStore) -> None:
    before = counts(store)
    bad = outcome(client, "refusal", applicant_name=" ", applicant_id_number="12345", applicant_phone="12", items=[])
    assert bad.status_code == 422
    error = bad.json()
    assert error["code"] == "invalid_intake"
    for words in ("Vui lòng nhập họ và tên", "Số căn cước gồm 12 chữ số", "Số điện thoại không hợp lệ",
                  "ít nhất một lý do từ chối"):
        assert words in error["message_vi"], error
    assert outcome(client, "redirect", agency="  ").json()["message_vi"] == (
        "Vui lòng ghi tên cơ quan có thẩm quyền giải quyết.")
    assert outcome(client, "supplement", papers=["HT.01-1", "HT.01-2"]).status_code == 422  # nothing is missing
    unknown = outcome(client, "refusal", procedure="XX.99", items=["Lý do"])
    assert unknown.status_code == 422 and "chọn thủ tục" in unknown.json()["message_vi"]
    ticket = outcome(client, "refusal", items=["Lý do"], ticket="20261012-000000-0099")
    assert ticket.status_code == 422 and ticket.json()["code"] == "ticket_not_found"
    nul = outcome(client, "refusal", items=["Lý\x00do"])
    assert nul.status_code == 422
    assert counts(store) == before, "a refused intake left a row or an audit entry"


def test_another_administration_neither_records_nor_reads_them(client: TestClient) -> None:
    made = outcome(client, "refusal", items=["Hồ sơ giả mạo"]).json()["reference"]
    assert outcome(client, "refusal", who=bc_reception, items=["x"]).status_code == 404  # not their office
    for path in (f"/api/v1/intake-outcomes/{made}", f"/api/v1/intake-outcomes/{made}/slip.pdf"):
        assert client.get(path, headers=bc_reception).status_code == 404
        assert client.get(path.replace(made, "TC-261012-9999"), headers=reception).status_code == 404
    assert client.get("/api/v1/intake-outcomes", headers=bc_reception).json() == []
    assert client.get(f"/api/v1/intake-outcomes/{made}", headers=reception).status_code == 200
    assert outcome(client, "refusal", who=specialist, items=["x"]).status_code == 403  # only reception records
