"""Intakes that end without a dossier (issue 11): a supplement asked for, a refusal, a redirect.

* ``POST /intake-outcomes``: record one (``dossier.create``: the reception
  officer of an office of their administration; another office is 404 as if
  unknown). 422 ``invalid_intake`` with one Vietnamese message per field
  (``message_vi`` joins them), 422 ``ticket_not_found``, 409
  ``ticket_not_attachable``: nothing is saved.
* ``GET /intake-outcomes``: newest first, of the offices the caller's scope
  reads (``dossier.read``), by office and kind.
* ``GET /intake-outcomes/{reference}``: one; another administration's is 404.
* ``GET /intake-outcomes/{reference}/slip.pdf``: what the citizen takes away:
  Mẫu 02 (supplement, every missing item once) or Mẫu 03 (refusal, and a
  redirect naming the competent agency), A5.

A complete dossier is received with ``POST /dossiers`` instead (Mẫu 01).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from cloud.api.deps import ActorDep, DossiersDep, ScopeDep, allow, office_not_found, sees_office
from cloud.api.errors import ApiError, responses
from cloud.db import intake_outcomes
from cloud.db.intake_outcomes import StoredOutcome
from cloud.domain.access import Permission as P
from cloud.domain.intake import KIND_LABELS_VI, OutcomeKind, redirect_reasons
from cloud.domain.scope import Scope
from cloud.dossiers import records
from cloud.dossiers.intake import IntakeInvalid, IntakeOfficeUnknown, OutcomeRequest, record_outcome
from cloud.dossiers.store import DossierStore
from cloud.dossiers.tickets import TicketNotAttachable, TicketNotFound
from cloud.printouts import RefusalPrintout, SupplementPrintout, render_refusal, render_supplement_request

router = APIRouter(prefix="/intake-outcomes", tags=["dossiers"])

Reference = Annotated[str, Path(max_length=40, description="BS-/TC-/CQ-yymmdd-nnnn, e.g. BS-261012-0001")]
Short = Annotated[str, Field(max_length=400)]


class IntakeOutcomeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "kind": "supplement", "office": "sai-gon", "procedure": "HT.01", "applicant_name": "Nguyễn Thị Bình",
        "applicant_id_number": "079190001234", "applicant_address": "12 Lê Lợi, phường Sài Gòn",
        "applicant_phone": "0912 345 678", "papers": ["HT.01-1"], "ticket": "20261202-080512-0007"}]})

    kind: OutcomeKind
    office: Annotated[str, Field(max_length=63)]
    procedure: Annotated[str, Field(max_length=40, description="Procedure code of the catalogue, e.g. HT.01")]
    applicant_name: Short
    applicant_id_number: Annotated[str, Field(max_length=40, description="Căn cước: 12 digits (old CMND: 9)")]
    applicant_address: Short
    applicant_phone: Annotated[str | None, Field(max_length=32)] = None
    papers: Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=50, description=(
        "supplement: the paper codes the desk received; every other paper of the card is listed as missing"))] = []
    items: Annotated[list[Short], Field(max_length=50, description=(
        "supplement: further missing items; refusal: the reasons (at least one); redirect: optional notes"))] = []
    agency: Annotated[str | None, Field(max_length=400, description="redirect: the competent agency's name")] = None
    ticket: Annotated[str | None, Field(max_length=32, description="The called ticket of the turn (ticket_id)")] = None
    counter: Annotated[int | None, Field(ge=1, le=999)] = None


class IntakeOutcomeView(BaseModel):
    reference: str
    kind: OutcomeKind
    label_vi: str
    office: str
    counter: int | None
    ticket_id: str | None
    ticket_number: str | None
    officer_name: str
    applicant_name: str
    applicant_id_number: str
    applicant_address: str
    applicant_phone: str | None
    procedure: str
    procedure_name: str
    items: list[str]
    agency: str | None
    at: datetime
    slip_url: str


def view(o: StoredOutcome) -> IntakeOutcomeView:
    a = o.applicant
    return IntakeOutcomeView(
        reference=o.reference, kind=o.kind, label_vi=KIND_LABELS_VI[o.kind], office=o.office, counter=o.counter,
        ticket_id=o.ticket_id, ticket_number=o.ticket_number, officer_name=o.officer_name, applicant_name=a.name,
        applicant_id_number=a.id_number, applicant_address=a.address, applicant_phone=a.phone, procedure=o.procedure,
        procedure_name=o.procedure_name, items=list(o.items), agency=o.agency, at=o.at,
        slip_url=f"/api/v1/intake-outcomes/{o.reference}/slip.pdf")


def outcome_error(exc: Exception, office: str) -> ApiError:
    """How the API answers a refused intake (the console shows the same ``message_vi``)."""
    if isinstance(exc, IntakeInvalid):
        return ApiError(422, "invalid_intake", str(exc), " ".join(exc.errors.values()))
    if isinstance(exc, TicketNotFound):
        return ApiError(422, "ticket_not_found", f"no ticket {exc.args[0]!r} at office {office!r}",
                        f"Không tìm thấy số thứ tự “{exc.args[0]}” của bộ phận này.")
    if isinstance(exc, TicketNotAttachable):
        return ApiError(409, "ticket_not_attachable", str(exc), exc.reason_vi)
    return office_not_found(office)


@router.post("", status_code=201, response_model=IntakeOutcomeView, responses=responses(401, 403, 404, 409, 422),
             dependencies=[allow(P.dossier_create)])
def create_outcome(body: IntakeOutcomeCreate, actor: ActorDep, store: DossiersDep, scope: ScopeDep) -> IntakeOutcomeView:
    """Record an intake that creates no dossier, with its audit entry; the answer links its slip."""
    if not sees_office(scope, body.office):
        raise office_not_found(body.office)
    request = OutcomeRequest(
        kind=body.kind, office=body.office, procedure=body.procedure, applicant_name=body.applicant_name,
        applicant_id_number=body.applicant_id_number, applicant_address=body.applicant_address,
        applicant_phone=body.applicant_phone, papers=tuple(body.papers), items=tuple(body.items), agency=body.agency,
        ticket=body.ticket, counter=body.counter)
    try:
        return view(record_outcome(store, request, actor))
    except (IntakeInvalid, IntakeOfficeUnknown, TicketNotFound, TicketNotAttachable) as exc:
        raise outcome_error(exc, body.office) from None


@router.get("", response_model=list[IntakeOutcomeView], responses=responses(401, 403),
            dependencies=[allow(P.dossier_read)])
def list_outcomes(store: DossiersDep, scope: ScopeDep,
                  office: Annotated[str | None, Query(max_length=63)] = None,
                  kind: OutcomeKind | None = None,
                  limit: Annotated[int, Query(ge=1, le=500)] = 100,
                  offset: Annotated[int, Query(ge=0)] = 0) -> list[IntakeOutcomeView]:
    """The intake outcomes of the offices the caller reads, newest first."""
    found = intake_outcomes.list_outcomes(store.engine, offices=scope.offices, office=office, kind=kind, limit=limit,
                                          offset=offset)
    return [view(o) for o in found]


def visible_outcome(store: DossierStore, reference: str, scope: Scope) -> StoredOutcome:
    """The outcome if the caller's scope reads its office; 404 otherwise, as for an unknown reference."""
    found = intake_outcomes.get(store.engine, reference.strip().upper())
    if found is None or not sees_office(scope, found.office):
        raise ApiError(404, "intake_outcome_not_found", f"no intake outcome {reference!r}",
                       f"Không tìm thấy phiếu “{reference}”.")
    return found


