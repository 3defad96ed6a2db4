"""The dossier workflow: states, the table of allowed transitions, hand-overs and liên thông.

A dossier (hồ sơ) is received at a one-stop desk, assigned by the department
head to a handling officer, processed (possibly with verification by a commune
or another agency, or a request to the citizen to supplement it), submitted to
a leader who approves or refuses it, and its result goes back to the desk to
be returned in person, by post or online (DOMAIN.md, seeds 000 and 001).

Everything the workflow allows is in one table, :data:`TRANSITIONS`: for each
action, the states it may start from, the state it leads to, the roles
allowed, which person exactly (the officer holding the dossier, anyone of the
handling department, anyone of the one-stop office), and the data it requires.
:func:`apply` looks the action up in that table; there is no if-chain per
state. ``docs/workflow.md`` prints the same table (a test keeps them equal).

Every move of the dossier from one person or unit to another is recorded as a
:class:`HandOver` (from whom, to whom, when, and whether early, on time or late
against the step's budget: form 05 of Circular 01/2018/TT-VPCP). Seed 001's
first complaint was that officers handed paper on without recording it, so
status stalled: here a move cannot happen without its record.

:func:`apply` is pure: the dossier is immutable, the function returns a new one
in a :class:`TransitionResult` or raises :class:`TransitionRefused` with an
English reason for the API (HTTP 409) — and a refused action changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from cloud.domain.calendar import WorkingCalendar
from cloud.domain.catalogue import Fee, Procedure
from cloud.domain.datafile import key_path
from cloud.domain.deadlines import (
    DeadlineError,
    DossierClock,
    SupplementPolicy,
    TimeLimit,
    Timing,
    apologise,
    classify_completion,
    due_date,
    pause_for_supplement,
    resume_after_supplement,
    start_clock,
    step_due_dates,
    timing,
)
from cloud.domain.postal import PostalZone
from cloud.domain.roles import Role


class DossierState(StrEnum):
    received = "received"
    assigned = "assigned"
    in_process = "in_process"
    waiting_verification = "waiting_verification"
    supplement_requested = "supplement_requested"
    submitted_for_approval = "submitted_for_approval"
    approved = "approved"
    refused = "refused"
    result_at_desk = "result_at_desk"
    returned = "returned"
    withdrawn = "withdrawn"


STATE_LABELS_VI: Mapping[DossierState, str] = {
    DossierState.received: "Đã tiếp nhận",
    DossierState.assigned: "Đã phân công thụ lý",
    DossierState.in_process: "Đang thụ lý",
    DossierState.waiting_verification: "Chờ xác minh, lấy ý kiến",
    DossierState.supplement_requested: "Chờ bổ sung hồ sơ",
    DossierState.submitted_for_approval: "Chờ lãnh đạo phê duyệt",
    DossierState.approved: "Đã phê duyệt",
    DossierState.refused: "Hồ sơ không giải quyết",
    DossierState.result_at_desk: "Có kết quả, chờ trả",
    DossierState.returned: "Đã trả kết quả",
    DossierState.withdrawn: "Đã rút hồ sơ",
}
"""What the public status shows (the refusal wording is 001's "Hồ sơ không giải quyết")."""

TERMINAL_STATES = frozenset({DossierState.returned, DossierState.withdrawn})


class Action(StrEnum):
    receive = "receive"  # creates the dossier: see receive(); not in the table
    assign = "assign"
    reassign = "reassign"
    start = "start"
    request_verification = "request_verification"
    answer_verification = "answer_verification"
    request_supplement = "request_supplement"
    receive_supplement = "receive_supplement"
    submit = "submit"
    send_back = "send_back"
    approve = "approve"
    refuse = "refuse"
    deliver_result = "deliver_result"
    return_result = "return_result"
    apologise = "apologise"
    collect_fees = "collect_fees"
    withdraw = "withdraw"


ReturnChannel = Literal["in_person", "post", "online"]
Channel = Literal["counter", "online", "post"]

APPLICANT_UNIT = "applicant"
"""The unit a hand-over goes to when the dossier leaves the administration (returned, withdrawn)."""
POST_UNIT = "post"
"""The unit a result goes to when it is returned by post."""


def nul_paths(value: object, path: str = "") -> list[str]:
    """Where a JSON-like input holds a NUL (U+0000) character: PostgreSQL cannot store one in text.

    Checked once on the raw payload of an action (cloud.dossiers.store), so
    it is refused as bad input (422), not by the database (a 500), without a
    validator on every field of every model (profiling showed one cost 6 %
    of a request).
    """
    if isinstance(value, str):
        return [path or "payload"] if "\x00" in value else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in nul_paths(v, f"{path}.{k}" if path else str(k))
                ] + ([f"{path or 'payload'} (a key)"] if any("\x00" in str(k) for k in value) else [])
    if isinstance(value, list | tuple):
        return [p for i, v in enumerate(value) for p in nul_paths(v, f"{path}.{i}" if path else str(i))]
    return []


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    if "\x00" in value:
        raise ValueError("must not contain NUL (U+0000) characters")
    return value.strip()


Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_not_blank)]
"""A required, non-blank text (identifiers, reasons, items): whitespace alone is refused."""
RefCode = Annotated[str, Field(min_length=1, max_length=40), AfterValidator(_not_blank)]
"""A code from the reference data (unit ``tdm.ptckh``, procedure ``KD.01``): as long as the code columns allow."""


