"""The guards of the transition table: every row names one, and it refuses the wrong person before any effect."""

from __future__ import annotations

import pytest

from cloud.domain.catalogue import Catalogue, Procedure
from cloud.domain.workflow import GUARDS, TRANSITIONS, Action, Actor, DossierState, TransitionRefused, apply
from tests.domain.test_workflow import GOOD, dossier_for, dossier_in, later, payload_for
from workdays import WorkingCalendar

ROWS = [t.action for t in TRANSITIONS]


@pytest.fixture(scope="module")
def household(catalogue: Catalogue) -> Procedure:
    """The procedure test_workflow's walks are written for (KD.01: liên thông with tax)."""
    return catalogue.procedure("KD.01")


@pytest.mark.parametrize("action", ROWS)
def test_every_row_s_guard_refuses_a_stranger_with_the_right_role(calendar: WorkingCalendar, household: Procedure,
                                                                  action: Action) -> None:
    """An officer of another unit, with the role and the data the action needs, is refused by the row's guard."""
    row = next(t for t in TRANSITIONS if t.action is action)
    assert row.guard in GUARDS
    d = dossier_for(action, row.sources[0], calendar, household)
    good = GOOD[action][0]
    snapshot = d.model_dump()
    stranger = Actor(role=good.role, unit="dt.other", officer="someone.else")
    with pytest.raises(TransitionRefused, match=r"^only .* you are dt\.other/someone\.else") as refused:
        apply(d, action, stranger, payload_for(action, d, calendar), later(d), calendar=calendar)
    assert row.guard.objection(d, stranger, row.payload.model_validate(payload_for(action, d, calendar)), action) \
        == refused.value.reason
    assert d.model_dump() == snapshot
    # The person the row names gets through the same guard.
    apply(d, action, good, payload_for(action, d, calendar), later(d), calendar=calendar)


def test_the_sub_task_guard_names_the_sub_task_before_asking_who_answers(
        calendar: WorkingCalendar, household: Procedure) -> None:
    """A missing or answered sub-task is refused as such, whoever asks: the order of the refusals stayed
    as it was when the effect checked them."""
    d = dossier_in(DossierState.waiting_verification, calendar, household)
    answered = apply(d, Action.answer_verification, GOOD[Action.answer_verification][0],
                     payload_for(Action.answer_verification, d, calendar), later(d), calendar=calendar).dossier
    again = apply(answered, Action.request_verification, GOOD[Action.request_verification][0],
                  payload_for(Action.request_verification, answered, calendar), later(answered), calendar=calendar).dossier
    stranger = Actor(role=GOOD[Action.answer_verification][0].role, unit="dt.other", officer="someone.else")
    for number, refusal in ((1, r"sub-task 1 \(tdm.cct\) was already answered"), (3, "there is no sub-task 3"),
                            (2, r"only an officer of tdm.cct or the holder \(tdm.ptckh/cv.an\) may answer sub-task 2")):
        with pytest.raises(TransitionRefused, match=refusal):
            apply(again, Action.answer_verification, stranger, {"subtask": number, "answer": "x", "confirmed": True},
                  later(again), calendar=calendar)
