"""Quản trị → an office: counters and their queue fields, hours, local days off, through the registry's rules."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from cloud.domain.roles import Role
from cloud.registry import RegistryStore
from tests.admin.test_officers_page import ADMIN, trail
from tests.auth.conftest import as_role

PAGE = "/console/admin/offices/sai-gon"


def registry(client: TestClient) -> RegistryStore:
    return client.app.state.registry  # type: ignore[attr-defined,no-any-return]  # app.state is untyped


def counter_fields(client: TestClient, number: int) -> list[str]:
    office = client.get("/api/v1/offices/sai-gon", headers=ADMIN).json()
    return next(c["fields"] for c in office["counters"] if c["number"] == number)


def test_the_page_shows_counters_fields_and_hours_by_name(client: TestClient) -> None:
    page = client.get(PAGE, headers=ADMIN)
    assert page.status_code == 200
    for text in ("Quầy 1", "Hộ tịch", "Chứng thực", "Giờ làm việc", "07:30-11:30, 13:30-17:00", "Ngày nghỉ riêng"):
        assert text in page.text, text
    assert "UBND phường Sài Gòn" in client.get("/console/admin/offices", headers=ADMIN).text


def test_a_counters_fields_change_is_stored_audited_and_served_at_once(client: TestClient) -> None:
    before = registry(client).get("sai-gon").version
    saved = client.post(f"{PAGE}/counters", data={"number": "2", "fields": ["dat-dai", "ho-tich"]}, headers=ADMIN,
                        follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"{PAGE}?done=counter"
    assert counter_fields(client, 2) == ["dat-dai", "ho-tich"]  # the queue API reads it now
    assert registry(client).get("sai-gon").version == before + 1
    assert registry(client).get("sai-gon").counter(2).led_address == 2  # type: ignore[union-attr]  # hardware kept
    [entry] = [e for e in trail(client, "office:sai-gon") if e.action == "counter_set"]
    assert entry.data["counter"] == 2 and entry.data["fields"] == ["dat-dai", "ho-tich"]
    assert entry.actor.officer == "admin.test"
    added = client.post(f"{PAGE}/counters", data={"number": "7", "fields": ["chung-thuc"]}, headers=ADMIN,
                        follow_redirects=False)
    assert added.status_code == 303 and counter_fields(client, 7) == ["chung-thuc"]
    removed = client.post(f"{PAGE}/counters/7/remove", headers=ADMIN, follow_redirects=False)
    assert removed.status_code == 303 and registry(client).get("sai-gon").counter(7) is None
    assert [e.action for e in trail(client, "office:sai-gon")] == ["counter_set", "counter_set", "counter_removed"]


def test_a_bad_counter_change_says_why_and_changes_nothing(client: TestClient) -> None:
    before = registry(client).get("sai-gon")
    none = client.post(f"{PAGE}/counters", data={"number": "2"}, headers=ADMIN)
    assert none.status_code == 422 and "Chọn ít nhất một lĩnh vực" in none.text
    unknown = client.post(f"{PAGE}/counters", data={"number": "2", "fields": ["xay-dung"]}, headers=ADMIN)
    assert unknown.status_code == 422 and "Không lưu được quầy 2" in unknown.text
    bad = client.post(f"{PAGE}/counters", data={"number": "abc", "fields": ["ho-tich"]}, headers=ADMIN)
    assert bad.status_code == 422 and "Số quầy: một số nguyên từ 1 đến 999" in bad.text
    assert 'value="abc"' in bad.text  # kept
    assert registry(client).get("sai-gon") == before
    assert trail(client, "office:sai-gon") == []


def test_hours_and_days_off_take_effect_on_deadlines_and_the_hub_file(client: TestClient) -> None:
    dossiers = client.app.state.dossiers  # type: ignore[attr-defined]  # app.state is untyped
    assert dossiers.calendar_of("sai-gon").hours.cutoff.hour == 15
    saved = client.post(f"{PAGE}/hours", headers=ADMIN, follow_redirects=False, data={
        "periods": "07:00-11:00, 13:00-16:30", "weekdays": ["0", "1", "2", "3", "4"],
        "saturday_morning": "reception", "saturday_period": "07:30-11:30", "cutoff": "16:00"})
    assert saved.status_code == 303, saved.text[:400]
    hours = dossiers.calendar_of("sai-gon").hours  # the deadlines' calendar, without a restart
    assert hours.cutoff.hour == 16 and str(hours.periods[0]) == "07:00-11:00" and hours.saturday_morning == "reception"
    wrong = client.post(f"{PAGE}/hours", headers=ADMIN, data={
        "periods": "11:00-07:00", "weekdays": [], "saturday_morning": "closed", "cutoff": "25:99"})
    assert wrong.status_code == 422
    assert "Giờ làm việc không hợp lệ" in wrong.text and "Giờ chốt tiếp nhận" in wrong.text
    assert 'value="11:00-07:00"' in wrong.text
    assert dossiers.calendar_of("sai-gon").hours == hours
    day_off = client.post(f"{PAGE}/days-off", headers=ADMIN, follow_redirects=False,
                          data={"date": "2027-03-10", "name": "Ngày giải phóng (địa phương)"})
    assert day_off.status_code == 303
    assert registry(client).get("sai-gon").days_off[0].date == date(2027, 3, 10)
    assert not dossiers.calendar_of("sai-gon").is_working_day(date(2027, 3, 10))  # a Wednesday: deadlines skip it
    exported = client.get("/api/v1/registry/offices/sai-gon/export", headers=ADMIN).text
    assert "2027-03-10" in exported and "Ngày giải phóng (địa phương)" in exported
    nameless = client.post(f"{PAGE}/days-off", headers=ADMIN, data={"date": "2027-04-01", "name": ""})
    assert nameless.status_code == 422 and "Tên ngày nghỉ" in nameless.text
    gone = client.post(f"{PAGE}/days-off", headers=ADMIN, follow_redirects=False, data={"remove": ["2027-03-10"]})
    assert gone.status_code == 303 and registry(client).get("sai-gon").days_off == []
    assert dossiers.calendar_of("sai-gon").is_working_day(date(2027, 3, 10))
    assert [e.action for e in trail(client, "office:sai-gon")] == ["hours_set", "days_off_set", "days_off_set"]


def test_another_administrations_office_is_not_found_and_other_roles_are_sent_to_sign_in(client: TestClient) -> None:
    registry(client).add_office("ben-thanh")
    assert client.get("/console/admin/offices/ben-thanh", headers=ADMIN).status_code == 404
    foreign = client.post("/console/admin/offices/ben-thanh/counters", headers=ADMIN,
                          data={"number": "1", "fields": ["x"]})
    assert foreign.status_code == 404 and registry(client).get("ben-thanh").counters == []
    assert "ben-thanh" not in client.get("/console/admin/offices", headers=ADMIN).text
    assert client.get(PAGE, headers=as_role(Role.it)).status_code == 200  # the registry is IT's too
    for role in (Role.reception, Role.leader, Role.department_head):
        page = client.get(PAGE, headers=as_role(role), follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login"), role
        post = client.post(f"{PAGE}/counters", data={"number": "2", "fields": ["ho-tich"]}, headers=as_role(role),
                           follow_redirects=False)
        assert post.status_code == 303, role
    assert counter_fields(client, 2) == ["dat-dai"]


def test_the_registry_api_audits_who_changed_an_office_too(client: TestClient) -> None:
    """The API calls the same registry functions with the caller: its changes are in the log as well."""
    put = client.put("/api/v1/registry/offices/sai-gon/counters/2", json={"fields": ["dat-dai", "chung-thuc"]},
                     headers=ADMIN)
    assigned = client.put("/api/v1/registry/offices/sai-gon/officers/reception.test", json={"counters": [1]},
                          headers=as_role(Role.it))
    assert put.status_code == 200 and assigned.status_code == 200, assigned.text
    entries = trail(client, "office:sai-gon")
    assert [(e.action, e.actor.officer) for e in entries] == [("counter_set", "admin.test"),
                                                               ("officer_assigned", "it.test")]
    assert entries[1].data["username"] == "reception.test" and entries[1].data["counters"] == [1]