# -- who --------------------------------------------------------------------


class Holder(_Frozen):
    """Who has the dossier: a unit, and the officer in it when one is named (001: show both)."""

    unit: Name
    officer: Name | None = None
    role: Role | None = None

    def __str__(self) -> str:
        return f"{self.unit}/{self.officer}" if self.officer else self.unit


class Actor(_Frozen):
    """The signed-in person taking an action: their role for this action, unit and officer id.

    A bare role would not do: the hand-over records *who* gave the dossier,
    and some actions belong to the officer holding it, not to anyone with the role.
    """

    role: Role
    unit: Name
    officer: Name

    def as_holder(self) -> Holder:
        return Holder(unit=self.unit, officer=self.officer, role=self.role)

    def __str__(self) -> str:
        return f"{self.unit}/{self.officer} ({self.role})"


# -- records ----------------------------------------------------------------


class HandOver(_Frozen):
    """One move of the dossier from a person or unit to another (a line of form 05)."""

    at: datetime
    action: Action
    sender: Holder
    receiver: Holder
    from_state: DossierState | None
    to_state: DossierState
    note: str | None = None
    subtask: int | None = None
    step_due: datetime | None = None
    timing: Timing | None = None


class SubTask(_Frozen):
    """A part of the dossier sent to another unit (commune verification, tax, police…), with its own due date."""

    number: int
    unit: Name
    officer: str | None = None
    subject: Name
    sent_at: datetime
    due: datetime
    answered_at: datetime | None = None
    answered_by: Holder | None = None
    answer: str | None = None
    confirmed: bool | None = None

    @property
    def pending(self) -> bool:
        return self.answered_at is None


class SupplementRecord(_Frozen):
    """A request to the citizen to supplement the dossier (form 02) and its fulfilment."""

    requested_at: datetime
    requested_by: Holder
    missing_items: tuple[str, ...]
    note: str | None = None
    received_at: datetime | None = None
    items_received: tuple[str, ...] = ()


class PaidFee(_Frozen):
    """One line of a payment: which fee of the procedure, how many units, how much, and for whom."""

    name: str
    quantity: int = 1
    amount_vnd: int
    collected_for: str | None = None
    """The partner agency the money is owed to (representative mechanism); ``None``: the lead's own."""


class ReceivedDocument(_Frozen):
    """A paper the desk received, counted as the catalogue counts it (bản chính / bản sao)."""

    name: Name
    originals: Annotated[int, Field(ge=0, le=20)] = 0
    copies: Annotated[int, Field(ge=0, le=20)] = 0


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


class FeePayment(_Frozen):
    at: datetime
    amount_vnd: int
    collected_by: Holder
    note: str | None = None
    lines: tuple[PaidFee, ...] = ()
    """What the amount pays for; empty when the desk did not itemise it (all of it is the lead's)."""


class PlannedStep(_Frozen):
    """A step of the procedure's internal process with its due moment for this dossier."""

    name: str
    role: Role
    unit: str | None = None
    due: datetime


class ProcedureTerms(_Frozen):
    """The facts of the procedure the dossier was received under, frozen at receipt.

    A catalogue change the next day must not change the rules of a dossier
    already in progress.
    """

    code: str
    name: str
    field: str
    time_limit: TimeLimit
    supplement_policy: SupplementPolicy
    postal_return: bool
    online_level: int
    fees: tuple[Fee, ...] = ()
    partner_agencies: tuple[str, ...] = ()

    @classmethod
    def of(cls, procedure: Procedure) -> ProcedureTerms:
        return cls(
            code=procedure.code,
            name=procedure.name,
            field=procedure.field,
            time_limit=procedure.time_limit,
            supplement_policy=procedure.supplement_policy,
            postal_return=procedure.postal_return,
            online_level=procedure.online_level,
            fees=procedure.fees,
            partner_agencies=tuple(p.agency for p in procedure.lien_thong),
        )


