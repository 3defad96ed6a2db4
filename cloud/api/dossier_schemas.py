"""Request and response bodies of the dossier API (``cloud.api.routes.dossiers``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

from cloud.domain.contact import check_email, normalise_phone
from cloud.domain.workflow import DossierState, Name, ReceivedPaper, RefCode
from cloud.dossiers.store import EventRecord

Text = Name
"""Required, non-blank, storable text (the workflow's rule: no NUL, at most 200 characters)."""


class ProcedureSummary(BaseModel):
    code: str
    name: str
    field: str
    level: str
    time_limit: dict[str, Any]
    fees: list[dict[str, Any]]
    online_level: int
    postal_return: bool


EXAMPLE_DOSSIER: dict[str, JsonValue] = {
    "procedure": "HT.01", "office": "sai-gon", "applicant_name": "Nguyễn Thị Bình",
    "applicant_phone": "0912 345 678", "documents": [{"code": "HT.01-1"}, {"code": "HT.01-2", "originals": 1}],
    "ticket": "20261202-080512-0007",
}


class DossierCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_DOSSIER]})

    procedure: RefCode = Field(examples=["HT.01"], description=(
        "Procedure code from GET /api/v1/catalogue (cloud/data/catalogue.yaml), e.g. HT.01 Đăng ký khai sinh"))
    office: RefCode = Field(examples=["sai-gon"], description=(
        "Id of the receiving one-stop office (the same id as its queue's: GET /api/v1/offices), e.g. sai-gon"))
    applicant_name: Text = Field(examples=["Nguyễn Thị Bình"],
                                 description="Personal data: shown to staff, never on the public lookup.")
    applicant_phone: str | None = Field(default=None, max_length=32, examples=["0912 345 678"], description=(
        "Where notifications go by SMS/Zalo: a Vietnamese number as typed; stored as +84…. Personal data."))
    applicant_email: str | None = Field(default=None, max_length=254, description="Personal data.")
    documents: list[ReceivedPaper] = Field(max_length=50, description=(
        "Required: the papers of the procedure's card that the desk received, each by its code (GET "
        "/api/v1/catalogue/{code}: documents[].code, e.g. HT.01-1), with the originals and copies handed in "
        "(default: what the card asks). They must make the complete set, or 409 dossier_incomplete names "
        "each missing paper (message_vi too); an unknown code is 422. The receipt (form 01) lists exactly these."))
    ticket: str | None = Field(default=None, min_length=1, max_length=32, examples=["20261202-080512-0007"],
                               description=(
        "The queue ticket of the citizen's turn (ticket_id in GET /api/v1/offices/{office}/queue): a ticket of "
        "this office, of today, that a counter called (called or served). The dossier records it with the counter "
        "and the officer who called it; one turn may file several dossiers."))
    channel: Literal["counter", "online"] = "counter"
    handling_unit: RefCode | None = Field(
        default=None, description="Department that processes it; default: the office's unit's department of the field."
    )


    @field_validator("applicant_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return normalise_phone(value) if value is not None and value.strip() else None

    @field_validator("applicant_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return check_email(value) if value is not None and value.strip() else None


class DossierTicket(BaseModel):
    """The queue ticket of the turn the dossier was received at."""

    id: str
    number: str | None
    counter: int | None = Field(description="The counter that called it.")
    officer: str = Field(description="Login of the officer who called it (or received the dossier).")
    officer_name: str = Field(description="That officer's full name.")


class DossierSummary(BaseModel):
    code: str
    procedure: str
    procedure_name: str
    office: str
    handling_unit: str
    state: DossierState
    label_vi: str
    holder_unit: str
    holder_officer: str | None
    assignee: str | None
    applicant_name: str
    applicant_phone: str | None = None
    applicant_email: str | None = None
    channel: str
    received_at: datetime
    due_at: datetime
    appointment: datetime
    overdue: bool
    version: int = Field(description="Send it back in If-Match to refuse acting on a dossier someone else changed.")
    ticket: DossierTicket | None = Field(default=None, description="The queue ticket of the citizen's turn, if attached.")
    received_by: str | None = Field(default=None, description="Full name of the officer who received it.")


#: One history row as the store returns it; FastAPI serialises the dataclass as is.
DossierEvent = EventRecord


class DossierDetail(DossierSummary):
    allowed_actions: list[str] = Field(description="Actions the caller's role may try in this state (guards still apply).")
    history: list[DossierEvent]
    dossier: dict[str, Any] = Field(description="The whole dossier: clock, plan, hand-overs, sub-tasks, supplements…")


class PublicDossier(BaseModel):
    """What anyone with the code may see: no applicant, no personal data."""

    code: str
    procedure: str
    state: DossierState
    label_vi: str
    unit: str = Field(description="Name of the unit holding the dossier now, e.g. Phòng Tài chính – Kế hoạch.")
    unit_code: str = Field(description="That unit's code.")
    officer: str | None = Field(description="Full name of the officer holding it now (001: citizens must see who has it).")
    handled_by: str | None = Field(description="Full name of the handling officer.")
    due: datetime
    appointment: datetime
    waiting_for: list[str] = Field(description="Names of the units a pending sub-task waits for.")
    refusal_reasons: list[str]


# -- hand-over by scanner, notifications (cloud.api.routes.handovers, .notifications) ----------------------


class ScanHandOver(BaseModel):
    """What a desk's barcode / QR scanner typed, and what to do with the dossier it names."""

    model_config = ConfigDict(extra="forbid")

    scanned: str = Field(min_length=1, max_length=2000, description=(
        "The scanner's text as typed: a code (any case, spaces, CR/LF), or the slip's QR URL "
        "(…/public/dossiers/{code}, or ?code=…)."))
    action: str | None = Field(default=None, max_length=40, description=(
        "The workflow action; default by role: reception → receive_supplement, specialist → start, "
        "results_desk → deliver_result. Other roles must name it."))
    payload: dict[str, Any] | None = Field(default=None, description="The action's data (docs/workflow.md, 'requires').")
    if_match: int | None = Field(default=None, description="Optional: the version you read; 409 if it moved on.")


class ScanResult(BaseModel):
    code: str = Field(description="The dossier code read from the scan.")
    action: str
    handover: dict[str, Any] | None = Field(description="The hand-over the action recorded (form 05), if it records one.")
    dossier: DossierDetail


class NotificationDelivered(BaseModel):
    model_config = ConfigDict(extra="forbid")

    via: str | None = Field(default=None, max_length=32, description="The channel that sent it: sms, zalo, email…")
