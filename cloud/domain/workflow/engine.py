"""The engine: :func:`receive` creates a dossier, :func:`apply` takes an action of the table on it.

:func:`apply` is pure: the dossier is immutable, the function returns a new one
in a :class:`~cloud.domain.workflow.records.TransitionResult` or raises
:class:`~cloud.domain.workflow.records.TransitionRefused` with an English
reason for the API (HTTP 409) — and a refused action changes nothing. It
knows no action by name: the row of :data:`~cloud.domain.workflow.table.TRANSITIONS`
supplies the states, roles, guard, payload model and effect, and the engine
runs the same checks in the same order for every row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from cloud.domain.catalogue import Procedure
from cloud.domain.deadlines import Timing, start_clock, step_due_dates, timing
from cloud.domain.roles import ROLE_LABELS_VI, Role
from cloud.domain.workflow.effects import Context
from cloud.domain.workflow.records import (
    Actor,
    Dossier,
    DossierIncomplete,
    HandOver,
    Holder,
    PlannedStep,
    ProcedureTerms,
    QueueTicket,
    ReceivedDocument,
    ReceivedPaper,
    TransitionRefused,
    TransitionResult,
    UnknownDocuments,
    WorkflowEvent,
)
from cloud.domain.workflow.states import ACTION_LABELS_VI, STATE_LABELS_VI, Action, Channel, DossierState
from cloud.domain.workflow.table import Transition, transition
from protocol.errors import key_path, validation_text
from workdays import WorkingCalendar


def document_code(procedure: str, index: int) -> str:
    """The code of the ``index``-th paper (from 0) of procedure ``procedure``'s card: ``KD.01-1``, ``KD.01-2``…

    The catalogue lists a procedure's papers in order without naming them;
    their position on the card is the code the desk ticks (the national
    catalogue numbers "thành phần hồ sơ" the same way). A dossier stores the
    name and counts with the code, so a later edit of the card does not
    change what a dossier says it received.
    """
    return f"{procedure}-{index + 1}"


def received_documents(procedure: Procedure, papers: Sequence[ReceivedPaper]) -> tuple[ReceivedDocument, ...]:
    """The papers the desk ticked, by code, as the dossier records them: name from the card, counts as given
    (the card's when left out). Raises :class:`UnknownDocuments` for a code the card does not have."""
    card = {document_code(procedure.code, i): doc for i, doc in enumerate(procedure.documents)}
    unknown = tuple(dict.fromkeys(p.code.strip() for p in papers if p.code.strip() not in card))
    if unknown:
        raise UnknownDocuments(procedure.code, unknown, tuple(card))
    return tuple(ReceivedDocument(
        code=code, name=card[code].name,
        originals=card[code].originals if p.originals is None else p.originals,
        copies=card[code].copies if p.copies is None else p.copies,
    ) for p in papers for code in [p.code.strip()])


def missing_documents(procedure: Procedure, received: Sequence[ReceivedDocument]) -> list[str]:
    """What keeps ``received`` from being the complete dossier ``procedure`` asks for, in Vietnamese.

    An original may stand in for a copy, never the reverse; a conditional
    paper ("(nếu có)") may be absent. Papers the catalogue does not list are
    reported too: the desk must not file what
    it was not asked for under this procedure.
    """
    given: dict[str, tuple[int, int]] = {}
    for doc in received:
        originals, copies = given.get(doc.name, (0, 0))
        given[doc.name] = (originals + doc.originals, copies + doc.copies)
    problems = []
    for need in procedure.documents:
        originals, copies = given.pop(need.name, (0, 0))
        if need.conditional and originals + copies == 0:
            continue
        if originals < need.originals or originals + copies < need.originals + need.copies:
            problems.append(f"{need.name}: cần {need.originals} bản chính, {need.copies} bản sao; "
                            f"đã nhận {originals} bản chính, {copies} bản sao")
    problems += [f"{name}: không có trong thành phần hồ sơ của thủ tục {procedure.code}" for name in given]
    return problems


def _doing(action: Action) -> str:
    """An action as the object of a Vietnamese sentence: "phê duyệt", "trả kết quả"."""
    label = ACTION_LABELS_VI[action]
    return label[0].lower() + label[1:]


def _parse_payload(row: Transition[Any], payload: Mapping[str, Any] | BaseModel | None) -> BaseModel:
    model: type[BaseModel] = row.payload
    if isinstance(payload, model):
        return payload
    if isinstance(payload, BaseModel):
        payload = payload.model_dump()
    try:
        parsed = model.model_validate(payload or {})
    except ValidationError as exc:
        details = validation_text(exc, path=key_path, plain=True)
        raise TransitionRefused(f"{row.action} needs {row.requires}: {details}",
                                f"Thiếu hoặc sai thông tin để {_doing(row.action)}.") from None
    return parsed


def _step_timing(
    dossier: Dossier, sender: Holder, at: datetime, calendar: WorkingCalendar
) -> tuple[datetime | None, Timing | None]:
    """The due moment of the sender's step of the plan, and whether ``at`` is early, on time or late for it."""
    if sender.role is None:
        return None, None
    # The clerk's numbering and seal close the signing step: the procedures' steps have no budget of their own
    # for it, and the result leaving the clerk late is the signing step running late.
    role = Role.leader if sender.role is Role.clerk else sender.role
    for step in dossier.plan:
        if step.role == role:
            return step.due, timing(calendar, step.due, at)
    return None, None


def apply(
    dossier: Dossier,
    action: Action | str,
    actor: Actor,
    payload: Mapping[str, Any] | BaseModel | None,
    now: datetime,
    *,
    calendar: WorkingCalendar,
) -> TransitionResult:
    """Take ``action`` on ``dossier`` as ``actor`` at ``now``; return the new dossier and its records.

    Checks, in order: the action exists; the dossier's state allows it; the
    actor's role may take it; ``now`` is not before the dossier's last change;
    the payload carries the required data; the actor is the right person
    (the row's guard: holder, handling department, receiving office, sub-task's
    unit). Any failure raises :class:`TransitionRefused` and nothing changes.
    """
    row = transition(action)
    if dossier.state not in row.sources:
        allowed = ", ".join(s.value for s in row.sources)
        raise TransitionRefused(f"cannot {row.action} a dossier that is {dossier.state.value}; allowed from: {allowed}",
                                f"Không thể {_doing(row.action)} khi hồ sơ ở trạng thái "
                                f"“{STATE_LABELS_VI[dossier.state]}”.")
    if actor.role not in row.roles:
        allowed = ", ".join(sorted(r.value for r in row.roles))
        raise TransitionRefused(f"role {actor.role.value} may not {row.action}; allowed: {allowed}",
                                f"Vai trò {ROLE_LABELS_VI[actor.role]} không được {_doing(row.action)}.")
    if now.tzinfo is None:
        raise TransitionRefused("the time of the action must be timezone-aware")
    if now < dossier.updated_at:
        raise TransitionRefused(
            f"the action's time {now.isoformat()} is before the dossier's last change {dossier.updated_at.isoformat()}",
            "Hồ sơ vừa được cập nhật sau thời điểm thao tác; vui lòng tải lại trang.",
        )
    parsed = _parse_payload(row, payload)
    row.guard.check(dossier, actor, parsed, row.action)
    change = row.effect(Context(dossier=dossier, actor=actor, payload=parsed, now=now, calendar=calendar))

    updated = dossier.model_copy(update={**change.updates, "updated_at": now})
    target = row.target or dossier.state
    if row.target_while_pending is not None and updated.pending_subtasks:
        target = row.target_while_pending
    updated = updated.model_copy(update={"state": target})

    handover = None
    if change.receiver is not None:
        sender = change.sender or dossier.holder
        step_due, step_timing = _step_timing(dossier, sender, now, calendar)
        handover = HandOver(
            at=now, action=row.action, sender=sender, receiver=change.receiver, from_state=dossier.state,
            to_state=target, note=change.note, subtask=change.subtask, step_due=step_due, timing=step_timing,
        )
        updated = updated.model_copy(update={"handovers": (*dossier.handovers, handover)})
    # Validate the whole new state once (model_copy does not validate).
    updated = Dossier.model_validate(updated.model_dump())
    event = WorkflowEvent(
        dossier=dossier.code, action=row.action, actor=actor.as_holder(), at=now, from_state=dossier.state, to_state=target
    )
    return TransitionResult(dossier=updated, event=event, handover=handover)


def receive(
    *,
    code: str,
    procedure: Procedure,
    office: str,
    handling_unit: str,
    actor: Actor,
    now: datetime,
    calendar: WorkingCalendar,
    channel: Channel = "counter",
    documents: Sequence[ReceivedDocument] | None = None,
    ticket: QueueTicket | None = None,
) -> TransitionResult:
    """Create the dossier of a complete, valid application received at ``office`` (receipt slip, form 01).

    Incomplete applications are not received (the desk prints the guidance
    form instead) and applications outside the office's competence are
    redirected: neither creates a dossier. The dossier goes to
    ``handling_unit`` to be assigned, and its clock starts. ``documents``,
    when the desk lists them, must be the procedure's complete set
    (:class:`DossierIncomplete` names what is missing). ``ticket``: the
    queue ticket of the citizen's turn, recorded on the dossier.
    """
    if actor.role != Role.reception:
        raise TransitionRefused(f"role {actor.role.value} may not receive a dossier; allowed: reception")
    if actor.unit != office:
        raise TransitionRefused(f"only an officer of {office} may receive a dossier for it; you are {actor}")
    if now.tzinfo is None:
        raise TransitionRefused("the time of the action must be timezone-aware")
    if documents is not None and (missing := missing_documents(procedure, documents)):
        raise DossierIncomplete("the dossier is incomplete and cannot be received (give the citizen the guidance "
                                "form): " + "; ".join(missing), tuple(missing))
    clock = start_clock(calendar, procedure.time_limit, now, procedure.supplement_policy)
    dues = step_due_dates(calendar, clock, [s.budget for s in procedure.steps])
    # One due date per step: step_due_dates answers for exactly the budgets it was given.
    plan = tuple(PlannedStep(name=s.name, role=s.role, unit=s.unit, due=d) for s, d in zip(procedure.steps, dues, strict=True))
    department = Holder(unit=handling_unit, role=Role.department_head)
    sender = actor.as_holder()
    provisional = Dossier(
        code=code, office=office, handling_unit=handling_unit, terms=ProcedureTerms.of(procedure), channel=channel,
        state=DossierState.received, holder=department, received_by=sender, clock=clock, plan=plan,
        documents=tuple(documents or ()), ticket=ticket, created_at=now, updated_at=now,
    )
    step_due, step_timing = _step_timing(provisional, sender, now, calendar)
    handover = HandOver(
        at=now, action=Action.receive, sender=sender, receiver=department, from_state=None,
        to_state=DossierState.received, note=channel, step_due=step_due, timing=step_timing,
    )
    dossier = provisional.model_copy(update={"handovers": (handover,)})
    event = WorkflowEvent(
        dossier=code, action=Action.receive, actor=sender, at=now, from_state=None, to_state=DossierState.received
    )
    return TransitionResult(dossier=dossier, event=event, handover=handover)