class Dossier(_Frozen):
    """One dossier's whole state. Immutable: :func:`apply` returns a new one."""

    code: str
    office: str
    """The one-stop office (unit code) that received it; its desk returns the result."""
    handling_unit: str
    """The department that processes it."""
    terms: ProcedureTerms
    channel: Channel = "counter"
    state: DossierState
    holder: Holder
    assignee: Holder | None = None
    received_by: Holder
    clock: DossierClock
    plan: tuple[PlannedStep, ...] = ()
    subtasks: tuple[SubTask, ...] = ()
    supplements: tuple[SupplementRecord, ...] = ()
    outcome: Literal["approved", "refused"] | None = None
    result_ref: str | None = None
    refusal_reasons: tuple[str, ...] = ()
    decided_by: Holder | None = None
    completed_at: datetime | None = None
    completion: Timing | None = None
    returned_via: ReturnChannel | None = None
    withdrawn_reason: str | None = None
    payments: tuple[FeePayment, ...] = ()
    handovers: tuple[HandOver, ...] = ()
    documents: tuple[ReceivedDocument, ...] = ()
    """The papers the desk counted at receipt; empty: recorded before the desk listed them."""
    created_at: datetime
    updated_at: datetime

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def pending_subtasks(self) -> tuple[SubTask, ...]:
        return tuple(t for t in self.subtasks if t.pending)

    @property
    def fees_paid_vnd(self) -> int:
        return sum(p.amount_vnd for p in self.payments)


class WorkflowEvent(_Frozen):
    """What happened, for the audit log and the event stream."""

    dossier: str
    action: Action
    actor: Holder
    at: datetime
    from_state: DossierState | None
    to_state: DossierState


class TransitionResult(_Frozen):
    dossier: Dossier
    event: WorkflowEvent
    handover: HandOver | None = None


class TransitionRefused(Exception):
    """The action is not allowed; ``reason`` is an English sentence for the API's 409 ``detail``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- payloads: the data each action requires ----------------------------------


class NoPayload(_Frozen):
    pass


class AssignPayload(_Frozen):
    officer: Name
    unit: Name | None = None
    """Defaults to the handling department."""


class ReassignPayload(AssignPayload):
    reason: Name


class VerificationPayload(_Frozen):
    unit: Name
    officer: Name | None = None
    subject: Name
    time_limit: TimeLimit | None = None
    due: datetime | None = None

    @model_validator(mode="after")
    def _one_deadline(self) -> VerificationPayload:
        if (self.time_limit is None) == (self.due is None):
            raise ValueError("give the sub-task either a time_limit or a due date")
        return self


class AnswerPayload(_Frozen):
    subtask: Annotated[int, Field(ge=1)]
    answer: Name
    confirmed: bool


class SupplementRequestPayload(_Frozen):
    missing_items: Annotated[tuple[Name, ...], Field(min_length=1)]
    note: str | None = None


class SupplementReceivedPayload(_Frozen):
    items: tuple[Name, ...] = ()
    note: str | None = None


class SubmitPayload(_Frozen):
    officer: Name
    unit: RefCode
    summary: str | None = None


class CommentPayload(_Frozen):
    comment: Name


class ApprovePayload(_Frozen):
    result_ref: str | None = None


class RefusePayload(_Frozen):
    reasons: Annotated[tuple[Name, ...], Field(min_length=1)]


class DeliverPayload(_Frozen):
    note: str | None = None


class PostalReturnPayload(_Frozen):
    """Where a result returned by post goes (seed 001, table 2.1): priced by ``cloud.domain.postal``."""

    zone: PostalZone
    items: Annotated[int, Field(ge=1, le=100)] = 1
    fee_collected_between_trips: bool = False


class ReturnPayload(_Frozen):
    channel: ReturnChannel
    id_checked: bool = False
    recipient: str | None = None
    tracking: str | None = None
    postal: PostalReturnPayload | None = None

    @model_validator(mode="after")
    def _postal_only_by_post(self) -> ReturnPayload:
        if self.channel == "post" and self.postal is None:
            raise ValueError("a return by post needs postal: {zone, items, fee_collected_between_trips}")
        if self.channel != "post" and self.postal is not None:
            raise ValueError(f"postal is only for a return by post, not {self.channel}")
        return self


class ApologyPayload(_Frozen):
    reason: Name
    new_appointment: datetime


class FeeLine(_Frozen):
    """A fee of the procedure's card (by its name) paid in this payment."""

    fee: Name
    quantity: Annotated[int, Field(ge=1, le=10_000)] = 1
    amount_vnd: Annotated[int, Field(ge=0, le=1_000_000_000)] | None = None
    """For an amount set by a notice (the tax office's); default: the card's amount × quantity, capped."""


