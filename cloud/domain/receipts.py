"""What the desk hands the citizen on paper: the fee receipt (biên lai) and the
receipt-and-appointment slip (giấy tiếp nhận hồ sơ và hẹn trả kết quả).

* **Fee receipts** are numbered per one-stop office and year, without gaps:
  ``{agency}-BL-{yyyy}-{seq:06d}`` by default (``H74.718-BL-2026-000042``).
  The pattern is configurable like the dossier code's
  (:class:`cloud.domain.codes.CodeFormat`); allocating the next number under
  concurrency is the database's job, in the transaction of the payment.
* A receipt's **split** says how much of it the lead agency keeps and how much
  it owes each partner agency under the representative mechanism (001: "Phí,
  lệ phí sẽ được chuyển trả cho các cơ quan có thẩm quyền thu theo tháng hay
  quý"); :func:`fee_statement` adds them up for a dossier.
* The **slip** (form 01 of Circular 01/2018/TT-VPCP) shows what the paper
  shows, nothing more: no history, no holder.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from cloud.domain.catalogue import Fee, RequiredDocument
from cloud.domain.codes import AGENCY_RE, CodeError
from cloud.domain.workflow import Dossier, FeePayment, FeeSplit, PaidFee, ReceivedDocument, split_fees

DEFAULT_RECEIPT_PATTERN = "{agency}-BL-{yyyy}-{seq:06d}"

ID_CARD_NOTICE = "Chủ sở hữu hoặc người được ủy quyền khi nhận kết quả: xuất trình Căn cước công dân."
"""Item 6 added to Thủ Dầu Một's slip (seed 001): the owner shows an ID card to collect the result."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- numbers ----------------------------------------------------------------------


class ReceiptNumberFormat:
    """A receipt-number pattern with the fields ``{agency}``, ``{yyyy}``, ``{yy}``, ``{seq}``.

    The sequence restarts every year, so the pattern must carry the year, and
    ``{seq}`` (which may take a width, ``{seq:06d}``; a larger number keeps all
    its digits).
    """

    FIELDS = ("agency", "yyyy", "yy", "seq")

    def __init__(self, pattern: str = DEFAULT_RECEIPT_PATTERN) -> None:
        self.pattern = pattern
        try:
            parsed = list(string.Formatter().parse(pattern))
        except ValueError as exc:
            raise CodeError(f"receipt number pattern {pattern!r}: {exc}") from None
        fields: list[str] = []
        for _literal, name, spec, conversion in parsed:
            if name is None:
                continue
            if name not in self.FIELDS:
                raise CodeError(f"receipt number pattern {pattern!r}: unknown field {{{name}}}; use "
                                + ", ".join("{" + f + "}" for f in self.FIELDS))
            if conversion or (spec and (name != "seq" or not re.fullmatch(r"0?\d*d?", spec))):
                raise CodeError(f"receipt number pattern {pattern!r}: only {{seq}} takes a width like {{seq:06d}}")
            if name in fields:
                raise CodeError(f"receipt number pattern {pattern!r}: {{{name}}} appears twice")
            fields.append(name)
        if "seq" not in fields:
            raise CodeError(f"receipt number pattern {pattern!r} needs {{seq}}")
        if "yyyy" not in fields and "yy" not in fields:
            raise CodeError(f"receipt number pattern {pattern!r} needs the year ({{yyyy}} or {{yy}}): "
                            "the sequence restarts every year")

    def format(self, agency: str, year: int, seq: int) -> str:
        """The number of the ``seq``-th receipt of ``year`` at the office of ``agency`` (seq starts at 1)."""
        if seq < 1:
            raise CodeError(f"sequence must be >= 1, got {seq}")
        if not re.fullmatch(AGENCY_RE, agency):
            raise CodeError(f"agency identifier {agency!r} must be upper-case letters, digits, dots or underscores")
        if not 2000 <= year <= 2099:
            raise CodeError(f"year {year} outside 2000–2099")
        return self.pattern.format(agency=agency, yyyy=f"{year:04d}", yy=f"{year % 100:02d}", seq=seq)


# -- receipts and the fee statement ------------------------------------------------


class FeeReceipt(_Frozen):
    """A numbered receipt for one payment at the desk."""

    number: str
    dossier: str
    office: str
    amount_vnd: int
    lines: tuple[PaidFee, ...]
    lead_vnd: int
    owed_vnd: dict[str, int]
    collected_by_unit: str
    collected_by_officer: str | None
    at: datetime
    note: str | None = None


def payment_split(payment: FeePayment) -> FeeSplit:
    """Who the money of one payment belongs to. Not itemised: all of it is the lead's."""
    if not payment.lines:
        return FeeSplit(total_vnd=payment.amount_vnd, lead_vnd=payment.amount_vnd, owed_vnd={})
    lines = [(Fee(name=line.name, amount_vnd=line.amount_vnd, collected_for=line.collected_for), 1)
             for line in payment.lines]
    return split_fees(lines)


