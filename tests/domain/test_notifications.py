"""Which actions tell the citizen, and what the text says (Vietnamese, with its diacritics)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from cloud.domain.catalogue import Catalogue, Procedure
from cloud.domain.deadlines import max_new_appointment
from cloud.domain.notifications import NOTICES, Notice, NoticeContext, NotificationKind, notice_for, vnd, when
from cloud.domain.postal import PostalTariff
from cloud.domain.postal_return import quote
from cloud.domain.roles import Role
from cloud.domain.workflow import Action, Actor, TransitionResult, apply, receive, transition
from tests.domain.support import vn
from workdays import WorkingCalendar

OFFICE_NAME = "Bộ phận tiếp nhận và trả kết quả thành phố Thủ Dầu Một"
reception = Actor(role=Role.reception, unit="tdm-bptn", officer="tn.lan")
head = Actor(role=Role.department_head, unit="tdm.ptckh", officer="tp.hung")
specialist = Actor(role=Role.specialist, unit="tdm.ptckh", officer="cv.an")
leader = Actor(role=Role.leader, unit="tdm.ubnd", officer="pct.minh")
clerk = Actor(role=Role.clerk, unit="tdm-bptn", officer="vt.hoa")
desk = Actor(role=Role.results_desk, unit="tdm-bptn", officer="tkq.mai")


class Walk:
    """One dossier moved through the workflow, one minute per action."""

    def __init__(self, calendar: WorkingCalendar, procedure: Procedure) -> None:
        self.calendar = calendar
        self.at = vn(2026, 10, 12, 8, 0)
        self.dossier = receive(code="H74.718-261012-0001", procedure=procedure, office="tdm-bptn",
                               handling_unit="tdm.ptckh", actor=reception, now=self.at, calendar=calendar).dossier

    def __call__(self, action: str, actor: Actor, payload: dict[str, Any] | None = None) -> TransitionResult:
        self.at = self.at.replace(minute=self.at.minute + 1)
        result = apply(self.dossier, action, actor, payload or {}, self.at, calendar=self.calendar)
        self.dossier = result.dossier
        return result

    def parsed(self, action: str, payload: dict[str, Any]) -> Any:
        return transition(action).payload.model_validate(payload)


@pytest.fixture
def walk(calendar: WorkingCalendar, catalogue: Catalogue) -> Walk:
    w = Walk(calendar, catalogue.procedure("KD.01"))
    w("assign", head, {"officer": "cv.an"})
    w("start", specialist)
    return w


def notice(walk: Walk, action: str, payload: dict[str, Any], context: NoticeContext | None = None) -> Notice | None:
    """The notice of ``action`` (already taken on ``walk``) with ``payload``."""
    return notice_for(Action(action), walk.dossier, walk.parsed(action, payload),
                      context or NoticeContext(office_name=OFFICE_NAME))


def test_a_supplement_request_lists_the_missing_items(walk: Walk) -> None:
    payload = {"missing_items": ["Bản sao căn cước công dân", "Biên bản họp thành viên hộ gia đình"], "note": "Nộp bản sao có chứng thực"}
    walk("request_supplement", specialist, payload)
    n = notice(walk, "request_supplement", payload)
    assert n is not None and n.kind is NotificationKind.supplement_requested and n.dossier == "H74.718-261012-0001"
    assert n.text == (
        "Hồ sơ H74.718-261012-0001 (Đăng ký thành lập hộ kinh doanh) cần bổ sung: Bản sao căn cước công dân; "
        "Biên bản họp thành viên hộ gia đình. Vui lòng nộp bổ sung tại Bộ phận tiếp nhận và trả kết quả thành phố "
        "Thủ Dầu Một. Ghi chú: Nộp bản sao có chứng thực. Thời hạn giải quyết được tính lại từ khi nhận đủ hồ sơ bổ sung."
    )  # KD.01 restarts its time limit after a supplement
    assert n.payload()["text"] == n.text and n.payload()["missing_items"] == payload["missing_items"]


def test_an_apology_gives_the_reason_and_the_new_appointment(walk: Walk, calendar: WorkingCalendar) -> None:
    new = max_new_appointment(calendar, walk.dossier.clock)
    payload = {"reason": "Chờ cơ quan thuế cấp mã số thuế", "new_appointment": new.isoformat()}
    walk("apologise", head, payload)
    n = notice(walk, "apologise", payload)
    assert n is not None and n.kind is NotificationKind.apology
    assert "xin lỗi ông/bà" in n.text and "Lý do: Chờ cơ quan thuế cấp mã số thuế." in n.text
    assert n.text.endswith(f"Ngày hẹn trả kết quả mới: {when(new)}.") and when(new) == "11:15 ngày 19/10/2026"
    assert datetime.fromisoformat(n.data["new_appointment"]) == new


def test_a_refusal_gives_the_reasons_and_the_handling_officer_s_name(walk: Walk) -> None:
    walk("submit", specialist, {"officer": "pct.minh", "unit": "tdm.ubnd"})
    payload = {"reasons": ["Tên hộ kinh doanh trùng", "Ngành nghề cấm kinh doanh"]}
    walk("refuse", leader, payload)
    named = notice(walk, "refuse", payload, NoticeContext(office_name=OFFICE_NAME, officer_names={"cv.an": "Lê Văn An"}))
    assert named is not None and named.kind is NotificationKind.refused
    assert "không được giải quyết. Lý do: Tên hộ kinh doanh trùng; Ngành nghề cấm kinh doanh. Cán bộ thụ lý: Lê Văn An." in named.text
    unnamed = notice(walk, "refuse", payload)
    assert unnamed is not None and "Cán bộ thụ lý: cv.an." in unnamed.text  # no directory entry: the officer id


def test_a_result_at_the_desk_and_a_result_by_post(walk: Walk, calendar: WorkingCalendar, tariff: PostalTariff) -> None:
    walk("submit", specialist, {"officer": "pct.minh", "unit": "tdm.ubnd"})
    walk("approve", leader)
    walk("register_result", clerk, {"document_symbol": "GCN-UBND", "signed_on": "2026-10-12",
                                    "signer": "Phạm Quang Minh", "stamped": True, "book_number": 1})
    assert notice(walk, "register_result", {"document_symbol": "GCN-UBND", "signed_on": "2026-10-12",
                                            "signer": "Phạm Quang Minh", "stamped": True}) is None
    walk("deliver_result", desk)
    ready = notice(walk, "deliver_result", {})
    assert ready is not None and ready.kind is NotificationKind.result_ready
    assert "đã có kết quả. Mời ông/bà đến Bộ phận tiếp nhận" in ready.text and "Căn cước công dân" in ready.text

    payload = {"channel": "post", "tracking": "EB123456789VN", "postal": {"zone": "out_of_province"}}
    walk("return_result", desk, payload)
    q = quote(walk.dossier.terms, tariff, calendar, "out_of_province", sent_at=vn(2026, 10, 16, 10, 0))
    posted = notice(walk, "return_result", payload, NoticeContext(office_name=OFFICE_NAME, postal=q))
    assert posted is not None and posted.kind is NotificationKind.sent_by_post
    assert posted.text == ("Kết quả hồ sơ H74.718-261012-0001 (Đăng ký thành lập hộ kinh doanh) đã được gửi qua bưu "
                           "điện, mã bưu gửi EB123456789VN. Dự kiến nhận trước 17:00 ngày 22/10/2026. "
                           "Cước phí: 60.500 đồng.")
    assert posted.data["postal_fee_vnd"] == 60_500
    in_person = {"channel": "in_person", "id_checked": True}
    assert notice_for(Action.return_result, walk.dossier, walk.parsed("return_result", in_person),
                      NoticeContext(office_name=OFFICE_NAME)) is None


def test_only_the_table_s_actions_notify(walk: Walk) -> None:
    assert set(NOTICES) == {Action.request_supplement, Action.apologise, Action.refuse, Action.deliver_result,
                            Action.return_result}
    assert notice_for(Action.start, walk.dossier, walk.parsed("start", {}), NoticeContext(office_name="x")) is None


def test_amounts_and_moments_are_written_the_vietnamese_way() -> None:
    assert vnd(60_500) == "60.500 đồng" and vnd(1_250_000) == "1.250.000 đồng"
    assert when(datetime.fromisoformat("2026-10-16T02:30:00+00:00")) == "09:30 ngày 16/10/2026"
