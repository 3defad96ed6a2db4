"""What each action does to the dossier: one effect function per row of the transition table.

An effect receives the checked :class:`Context` (the dossier, the actor, the
row's validated payload, the moment and the office's calendar) and returns a
:class:`Change`: the fields to update and, for an action that moves the
dossier, who receives it. It never builds the new dossier itself: the engine
applies the change, sets the state the table names and records the
hand-over, so no effect can forget one. The checks that only an effect can
make (a deadline rule, a return channel the procedure does not allow) raise
:class:`~cloud.domain.workflow.records.TransitionRefused`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from cloud.domain.deadlines import (
    DeadlineError,
    DossierClock,
    apologise,
    classify_completion,
    due_date,
    pause_for_supplement,
    resume_after_supplement,
)
from cloud.domain.roles import Role
from cloud.domain.workflow.fees import split_fees
from cloud.domain.workflow.payloads import (
    AnswerPayload,
    ApologyPayload,
    ApprovePayload,
    AssignPayload,
    CommentPayload,
    DeliverPayload,
    FeesPayload,
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
from cloud.domain.workflow.records import (
    Actor,
    Dossier,
    FeePayment,
    Holder,
    PaidFee,
    ResultRegistration,
    SubTask,
    SupplementRecord,
    TransitionRefused,
)
from cloud.domain.workflow.states import APPLICANT_UNIT, POST_UNIT
from workdays import WorkingCalendar

P_co = TypeVar("P_co", bound=BaseModel, covariant=True)


@dataclass(frozen=True)
class Context(Generic[P_co]):
    """What an effect may read: the action's checked inputs."""

    dossier: Dossier
    actor: Actor
    payload: P_co
    now: datetime
    calendar: WorkingCalendar


@dataclass(frozen=True)
class Change:
    """What an effect decided: field updates, and the hand-over's receiver when the dossier moves."""

    updates: Mapping[str, Any]
    receiver: Holder | None = None
    sender: Holder | None = None
    """Who gives the dossier away; ``None``: its holder before the action."""
    note: str | None = None
    subtask: int | None = None


def _deadline(compute: Callable[[], DossierClock]) -> DossierClock:
    """Run a rule of cloud.domain.deadlines; its refusal (e.g. an apology too late) refuses the action."""
    try:
        return compute()
    except DeadlineError as exc:
        raise TransitionRefused(str(exc), exc.reason_vi) from None


def assign(ctx: Context[AssignPayload]) -> Change:
    p = ctx.payload
    receiver = Holder(unit=p.unit or ctx.dossier.handling_unit, officer=p.officer, role=Role.specialist)
    note = p.reason if isinstance(p, ReassignPayload) else None
    return Change({"holder": receiver, "assignee": receiver}, receiver=receiver, note=note)


def reassign(ctx: Context[ReassignPayload]) -> Change:
    change = assign(ctx)
    return Change(change.updates, receiver=change.receiver, sender=ctx.dossier.assignee or ctx.dossier.holder, note=change.note)


def nothing(ctx: Context[BaseModel]) -> Change:
    return Change({})


def request_verification(ctx: Context[VerificationPayload]) -> Change:
    p = ctx.payload
    if p.time_limit is not None:
        due = due_date(ctx.calendar, p.time_limit, ctx.now)
    else:
        assert p.due is not None  # the payload's validator asks for one of the two
        if p.due <= ctx.now:
            raise TransitionRefused("the sub-task's due date must be in the future",
                                   "Hạn trả lời xác minh phải sau thời điểm hiện tại.")
        due = p.due
    number = len(ctx.dossier.subtasks) + 1
    task = SubTask(number=number, unit=p.unit, officer=p.officer, subject=p.subject, sent_at=ctx.now, due=due)
    receiver = Holder(unit=p.unit, officer=p.officer)
    return Change({"subtasks": (*ctx.dossier.subtasks, task)}, receiver=receiver, note=p.subject, subtask=number)


def answer_verification(ctx: Context[AnswerPayload]) -> Change:
    """Record the answer; the row's guard has already found the sub-task pending and the actor entitled."""
    p = ctx.payload
    d = ctx.dossier
    task = d.subtasks[p.subtask - 1]
    answered = task.model_copy(
        update={"answered_at": ctx.now, "answered_by": ctx.actor.as_holder(), "answer": p.answer, "confirmed": p.confirmed}
    )
    subtasks = tuple(answered if t.number == task.number else t for t in d.subtasks)
    sender = ctx.actor.as_holder() if ctx.actor.unit == task.unit else Holder(unit=task.unit, officer=task.officer)
    return Change({"subtasks": subtasks}, sender=sender, receiver=d.holder, note=p.answer, subtask=task.number)


