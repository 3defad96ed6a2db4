"""Who exactly may take an action, beyond holding the right role: the guards the transition table names.

A role says what kind of officer may act (a specialist starts processing);
a guard says which one of them (the specialist *holding this dossier*, not a
colleague). Each guard is a value, not a string tested in an if-chain: its
name, the plain words the docs print in the table's "who exactly" column and
in the guard table, and the function that raises the objection. A new guard
is one more value here and the rows that name it; the engine does not change.

A guard runs after the payload is validated (the sub-task guard reads the
payload's sub-task number) and before the row's effect, so a refused actor
never reaches the effect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from cloud.domain.workflow.payloads import AnswerPayload
from cloud.domain.workflow.records import Actor, Dossier, TransitionRefused
from cloud.domain.workflow.states import ACTION_LABELS_VI, Action

P_contra = TypeVar("P_contra", bound=BaseModel, contravariant=True)

Objection = Callable[[Dossier, Actor, P_contra, Action], str | None]
"""``(dossier, actor, payload, action)`` → the English reason to refuse, or ``None`` when the actor may act."""


@dataclass(frozen=True)
class Guard(Generic[P_contra]):
    """A named rule on the person taking an action; ``objection`` gives the reason to refuse, if any."""

    name: str
    """Its identifier in code and tests (``holder``)."""
    who: str
    """Who may act, in plain words: the "who exactly" column of docs/workflow.md."""
    rule: str
    """How that is decided, in plain words (the guard table of docs/workflow.md)."""
    objection: Objection[P_contra]
    refusal_vi: str = ""
    """The refusal as the officer reads it; ``{action}`` stands for the action's Vietnamese name."""

    def check(self, dossier: Dossier, actor: Actor, payload: P_contra, action: Action) -> None:
        """Raise :class:`TransitionRefused` unless ``actor`` may take ``action`` on ``dossier``."""
        reason = self.objection(dossier, actor, payload, action)
        if reason is not None:
            label = ACTION_LABELS_VI.get(action, action.value)
            raise TransitionRefused(reason, self.refusal_vi.format(action=label[0].lower() + label[1:]) or None)

    def allows(self, dossier: Dossier, actor: Actor, payload: P_contra, action: Action) -> bool:
        """Whether ``actor`` may take ``action`` (the console shows only the forms the person may use)."""
        return self.objection(dossier, actor, payload, action) is None


def _not_the_holder(dossier: Dossier, actor: Actor, payload: BaseModel, action: Action) -> str | None:
    if actor.holds(dossier.holder):
        return None
    return f"only the officer holding the dossier ({dossier.holder}) may {action}; you are {actor}"


def _not_of_the_handling_unit(dossier: Dossier, actor: Actor, payload: BaseModel, action: Action) -> str | None:
    if actor.unit == dossier.handling_unit:
        return None
    return f"only the handling department {dossier.handling_unit} may {action}; you are {actor}"


def _neither_handling_unit_nor_holder(dossier: Dossier, actor: Actor, payload: BaseModel, action: Action) -> str | None:
    if actor.unit == dossier.handling_unit or actor.holds(dossier.holder):
        return None
    return (f"only the handling department {dossier.handling_unit} or the holder ({dossier.holder}) "
            f"may {action}; you are {actor}")


def _not_of_the_office(dossier: Dossier, actor: Actor, payload: BaseModel, action: Action) -> str | None:
    if actor.unit == dossier.office:
        return None
    return f"only the one-stop office {dossier.office} that received the dossier may {action}; you are {actor}"


def _neither_subtask_unit_nor_holder(dossier: Dossier, actor: Actor, payload: AnswerPayload, action: Action) -> str | None:
    """The sub-task must exist and be pending before its unit can be asked for: those refusals come first."""
    number = payload.subtask
    if number > len(dossier.subtasks):
        return f"there is no sub-task {number} (the dossier has {len(dossier.subtasks)})"
    task = dossier.subtasks[number - 1]
    if not task.pending:
        return f"sub-task {number} ({task.unit}) was already answered"
    if actor.unit == task.unit or actor.holds(dossier.holder):
        return None
    return f"only an officer of {task.unit} or the holder ({dossier.holder}) may answer sub-task {number}; you are {actor}"


HOLDER: Guard[BaseModel] = Guard(
    "holder", "the officer holding the dossier",
    "the actor's unit and officer are those of the dossier's holder", _not_the_holder,
    "Chỉ cán bộ đang giữ hồ sơ mới được {action}.")
HANDLING_UNIT: Guard[BaseModel] = Guard(
    "handling_unit", "anyone of the handling department",
    "the actor's unit is the department that processes the dossier", _not_of_the_handling_unit,
    "Chỉ phòng chuyên môn giải quyết hồ sơ mới được {action}.")
HANDLING_UNIT_OR_HOLDER: Guard[BaseModel] = Guard(
    "handling_unit_or_holder", "anyone of the handling department, or the holder",
    "the actor's unit is the handling department, or the actor holds the dossier (a leader it was submitted to)",
    _neither_handling_unit_nor_holder,
    "Chỉ phòng chuyên môn giải quyết hồ sơ hoặc người đang giữ hồ sơ mới được {action}.")
OFFICE: Guard[BaseModel] = Guard(
    "office", "anyone of the receiving one-stop office",
    "the actor's unit is the one-stop office that received the dossier (its desk returns the result)",
    _not_of_the_office,
    "Chỉ bộ phận một cửa đã tiếp nhận hồ sơ mới được {action}.")
SUBTASK_UNIT_OR_HOLDER: Guard[AnswerPayload] = Guard(
    "subtask_unit_or_holder", "an officer of the sub-task's unit, or the holder",
    "the payload's sub-task exists and is still pending, and the actor is of the unit it was sent to "
    "or holds the dossier (typing in a paper answer)",
    _neither_subtask_unit_nor_holder,
    "Chỉ cán bộ của đơn vị được hỏi, hoặc người đang giữ hồ sơ, mới được {action}, "
    "và chỉ với yêu cầu xác minh còn đang chờ trả lời.")

GUARDS: tuple[Guard[Any], ...] = (HOLDER, HANDLING_UNIT, HANDLING_UNIT_OR_HOLDER, OFFICE, SUBTASK_UNIT_OR_HOLDER)
"""Every guard, in the order the docs list them."""