class FeesPayload(_Frozen):
    amount_vnd: Annotated[int, Field(gt=0, le=1_000_000_000)]
    note: str | None = None
    lines: Annotated[tuple[FeeLine, ...], Field(max_length=50)] = ()


class ReasonPayload(_Frozen):
    reason: Name


# -- the table --------------------------------------------------------------

Guard = Literal["holder", "handling_unit", "office", "handling_unit_or_holder", "subtask_unit_or_holder"]

GUARD_TEXT: Mapping[Guard, str] = {
    "holder": "the officer holding the dossier",
    "handling_unit": "of the handling department",
    "office": "of the receiving one-stop office",
    "handling_unit_or_holder": "of the handling department, or the holder",
    "subtask_unit_or_holder": "of the sub-task's unit, or the holder",
}


@dataclass(frozen=True)
class _Context:
    dossier: Dossier
    actor: Actor
    payload: Any
    now: datetime
    calendar: WorkingCalendar


@dataclass(frozen=True)
class _Change:
    updates: Mapping[str, Any]
    receiver: Holder | None = None
    sender: Holder | None = None
    note: str | None = None
    subtask: int | None = None


Effect = Callable[[_Context], _Change]


@dataclass(frozen=True)
class Transition:
    """One row of the table: ``action`` from any of ``sources`` to ``target`` (``None``: stays)."""

    action: Action
    sources: tuple[DossierState, ...]
    target: DossierState | None
    roles: frozenset[Role]
    guard: Guard
    payload: type[BaseModel]
    requires: str
    effect: Effect
    summary: str
    target_while_pending: DossierState | None = None
    """When set: the target if sub-tasks are still pending after the effect."""


def _refuse(reason: str) -> TransitionRefused:
    return TransitionRefused(reason)


def _assign(ctx: _Context) -> _Change:
    p: AssignPayload = ctx.payload
    receiver = Holder(unit=p.unit or ctx.dossier.handling_unit, officer=p.officer, role=Role.specialist)
    note = getattr(p, "reason", None)
    return _Change({"holder": receiver, "assignee": receiver}, receiver=receiver, note=note)


def _reassign(ctx: _Context) -> _Change:
    change = _assign(ctx)
    return _Change(change.updates, receiver=change.receiver, sender=ctx.dossier.assignee or ctx.dossier.holder, note=change.note)


def _nothing(ctx: _Context) -> _Change:
    return _Change({})


def _request_verification(ctx: _Context) -> _Change:
    p: VerificationPayload = ctx.payload
    if p.time_limit is not None:
        due = due_date(ctx.calendar, p.time_limit, ctx.now)
    else:
        assert p.due is not None
        if p.due <= ctx.now:
            raise _refuse("the sub-task's due date must be in the future")
        due = p.due
    number = len(ctx.dossier.subtasks) + 1
    task = SubTask(number=number, unit=p.unit, officer=p.officer, subject=p.subject, sent_at=ctx.now, due=due)
    receiver = Holder(unit=p.unit, officer=p.officer)
    return _Change({"subtasks": (*ctx.dossier.subtasks, task)}, receiver=receiver, note=p.subject, subtask=number)


def _answer_verification(ctx: _Context) -> _Change:
    p: AnswerPayload = ctx.payload
    d = ctx.dossier
    if p.subtask > len(d.subtasks):
        raise _refuse(f"there is no sub-task {p.subtask} (the dossier has {len(d.subtasks)})")
    task = d.subtasks[p.subtask - 1]
    if not task.pending:
        raise _refuse(f"sub-task {p.subtask} ({task.unit}) was already answered")
    is_holder = ctx.actor.unit == d.holder.unit and ctx.actor.officer == d.holder.officer
    if ctx.actor.unit != task.unit and not is_holder:
        raise _refuse(
            f"only an officer of {task.unit} or the holder ({d.holder}) may answer sub-task {p.subtask}; you are {ctx.actor}"
        )
    answered = task.model_copy(
        update={"answered_at": ctx.now, "answered_by": ctx.actor.as_holder(), "answer": p.answer, "confirmed": p.confirmed}
    )
    subtasks = tuple(answered if t.number == task.number else t for t in d.subtasks)
    sender = ctx.actor.as_holder() if ctx.actor.unit == task.unit else Holder(unit=task.unit, officer=task.officer)
    return _Change({"subtasks": subtasks}, sender=sender, receiver=d.holder, note=p.answer, subtask=task.number)