def request_supplement(ctx: Context[SupplementRequestPayload]) -> Change:
    """Ask the citizen for what is missing: once, and completely (001; Decree 61/2018, art. 19).

    Citizens in the seeds were sent back again and again for one more paper;
    the rule is that the officer lists everything the first time. A second
    request is refused: what is still wrong after the supplement is a refusal
    with reasons, or an apology with a new date.
    """
    p = ctx.payload
    d = ctx.dossier
    if d.supplements:
        first = d.supplements[0]
        raise TransitionRefused(
            f"a supplement was already requested on {first.requested_at:%Y-%m-%d} "
            f"({'; '.join(first.missing_items)}): supplements are requested once, completely; "
            "refuse the dossier with reasons or apologise with a new date instead",
            f"Hồ sơ đã được yêu cầu bổ sung ngày {first.requested_at:%d/%m/%Y}: chỉ yêu cầu bổ sung một lần, "
            "đầy đủ. Hãy từ chối giải quyết (nêu lý do) hoặc xin lỗi và hẹn lại ngày trả.",
        )
    record = SupplementRecord(
        requested_at=ctx.now, requested_by=ctx.actor.as_holder(), missing_items=p.missing_items, note=p.note
    )
    clock = _deadline(lambda: pause_for_supplement(ctx.calendar, d.clock, ctx.now))
    desk = Holder(unit=d.office, role=Role.reception)
    note = "Missing: " + "; ".join(p.missing_items)
    return Change({"supplements": (*d.supplements, record), "clock": clock, "holder": desk}, receiver=desk, note=note)


def receive_supplement(ctx: Context[SupplementReceivedPayload]) -> Change:
    p = ctx.payload
    d = ctx.dossier
    last = d.supplements[-1].model_copy(update={"received_at": ctx.now, "items_received": p.items})
    clock = _deadline(lambda: resume_after_supplement(ctx.calendar, d.clock, ctx.now))
    back_to = d.assignee or Holder(unit=d.handling_unit, role=Role.department_head)
    return Change(
        {"supplements": (*d.supplements[:-1], last), "clock": clock, "holder": back_to}, receiver=back_to, note=p.note
    )


def submit(ctx: Context[SubmitPayload]) -> Change:
    p = ctx.payload
    leader = Holder(unit=p.unit, officer=p.officer, role=Role.leader)
    return Change({"holder": leader}, receiver=leader, note=p.summary)


def send_back(ctx: Context[CommentPayload]) -> Change:
    d = ctx.dossier
    back_to = d.assignee or Holder(unit=d.handling_unit, role=Role.department_head)
    return Change({"holder": back_to}, receiver=back_to, note=ctx.payload.comment)


def approve(ctx: Context[ApprovePayload]) -> Change:
    return Change({"outcome": "approved", "result_ref": ctx.payload.result_ref, "decided_by": ctx.actor.as_holder()})


def refuse(ctx: Context[RefusePayload]) -> Change:
    return Change({"outcome": "refused", "refusal_reasons": ctx.payload.reasons, "decided_by": ctx.actor.as_holder()})


def register_result(ctx: Context[RegisterPayload]) -> Change:
    """Enter the signed result in the office's register, once; the clerk now holds the paper.

    The signing date cannot be in the future, nor before the dossier was
    received (the office's local dates): a typing slip in the year would
    otherwise go into the register for good.
    """
    p = ctx.payload
    d = ctx.dossier
    if d.registration is not None:
        r = d.registration
        raise TransitionRefused(
            f"the result is already registered as {r.register_number} ({r.document_number})",
            f"Kết quả đã được vào sổ số {r.register_number} ({r.document_number}).")
    if p.book_number is None:
        raise TransitionRefused("the register number is issued by the system (cloud.dossiers.store), not given")
    today = ctx.calendar.local(ctx.now).date()
    received = ctx.calendar.local(d.created_at).date()
    if p.signed_on > today:
        raise TransitionRefused(f"the signing date {p.signed_on:%d/%m/%Y} is in the future",
                                f"Ngày ký {p.signed_on:%d/%m/%Y} là ngày trong tương lai.")
    if p.signed_on < received:
        raise TransitionRefused(
            f"the signing date {p.signed_on:%d/%m/%Y} is before the dossier was received ({received:%d/%m/%Y})",
            f"Ngày ký {p.signed_on:%d/%m/%Y} trước ngày tiếp nhận hồ sơ ({received:%d/%m/%Y}).")
    number = p.document_number or f"{p.book_number}/{p.document_symbol}"
    clerk = ctx.actor.as_holder()
    entry = ResultRegistration(book_number=p.book_number, year=today.year, document_number=number,
                               signed_on=p.signed_on, signer=p.signer, stamped=p.stamped, registered_at=ctx.now,
                               registered_by=clerk)
    return Change({"registration": entry, "holder": clerk}, receiver=clerk,
                  note=f"Sổ {entry.register_number}, {number}")


