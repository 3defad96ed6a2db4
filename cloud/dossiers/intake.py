"""Recording an intake that ends without a dossier, for the API and the console alike.

The rules are :mod:`cloud.domain.intake`; this reads what they need (the
procedure's card, the office's calendar, the called ticket, the officer's
name) and stores the outcome with :func:`cloud.db.intake_outcomes.record`
in one write transaction, so a refused request leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from cloud.db import intake_outcomes
from cloud.db.dossiers import procedure_table
from cloud.db.engine import write_transaction
from cloud.db.users import user_table
from cloud.domain.catalogue import Procedure
from cloud.domain.intake import OutcomeKind, check_applicant, check_items, missing_papers
from cloud.domain.workflow import Actor
from cloud.dossiers import records
from cloud.dossiers.store import DossierStore
from cloud.dossiers.tickets import attachable_ticket


class IntakeInvalid(ValueError):
    """What the officer typed is wrong: one Vietnamese message per form field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class IntakeOfficeUnknown(LookupError):
    """No one-stop office of that id in the province's units."""


@dataclass(frozen=True)
class OutcomeRequest:
    kind: OutcomeKind
    office: str
    procedure: str
    applicant_name: str | None
    applicant_id_number: str | None
    applicant_address: str | None
    applicant_phone: str | None = None
    papers: Sequence[str] = field(default_factory=tuple)
    """The paper codes the desk received (a supplement asks for the others of the card)."""
    items: Sequence[str] = field(default_factory=tuple)
    """Missing items typed by the officer (supplement), or the reasons (refusal, redirect)."""
    agency: str | None = None
    ticket: str | None = None
    counter: int | None = None


def procedure_card(store: DossierStore, code: str) -> Procedure | None:
    with store.engine.connect() as conn:
        data = conn.execute(select(procedure_table.c.data).where(procedure_table.c.code == code)).scalar()
    return Procedure.model_validate(data) if data is not None else None


def record_outcome(store: DossierStore, request: OutcomeRequest, actor: Actor) -> intake_outcomes.StoredOutcome:
    """Check ``request`` and store it; :class:`IntakeInvalid`, :class:`IntakeOfficeUnknown`, or the ticket's
    ``TicketNotFound`` / ``TicketNotAttachable``, with nothing written."""
    if records.office_unit(store.engine, request.office) is None:
        raise IntakeOfficeUnknown(request.office)
    applicant, errors = check_applicant(request.applicant_name, request.applicant_id_number,
                                        request.applicant_address, request.applicant_phone)
    procedure = procedure_card(store, request.procedure.strip()) if request.procedure.strip() else None
    items = list(request.items)
    if procedure is None:
        errors["procedure"] = "Vui lòng chọn thủ tục hành chính trong danh mục."
    elif request.kind is OutcomeKind.supplement:
        items = [*missing_papers(procedure, request.papers), *items]
    kept, agency, item_errors = check_items(request.kind, items, request.agency)
    errors.update(item_errors)
    if errors or applicant is None or procedure is None:
        raise IntakeInvalid(errors)
    now = store.clock()
    day = store.calendar_of(request.office).local(now).date()
    with write_transaction(store.engine) as conn:
        ticket = attachable_ticket(conn, request.office, request.ticket, day, actor) if request.ticket else None
        name = conn.execute(select(user_table.c.full_name).where(user_table.c.username == actor.officer)).scalar()
        new = intake_outcomes.NewOutcome(
            kind=request.kind, office=request.office, applicant=applicant, procedure=procedure.code,
            procedure_name=procedure.name, items=kept, agency=agency,
            counter=ticket.counter if ticket and ticket.counter is not None else request.counter, ticket=ticket)
        return intake_outcomes.record(conn, new, actor, name or actor.officer, now, day)
