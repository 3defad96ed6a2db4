"""Returning results by post: the quote (seed 001's table 2.1, the office's working calendar) and what a
return by post records."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient

from tests.dossiers.conftest import desk, it, new_dossier, papers, reception
from tests.dossiers.flows import act, advance, events
from workdays import VN_TZ

QUOTE = "/api/v1/dossiers/{}/postal-quote"


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def test_a_quote_prices_by_zone_and_counts_delivery_in_working_days(client: TestClient) -> None:
    code = new_dossier(client)["code"]  # Monday 12/10/2026, 08:00
    far = client.get(QUOTE.format(code), headers=desk, params={"zone": "out_of_province"})
    assert far.status_code == 200, far.text
    body = far.json()
    assert body["fee_vnd"] == 60_500 and body["delivery_days"] == 4 and body["vat_included"] is None
    assert datetime.fromisoformat(body["expected_delivery"]) == vn(2026, 10, 16, 17, 0)  # Friday's end
    assert "533/BĐBD-UBNDTPTDM" in body["tariff"]
    same_address = client.get(QUOTE.format(code), headers=reception, params={"zone": "city", "items": 3}).json()
    assert same_address["fee_vnd"] == 20_000 + 2 * 10_000
    assert datetime.fromisoformat(same_address["expected_delivery"]) == vn(2026, 10, 13, 17, 0)
    two_trips = client.get(QUOTE.format(code), headers=desk,
                           params={"zone": "remote", "fee_collected_between_trips": "true"}).json()
    assert two_trips["fee_vnd"] == 100_000 and two_trips["zone_label"] == "Huyện Dầu Tiếng, huyện Phú Giáo"


def test_quote_errors_are_clear(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    assert client.get(QUOTE.format(code), headers=desk, params={"zone": "moon"}).status_code == 422
    assert client.get(QUOTE.format(code), headers=desk).status_code == 422  # zone is required
    assert client.get(QUOTE.format(code), headers=desk, params={"zone": "city", "items": 0}).status_code == 422
    assert client.get(QUOTE.format(code), headers=desk, params={"zone": "city", "items": "two"}).status_code == 422
    missing = client.get(QUOTE.format("H74.718-261012-9999"), headers=desk, params={"zone": "city"})
    assert missing.status_code == 404 and missing.json()["code"] == "dossier_not_found"
    assert client.get(QUOTE.format(code), params={"zone": "city"}).status_code == 401
    assert client.get(QUOTE.format(code), headers=it, params={"zone": "city"}).status_code == 403
    marriage = new_dossier(client, procedure="HT.02")["code"]  # its card says postal_return: false
    refused = client.get(QUOTE.format(marriage), headers=desk, params={"zone": "city"})
    assert refused.status_code == 409 and refused.json()["code"] == "postal_return_not_allowed"
    assert "HT.02 does not allow" in refused.json()["detail"] and refused.json()["message_vi"]


def test_a_return_by_post_records_its_postage_and_expected_delivery(client: TestClient) -> None:
    code = new_dossier(client)["code"]
    advance(client, code, "result_at_desk")
    without_zone = act(client, code, "return_result", desk, {"channel": "post", "tracking": "EB1VN"})
    assert without_zone.status_code == 422 and "postal" in without_zone.json()["detail"]
    posted = act(client, code, "return_result", desk, {"channel": "post", "tracking": "EB123456789VN",
                                                        "postal": {"zone": "remote", "items": 2}})
    assert posted.status_code == 200, posted.text
    assert posted.json()["state"] == "returned" and posted.json()["holder_unit"] == "post"
    (event,) = events(client, code, "return_result")
    postal = event["payload"]["postal"]
    assert postal["zone"] == "remote" and postal["items"] == 2 and postal["fee_vnd"] == 40_000
    sent = datetime.fromisoformat(postal["sent_at"])
    assert sent.date() == datetime.fromisoformat(event["at"]).astimezone(VN_TZ).date()
    assert datetime.fromisoformat(postal["expected_delivery"]) == vn(2026, 10, 14, 17, 0)  # 2 working days
    assert event["payload"]["tracking"] == "EB123456789VN"
    (notice,) = [n for n in client.get("/api/v1/notifications", headers=it).json() if n["kind"] == "sent_by_post"]
    assert notice["id"] == event["payload"]["notification"] and notice["dossier"] == code
    assert "mã bưu gửi EB123456789VN. Dự kiến nhận trước 17:00 ngày 14/10/2026. Cước phí: 40.000 đồng." in (
        notice["payload"]["text"])


def test_a_procedure_without_postal_return_cannot_be_posted(client: TestClient) -> None:
    created = client.post("/api/v1/dossiers", headers=reception, json={
        "procedure": "HT.02", "office": "tdm-bptn", "applicant_name": "Lê Thị Hoa", "handling_unit": "tdm.ptckh",
        "documents": papers(client, "HT.02")})
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    advance(client, code, "result_at_desk")
    refused = act(client, code, "return_result", desk, {"channel": "post", "postal": {"zone": "city"}})
    assert refused.status_code == 409 and "HT.02 does not allow returning the result by post" in refused.json()["detail"]
    assert events(client, code, "return_result") == []
    in_person = act(client, code, "return_result", desk, {"channel": "in_person", "id_checked": True})
    assert in_person.status_code == 200 and "postal" not in events(client, code, "return_result")[0]["payload"]