def _request_supplement(ctx: _Context) -> _Change:
    """Ask the citizen for what is missing: once, and completely (001; Decree 61/2018, art. 19).

    Citizens in the seeds were sent back again and again for one more paper;
    the rule is that the officer lists everything the first time. A second
    request is refused: what is still wrong after the supplement is a refusal
    with reasons, or an apology with a new date.
    """
    p: SupplementRequestPayload = ctx.payload
    d = ctx.dossier
    if d.supplements:
        first = d.supplements[0]
        raise _refuse(
            f"a supplement was already requested on {first.requested_at:%Y-%m-%d} "
            f"({'; '.join(first.missing_items)}): supplements are requested once, completely; "
            "refuse the dossier with reasons or apologise with a new date instead"
        )
    record = SupplementRecord(
        requested_at=ctx.now, requested_by=ctx.actor.as_holder(), missing_items=p.missing_items, note=p.note
    )
    clock = _deadline(lambda: pause_for_supplement(ctx.calendar, d.clock, ctx.now))
    desk = Holder(unit=d.office, role=Role.reception)
    note = "Missing: " + "; ".join(p.missing_items)
    return _Change({"supplements": (*d.supplements, record), "clock": clock, "holder": desk}, receiver=desk, note=note)


def _receive_supplement(ctx: _Context) -> _Change:
    p: SupplementReceivedPayload = ctx.payload
    d = ctx.dossier
    last = d.supplements[-1].model_copy(update={"received_at": ctx.now, "items_received": p.items})
    clock = _deadline(lambda: resume_after_supplement(ctx.calendar, d.clock, ctx.now))
    back_to = d.assignee or Holder(unit=d.handling_unit, role=Role.department_head)
    return _Change(
        {"supplements": (*d.supplements[:-1], last), "clock": clock, "holder": back_to}, receiver=back_to, note=p.note
    )


def _submit(ctx: _Context) -> _Change:
    p: SubmitPayload = ctx.payload
    leader = Holder(unit=p.unit, officer=p.officer, role=Role.leader)
    return _Change({"holder": leader}, receiver=leader, note=p.summary)


def _send_back(ctx: _Context) -> _Change:
    p: CommentPayload = ctx.payload
    d = ctx.dossier
    back_to = d.assignee or Holder(unit=d.handling_unit, role=Role.department_head)
    return _Change({"holder": back_to}, receiver=back_to, note=p.comment)


def _approve(ctx: _Context) -> _Change:
    p: ApprovePayload = ctx.payload
    return _Change({"outcome": "approved", "result_ref": p.result_ref, "decided_by": ctx.actor.as_holder()})


def _refuse_dossier(ctx: _Context) -> _Change:
    p: RefusePayload = ctx.payload
    return _Change({"outcome": "refused", "refusal_reasons": p.reasons, "decided_by": ctx.actor.as_holder()})


def _deliver_result(ctx: _Context) -> _Change:
    p: DeliverPayload = ctx.payload
    d = ctx.dossier
    desk = ctx.actor.as_holder()
    completion = classify_completion(ctx.calendar, d.clock, ctx.now)
    updates = {"holder": desk, "completed_at": ctx.now, "completion": completion}
    return _Change(updates, receiver=desk, note=p.note)


def _return_result(ctx: _Context) -> _Change:
    p: ReturnPayload = ctx.payload
    terms = ctx.dossier.terms
    if p.channel == "in_person" and not p.id_checked:
        raise _refuse("check the recipient's ID card before returning the result in person (id_checked must be true)")
    if p.channel == "post" and not terms.postal_return:
        raise _refuse(f"procedure {terms.code} does not allow returning the result by post")
    if p.channel == "online" and terms.online_level < 4:
        raise _refuse(f"procedure {terms.code} is online level {terms.online_level}; only level 4 returns results online")
    unit = POST_UNIT if p.channel == "post" else APPLICANT_UNIT
    receiver = Holder(unit=unit, officer=p.recipient)
    note = f"{p.channel}" + (f", tracking {p.tracking}" if p.tracking else "")
    return _Change({"holder": receiver, "returned_via": p.channel}, receiver=receiver, note=note)


def _apologise(ctx: _Context) -> _Change:
    p: ApologyPayload = ctx.payload
    d = ctx.dossier
    clock = _deadline(
        lambda: apologise(ctx.calendar, d.clock, reason=p.reason, new_appointment=p.new_appointment, issued_at=ctx.now)
    )
    return _Change({"clock": clock})


