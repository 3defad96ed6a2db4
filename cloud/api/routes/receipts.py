"""Money and paper at the desk (issue #4): a dossier's fees and receipts, its
receipt-and-appointment slip, and the price of returning its result by post.

* ``GET /dossiers/{code}/fees``: the fees the catalogue asks, what was paid,
  each numbered receipt, and what the lead agency owes each partner agency
  (representative mechanism). Receipts are issued by the ``collect_fees``
  action (``POST /dossiers/{code}/actions/collect_fees``), not here.
* ``GET /dossiers/{code}/receipt``: the slip (form 01) as JSON, with only
  what the paper shows, for reprinting: the papers the desk received (no
  others) and the receiving officer's name.
* ``GET /dossiers/{code}/receipt.pdf``: the same slip printed (form 01, A5,
  two copies: the citizen's and the file's; the code as QR and Code 128),
  rendered by :mod:`cloud.printouts`.
* ``GET /dossiers/{code}/supplement-request.pdf``: the latest request to
  supplement the dossier printed (form 02, A5), every missing item listed
  once; 409 ``no_supplement_request`` when none was made.
* ``GET /dossiers/{code}/postal-quote``: postage and expected delivery for a
  zone (seed 001's table 2.1, ``cloud/data/postal_fees.yaml``), counted from now
  on the office's working calendar; 409 ``postal_return_not_allowed`` when the
  procedure's card says ``postal_return: false``.

All five read personal or internal data: ``dossier.read`` (staff), as the
dossier's detail, which already shows its payments.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

import structlog
from fastapi import APIRouter, Query, Response

from cloud.api.deps import DossiersDep, ScopeDep, SettingsDep, allow
from cloud.api.errors import ApiError, responses
from cloud.api.routes.dossiers import DossierCode, visible_dossier
from cloud.domain.access import Permission as P
from cloud.domain.datafile import DataError
from cloud.domain.postal import PostalZone
from cloud.domain.postal_return import PostalQuote, PostalReturnRefused, quote
from cloud.domain.receipts import AcknowledgementSlip, FeeStatement, acknowledgement_slip, fee_statement
from cloud.dossiers import records
from cloud.dossiers.seed import load_reference
from cloud.dossiers.store import DossierStore, StoredDossier
from cloud.printouts import ReceiptPrintout, SupplementPrintout, render_receipt, render_supplement_request

log = structlog.get_logger(__name__)

router = APIRouter(tags=["dossiers"], dependencies=[allow(P.dossier_read)])


@router.get("/dossiers/{code}/fees", response_model=FeeStatement, responses=responses(401, 403, 404))
def fees(code: DossierCode, store: DossiersDep, scope: ScopeDep) -> FeeStatement:
    """Fees due by the catalogue, paid, the numbered receipts, and the split between lead and partner agencies."""
    stored = visible_dossier(store, code, scope)
    return fee_statement(stored.dossier, records.receipts_of(store.engine, code))


def _slip(store: DossierStore, stored: StoredDossier) -> tuple[AcknowledgementSlip, str]:
    """The slip of ``stored`` and the name of its office's unit (the printout's place line)."""
    d = stored.dossier
    unit = records.office_unit(store.engine, d.office)
    names = records.officer_names(store.engine, [d.received_by.officer])
    slip = acknowledgement_slip(d, applicant_name=stored.applicant_name, unit_name=unit.name if unit else d.office,
                                office_name=unit.office_name if unit else d.office,
                                received_by=names.get(d.received_by.officer or ""))
    return slip, unit.name if unit else d.office


@router.get("/dossiers/{code}/receipt", response_model=AcknowledgementSlip, responses=responses(401, 403, 404))
def receipt_slip(code: DossierCode, store: DossiersDep, scope: ScopeDep) -> AcknowledgementSlip:
    """The receipt-and-appointment slip (giấy tiếp nhận hồ sơ và hẹn trả kết quả): what the paper shows."""
    return _slip(store, visible_dossier(store, code, scope))[0]


@lru_cache(maxsize=4)
def _field_names(reference_data: Path) -> dict[str, str]:
    """Field code → name (lĩnh vực) of the catalogue the service was seeded from, read once per directory.

    The database keeps procedures, not field names. A file edited into an invalid state since the seed
    costs the slip its "Lĩnh vực" line, never the print."""
    try:
        return {f.code: f.name for f in load_reference(reference_data).catalogue.fields}
    except DataError as exc:
        log.warning("printout.field_names_unavailable", reference_data=str(reference_data), error=str(exc))
        return {}


@router.get("/dossiers/{code}/receipt.pdf", response_class=Response, responses={
    **responses(401, 403, 404), 200: {"content": {"application/pdf": {}}, "description": "Form 01, two A5 pages"}})
def receipt_pdf(code: DossierCode, store: DossiersDep, scope: ScopeDep, settings: SettingsDep) -> Response:
    """The slip printed: Mẫu 01 of Circular 01/2018/TT-VPCP, the citizen's copy then the file's, as one PDF."""
    stored = visible_dossier(store, code, scope)
    slip, unit_name = _slip(store, stored)
    printout = ReceiptPrintout(slip=slip, unit_name=unit_name, applicant_phone=stored.applicant_phone,
                               field_name=_field_names(settings.reference_data).get(stored.dossier.terms.field))
    return Response(render_receipt(printout), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{slip.code}-mau01.pdf"'})


@router.get("/dossiers/{code}/supplement-request.pdf", response_class=Response, responses={
    **responses(401, 403, 404, 409), 200: {"content": {"application/pdf": {}}, "description": "Form 02, one A5 page"}})
def supplement_request_pdf(code: DossierCode, store: DossiersDep, scope: ScopeDep) -> Response:
    """The request to supplement the dossier (phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, Mẫu 02), its latest one."""
    stored = visible_dossier(store, code, scope)
    d = stored.dossier
    if not d.supplements:
        raise ApiError(409, "no_supplement_request", f"dossier {code} has no supplement request to print",
                       "Hồ sơ chưa có yêu cầu bổ sung nào để in phiếu.")
    request = d.supplements[-1]
    slip, unit_name = _slip(store, stored)
    officer = request.requested_by.officer
    printout = SupplementPrintout(
        issuer=slip.issuer, office_name=slip.office_name, unit_name=unit_name, code=d.code,
        applicant_name=stored.applicant_name, procedure_code=d.terms.code, procedure_name=d.terms.name,
        received_at=d.created_at, requested_at=request.requested_at, missing_items=request.missing_items,
        note=request.note,
        requested_by=records.officer_names(store.engine, [officer]).get(officer or "") or officer or request.requested_by.unit)
    return Response(render_supplement_request(printout), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{d.code}-mau02.pdf"'})


@router.get("/dossiers/{code}/postal-quote", response_model=PostalQuote, responses=responses(401, 403, 404, 409, 422))
def postal_quote(
    code: DossierCode, store: DossiersDep, scope: ScopeDep,
    zone: Annotated[PostalZone, Query(description="city, province, remote (Dầu Tiếng, Phú Giáo) or out_of_province")],
    items: Annotated[int, Query(ge=1, le=100, description="Results sent to the same address in one delivery")] = 1,
    fee_collected_between_trips: Annotated[bool, Query(description=(
        "Two deliveries, the postman collecting the fee between them"))] = False,
) -> PostalQuote:
    """What returning the result by post costs, and by when it should arrive if sent now."""
    d = visible_dossier(store, code, scope).dossier
    try:
        return quote(d.terms, store.tariff, store.calendar_of(d.office), zone, sent_at=store.clock(), items=items,
                     fee_collected_between_trips=fee_collected_between_trips)
    except PostalReturnRefused as exc:
        raise ApiError(409, "postal_return_not_allowed", str(exc),
                       "Thủ tục này không trả kết quả qua đường bưu điện.") from None
