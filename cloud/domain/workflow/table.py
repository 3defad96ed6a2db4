"""The table of allowed transitions: everything the workflow allows, as data.

For each action, a row names the states it may start from, the state it leads
to, the roles allowed, the guard saying which person exactly (the officer
holding the dossier, anyone of the handling department, anyone of the one-stop
office…), the payload model it requires, and the effect that computes the
change. :func:`~cloud.domain.workflow.engine.apply` looks the action up here;
there is no if-chain per state or per guard. The same rows print the tables
of ``docs/workflow.md`` (:func:`transition_table_markdown`,
:func:`guard_table_markdown`; a test keeps the docs equal to them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from cloud.domain.roles import Role
from cloud.domain.workflow import effects
from cloud.domain.workflow.effects import Change, Context
from cloud.domain.workflow.guards import (
    GUARDS,
    HANDLING_UNIT,
    HANDLING_UNIT_OR_HOLDER,
    HOLDER,
    OFFICE,
    SUBTASK_UNIT_OR_HOLDER,
    Guard,
)
from cloud.domain.workflow.payloads import (
    AnswerPayload,
    ApologyPayload,
    ApprovePayload,
    AssignPayload,
    CommentPayload,
    DeliverPayload,
    FeesPayload,
    NoPayload,
    ReasonPayload,
    ReassignPayload,
    RefusePayload,
    RegisterPayload,
    ReturnPayload,
    SubmitPayload,
    SupplementReceivedPayload,
    SupplementRequestPayload,
    VerificationPayload,
)
from cloud.domain.workflow.records import Dossier, TransitionRefused
from cloud.domain.workflow.states import Action, DossierState

P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True)
class Transition(Generic[P]):
    """One row of the table: ``action`` from any of ``sources`` to ``target`` (``None``: stays)."""

    action: Action
    sources: tuple[DossierState, ...]
    target: DossierState | None
    roles: frozenset[Role]
    guard: Guard[P]
    payload: type[P]
    requires: str
    """The payload's required data in plain words (the docs' "requires" column, and the 422/409 text)."""
    effect: Callable[[Context[P]], Change]
    summary: str
    hands_over: bool = False
    """Whether the action moves the dossier (or a sub-task) between people, and so records a hand-over."""
    target_while_pending: DossierState | None = None
    """When set: the target if sub-tasks are still pending after the effect."""


_S = DossierState
_R = Role
_OPEN_BEFORE_RESULT = (_S.received, _S.assigned, _S.in_process, _S.waiting_verification, _S.supplement_requested)

TRANSITIONS: tuple[Transition[Any], ...] = (
    Transition(
        Action.assign, (_S.received,), _S.assigned, frozenset({_R.department_head}), HANDLING_UNIT,
        AssignPayload, "officer (unit defaults to the department)", effects.assign,
        "The department head assigns a handling officer.", hands_over=True),
    Transition(
        Action.reassign, (_S.assigned, _S.in_process), None, frozenset({_R.department_head}), HANDLING_UNIT,
        ReassignPayload, "officer, reason", effects.reassign,
        "The department head gives the dossier to another officer.", hands_over=True),
    Transition(
        Action.start, (_S.assigned,), _S.in_process, frozenset({_R.specialist}), HOLDER,
        NoPayload, "–", effects.nothing,
        "The handling officer starts processing."),
    Transition(
        Action.request_verification, (_S.in_process, _S.waiting_verification), _S.waiting_verification,
        frozenset({_R.specialist}), HOLDER,
        VerificationPayload, "unit, subject, time_limit or due", effects.request_verification,
        "Send a sub-task to a commune or another agency (liên thông), with its own due date.", hands_over=True),
    Transition(
        Action.answer_verification, (_S.waiting_verification,), _S.in_process,
        frozenset({_R.specialist, _R.department_head, _R.leader}), SUBTASK_UNIT_OR_HOLDER,
        AnswerPayload, "subtask, answer, confirmed", effects.answer_verification,
        "Record a unit's answer; back to processing when no sub-task is pending.", hands_over=True,
        target_while_pending=_S.waiting_verification),
    Transition(
        Action.request_supplement, (_S.in_process,), _S.supplement_requested, frozenset({_R.specialist}), HOLDER,
        SupplementRequestPayload, "missing_items (at least one)", effects.request_supplement,
        "Ask the citizen to supplement the dossier (form 02); the clock pauses or will restart.", hands_over=True),
    Transition(
        Action.receive_supplement, (_S.supplement_requested,), _S.in_process, frozenset({_R.reception}), OFFICE,
        SupplementReceivedPayload, "–", effects.receive_supplement,
        "The desk receives the complete supplement and hands the dossier back to its officer.", hands_over=True),
    Transition(
        Action.submit, (_S.in_process,), _S.submitted_for_approval, frozenset({_R.specialist}), HOLDER,
        SubmitPayload, "officer, unit of the signing leader", effects.submit,
        "The officer submits the draft result to a leader.", hands_over=True),
    Transition(
        Action.send_back, (_S.submitted_for_approval,), _S.in_process, frozenset({_R.leader}), HOLDER,
        CommentPayload, "comment", effects.send_back,
        "The leader sends the draft back for rework.", hands_over=True),
    Transition(
        Action.approve, (_S.submitted_for_approval,), _S.approved, frozenset({_R.leader}), HOLDER,
        ApprovePayload, "–", effects.approve,
        "The leader signs the result."),
    Transition(
        Action.refuse, (_S.submitted_for_approval,), _S.refused, frozenset({_R.leader}), HOLDER,
        RefusePayload, "reasons (at least one)", effects.refuse,
        "The leader refuses; the reasons and the officer's name go to the citizen."),
    Transition(
        Action.register_result, (_S.approved, _S.refused), None, frozenset({_R.clerk}), OFFICE,
        RegisterPayload, "document_number or document_symbol, signed_on, signer, stamped", effects.register_result,
        "The clerk (văn thư) enters the signed result in the office's register, once: the system's number "
        "per office and year (125/2026), the document's number and symbol, signing date, signer, seal.",
        hands_over=True),
    Transition(
        Action.deliver_result, (_S.approved, _S.refused), _S.result_at_desk, frozenset({_R.results_desk}), OFFICE,
        DeliverPayload, "–", effects.deliver_result,
        "The registered result (or refusal notice) reaches the desk; the dossier counts as resolved.",
        hands_over=True),
    Transition(
        Action.return_result, (_S.result_at_desk,), _S.returned, frozenset({_R.results_desk}), OFFICE,
        ReturnPayload, "channel; id_checked for in person; postal zone by post", effects.return_result,
        "The desk returns the result in person (ID checked), by post or online.", hands_over=True),
    Transition(
        Action.apologise, (_S.received, _S.assigned, _S.in_process, _S.waiting_verification,
                           _S.submitted_for_approval, _S.approved, _S.refused), None,
        frozenset({_R.specialist, _R.department_head, _R.leader}), HANDLING_UNIT_OR_HOLDER,
        ApologyPayload, "reason, new_appointment", effects.apologise_for_delay,
        "Apology letter with a new appointment (form 04), at most half the legal time later."),
    Transition(
        Action.collect_fees, (*_OPEN_BEFORE_RESULT, _S.submitted_for_approval, _S.approved, _S.refused,
                              _S.result_at_desk), None,
        frozenset({_R.reception, _R.results_desk}), OFFICE,
        FeesPayload, "amount_vnd (lines: fees of the procedure, optional)", effects.collect_fees,
        "Record fees collected once at the desk (representative mechanism)."),
    Transition(
        Action.withdraw, _OPEN_BEFORE_RESULT, _S.withdrawn, frozenset({_R.reception}), OFFICE,
        ReasonPayload, "reason", effects.withdraw,
        "The citizen withdraws the dossier (written request at the desk).", hands_over=True),
)

_BY_ACTION: Mapping[Action, Transition[Any]] = {t.action: t for t in TRANSITIONS}
assert len(_BY_ACTION) == len(TRANSITIONS), "one row per action"

MOVING_ACTIONS = frozenset(t.action for t in TRANSITIONS if t.hands_over)
"""Actions that move the dossier (or a sub-task) between people, and therefore record a hand-over."""


def transition(action: Action | str) -> Transition[Any]:
    """The table row of ``action``; raises :class:`TransitionRefused` for an unknown action."""
    try:
        return _BY_ACTION[Action(action)]
    except ValueError:
        raise TransitionRefused(f"unknown action {action!r}") from None
    except KeyError:
        raise TransitionRefused(f"{action!r} is not a transition; dossiers are created by receive()") from None


def allowed_actions(dossier: Dossier, role: Role) -> tuple[Action, ...]:
    """Actions ``role`` may try on ``dossier`` in its state (for the UI's buttons; guards still apply)."""
    return tuple(t.action for t in TRANSITIONS if dossier.state in t.sources and role in t.roles)


# -- the tables of docs/workflow.md ------------------------------------------------


def transition_table_markdown() -> str:
    """The transition table as Markdown, as printed in docs/workflow.md."""
    lines = [
        "| action | from | to | roles | who exactly | requires | what it means |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for t in TRANSITIONS:
        sources = ", ".join(s.value for s in t.sources)
        if t.target is None:
            target = "(unchanged)"
        elif t.target_while_pending is not None:
            target = f"{t.target.value} (stays {t.target_while_pending.value} while a sub-task is pending)"
        else:
            target = t.target.value
        roles = ", ".join(sorted(r.value for r in t.roles))
        hand = " · hand-over" if t.hands_over else ""
        lines.append(
            f"| `{t.action.value}` | {sources} | {target} | {roles} | {t.guard.who} | {t.requires} | {t.summary}{hand} |"
        )
    return "\n".join(lines) + "\n"


def guard_table_markdown() -> str:
    """The guards (the "who exactly" column) as Markdown: how each is decided and which actions use it."""
    lines = [
        "| guard | who exactly | how it is decided | actions |",
        "| --- | --- | --- | --- |",
    ]
    for guard in GUARDS:
        actions = ", ".join(f"`{t.action.value}`" for t in TRANSITIONS if t.guard is guard)
        lines.append(f"| `{guard.name}` | {guard.who} | {guard.rule} | {actions} |")
    return "\n".join(lines) + "\n"