@router.get("/{reference}", response_model=IntakeOutcomeView, responses=responses(401, 403, 404),
            dependencies=[allow(P.dossier_read)])
def get_outcome(reference: Reference, store: DossiersDep, scope: ScopeDep) -> IntakeOutcomeView:
    return view(visible_outcome(store, reference, scope))


def slip_pdf(store: DossierStore, o: StoredOutcome) -> bytes:
    """Mẫu 02 for a supplement, Mẫu 03 for a refusal or a redirect (naming the agency), from the stored row."""
    unit = records.office_unit(store.engine, o.office)
    unit_name = unit.name if unit else o.office
    office_name = unit.office_name if unit else o.office
    issuer = (f"ỦY BAN NHÂN DÂN {unit_name.upper()}" if unit else o.office, office_name)
    if o.kind is OutcomeKind.supplement:
        return render_supplement_request(SupplementPrintout(
            issuer=issuer, office_name=office_name, unit_name=unit_name, code=o.reference, code_label="Số phiếu",
            applicant_name=o.applicant.name, procedure_code=o.procedure, procedure_name=o.procedure_name,
            received_at=o.at, requested_at=o.at, missing_items=o.items, requested_by=o.officer_name))
    reasons = o.items if o.kind is OutcomeKind.refusal else redirect_reasons(o.agency or "", o.items)
    return render_refusal(RefusalPrintout(
        issuer=issuer, office_name=office_name, unit_name=unit_name, applicant_name=o.applicant.name,
        procedure_code=o.procedure, procedure_name=o.procedure_name, refused_at=o.at, reasons=reasons,
        refused_by=o.officer_name, reference=o.reference))


@router.get("/{reference}/slip.pdf", response_class=Response, responses={
    **responses(401, 403, 404), 200: {"content": {"application/pdf": {}}, "description": "Form 02 or 03, A5"}},
    dependencies=[allow(P.dossier_read)])
def outcome_slip(reference: Reference, store: DossiersDep, scope: ScopeDep) -> Response:
    """The slip the citizen takes away: Mẫu 02 (supplement) or Mẫu 03 (refusal, redirect)."""
    o = visible_outcome(store, reference, scope)
    form = "mau02" if o.kind is OutcomeKind.supplement else "mau03"
    return Response(slip_pdf(store, o), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{o.reference}-{form}.pdf"'})