def _collect_fees(ctx: _Context) -> _Change:
    p: FeesPayload = ctx.payload
    terms = ctx.dossier.terms
    fees = {fee.name: fee for fee in terms.fees}
    lines = []
    for line in p.lines:
        fee = fees.get(line.fee)
        if fee is None:
            known = "; ".join(fees) or "none"
            raise _refuse(f"procedure {terms.code} has no fee {line.fee!r}; its fees: {known}")
        amount = line.amount_vnd if line.amount_vnd is not None else split_fees([(fee, line.quantity)]).total_vnd
        lines.append(PaidFee(name=fee.name, quantity=line.quantity, amount_vnd=amount, collected_for=fee.collected_for))
    itemised = sum(line.amount_vnd for line in lines)
    if lines and itemised != p.amount_vnd:
        raise _refuse(f"the lines add up to {itemised} VND, not the {p.amount_vnd} VND collected")
    payment = FeePayment(at=ctx.now, amount_vnd=p.amount_vnd, collected_by=ctx.actor.as_holder(), note=p.note,
                         lines=tuple(lines))
    return _Change({"payments": (*ctx.dossier.payments, payment)})


def _withdraw(ctx: _Context) -> _Change:
    p: ReasonPayload = ctx.payload
    receiver = Holder(unit=APPLICANT_UNIT)
    return _Change({"holder": receiver, "withdrawn_reason": p.reason}, receiver=receiver, note=p.reason)


def _deadline(compute: Callable[[], DossierClock]) -> DossierClock:
    try:
        return compute()
    except DeadlineError as exc:
        raise TransitionRefused(str(exc)) from None


_S = DossierState
_R = Role
_OPEN_BEFORE_RESULT = (_S.received, _S.assigned, _S.in_process, _S.waiting_verification, _S.supplement_requested)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.assign, (_S.received,), _S.assigned, frozenset({_R.department_head}), "handling_unit",
               AssignPayload, "officer (unit defaults to the department)", _assign,
               "The department head assigns a handling officer."),
    Transition(Action.reassign, (_S.assigned, _S.in_process), None, frozenset({_R.department_head}), "handling_unit",
               ReassignPayload, "officer, reason", _reassign,
               "The department head gives the dossier to another officer."),
    Transition(Action.start, (_S.assigned,), _S.in_process, frozenset({_R.specialist}), "holder",
               NoPayload, "–", _nothing,
               "The handling officer starts processing."),
    Transition(Action.request_verification, (_S.in_process, _S.waiting_verification), _S.waiting_verification,
               frozenset({_R.specialist}), "holder",
               VerificationPayload, "unit, subject, time_limit or due", _request_verification,
               "Send a sub-task to a commune or another agency (liên thông), with its own due date."),
    Transition(Action.answer_verification, (_S.waiting_verification,), _S.in_process,
               frozenset({_R.specialist, _R.department_head, _R.leader}), "subtask_unit_or_holder",
               AnswerPayload, "subtask, answer, confirmed", _answer_verification,
               "Record a unit's answer; back to processing when no sub-task is pending.",
               target_while_pending=_S.waiting_verification),
    Transition(Action.request_supplement, (_S.in_process,), _S.supplement_requested, frozenset({_R.specialist}), "holder",
               SupplementRequestPayload, "missing_items (at least one)", _request_supplement,
               "Ask the citizen to supplement the dossier (form 02); the clock pauses or will restart."),
    Transition(Action.receive_supplement, (_S.supplement_requested,), _S.in_process, frozenset({_R.reception}), "office",
               SupplementReceivedPayload, "–", _receive_supplement,
               "The desk receives the complete supplement and hands the dossier back to its officer."),
    Transition(Action.submit, (_S.in_process,), _S.submitted_for_approval, frozenset({_R.specialist}), "holder",
               SubmitPayload, "officer, unit of the signing leader", _submit,
               "The officer submits the draft result to a leader."),
    Transition(Action.send_back, (_S.submitted_for_approval,), _S.in_process, frozenset({_R.leader}), "holder",
               CommentPayload, "comment", _send_back,
               "The leader sends the draft back for rework."),
    Transition(Action.approve, (_S.submitted_for_approval,), _S.approved, frozenset({_R.leader}), "holder",
               ApprovePayload, "–", _approve,
               "The leader signs the result."),
    Transition(Action.refuse, (_S.submitted_for_approval,), _S.refused, frozenset({_R.leader}), "holder",
               RefusePayload, "reasons (at least one)", _refuse_dossier,
               "The leader refuses; the reasons and the officer's name go to the citizen."),
    Transition(Action.deliver_result, (_S.approved, _S.refused), _S.result_at_desk, frozenset({_R.results_desk}), "office",
               DeliverPayload, "–", _deliver_result,
               "The result (or refusal notice) reaches the desk; the dossier counts as resolved."),
    Transition(Action.return_result, (_S.result_at_desk,), _S.returned, frozenset({_R.results_desk}), "office",
               ReturnPayload, "channel; id_checked for in person; postal zone by post", _return_result,
               "The desk returns the result in person (ID checked), by post or online."),
    Transition(Action.apologise, (_S.received, _S.assigned, _S.in_process, _S.waiting_verification,
                                  _S.submitted_for_approval, _S.approved, _S.refused), None,
               frozenset({_R.specialist, _R.department_head, _R.leader}), "handling_unit_or_holder",
               ApologyPayload, "reason, new_appointment", _apologise,
               "Apology letter with a new appointment (form 04), at most half the legal time later."),
    Transition(Action.collect_fees, (*_OPEN_BEFORE_RESULT, _S.submitted_for_approval, _S.approved, _S.refused,
                                     _S.result_at_desk), None,
               frozenset({_R.reception, _R.results_desk}), "office",
               FeesPayload, "amount_vnd (lines: fees of the procedure, optional)", _collect_fees,
               "Record fees collected once at the desk (representative mechanism)."),
    Transition(Action.withdraw, _OPEN_BEFORE_RESULT, _S.withdrawn, frozenset({_R.reception}), "office",
               ReasonPayload, "reason", _withdraw,
               "The citizen withdraws the dossier (written request at the desk)."),
)

