"""The clerk's register (sổ đăng ký văn bản): numbering, dating and stamping the signed result before the desk."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cloud.domain.catalogue import Catalogue, Procedure
from cloud.domain.roles import Role
from cloud.domain.workflow import Action, DossierState, TransitionRefused, apply, transition
from tests.domain.test_workflow import clerk, desk, dossier_in, later, leader, step
from workdays import WorkingCalendar

A = Action
S = DossierState
GOOD = {"document_symbol": "QĐ-UBND", "signed_on": "2026-10-12", "signer": "Phạm Quang Minh", "stamped": True,
        "book_number": 125}


@pytest.fixture(scope="module")
def household(catalogue: Catalogue) -> Procedure:
    return catalogue.procedure("KD.01")


def register(d: Any, cal: WorkingCalendar, **changes: Any) -> Any:
    payload = {k: v for k, v in {**GOOD, **changes}.items() if v is not None}
    return apply(d, A.register_result, clerk, payload, later(d), calendar=cal).dossier


def test_the_row_is_the_clerks_from_a_decided_dossier() -> None:
    row = transition(A.register_result)
    assert set(row.sources) == {S.approved, S.refused} and row.target is None
    assert row.roles == frozenset({Role.clerk}) and row.guard.name == "office" and row.hands_over


def test_registering_records_the_entry_and_hands_the_paper_to_the_clerk(calendar: WorkingCalendar,
                                                                        household: Procedure) -> None:
    d = register(dossier_in(S.approved, calendar, household), calendar)
    r = d.registration
    assert r is not None and d.state is S.approved
    assert (r.book_number, r.year, r.register_number) == (125, 2026, "125/2026")
    assert r.document_number == "125/QĐ-UBND"  # derived from the register's number and the symbol
    assert (r.signed_on, r.signer, r.stamped) == (date(2026, 10, 12), "Phạm Quang Minh", True)
    assert r.registered_by.officer == "vt.hoa" and d.holder.officer == "vt.hoa"
    last = d.handovers[-1]
    assert last.action is A.register_result and last.sender.officer == "pct.minh" and last.receiver.officer == "vt.hoa"
    typed = register(dossier_in(S.refused, calendar, household), calendar, document_symbol=None,
                     document_number="17/TB-UBND", stamped=False)
    assert typed.registration is not None and typed.registration.document_number == "17/TB-UBND"
    assert typed.registration.stamped is False and typed.state is S.refused


@pytest.mark.parametrize(("changes", "message"), [
    ({"document_symbol": None}, "either document_number"),
    ({"document_number": "125/QĐ-UBND"}, "either document_number"),
    ({"document_symbol": "QĐ<script>"}, "document_symbol"),
    ({"signer": "   "}, "signer"),
    ({"signed_on": "12/10/2026"}, "signed_on"),
    ({"stamped": None}, "stamped"),
    ({"book_number": 0}, "book_number"),
])
def test_bad_payloads_are_refused_with_the_field(calendar: WorkingCalendar, household: Procedure,
                                                 changes: dict[str, Any], message: str) -> None:
    d = dossier_in(S.approved, calendar, household)
    with pytest.raises(TransitionRefused, match=message):
        register(d, calendar, **changes)


def test_the_dates_and_the_number_are_checked(calendar: WorkingCalendar, household: Procedure) -> None:
    d = dossier_in(S.approved, calendar, household)
    with pytest.raises(TransitionRefused) as future:
        register(d, calendar, signed_on="2026-10-13")
    assert future.value.reason_vi == "Ngày ký 13/10/2026 là ngày trong tương lai."
    with pytest.raises(TransitionRefused) as early:
        register(d, calendar, signed_on="2026-10-11")
    assert early.value.reason_vi is not None and "trước ngày tiếp nhận hồ sơ (12/10/2026)" in early.value.reason_vi
    with pytest.raises(TransitionRefused, match="issued by the system"):
        register(d, calendar, book_number=None)


def test_a_result_is_registered_once(calendar: WorkingCalendar, household: Procedure) -> None:
    d = register(dossier_in(S.approved, calendar, household), calendar)
    with pytest.raises(TransitionRefused) as again:
        register(d, calendar, book_number=126)
    assert again.value.reason_vi == "Kết quả đã được vào sổ số 125/2026 (125/QĐ-UBND)."


def test_only_the_receiving_offices_clerk_registers(calendar: WorkingCalendar, household: Procedure) -> None:
    d = dossier_in(S.approved, calendar, household)
    for actor, message in ((clerk.model_copy(update={"unit": "dt-bptn"}), "only the one-stop office"),
                           (leader, "role leader may not"), (desk, "role results_desk may not")):
        with pytest.raises(TransitionRefused, match=message):
            apply(d, A.register_result, actor, GOOD, later(d), calendar=calendar)


def test_the_desk_receives_only_a_registered_result(calendar: WorkingCalendar, household: Procedure) -> None:
    d = dossier_in(S.approved, calendar, household)
    with pytest.raises(TransitionRefused, match="not registered yet") as refused:
        step(d, A.deliver_result, calendar)
    assert refused.value.reason_vi == ("Kết quả chưa được văn thư vào sổ, đóng dấu; "
                                        "chưa thể chuyển về bộ phận trả kết quả.")
    at_desk = step(register(d, calendar), A.deliver_result, calendar)
    assert at_desk.state is S.result_at_desk and at_desk.handovers[-1].sender.officer == "vt.hoa"
    assert at_desk.handovers[-1].timing is not None  # timed against the signing step (the clerk has none)
