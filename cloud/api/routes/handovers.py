"""Hand-overs from a barcode / QR scanner (issue #4).

``POST /handovers/scan`` takes what a desk's scanner typed — the slip's code
or its QR URL — reads the dossier code out of it (``cloud.domain.scanning``)
and takes the workflow action through the same path as
``POST /dossiers/{code}/actions/{action}`` (same 404 / 409 / 422 answers; a
dossier outside the caller's read scope is 404, as if it did not exist), so
a hand-over needs one scan instead of typing a code (seed 001: the paper moved
but the software was not told). Without ``action`` the scan means the move by
which the dossier reaches the caller's desk: reception → ``receive_supplement``,
specialist → ``start``, results_desk → ``deliver_result``; other roles name
the action (``422 action_required``). No code in the text: ``422 unreadable_scan``.
The event records ``"via": "scan"``.
"""

from __future__ import annotations

from fastapi import APIRouter

from cloud.api.deps import ActorDep, DossiersDep, ScopeDep, allow
from cloud.api.dossier_schemas import ScanHandOver, ScanResult
from cloud.api.errors import ApiError, responses
from cloud.api.routes.dossiers import dossier_detail, take_action
from cloud.domain.access import Permission as P
from cloud.domain.scanning import ScanError, default_scan_action, read_scanned_code

router = APIRouter(tags=["dossiers"])


@router.post("/handovers/scan", response_model=ScanResult, responses=responses(401, 403, 404, 409, 422),
             dependencies=[allow(P.dossier_act)])
def scan(body: ScanHandOver, actor: ActorDep, store: DossiersDep, scope: ScopeDep) -> ScanResult:
    """Record a hand-over from a scanned receipt slip: read the code, take the action."""
    try:
        code = read_scanned_code(body.scanned, store.code_format)
    except ScanError as exc:
        raise ApiError(422, "unreadable_scan", str(exc),
                       "Không đọc được mã hồ sơ; vui lòng quét lại mã vạch / mã QR trên phiếu hẹn hoặc nhập mã.") from None
    action = body.action.strip() if body.action and body.action.strip() else None
    if action is None:
        try:
            action = default_scan_action(actor.role).value
        except ScanError as exc:
            raise ApiError(422, "action_required", str(exc), "Vui lòng chọn thao tác cần thực hiện với hồ sơ.") from None
    stored = take_action(store, code, action, actor, body.payload, scope=scope, expected_version=body.if_match,
                         via="scan")
    d = stored.dossier
    last = d.handovers[-1] if d.handovers else None
    recorded = last if last is not None and last.action.value == action and last.at == d.updated_at else None
    return ScanResult(code=code, action=action, handover=recorded.model_dump(mode="json") if recorded else None,
                      dossier=dossier_detail(store, stored, actor.role))