_BY_ACTION: Mapping[Action, Transition] = {t.action: t for t in TRANSITIONS}
assert len(_BY_ACTION) == len(TRANSITIONS), "one row per action"

MOVING_ACTIONS = frozenset(
    {Action.assign, Action.reassign, Action.request_verification, Action.answer_verification,
     Action.request_supplement, Action.receive_supplement, Action.submit, Action.send_back,
     Action.deliver_result, Action.return_result, Action.withdraw}
)
"""Actions that move the dossier (or a sub-task) between people, and therefore record a hand-over."""


def transition(action: Action | str) -> Transition:
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


# -- apply ------------------------------------------------------------------


def _check_guard(row: Transition, dossier: Dossier, actor: Actor) -> None:
    is_holder = actor.unit == dossier.holder.unit and actor.officer == dossier.holder.officer
    if row.guard == "holder" and not is_holder:
        raise _refuse(f"only the officer holding the dossier ({dossier.holder}) may {row.action}; you are {actor}")
    if row.guard == "handling_unit" and actor.unit != dossier.handling_unit:
        raise _refuse(f"only the handling department {dossier.handling_unit} may {row.action}; you are {actor}")
    if row.guard == "handling_unit_or_holder" and actor.unit != dossier.handling_unit and not is_holder:
        raise _refuse(
            f"only the handling department {dossier.handling_unit} or the holder ({dossier.holder}) may {row.action}; you are {actor}"
        )
    if row.guard == "office" and actor.unit != dossier.office:
        raise _refuse(f"only the one-stop office {dossier.office} that received the dossier may {row.action}; you are {actor}")
    # "subtask_unit_or_holder" needs the payload: checked by the effect.


