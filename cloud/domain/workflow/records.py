"""What the workflow records: who holds a dossier, the dossier itself, its hand-overs, and refusals.

Every model is frozen: :func:`~cloud.domain.workflow.engine.apply` returns a
new dossier instead of changing the one it was given, so a refused action
cannot have changed anything.

Every move of the dossier from one person or unit to another is recorded as a
:class:`HandOver` (from whom, to whom, when, and whether early, on time or late
against the step's budget: form 05 of Circular 01/2018/TT-VPCP). Seed 001's
first complaint was that officers handed paper on without recording it, so
status stalled: here a move cannot happen without its record.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from cloud.domain.catalogue import Fee, Procedure
from cloud.domain.deadlines import DossierClock, SupplementPolicy, TimeLimit, Timing
from cloud.domain.roles import Role
from cloud.domain.workflow.states import TERMINAL_STATES, Action, Channel, DossierState, ReturnChannel


class Frozen(BaseModel):
    """The base of the workflow's models: unknown keys are refused and nothing is changed in place."""

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


class TransitionRefused(Exception):
    """The action is not allowed; ``reason`` is an English sentence for the API's 409 ``detail``.

    ``reason_vi``: the same refusal for the officer who reads it (the API's
    ``message_vi``, the console's form message), when the rule has words for it.
    """

    def __init__(self, reason: str, reason_vi: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reason_vi = reason_vi


class DossierIncomplete(TransitionRefused):
    """The desk counted fewer papers than the procedure asks: ``missing`` says which, in Vietnamese.

    Its own type so the API can tell the officer *which* papers in
    ``message_vi`` too, not only that the action is refused.
    """

    def __init__(self, reason: str, missing: tuple[str, ...]) -> None:
        super().__init__(reason)
        self.missing = missing


class UnknownDocuments(ValueError):
    """Paper codes that are not on the procedure's card (bad input: HTTP 422)."""

    def __init__(self, procedure: str, unknown: tuple[str, ...], known: tuple[str, ...]) -> None:
        super().__init__(f"no paper {', '.join(repr(c) for c in unknown)} in procedure {procedure}'s documents; "
                         f"its papers are {', '.join(known)} (GET /api/v1/catalogue/{procedure})")
        self.unknown = unknown
        self.known = known


# -- who --------------------------------------------------------------------


class Holder(Frozen):
    """Who has the dossier: a unit, and the officer in it when one is named (001: show both)."""

    unit: Name
    officer: Name | None = None
    role: Role | None = None

    def __str__(self) -> str:
        return f"{self.unit}/{self.officer}" if self.officer else self.unit


class Actor(Frozen):
    """The signed-in person taking an action: their role for this action, unit and officer id.

    A bare role would not do: the hand-over records *who* gave the dossier,
    and some actions belong to the officer holding it, not to anyone with the role.
    """

    role: Role
    unit: Name
    officer: Name

    def as_holder(self) -> Holder:
        return Holder(unit=self.unit, officer=self.officer, role=self.role)

    def holds(self, holder: Holder) -> bool:
        """Whether this actor is the person ``holder`` names (same unit and officer)."""
        return self.unit == holder.unit and self.officer == holder.officer

    def __str__(self) -> str:
        return f"{self.unit}/{self.officer} ({self.role})"


# -- records ----------------------------------------------------------------


class HandOver(Frozen):
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


class SubTask(Frozen):
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


class SupplementRecord(Frozen):
    """A request to the citizen to supplement the dossier (form 02) and its fulfilment."""

    requested_at: datetime
    requested_by: Holder
    missing_items: tuple[str, ...]
    note: str | None = None
    received_at: datetime | None = None
    items_received: tuple[str, ...] = ()


class PaidFee(Frozen):
    """One line of a payment: which fee of the procedure, how many units, how much, and for whom."""

    name: str
    quantity: int = 1
    amount_vnd: int
    collected_for: str | None = None
    """The partner agency the money is owed to (representative mechanism); ``None``: the lead's own."""


class FeePayment(Frozen):
    at: datetime
    amount_vnd: int
    collected_by: Holder
    note: str | None = None
    lines: tuple[PaidFee, ...] = ()
    """What the amount pays for; empty when the desk did not itemise it (all of it is the lead's)."""


class ResultRegistration(Frozen):
    """The signed result (or refusal notice) as the clerk (văn thư) entered it in the office's register.

    ``book_number`` is the system's, one sequence per office and year with no
    gaps (cloud.dossiers.store allocates it in the action's transaction);
    the rest is what the clerk reads off the signed paper.
    """

    book_number: Annotated[int, Field(ge=1)]
    year: Annotated[int, Field(ge=2000, le=2999)]
    document_number: Name
    """Số, ký hiệu of the document: ``125/QĐ-UBND``."""
    signed_on: date
    signer: Name
    """The signing leader's full name, as printed under the signature."""
    stamped: bool
    registered_at: datetime
    registered_by: Holder

    @property
    def register_number(self) -> str:
        """The entry as the register writes it: ``125/2026``."""
        return f"{self.book_number}/{self.year}"


class ReceivedDocument(Frozen):
    """A paper the desk received, counted as the catalogue counts it (bản chính / bản sao)."""

    name: Name
    originals: Annotated[int, Field(ge=0, le=20)] = 0
    copies: Annotated[int, Field(ge=0, le=20)] = 0
    code: str | None = None
    """The paper's code on the procedure's card (:func:`~cloud.domain.workflow.engine.document_code`);
    None on dossiers received before papers had codes."""


class ReceivedPaper(Frozen):
    """What the desk ticks: a paper of the procedure's card by its code, and how many of each were handed in.

    Counts left out are the card's (the desk received what the catalogue asks).
    """

    code: Annotated[str, Field(min_length=1, max_length=48, examples=["KD.01-1"])]
    originals: Annotated[int, Field(ge=0, le=20)] | None = None
    copies: Annotated[int, Field(ge=0, le=20)] | None = None


class QueueTicket(Frozen):
    """The queue ticket of the turn a dossier was received at: the counter that called it and who sat there.

    ``officer`` is the officer the hub reported at the counter (``officer`` of
    ``ticket.called``), or the receiving officer when the hub named nobody.
    """

    id: Annotated[str, Field(min_length=1, max_length=32)]
    number: str | None = None
    counter: int | None = None
    officer: Name
    officer_name: Name


class PlannedStep(Frozen):
    """A step of the procedure's internal process with its due moment for this dossier."""

    name: str
    role: Role
    unit: str | None = None
    due: datetime


class ProcedureTerms(Frozen):
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


class Dossier(Frozen):
    """One dossier's whole state. Immutable: :func:`~cloud.domain.workflow.engine.apply` returns a new one."""

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
    registration: ResultRegistration | None = None
    """Set by ``register_result``: the result's entry in the office's register (deliver_result needs it)."""
    completed_at: datetime | None = None
    completion: Timing | None = None
    returned_via: ReturnChannel | None = None
    withdrawn_reason: str | None = None
    payments: tuple[FeePayment, ...] = ()
    handovers: tuple[HandOver, ...] = ()
    documents: tuple[ReceivedDocument, ...] = ()
    """The papers the desk counted at receipt; empty: recorded before the desk listed them."""
    ticket: QueueTicket | None = None
    """The queue ticket of the citizen's turn, when the desk attached it (several dossiers may share one)."""
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


class WorkflowEvent(Frozen):
    """What happened, for the audit log and the event stream."""

    dossier: str
    action: Action
    actor: Holder
    at: datetime
    from_state: DossierState | None
    to_state: DossierState


class TransitionResult(Frozen):
    dossier: Dossier
    event: WorkflowEvent
    handover: HandOver | None = None
