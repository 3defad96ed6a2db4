"""The dossier workflow: the transition table, roles and guards, hand-overs, liên thông, supplements, apologies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloud.domain.catalogue import Catalogue, Fee, Procedure
from cloud.domain.deadlines import OpenStatus, Timing, max_new_appointment, open_status
from cloud.domain.roles import Role
from cloud.domain.workflow import (
    MOVING_ACTIONS,
    TRANSITIONS,
    Action,
    Actor,
    Dossier,
    DossierState,
    ReceivedDocument,
    TransitionRefused,
    allowed_actions,
    apply,
    missing_documents,
    public_status,
    receive,
    split_fees,
    transition,
)
from tests.domain.support import vn
from workdays import WorkingCalendar

S = DossierState
A = Action
START = vn(2026, 10, 12, 8, 0)  # Monday, no holiday for weeks
OFFICE = "tdm-bptn"
DEPT = "tdm.ptckh"
TAX = "tdm.cct"
PEOPLES_COMMITTEE = "tdm.ubnd"

reception = Actor(role=Role.reception, unit=OFFICE, officer="tn.lan")
head = Actor(role=Role.department_head, unit=DEPT, officer="tp.hung")
specialist = Actor(role=Role.specialist, unit=DEPT, officer="cv.an")
leader = Actor(role=Role.leader, unit=PEOPLES_COMMITTEE, officer="pct.minh")
clerk = Actor(role=Role.clerk, unit=OFFICE, officer="vt.hoa")
desk = Actor(role=Role.results_desk, unit=OFFICE, officer="tkq.mai")
tax_officer = Actor(role=Role.specialist, unit=TAX, officer="ct.hoa")


def _apology_payload(d: Dossier, cal: WorkingCalendar) -> dict[str, Any]:
    return {"reason": "Chờ kết quả xác minh của cơ quan thuế", "new_appointment": max_new_appointment(cal, d.clock)}


# The right person and data for each action; callables need the dossier (and calendar).
GOOD: dict[Action, tuple[Actor, dict[str, Any] | Callable[[Dossier, WorkingCalendar], dict[str, Any]]]] = {
    A.assign: (head, {"officer": "cv.an"}),
    A.reassign: (head, {"officer": "cv.binh", "reason": "Cân đối khối lượng công việc"}),
    A.start: (specialist, {}),
    A.request_verification: (specialist, {"unit": TAX, "subject": "Xác nhận mã số thuế", "time_limit": {"working_days": 2}}),
    A.answer_verification: (tax_officer, {"subtask": 1, "answer": "Đã cấp mã số thuế", "confirmed": True}),
    A.request_supplement: (specialist, {"missing_items": ["Bản sao biên bản họp thành viên hộ gia đình"]}),
    A.receive_supplement: (reception, {"items": ["Bản sao biên bản họp thành viên hộ gia đình"]}),
    A.submit: (specialist, {"officer": "pct.minh", "unit": PEOPLES_COMMITTEE, "summary": "Đủ điều kiện cấp"}),
    A.send_back: (leader, {"comment": "Bổ sung ngành nghề kinh doanh"}),
    A.approve: (leader, {"result_ref": "GCN 46A8012345"}),
    A.refuse: (leader, {"reasons": ["Tên hộ kinh doanh trùng trên địa bàn huyện"]}),
    A.register_result: (clerk, {"document_symbol": "GCN-UBND", "signed_on": "2026-10-12", "signer": "Phạm Quang Minh",
                                "stamped": True, "book_number": 125}),
    A.deliver_result: (desk, {}),
    A.return_result: (desk, {"channel": "in_person", "id_checked": True, "recipient": "Nguyễn Văn A"}),
    A.apologise: (head, _apology_payload),
    A.collect_fees: (reception, {"amount_vnd": 100000}),
    A.withdraw: (reception, {"reason": "Công dân có đơn xin rút hồ sơ"}),
}

PATHS: dict[DossierState, list[Action]] = {
    S.received: [],
    S.assigned: [A.assign],
    S.in_process: [A.assign, A.start],
    S.waiting_verification: [A.assign, A.start, A.request_verification],
    S.supplement_requested: [A.assign, A.start, A.request_supplement],
    S.submitted_for_approval: [A.assign, A.start, A.submit],
    S.approved: [A.assign, A.start, A.submit, A.approve],
    S.refused: [A.assign, A.start, A.submit, A.refuse],
    S.result_at_desk: [A.assign, A.start, A.submit, A.approve, A.register_result, A.deliver_result],
    S.returned: [A.assign, A.start, A.submit, A.approve, A.register_result, A.deliver_result, A.return_result],
    S.withdrawn: [A.withdraw],
}


def payload_for(action: Action, d: Dossier, cal: WorkingCalendar) -> dict[str, Any]:
    payload = GOOD[action][1]
    return payload(d, cal) if callable(payload) else dict(payload)


def later(d: Dossier, minutes: int = 30) -> datetime:
    return d.updated_at + timedelta(minutes=minutes)


def new_dossier(cal: WorkingCalendar, procedure: Procedure, at: datetime = START) -> Dossier:
    return receive(
        code="H74.718-261012-0001", procedure=procedure, office=OFFICE, handling_unit=DEPT, actor=reception,
        now=at, calendar=cal,
    ).dossier


def step(d: Dossier, action: Action, cal: WorkingCalendar, actor: Actor | None = None, payload: dict[str, Any] | None = None) -> Dossier:
    who = actor or GOOD[action][0]
    data = payload_for(action, d, cal) if payload is None else payload
    return apply(d, action, who, data, later(d), calendar=cal).dossier


def dossier_in(state: DossierState, cal: WorkingCalendar, procedure: Procedure) -> Dossier:
    d = new_dossier(cal, procedure)
    for action in PATHS[state]:
        d = step(d, action, cal)
    assert d.state is state
    return d


def dossier_for(action: Action, state: DossierState, cal: WorkingCalendar, procedure: Procedure) -> Dossier:
    """A dossier in ``state`` ready for ``action``: a result to deliver has been registered first."""
    d = dossier_in(state, cal, procedure)
    if action is A.deliver_result and state in transition(A.register_result).sources:
        d = step(d, A.register_result, cal)
    return d


@pytest.fixture(scope="module")
def household(catalogue: Catalogue) -> Procedure:
    """Đăng ký thành lập hộ kinh doanh: 3 working days, liên thông with tax, restart policy."""
    return catalogue.procedure("KD.01")


@pytest.fixture(scope="module")
def permit(catalogue: Catalogue) -> Procedure:
    """Giấy phép xây dựng nhà ở riêng lẻ: 15 working days, pause policy, postal return."""
    return catalogue.procedure("XD.01")


# -- the happy path ------------------------------------------------------------------


def test_a_dossier_from_receipt_to_return(calendar: WorkingCalendar, household: Procedure) -> None:
    result = receive(
        code="H74.718-261012-0001", procedure=household, office=OFFICE, handling_unit=DEPT, actor=reception,
        now=START, calendar=calendar,
    )
    d = result.dossier
    assert d.state is S.received and d.clock.due == vn(2026, 10, 15, 17, 0)
    assert result.handover is not None and result.handover.sender.officer == "tn.lan" and result.handover.receiver.unit == DEPT
    assert len(d.plan) == len(household.steps) and d.plan[-1].due == d.clock.due

    states = [d.state]
    for action in (A.assign, A.start, A.submit, A.approve, A.register_result, A.deliver_result, A.return_result):
        d = step(d, action, calendar)
        states.append(d.state)
    assert states == [S.received, S.assigned, S.in_process, S.submitted_for_approval, S.approved, S.approved,
                      S.result_at_desk, S.returned]
    assert d.completion is Timing.early and d.outcome == "approved" and d.result_ref == "GCN 46A8012345"
    assert d.returned_via == "in_person" and d.terminal
    moves = [(h.action, str(h.sender), str(h.receiver)) for h in d.handovers]
    assert moves == [
        (A.receive, "tdm-bptn/tn.lan", "tdm.ptckh"),
        (A.assign, "tdm.ptckh", "tdm.ptckh/cv.an"),
        (A.submit, "tdm.ptckh/cv.an", "tdm.ubnd/pct.minh"),
        (A.register_result, "tdm.ubnd/pct.minh", "tdm-bptn/vt.hoa"),
        (A.deliver_result, "tdm-bptn/vt.hoa", "tdm-bptn/tkq.mai"),
        (A.return_result, "tdm-bptn/tkq.mai", "applicant/Nguyễn Văn A"),
    ]
    assert all(h.timing in (Timing.early, Timing.on_time) for h in d.handovers)
    public = public_status(d)
    assert public.unit == "applicant" and public.officer is None  # the recipient's name is private


def test_receive_needs_a_reception_officer_of_the_office(calendar: WorkingCalendar, household: Procedure) -> None:
    for actor, message in ((specialist, "may not receive"), (reception.model_copy(update={"unit": "dt-bptn"}), "only an officer of")):
        with pytest.raises(TransitionRefused, match=message):
            receive(code="X-261012-0001", procedure=household, office=OFFICE, handling_unit=DEPT, actor=actor, now=START, calendar=calendar)


# -- the table: roles, states, nothing changes on refusal --------------------------------------------

ROW_STATE_PAIRS = [(t.action, s) for t in TRANSITIONS for s in t.sources]


@pytest.mark.parametrize(("action", "state"), ROW_STATE_PAIRS, ids=[f"{a.value}-{s.value}" for a, s in ROW_STATE_PAIRS])
def test_every_allowed_transition_needs_the_right_role(calendar: WorkingCalendar, household: Procedure, action: Action, state: DossierState) -> None:
    row = transition(action)
    d = dossier_for(action, state, calendar, household)
    snapshot = d.model_dump()
    good_actor = GOOD[action][0]
    for role in Role:
        actor = good_actor.model_copy(update={"role": role})
        if role in row.roles:
            result = apply(d, action, actor, payload_for(action, d, calendar), later(d), calendar=calendar)
            expected = row.target or state
            if row.target_while_pending and result.dossier.pending_subtasks:
                expected = row.target_while_pending
            assert result.dossier.state is expected
            assert (result.handover is not None) == (action in MOVING_ACTIONS)
        else:
            with pytest.raises(TransitionRefused, match=f"role {role.value} may not"):
                apply(d, action, actor, payload_for(action, d, calendar), later(d), calendar=calendar)
        assert d.model_dump() == snapshot  # the input never changes


@pytest.mark.parametrize("action", [t.action for t in TRANSITIONS])
def test_actions_are_refused_outside_their_states(calendar: WorkingCalendar, household: Procedure, action: Action) -> None:
    row = transition(action)
    for state in DossierState:
        if state in row.sources:
            continue
        d = dossier_for(action, state, calendar, household)
        snapshot = d.model_dump()
        with pytest.raises(TransitionRefused, match=f"cannot {action.value} a dossier that is {state.value}"):
            apply(d, action, GOOD[action][0], payload_for(action, d, calendar), later(d), calendar=calendar)
        assert d.model_dump() == snapshot


def test_allowed_actions_follow_the_table(calendar: WorkingCalendar, household: Procedure) -> None:
    d = dossier_in(S.submitted_for_approval, calendar, household)
    assert set(allowed_actions(d, Role.leader)) == {A.send_back, A.approve, A.refuse, A.apologise}
    assert allowed_actions(d, Role.public) == ()
    assert allowed_actions(dossier_in(S.returned, calendar, household), Role.results_desk) == ()


def test_read_only_roles_take_no_action() -> None:
    for row in TRANSITIONS:
        assert not row.roles & {Role.admin, Role.it, Role.provincial_monitor, Role.public}


def test_unknown_and_creation_actions(calendar: WorkingCalendar, household: Procedure) -> None:
    d = new_dossier(calendar, household)
    with pytest.raises(TransitionRefused, match="unknown action"):
        apply(d, "teleport", head, {}, later(d), calendar=calendar)
    with pytest.raises(TransitionRefused, match="created by receive"):
        apply(d, "receive", reception, {}, later(d), calendar=calendar)
    with pytest.raises(TransitionRefused, match="before the dossier's last change"):
        apply(d, A.assign, head, {"officer": "cv.an"}, START - timedelta(minutes=1), calendar=calendar)


ACTIONS = st.sampled_from([t.action for t in TRANSITIONS])
ROLES = st.sampled_from(list(Role))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(moves=st.lists(st.tuples(ACTIONS, st.one_of(st.none(), ROLES), st.booleans(), st.booleans()), max_size=14))
def test_random_walks_keep_the_table_and_change_nothing_when_refused(calendar: WorkingCalendar, household: Procedure, moves: list[tuple[Action, Role | None, bool, bool]]) -> None:
    d = new_dossier(calendar, household)
    for action, role, good_payload, other_unit in moves:
        actor = GOOD[action][0]
        if role is not None:
            actor = actor.model_copy(update={"role": role})
        if other_unit:
            actor = actor.model_copy(update={"unit": "dt.other"})
        payload = payload_for(action, d, calendar) if good_payload else {}
        before = d.model_dump()
        try:
            result = apply(d, action, actor, payload, later(d), calendar=calendar)
        except TransitionRefused as refused:
            assert refused.reason
            assert d.model_dump() == before
            continue
        row = transition(action)
        assert d.state in row.sources and actor.role in row.roles
        new = result.dossier
        assert new.state in {row.target or d.state, row.target_while_pending}
        assert len(new.handovers) == len(d.handovers) + (1 if action in MOVING_ACTIONS else 0)
        d = new


# -- data each action requires --------------------------------------------------------------------------


def test_refusal_needs_reasons_and_shows_them(calendar: WorkingCalendar, household: Procedure) -> None:
    d = dossier_in(S.submitted_for_approval, calendar, household)
    for payload in ({}, {"reasons": []}, {"reasons": ["  "]}):
        with pytest.raises(TransitionRefused, match="refuse needs reasons"):
            apply(d, A.refuse, leader, payload, later(d), calendar=calendar)
    refused = step(d, A.refuse, calendar)
    status = public_status(refused)
    assert status.label_vi == "Hồ sơ không giải quyết"
    assert status.refusal_reasons == ("Tên hộ kinh doanh trùng trên địa bàn huyện",)
    assert status.handled_by == "cv.an" and status.officer == "pct.minh"
    assert refused.decided_by is not None and refused.decided_by.officer == "pct.minh"
    # The refusal notice goes back through the clerk's register and the desk like a result.
    at_desk = step(step(refused, A.register_result, calendar), A.deliver_result, calendar)
    assert at_desk.state is S.result_at_desk and at_desk.completion is Timing.early


def test_supplement_needs_the_missing_items_and_moves_the_clock(calendar: WorkingCalendar, permit: Procedure) -> None:
    d = dossier_in(S.in_process, calendar, permit)
    with pytest.raises(TransitionRefused, match="missing_items"):
        apply(d, A.request_supplement, specialist, {"missing_items": []}, later(d), calendar=calendar)
    asked = step(d, A.request_supplement, calendar)
    assert asked.clock.paused and asked.holder.unit == OFFICE
    assert public_status(asked).label_vi == "Chờ bổ sung hồ sơ"
    assert open_status(calendar, asked.clock, later(asked, 60 * 24 * 30)) is OpenStatus.waiting_citizen
    # Only the receiving office's desk takes the supplement in.
    with pytest.raises(TransitionRefused, match="only the one-stop office"):
        apply(asked, A.receive_supplement, reception.model_copy(update={"unit": "dt-bptn"}), {}, later(asked), calendar=calendar)
    back = apply(asked, A.receive_supplement, reception, {}, vn(2026, 10, 26, 9), calendar=calendar).dossier
    assert back.state is S.in_process and back.holder == d.holder and not back.clock.paused
    assert back.clock.due > d.clock.due  # paused for two weeks: the due date moved with it
    assert back.supplements[-1].received_at == vn(2026, 10, 26, 9)


def test_a_supplement_is_requested_once_and_completely(calendar: WorkingCalendar, permit: Procedure) -> None:
    asked = step(dossier_in(S.in_process, calendar, permit), A.request_supplement, calendar)
    back = apply(asked, A.receive_supplement, reception, {}, later(asked), calendar=calendar).dossier
    with pytest.raises(TransitionRefused, match="requested once, completely") as refused:
        apply(back, A.request_supplement, specialist, {"missing_items": ["Một giấy tờ nữa"]}, later(back),
              calendar=calendar)
    assert "Bản sao biên bản họp thành viên hộ gia đình" in refused.value.reason  # names the first request


def test_restart_policy_gives_the_full_time_again(calendar: WorkingCalendar, household: Procedure) -> None:
    asked = step(dossier_in(S.in_process, calendar, household), A.request_supplement, calendar)
    back = apply(asked, A.receive_supplement, reception, {}, vn(2026, 10, 19, 9), calendar=calendar).dossier
    assert back.clock.due == vn(2026, 10, 22, 17, 0)


def test_only_the_holder_acts_on_the_dossier(calendar: WorkingCalendar, household: Procedure) -> None:
    d = dossier_in(S.in_process, calendar, household)
    colleague = specialist.model_copy(update={"officer": "cv.binh"})
    with pytest.raises(TransitionRefused, match=r"only the officer holding the dossier \(tdm.ptckh/cv.an\)"):
        apply(d, A.submit, colleague, payload_for(A.submit, d, calendar), later(d), calendar=calendar)
    other_head = head.model_copy(update={"unit": "tdm.ptnmt"})
    with pytest.raises(TransitionRefused, match="only the handling department"):
        apply(new_dossier(calendar, household), A.assign, other_head, {"officer": "x"}, later(d), calendar=calendar)
    # After a reassignment the new officer holds it, with a hand-over from the old one.
    moved = step(d, A.reassign, calendar)
    assert moved.holder.officer == "cv.binh" and moved.state is S.in_process
    assert (moved.handovers[-1].sender.officer, moved.handovers[-1].receiver.officer) == ("cv.an", "cv.binh")
    apply(moved, A.submit, colleague, payload_for(A.submit, moved, calendar), later(moved), calendar=calendar)


def test_send_back_returns_the_draft_to_its_officer(calendar: WorkingCalendar, household: Procedure) -> None:
    d = dossier_in(S.submitted_for_approval, calendar, household)
    with pytest.raises(TransitionRefused, match="comment"):
        apply(d, A.send_back, leader, {"comment": " "}, later(d), calendar=calendar)
    back = step(d, A.send_back, calendar)
    assert back.state is S.in_process and back.holder.officer == "cv.an"
    assert back.handovers[-1].note == "Bổ sung ngành nghề kinh doanh"


# -- liên thông --------------------------------------------------------------------------------------


def test_sub_tasks_to_other_units_with_their_own_due_dates(calendar: WorkingCalendar, permit: Procedure) -> None:
    d = dossier_in(S.in_process, calendar, permit)
    d = step(d, A.request_verification, calendar)
    commune = {"unit": "tdm.phu_cuong", "subject": "Xác minh hiện trạng công trình", "due": vn(2026, 10, 20, 17)}
    d = step(d, A.request_verification, calendar, payload=commune)
    assert d.state is S.waiting_verification and [t.unit for t in d.pending_subtasks] == [TAX, "tdm.phu_cuong"]
    assert d.subtasks[0].due == vn(2026, 10, 14, 17, 0)  # 2 working days from Monday
    assert public_status(d).waiting_for == (TAX, "tdm.phu_cuong")
    assert d.handovers[-1].receiver.unit == "tdm.phu_cuong" and d.handovers[-1].subtask == 2
    with pytest.raises(TransitionRefused, match="time_limit or a due date"):
        step(d, A.request_verification, calendar, payload={"unit": TAX, "subject": "x"})

    # A unit answers only its own sub-task, once.
    with pytest.raises(TransitionRefused, match="only an officer of tdm.phu_cuong"):
        step(d, A.answer_verification, calendar, payload={"subtask": 2, "answer": "ok", "confirmed": True})
    d = step(d, A.answer_verification, calendar)
    assert d.state is S.waiting_verification  # the commune has not answered yet
    with pytest.raises(TransitionRefused, match="already answered"):
        step(d, A.answer_verification, calendar)
    ward = Actor(role=Role.department_head, unit="tdm.phu_cuong", officer="cc.dc")
    d = step(d, A.answer_verification, calendar, actor=ward, payload={"subtask": 2, "answer": "Đúng hiện trạng", "confirmed": True})
    assert d.state is S.in_process and not d.pending_subtasks
    assert d.handovers[-1].sender.unit == "tdm.phu_cuong" and d.handovers[-1].receiver.officer == "cv.an"
    with pytest.raises(TransitionRefused, match="no sub-task 9"):
        step(step(d, A.request_verification, calendar), A.answer_verification, calendar, payload={"subtask": 9, "answer": "x", "confirmed": False})


def test_representative_mechanism_splits_fees_collected_once(catalogue: Catalogue) -> None:
    transfer = catalogue.procedure("DD.02")
    registration, stamp_duty = transfer.fees
    stamp_duty = stamp_duty.model_copy(update={"amount_vnd": 12_500_000})
    split = split_fees([(registration, 1), (stamp_duty, 1)])
    assert split.total_vnd == 12_530_000 and split.lead_vnd == 30_000 and split.owed_vnd == {"thue": 12_500_000}
    copies = Fee(name="Chứng thực", kind="fee", amount_vnd=2000, per="page", max_vnd=200_000)
    assert split_fees([(copies, 150)]).total_vnd == 200_000


def test_fees_are_recorded_at_the_desk(calendar: WorkingCalendar, household: Procedure) -> None:
    d = step(new_dossier(calendar, household), A.collect_fees, calendar)
    assert d.fees_paid_vnd == 100_000 and d.payments[0].collected_by.officer == "tn.lan"
    with pytest.raises(TransitionRefused, match="amount_vnd"):
        step(d, A.collect_fees, calendar, payload={"amount_vnd": 0})


def test_a_payment_may_be_itemised_by_the_procedure_s_fees(calendar: WorkingCalendar, catalogue: Catalogue) -> None:
    """Lines name fees of the card; an amount set by a notice (tax) is given, the rest comes from the card."""
    transfer = catalogue.procedure("DD.02")
    d = new_dossier(calendar, transfer)
    registration, stamp_duty = (f.name for f in transfer.fees)
    lines = [{"fee": registration}, {"fee": stamp_duty, "amount_vnd": 12_500_000}]
    d = step(d, A.collect_fees, calendar, payload={"amount_vnd": 12_530_000, "lines": lines})
    paid = d.payments[-1].lines
    assert [(p.amount_vnd, p.collected_for) for p in paid] == [(30_000, None), (12_500_000, "thue")]
    with pytest.raises(TransitionRefused, match="add up to 12530000 VND, not the 100000"):
        step(d, A.collect_fees, calendar, payload={"amount_vnd": 100_000, "lines": lines})
    with pytest.raises(TransitionRefused, match="has no fee 'Phí gửi xe'"):
        step(d, A.collect_fees, calendar, payload={"amount_vnd": 5_000, "lines": [{"fee": "Phí gửi xe"}]})
    assert d.fees_paid_vnd == 12_530_000


# -- return, apology, withdrawal ---------------------------------------------------------------------------


def test_return_channels(calendar: WorkingCalendar, catalogue: Catalogue, household: Procedure) -> None:
    d = dossier_in(S.result_at_desk, calendar, household)
    with pytest.raises(TransitionRefused, match="ID card"):
        step(d, A.return_result, calendar, payload={"channel": "in_person"})
    by_post = step(d, A.return_result, calendar, payload={"channel": "post", "tracking": "EB123456789VN",
                                                               "postal": {"zone": "city"}})
    assert by_post.returned_via == "post" and by_post.handovers[-1].receiver.unit == "post"
    assert step(d, A.return_result, calendar, payload={"channel": "online"}).returned_via == "online"  # level 4

    marriage = dossier_in(S.result_at_desk, calendar, catalogue.procedure("HT.02"))
    with pytest.raises(TransitionRefused, match="does not allow returning the result by post"):
        step(marriage, A.return_result, calendar, payload={"channel": "post", "postal": {"zone": "province"}})
    with pytest.raises(TransitionRefused, match="online level 3"):
        step(marriage, A.return_result, calendar, payload={"channel": "online"})


def test_a_return_by_post_names_its_zone_and_only_post_carries_one(calendar: WorkingCalendar, household: Procedure) -> None:
    d = dossier_in(S.result_at_desk, calendar, household)
    with pytest.raises(TransitionRefused, match="needs postal"):
        step(d, A.return_result, calendar, payload={"channel": "post"})
    with pytest.raises(TransitionRefused, match="only for a return by post"):
        step(d, A.return_result, calendar, payload={"channel": "online", "postal": {"zone": "city"}})
    with pytest.raises(TransitionRefused, match="postal.zone"):
        step(d, A.return_result, calendar, payload={"channel": "post", "postal": {"zone": "moon"}})
    posted = step(d, A.return_result, calendar, payload={"channel": "post", "postal": {"zone": "remote", "items": 2}})
    assert posted.returned_via == "post"


def test_apology_through_the_workflow(calendar: WorkingCalendar, household: Procedure) -> None:
    d = dossier_in(S.in_process, calendar, household)
    with pytest.raises(TransitionRefused, match="reason"):
        apply(d, A.apologise, head, {"reason": "", "new_appointment": vn(2026, 10, 16, 10)}, later(d), calendar=calendar)
    with pytest.raises(TransitionRefused, match="at most half"):
        apply(d, A.apologise, head, {"reason": "Chờ thuế", "new_appointment": vn(2026, 10, 20, 10)}, later(d), calendar=calendar)
    sorry = apply(d, A.apologise, head, {"reason": "Chờ thuế", "new_appointment": vn(2026, 10, 16, 16)}, later(d), calendar=calendar).dossier
    assert sorry.state is S.in_process and sorry.clock.appointment == vn(2026, 10, 16, 16)
    assert public_status(sorry).appointment == vn(2026, 10, 16, 16)
    for action in (A.submit, A.approve, A.register_result):
        sorry = step(sorry, action, calendar)
    done = apply(sorry, A.deliver_result, desk, {}, vn(2026, 10, 16, 15), calendar=calendar).dossier
    assert done.completion is Timing.late  # met the new appointment, still late


def test_withdrawal(calendar: WorkingCalendar, household: Procedure) -> None:
    d = dossier_in(S.supplement_requested, calendar, household)
    with pytest.raises(TransitionRefused, match="reason"):
        step(d, A.withdraw, calendar, payload={})
    gone = step(d, A.withdraw, calendar)
    assert gone.state is S.withdrawn and gone.terminal and gone.completion is None
    assert gone.handovers[-1].receiver.unit == "applicant"


def test_only_a_complete_dossier_is_received(calendar: WorkingCalendar, household: Procedure) -> None:
    """KD.01 asks for the request form (1 original) and, only for a family household, the minutes (1 copy)."""
    form = household.documents[0].name

    def take(*docs: ReceivedDocument) -> Dossier:
        return receive(code="H74.718-261012-0001", procedure=household, office=OFFICE, handling_unit=DEPT,
                       actor=reception, now=START, calendar=calendar, documents=docs).dossier

    assert take(ReceivedDocument(name=form, originals=1)).documents == (ReceivedDocument(name=form, originals=1),)
    with pytest.raises(TransitionRefused, match="incomplete") as refused:
        take(ReceivedDocument(name=form, copies=1))  # a copy does not replace the original
    assert f"{form}: cần 1 bản chính, 0 bản sao; đã nhận 0 bản chính, 1 bản sao" in refused.value.reason
    with pytest.raises(TransitionRefused, match="không có trong thành phần hồ sơ"):
        take(ReceivedDocument(name=form, originals=1), ReceivedDocument(name="Ảnh thẻ 3x4", originals=2))
    with pytest.raises(TransitionRefused, match="incomplete"):
        take()
    assert missing_documents(household, [ReceivedDocument(name=form, originals=2)]) == []  # more is fine