def _parse_payload(row: Transition, payload: Mapping[str, Any] | BaseModel | None) -> BaseModel:
    if isinstance(payload, row.payload):
        return payload
    if isinstance(payload, BaseModel):
        payload = payload.model_dump()
    try:
        return row.payload.model_validate(payload or {})
    except ValidationError as exc:
        details = []
        for err in exc.errors():
            where = key_path(err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            details.append(f"{where}: {msg}" if where else msg)
        raise _refuse(f"{row.action} needs {row.requires}: " + "; ".join(details)) from None


def _step_timing(dossier: Dossier, sender: Holder, at: datetime, calendar: WorkingCalendar) -> tuple[datetime | None, Timing | None]:
    if sender.role is None:
        return None, None
    for step in dossier.plan:
        if step.role == sender.role:
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
    (holder, handling department, receiving office, sub-task's unit). Any
    failure raises :class:`TransitionRefused` and nothing changes.
    """
    row = transition(action)
    if dossier.state not in row.sources:
        allowed = ", ".join(s.value for s in row.sources)
        raise _refuse(f"cannot {row.action} a dossier that is {dossier.state.value}; allowed from: {allowed}")
    if actor.role not in row.roles:
        allowed = ", ".join(sorted(r.value for r in row.roles))
        raise _refuse(f"role {actor.role.value} may not {row.action}; allowed: {allowed}")
    if now.tzinfo is None:
        raise _refuse("the time of the action must be timezone-aware")
    if now < dossier.updated_at:
        raise _refuse(f"the action's time {now.isoformat()} is before the dossier's last change {dossier.updated_at.isoformat()}")
    parsed = _parse_payload(row, payload)
    _check_guard(row, dossier, actor)
    change = row.effect(_Context(dossier=dossier, actor=actor, payload=parsed, now=now, calendar=calendar))

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
) -> TransitionResult:
    """Create the dossier of a complete, valid application received at ``office`` (receipt slip, form 01).

    Incomplete applications are not received (the desk prints the guidance
    form instead) and applications outside the office's competence are
    redirected: neither creates a dossier. The dossier goes to
    ``handling_unit`` to be assigned, and its clock starts. ``documents``,
    when the desk lists them, must be the procedure's complete set.
    """
    if actor.role != Role.reception:
        raise _refuse(f"role {actor.role.value} may not receive a dossier; allowed: reception")
    if actor.unit != office:
        raise _refuse(f"only an officer of {office} may receive a dossier for it; you are {actor}")
    if now.tzinfo is None:
        raise _refuse("the time of the action must be timezone-aware")
    if documents is not None and (missing := missing_documents(procedure, documents)):
        raise _refuse("the dossier is incomplete and cannot be received (give the citizen the guidance form): "
                      + "; ".join(missing))
    clock = start_clock(calendar, procedure.time_limit, now, procedure.supplement_policy)
    dues = step_due_dates(calendar, clock, [s.budget for s in procedure.steps])
    plan = tuple(PlannedStep(name=s.name, role=s.role, unit=s.unit, due=d) for s, d in zip(procedure.steps, dues))
    department = Holder(unit=handling_unit, role=Role.department_head)
    sender = actor.as_holder()
    provisional = Dossier(
        code=code, office=office, handling_unit=handling_unit, terms=ProcedureTerms.of(procedure), channel=channel,
        state=DossierState.received, holder=department, received_by=sender, clock=clock, plan=plan,
        documents=tuple(documents or ()), created_at=now, updated_at=now,
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


# -- views --------------------------------------------------------------------


class PublicStatus(_Frozen):
    """What a citizen sees: state, the unit *and* officer handling it (001), and the dates."""

    code: str
    procedure: str
    state: DossierState
    label_vi: str
    unit: str
    officer: str | None
    appointment: datetime
    handled_by: str | None = None
    """The handling officer: 001 has citizens ask them directly about a refusal."""
    waiting_for: tuple[str, ...] = ()
    refusal_reasons: tuple[str, ...] = ()


def public_status(dossier: Dossier) -> PublicStatus:
    """What anyone holding the receipt may see. Once the result has gone to the
    applicant or the post, the holder's "officer" is the recipient, a private
    person: it is never shown."""
    private_holder = dossier.holder.unit in (APPLICANT_UNIT, POST_UNIT)
    return PublicStatus(
        code=dossier.code,
        procedure=dossier.terms.name,
        state=dossier.state,
        label_vi=STATE_LABELS_VI[dossier.state],
        unit=dossier.holder.unit,
        officer=None if private_holder else dossier.holder.officer,
        appointment=dossier.clock.appointment,
        handled_by=dossier.assignee.officer if dossier.assignee else None,
        waiting_for=tuple(t.unit for t in dossier.pending_subtasks),
        refusal_reasons=dossier.refusal_reasons if dossier.outcome == "refused" else (),
    )


class FeeSplit(_Frozen):
    """Fees collected once by the lead agency, and what it owes each partner (representative mechanism).

    001: the lead agency "thu phí, lệ phí của các phần việc này … Phí, lệ phí
    sẽ được chuyển trả cho các cơ quan có thẩm quyền thu theo tháng hay quý".
    """

    total_vnd: int
    lead_vnd: int
    owed_vnd: dict[str, int]


def split_fees(lines: list[tuple[Fee, int]] | tuple[tuple[Fee, int], ...]) -> FeeSplit:
    """Split the fees of a dossier: ``lines`` are ``(fee, quantity)`` (pages, copies, …).

    Per-unit fees respect their cap (``max_vnd``) per line. Money of fees with
    ``collected_for`` is owed to that partner agency; the rest is the lead's.
    """
    owed: dict[str, int] = {}
    lead = 0
    for fee, quantity in lines:
        if quantity < 0:
            raise ValueError("quantity must be >= 0")
        amount = fee.amount_vnd * quantity
        if fee.max_vnd is not None:
            amount = min(amount, fee.max_vnd)
        if fee.collected_for:
            owed[fee.collected_for] = owed.get(fee.collected_for, 0) + amount
        else:
            lead += amount
    return FeeSplit(total_vnd=lead + sum(owed.values()), lead_vnd=lead, owed_vnd=owed)


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
        hand = " · hand-over" if t.action in MOVING_ACTIONS else ""
        lines.append(
            f"| `{t.action.value}` | {sources} | {target} | {roles} | {GUARD_TEXT[t.guard]} | {t.requires} | {t.summary}{hand} |"
        )
    return "\n".join(lines) + "\n"