def deliver_result(ctx: Context[DeliverPayload]) -> Change:
    """The result reaches the desk: only once the clerk has numbered it and entered it in the register."""
    if ctx.dossier.registration is None:
        raise TransitionRefused(
            "the result is not registered yet: the clerk registers it (register_result) before it goes to the desk",
            "Kết quả chưa được văn thư vào sổ, đóng dấu; chưa thể chuyển về bộ phận trả kết quả.")
    desk = ctx.actor.as_holder()
    completion = classify_completion(ctx.calendar, ctx.dossier.clock, ctx.now)
    updates = {"holder": desk, "completed_at": ctx.now, "completion": completion}
    return Change(updates, receiver=desk, note=ctx.payload.note)


def return_result(ctx: Context[ReturnPayload]) -> Change:
    p = ctx.payload
    terms = ctx.dossier.terms
    if p.channel == "in_person" and not p.id_checked:
        raise TransitionRefused("check the recipient's ID card before returning the result in person (id_checked must be true)",
                                "Phải kiểm tra căn cước của người nhận trước khi trả kết quả trực tiếp.")
    if p.channel == "post" and not terms.postal_return:
        raise TransitionRefused(f"procedure {terms.code} does not allow returning the result by post",
                                f"Thủ tục {terms.name} không trả kết quả qua bưu điện.")
    if p.channel == "online" and terms.online_level < 4:
        raise TransitionRefused(
            f"procedure {terms.code} is online level {terms.online_level}; only level 4 returns results online",
            f"Thủ tục {terms.name} là dịch vụ công trực tuyến mức {terms.online_level}; chỉ mức 4 trả kết quả trực tuyến.",
        )
    unit = POST_UNIT if p.channel == "post" else APPLICANT_UNIT
    receiver = Holder(unit=unit, officer=p.recipient)
    note = f"{p.channel}" + (f", tracking {p.tracking}" if p.tracking else "")
    return Change({"holder": receiver, "returned_via": p.channel}, receiver=receiver, note=note)


def apologise_for_delay(ctx: Context[ApologyPayload]) -> Change:
    p = ctx.payload
    d = ctx.dossier
    clock = _deadline(
        lambda: apologise(ctx.calendar, d.clock, reason=p.reason, new_appointment=p.new_appointment, issued_at=ctx.now)
    )
    return Change({"clock": clock})


def collect_fees(ctx: Context[FeesPayload]) -> Change:
    """Record a payment; itemised lines must name the card's fees and add up to the amount collected."""
    p = ctx.payload
    terms = ctx.dossier.terms
    fees = {fee.name: fee for fee in terms.fees}
    lines = []
    for line in p.lines:
        fee = fees.get(line.fee)
        if fee is None:
            known = "; ".join(fees) or "none"
            raise TransitionRefused(f"procedure {terms.code} has no fee {line.fee!r}; its fees: {known}",
                                    f"Thủ tục {terms.name} không có khoản phí “{line.fee}”.")
        amount = line.amount_vnd if line.amount_vnd is not None else split_fees([(fee, line.quantity)]).total_vnd
        lines.append(PaidFee(name=fee.name, quantity=line.quantity, amount_vnd=amount, collected_for=fee.collected_for))
    itemised = sum(line.amount_vnd for line in lines)
    if lines and itemised != p.amount_vnd:
        raise TransitionRefused(f"the lines add up to {itemised} VND, not the {p.amount_vnd} VND collected",
                                f"Các khoản cộng lại {itemised:,} đồng, khác số tiền đã thu {p.amount_vnd:,} đồng."
                                .replace(",", "."))
    payment = FeePayment(at=ctx.now, amount_vnd=p.amount_vnd, collected_by=ctx.actor.as_holder(), note=p.note,
                         lines=tuple(lines))
    return Change({"payments": (*ctx.dossier.payments, payment)})


def withdraw(ctx: Context[ReasonPayload]) -> Change:
    p = ctx.payload
    receiver = Holder(unit=APPLICANT_UNIT)
    return Change({"holder": receiver, "withdrawn_reason": p.reason}, receiver=receiver, note=p.reason)