def receipt_for(number: str, dossier: Dossier, payment: FeePayment) -> FeeReceipt:
    """The receipt of ``payment`` (the last one recorded on ``dossier``) under ``number``."""
    split = payment_split(payment)
    return FeeReceipt(
        number=number, dossier=dossier.code, office=dossier.office, amount_vnd=payment.amount_vnd,
        lines=payment.lines, lead_vnd=split.lead_vnd, owed_vnd=split.owed_vnd,
        collected_by_unit=payment.collected_by.unit, collected_by_officer=payment.collected_by.officer,
        at=payment.at, note=payment.note,
    )


class DueFee(_Frozen):
    """A fee of the procedure's card, as the desk tells the citizen."""

    name: str
    kind: Literal["fee", "charge"]
    amount_vnd: int
    per: str
    max_vnd: int | None = None
    collected_for: str | None = None
    set_by_notice: bool
    """The card gives no amount: a partner's notice (the tax office's) sets it."""
    note: str | None = None


class FeeStatement(_Frozen):
    """A dossier's fees: due by the catalogue, paid, and who is owed what (representative mechanism)."""

    dossier: str
    procedure: str
    due: tuple[DueFee, ...]
    due_vnd: int
    """One unit of each fee of the card (per-page or per-copy fees are for one page or copy)."""
    paid_vnd: int
    balance_vnd: int
    """``due_vnd - paid_vnd``; negative when more was paid (notice-set amounts, several pages)."""
    lead_vnd: int
    owed_vnd: dict[str, int]
    receipts: tuple[FeeReceipt, ...]


def fee_statement(dossier: Dossier, receipts: Sequence[FeeReceipt]) -> FeeStatement:
    fees = dossier.terms.fees
    due = tuple(
        DueFee(name=f.name, kind=f.kind, amount_vnd=f.amount_vnd, per=f.per, max_vnd=f.max_vnd,
               collected_for=f.collected_for, set_by_notice=f.amount_vnd == 0 and f.collected_for is not None,
               note=f.note)
        for f in fees
    )
    due_vnd = split_fees([(f, 1) for f in fees]).total_vnd
    lead = 0
    owed: dict[str, int] = {}
    for receipt in receipts:
        lead += receipt.lead_vnd
        for agency, amount in receipt.owed_vnd.items():
            owed[agency] = owed.get(agency, 0) + amount
    paid = dossier.fees_paid_vnd
    return FeeStatement(dossier=dossier.code, procedure=dossier.terms.code, due=due, due_vnd=due_vnd, paid_vnd=paid,
                        balance_vnd=due_vnd - paid, lead_vnd=lead, owed_vnd=owed, receipts=tuple(receipts))


# -- the receipt-and-appointment slip (form 01) -------------------------------------


class SlipDocument(_Frozen):
    name: str
    originals: int
    copies: int


class AcknowledgementSlip(_Frozen):
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả: what the two printed copies show."""

    title: str = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
    issuer: tuple[str, str]
    """Top left of the form: the people's committee, then its one-stop office."""
    office_name: str
    code: str
    barcode: str
    """What the slip's barcode / QR code carries: the dossier code."""
    applicant_name: str
    procedure_code: str
    procedure_name: str
    documents: tuple[SlipDocument, ...]
    dossier_sets: int = 1
    time_limit: str
    """As the slip words it: "03 ngày làm việc", "Trong ngày"."""
    received_at: datetime
    appointment: datetime
    return_at: str
    received_by: str
    """The receiving officer's full name, as the paper prints it (their login is in the dossier's record)."""
    id_card_notice: str = ID_CARD_NOTICE
    copies: int = 2


def acknowledgement_slip(dossier: Dossier, *, applicant_name: str, unit_name: str, office_name: str,
                         received_by: str | None = None,
                         documents: Iterable[RequiredDocument | ReceivedDocument] | None = None) -> AcknowledgementSlip:
    """The slip of ``dossier`` as printed at receipt; the appointment is the current one (an apology moves it).

    ``documents``: default, the papers the desk counted (``dossier.documents``), and only those: the slip
    is the office's acknowledgement of what it received, so it never lists a paper nobody handed in (a
    dossier received before the desk listed its papers shows none). ``received_by``: the receiving
    officer's full name (default: their login, when the caller knows no name)."""
    papers = dossier.documents if documents is None else tuple(documents)
    login = dossier.received_by.officer
    return AcknowledgementSlip(
        issuer=(f"ỦY BAN NHÂN DÂN {unit_name.upper()}", office_name), office_name=office_name, code=dossier.code,
        barcode=dossier.code, applicant_name=applicant_name, procedure_code=dossier.terms.code,
        procedure_name=dossier.terms.name,
        documents=tuple(SlipDocument(name=d.name, originals=d.originals, copies=d.copies) for d in papers),
        time_limit=dossier.clock.limit.label_vi, received_at=dossier.created_at, appointment=dossier.clock.appointment,
        return_at=office_name, received_by=received_by or login or dossier.received_by.unit,
    )
