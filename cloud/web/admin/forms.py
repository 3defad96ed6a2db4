"""Quản trị → a procedure's downloadable forms (biểu mẫu, tờ khai): publish one, withdraw one (issue 11).

On the procedure editor (``/console/admin/catalogue/{code}``) the administrator
uploads a PDF or DOCX with its title (multipart: ``title``, ``file``); the type
is read from the bytes (:mod:`cloud.domain.procedure_forms`), whatever the
browser claims. Refused (no title 422, empty 422, over
``Settings.procedure_form_max_bytes`` 413, not a PDF or DOCX 415): the editor
again with that status and the reason in Vietnamese, nothing kept. Published
or withdrawn: 303 back to the editor, in force at once
(``GET /api/v1/catalogue/{code}/forms`` and the desk's intake page read the table).

The session's write must come from this site's pages (``require_same_origin``,
checked when the principal is read, before a byte of the body). The upload is
on :data:`upload_router`, which ``cloud.app`` includes with the upload body
limit; the removal keeps the small default.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from cloud.api.deps import EngineDep, SettingsDep
from cloud.api.errors import ApiError
from cloud.api.routes.dossier_files import read_upload
from cloud.domain.attachments import BadText, size_label
from cloud.domain.procedure_forms import ALLOWED_VI
from cloud.dossiers import catalogue_edit
from cloud.dossiers.files import UploadRefused
from cloud.dossiers.procedure_forms import ProcedureForms
from cloud.web.admin.catalogue import BASE, _editor, _missing, draft_of
from cloud.web.admin.common import CatalogueManager

router = APIRouter(include_in_schema=False)
upload_router = APIRouter(include_in_schema=False)


def _messages(max_bytes: int) -> dict[str, str]:
    """Error code → what the editor says (the service's own message where it has one)."""
    return {
        "file_required": "Vui lòng chọn tệp biểu mẫu cần tải lên.",
        "bad_form": "Không đọc được tệp gửi lên; vui lòng chọn lại tệp.",
        "empty_file": "Tệp rỗng; vui lòng chọn lại tệp biểu mẫu.",
        "file_too_large": f"Tệp biểu mẫu vượt quá dung lượng cho phép ({size_label(max_bytes)}).",
        "unsupported_type": f"Chỉ nhận biểu mẫu dạng {ALLOWED_VI}; nội dung tệp này không thuộc các loại đó.",
    }


async def _refused(request: Request, user: CatalogueManager, stored: catalogue_edit.StoredProcedure,
                   status: int, message: str) -> HTMLResponse:
    return _editor(request, user, stored.procedure.code, draft_of(stored.procedure), stored.updated_at,
                   errors=[f"Chưa tải biểu mẫu lên: {message}"], status=status)


@upload_router.post(BASE + "/{code}/forms", response_class=HTMLResponse)
async def upload_form(request: Request, code: str, user: CatalogueManager, engine: EngineDep,
                      settings: SettingsDep) -> Response:
    """Publish the uploaded PDF or DOCX as a form of the procedure, audited; refused: the editor says why."""
    try:
        stored = await run_in_threadpool(catalogue_edit.read, engine, code[:40])
    except catalogue_edit.ProcedureMissing:
        return _missing(request, user, code)
    forms: ProcedureForms = request.app.state.procedure_forms
    max_bytes = min(settings.procedure_form_max_bytes, settings.attachment_max_bytes)
    messages = _messages(max_bytes)
    try:
        upload = await read_upload(request)
    except ApiError as exc:
        return await _refused(request, user, stored, exc.status, messages.get(exc.body.code, exc.body.message_vi or ""))
    try:
        title = (await request.form()).get("title")
        await run_in_threadpool(forms.add, stored.procedure.code, title if isinstance(title, str) else None,
                                upload.file, user.actor, max_bytes=max_bytes)
    except BadText as exc:
        return await _refused(request, user, stored, 422, exc.message_vi)
    except UploadRefused as exc:
        r = exc.refusal
        return await _refused(request, user, stored, r.status, messages.get(r.code, r.message_vi))
    except catalogue_edit.ProcedureMissing:
        return _missing(request, user, code)
    finally:
        await upload.close()
    return RedirectResponse(f"{BASE}/{stored.procedure.code}?done=form_added#bieu-mau", status_code=303)


@router.post(BASE + "/{code}/forms/{form_id}/remove", response_class=HTMLResponse)
async def remove_form(request: Request, code: str, form_id: str, user: CatalogueManager,
                      engine: EngineDep) -> Response:
    """Withdraw a form, audited; one already gone: the editor says so (404), nothing changed."""
    try:
        stored = await run_in_threadpool(catalogue_edit.read, engine, code[:40])
    except catalogue_edit.ProcedureMissing:
        return _missing(request, user, code)
    forms: ProcedureForms = request.app.state.procedure_forms
    removed = None
    if form_id.isdigit() and len(form_id) < 19:
        removed = await run_in_threadpool(forms.remove, stored.procedure.code, int(form_id), user.actor)
    if removed is None:
        return _editor(request, user, stored.procedure.code, draft_of(stored.procedure), stored.updated_at,
                       errors=["Không tìm thấy biểu mẫu này (có thể đã được gỡ); hãy xem danh sách bên dưới."],
                       status=404)
    return RedirectResponse(f"{BASE}/{stored.procedure.code}?done=form_removed#bieu-mau", status_code=303)
