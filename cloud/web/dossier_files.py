"""Notes and attached files on the console's dossier page (issue 11): list them, add a note, upload a file.

The forms post to the console (``/console/dossiers/{code}/notes``,
``…/attachments``) through the same rules as the API
(``cloud.api.routes.dossier_files``): the session's write must come from
this site's pages (``require_same_origin``, checked when the session is
read), the dossier must be in the officer's scope (else the "not found"
page) and handled by them; then the page is shown again (303, so a reload
does not post twice) with a Vietnamese message. The message is chosen by a
code in the address (``?tep=…``), never text from the address, so a link
cannot make the page say something else.

The upload route is on :data:`upload_router`, which ``cloud.app`` includes
with the upload body limit; everything else keeps the small default.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from cloud.api.deps import DossiersDep, Principal, PrincipalDep, ScopeDep, SettingsDep
from cloud.api.errors import ApiError
from cloud.api.routes.dossier_files import (
    FilesDep,
    attach_upload,
    attachment_views,
    handled_dossier,
    note_views,
    refused,
)
from cloud.api.routes.dossiers import visible_dossier
from cloud.domain.access import Permission, may
from cloud.domain.attachments import ALLOWED_VI, MAX_FILENAME, MAX_NOTE, MEDIA_TYPES, BadText, handles, size_label
from cloud.dossiers.files import DossierFiles
from cloud.dossiers.store import StoredDossier
from cloud.settings import Settings
from cloud.web.console import SignInRedirect, templates

router = APIRouter(include_in_schema=False)
upload_router = APIRouter(include_in_schema=False)

DONE = {"note_added": "Đã lưu ghi chú.", "attachment_added": "Đã tải tệp lên hồ sơ."}
"""What the page says after a successful post."""


def messages(settings: Settings) -> dict[str, str]:
    """Error code → what the page says (the API's ``message_vi`` for the same code)."""
    return {
        "empty_note": "Vui lòng nhập nội dung ghi chú.",
        "note_too_long": f"Ghi chú quá dài (tối đa {MAX_NOTE} ký tự).",
        "bad_note": "Ghi chú có ký tự điều khiển không hợp lệ.",
        "bad_filename": f"Tên tệp không hợp lệ (có ký tự điều khiển, trống hoặc dài quá {MAX_FILENAME} ký tự); "
                        "vui lòng đổi tên tệp rồi tải lên lại.",
        "empty_file": "Tệp rỗng; vui lòng chọn lại tệp.",
        "file_too_large": f"Tệp vượt quá dung lượng cho phép ({size_label(settings.attachment_max_bytes)}).",
        "body_too_large": f"Tệp vượt quá dung lượng cho phép ({size_label(settings.attachment_max_bytes)}).",
        "unsupported_type": f"Chỉ nhận tệp {ALLOWED_VI}; nội dung tệp này không thuộc các loại đó.",
        "file_required": "Vui lòng chọn tệp cần đính kèm.",
        "bad_form": "Không đọc được tệp gửi lên; vui lòng chọn lại tệp.",
        "not_handling": "Chỉ cán bộ đang giải quyết hồ sơ mới được thêm ghi chú và tệp đính kèm.",
        "forbidden": "Tài khoản không có quyền thực hiện thao tác này.",
    }


def page_context(request: Request, stored: StoredDossier, principal: Principal) -> dict[str, Any]:
    """What ``dossier_files.html`` shows on the dossier page: notes, files, the forms, the message."""
    files: DossierFiles = request.app.state.files
    settings: Settings = request.app.state.settings
    store = request.app.state.dossiers
    code = stored.dossier.code
    done, error = request.query_params.get("tep"), request.query_params.get("loi")
    may_add = (principal.user is not None and may(principal.role, Permission.dossier_act)
               and handles(stored.dossier, principal.actor))
    return {
        "notes": note_views(store, files.notes(code)),
        "attachments": attachment_views(store, files.attachments(code)),
        "files_may_add": may_add,
        "files_section": "ghi-chu" if request.query_params.get("muc") == "ghi-chu" else "tep-dinh-kem",
        "files_done": DONE.get(done or ""),
        "files_error": messages(settings).get(error or "", "Không thực hiện được; vui lòng thử lại.") if error else None,
        "files_max_bytes": settings.attachment_max_bytes,
        "files_max_label": size_label(settings.attachment_max_bytes),
        "files_types": ", ".join(MEDIA_TYPES.values()),
        "note_max": MAX_NOTE,
    }


def _back(code: str, anchor: str, *, done: str | None = None, error: str | None = None) -> RedirectResponse:
    query = f"?tep={done}" if done else f"?loi={quote(error or '', safe='')}"
    return RedirectResponse(f"/console/dossiers/{quote(code, safe='')}{query}&muc={anchor}#{anchor}", status_code=303)


def _signed_in(request: Request, principal: Principal) -> Principal:
    if principal.user is None:
        raise SignInRedirect(request.url.path.rsplit("/", 1)[0])
    return principal


def _not_found(request: Request, code: str, principal: Principal) -> Response:
    return templates.TemplateResponse(request, "dossier_not_found.html", {"code": code, "user": principal},
                                      status_code=404)


def _handled(request: Request, store: Any, code: str, scope: Any, principal: Principal) -> StoredDossier | Response:
    """The dossier the officer handles; the not-found page outside their scope; an ApiError(403) otherwise."""
    try:
        visible = visible_dossier(store, code.strip().upper()[:64], scope)
    except ApiError:
        return _not_found(request, code, principal)
    if not may(principal.role, Permission.dossier_act):
        raise ApiError(403, "forbidden", f"role {principal.role.value} may not add to a dossier")
    return handled_dossier(store, visible.dossier.code, scope, principal.actor)


@router.post("/console/dossiers/{code}/notes")
def post_note(request: Request, code: str, principal: PrincipalDep, store: DossiersDep, scope: ScopeDep,
              files: FilesDep, text: Annotated[str, Form()] = "") -> Response:
    """The note form: store the note with its audit entry, then show the page again."""
    _signed_in(request, principal)
    try:
        stored = _handled(request, store, code, scope, principal)
        if not isinstance(stored, StoredDossier):
            return stored
        try:
            files.add_note(stored.dossier.code, text, principal.actor)
        except BadText as exc:
            raise refused(exc) from None
    except ApiError as exc:
        return _back(code, "ghi-chu", error=exc.body.code)
    return _back(stored.dossier.code, "ghi-chu", done="note_added")


@upload_router.post("/console/dossiers/{code}/attachments")
async def post_attachment(request: Request, code: str, principal: PrincipalDep, store: DossiersDep, scope: ScopeDep,
                          files: FilesDep, settings: SettingsDep) -> Response:
    """The upload form (multipart, part ``file``): store the file, then show the page again."""
    _signed_in(request, principal)
    try:
        stored = await run_in_threadpool(_handled, request, store, code, scope, principal)
        if not isinstance(stored, StoredDossier):
            return stored
        await attach_upload(request, files, stored, principal.actor, settings.attachment_max_bytes)
    except ApiError as exc:
        return _back(code, "tep-dinh-kem", error=exc.body.code)
    return _back(stored.dossier.code, "tep-dinh-kem", done="attachment_added")
