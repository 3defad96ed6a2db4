"""The forms that follow a dossier after receipt: Mẫu 04 (apology), 05 (process control), 06 (register).

Same frame as Mẫu 01–03 (:mod:`cloud.printouts.render`): the agency top left,
the motto top right, Vietnam's time in the forms' wording. Mẫu 04 and 05 are
A5 like the others (05 runs onto a second page when the dossier moved many
times: the table's head repeats); Mẫu 06 is a book, A4 landscape, its table
head repeated and every page numbered "Trang x/y".

Each printout is a plain model that the route fills with names (people's
and units', never logins or codes), so the templates decide nothing.
"""

from __future__ import annotations

from datetime import date, datetime

import structlog
from pydantic import BaseModel, ConfigDict

from cloud.domain.deadlines import Timing
from cloud.printouts.render import DossierFormHead, FormHead, render_form
from workdays import VN_TZ

log = structlog.get_logger(__name__)

TIMING_VI = {Timing.early: "Trước hạn", Timing.on_time: "Đúng hạn", Timing.late: "Quá hạn"}
"""The words of form 05's result column (Circular 01/2018/TT-VPCP)."""


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ApologyPrintout(DossierFormHead):
    """What Mẫu 04 prints: the latest apology of the dossier and its new appointment."""

    title: str = "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
    office_name: str
    previous_appointment: datetime
    """The date the citizen was given (the slip's, or the previous apology's)."""
    new_appointment: datetime
    reason: str
    issued_at: datetime
    signer_title: str
    """The signature block's heading for the officer who apologised ("THỦ TRƯỞNG CƠ QUAN" for a leader)."""
    signer_name: str


class ControlRow(_Form):
    """A line of Mẫu 05: one hand-over, both sides by name."""

    sender_unit: str
    sender_person: str | None = None
    receiver_unit: str
    receiver_person: str | None = None
    handed_at: datetime
    received_at: datetime | None = None
    """When the receiver first acted on the dossier after the hand-over; None: not yet."""
    due: datetime | None = None
    """The step's due moment (its time budget), or the dossier's legal due when the step has none."""
    timing: Timing | None = None
    note: str | None = None


class ControlSheetPrintout(DossierFormHead):
    """What Mẫu 05 prints: every hand-over of the dossier, early / on time / late."""

    title: str = "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
    due: datetime
    handling_unit: str
    partners: tuple[str, ...] = ()
    """Units a part of the dossier was sent to (liên thông), by name."""
    rows: tuple[ControlRow, ...]
    printed_at: datetime


class RegisterRow(_Form):
    """A line of Mẫu 06: one dossier received in the period."""

    code: str
    procedure_name: str
    applicant_name: str
    applicant_phone: str | None = None
    handling_unit: str
    received_at: datetime
    appointment: datetime
    handed_at: datetime | None = None
    handed_to: str | None = None
    result_at: datetime | None = None
    """When the result (or refusal) reached the desk."""
    returned_at: datetime | None = None
    note: str | None = None


class RegisterPrintout(FormHead):
    """What Mẫu 06 prints: the office's dossiers received from ``first`` to ``last`` (both days included)."""

    title: str = "SỔ THEO DÕI HỒ SƠ"
    first: date
    last: date
    rows: tuple[RegisterRow, ...]
    printed_at: datetime


def short_date(at: datetime | date | None) -> str:
    """``dd/mm/yyyy`` (a moment in Vietnam's time), as the register's columns write days; "" for none."""
    if at is None:
        return ""
    day = at.astimezone(VN_TZ) if isinstance(at, datetime) else at
    return f"{day:%d/%m/%Y}"


def short_time(at: datetime | None) -> str:
    """``HH:MM dd/mm/yyyy`` in Vietnam's time, for the control sheet's narrow cells."""
    return "" if at is None else f"{at.astimezone(VN_TZ):%H:%M} {short_date(at)}"


def render_apology(printout: ApologyPrintout) -> bytes:
    """Mẫu 04 as PDF: one A5 page for the citizen, the dossier code as QR so the desk finds it on return."""
    return render_form("04", "mau04.html", printout, printout.issued_at, qr_of=printout.code)


def render_control_sheet(printout: ControlSheetPrintout) -> bytes:
    """Mẫu 05 as PDF: A5, one row per hand-over (onto a second page when there are many)."""
    return render_form("05", "mau05.html", printout, printout.printed_at, qr_of=printout.code,
                       timing_vi=TIMING_VI, short_time=short_time)


def render_register(printout: RegisterPrintout) -> bytes:
    """Mẫu 06 as PDF: A4 landscape, one row per dossier, pages numbered."""
    log.info("printout.register", rows=len(printout.rows), first=str(printout.first), last=str(printout.last))
    return render_form("06", "mau06.html", printout, printout.printed_at, short_date=short_date)
