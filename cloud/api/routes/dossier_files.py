"""A dossier's notes and attached files (issue 11): list, add, download.

Who: whoever reads the dossier (``dossier.read`` and its read scope) reads its
notes and files; whoever handles it (``dossier.act`` and
:func:`cloud.domain.attachments.handles`: the unit holding it, the unit
handling it, the receiving office's desk, the officer assigned) adds them.
Outside the read scope the dossier does not exist (404, checked first, as
for every dossier route); in scope but not handling it: 403 ``not_handling``.

The upload (``POST …/attachments``, ``multipart/form-data`` with one part
``file``) has its own body limit, ``Settings.upload_max_body_bytes`` (the
largest file, ``attachment_max_bytes``, 10 MiB by default, plus 64 KiB of
form): it is on :data:`upload_router`, which ``cloud.app`` includes with that
limit, while every other route keeps the small default (cloud/api/limits.py).
So a body announced larger is refused unread (413), one sent chunked is cut at
the limit, and an anonymous upload is refused (401) before a byte is read.
Then: an empty file 422 ``empty_file``, a file over the size 413
``file_too_large``, bytes that are no PDF, JPEG or PNG 415 ``unsupported_type``
(whatever ``Content-Type`` the client claimed), a name with control
characters or none 422 ``bad_filename``. A download is served with the type
read at upload, ``Content-Disposition: attachment`` and
``X-Content-Type-Options: nosniff``, so a browser never runs it as a page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, cast

from fastapi import APIRouter, Body, Depends, Path, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from cloud.api.deps import ActorDep, DossiersDep, ScopeDep, SettingsDep, allow
from cloud.api.errors import ApiError, responses
from cloud.api.routes.dossiers import DossierCode, visible_dossier
from cloud.domain.access import Permission as P
from cloud.domain.attachments import MAX_NOTE, MEDIA_TYPES, BadText, handles, size_label
from cloud.domain.scope import Scope
from cloud.domain.workflow import Actor
from cloud.dossiers import records
from cloud.dossiers.files import Attachment, DossierFiles, Note, UploadRefused
from cloud.dossiers.store import DossierStore, StoredDossier

router = APIRouter(tags=["dossiers"])
upload_router = APIRouter(tags=["dossiers"])
"""The upload route alone: ``cloud.app`` includes it with the upload body limit."""

AttachmentId = Annotated[str, Path(max_length=20, description="The attachment's id in the dossier's list")]


async def get_files(request: Request) -> DossierFiles:
    return cast(DossierFiles, request.app.state.files)


FilesDep = Annotated[DossierFiles, Depends(get_files)]


class AttachmentView(BaseModel):
    id: int
    filename: str = Field(description="As uploaded, cut to its last path component; for display only.")
    sha256: str = Field(description="Hex SHA-256 of the stored bytes: compare with a download.")
    size: int
    size_label: str = Field(examples=["850 KB", "1,4 MB"])
    media_type: str = Field(examples=["application/pdf"], description="Read from the bytes at upload.")
    type_label: str = Field(examples=["PDF"])
    uploaded_by: str = Field(description="The officer's login.")
    uploaded_by_name: str = Field(description="The officer's full name, as a person reads it.")
    at: datetime
    url: str = Field(description="Where to download it.")


class NoteView(BaseModel):
    id: int
    author: str = Field(description="The officer's login.")
    author_name: str
    text: str
    at: datetime


class NoteCreate(BaseModel):
    text: str = Field(max_length=2 * MAX_NOTE, description=f"At most {MAX_NOTE} characters once trimmed.")


def attachment_views(store: DossierStore, found: list[Attachment]) -> list[AttachmentView]:
    names = records.officer_names(store.engine, [a.uploaded_by for a in found])
    return [AttachmentView(id=a.id, filename=a.filename, sha256=a.sha256, size=a.size, size_label=size_label(a.size),
                           media_type=a.media_type, type_label=MEDIA_TYPES.get(a.media_type, a.media_type),
                           uploaded_by=a.uploaded_by, uploaded_by_name=names.get(a.uploaded_by, a.uploaded_by),
                           at=a.at, url=f"/api/v1/dossiers/{a.dossier}/attachments/{a.id}") for a in found]


def note_views(store: DossierStore, found: list[Note]) -> list[NoteView]:
    names = records.officer_names(store.engine, [n.author for n in found])
    return [NoteView(id=n.id, author=n.author, author_name=names.get(n.author, n.author), text=n.text, at=n.at)
            for n in found]


def handled_dossier(store: DossierStore, code: str, scope: Scope, actor: Actor) -> StoredDossier:
    """The dossier if the caller reads it (404 otherwise) and handles it (403 ``not_handling`` otherwise)."""
    stored = visible_dossier(store, code, scope)
    if not handles(stored.dossier, actor):
        raise ApiError(403, "not_handling", f"{actor.officer} does not handle dossier {stored.dossier.code}: notes and "
                       "files are added by its holding unit, its handling unit, the receiving desk or its assignee",
                       "Chỉ cán bộ đang giải quyết hồ sơ mới được thêm ghi chú và tệp đính kèm.")
    return stored


def refused(exc: UploadRefused | BadText) -> ApiError:
    if isinstance(exc, BadText):
        return ApiError(422, exc.code, str(exc), exc.message_vi)
    r = exc.refusal
    return ApiError(r.status, r.code, r.detail, r.message_vi)


async def read_upload(request: Request) -> UploadFile:
    """The form's one file part; malformed multipart is 400, a missing file 422 (the body limit's 413 passes)."""
    try:
        form = await request.form(max_files=1, max_fields=8)
    except HTTPException as exc:
        if exc.status_code == 413:
            raise
        raise ApiError(400, "bad_form", f"the upload is not a readable multipart form: {exc.detail}",
                       "Không đọc được tệp gửi lên; vui lòng chọn lại tệp.") from None
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        await form.close()
        raise ApiError(422, "file_required", "send the file as the multipart/form-data part named 'file'",
                       "Vui lòng chọn tệp cần đính kèm.")
    return upload


async def attach_upload(request: Request, files: DossierFiles, stored: StoredDossier, actor: Actor,
                        max_bytes: int) -> Attachment:
    """Read the form and store its file (API and console); errors as :class:`ApiError`."""
    upload = await read_upload(request)
    try:
        return await run_in_threadpool(files.attach, stored.dossier.code, upload.filename, upload.file, actor,
                                       max_bytes=max_bytes)
    except (UploadRefused, BadText) as exc:
        raise refused(exc) from None
    finally:
        await upload.close()


@upload_router.post("/dossiers/{code}/attachments", status_code=201, response_model=AttachmentView,
                    responses=responses(400, 401, 403, 404, 413, 415, 422), dependencies=[allow(P.dossier_act)],
                    openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                        "type": "object", "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}}}}}}})
async def upload_attachment(request: Request, code: DossierCode, actor: ActorDep, store: DossiersDep, scope: ScopeDep,
                            files: FilesDep, settings: SettingsDep) -> AttachmentView:
    """Attach a PDF, JPEG or PNG (at most ``attachment_max_bytes``) to a dossier you handle."""
    stored = await run_in_threadpool(handled_dossier, store, code, scope, actor)
    attachment = await attach_upload(request, files, stored, actor, settings.attachment_max_bytes)
    return attachment_views(store, [attachment])[0]


@router.get("/dossiers/{code}/attachments", response_model=list[AttachmentView], responses=responses(401, 403, 404),
            dependencies=[allow(P.dossier_read)])
def list_attachments(code: DossierCode, store: DossiersDep, scope: ScopeDep, files: FilesDep) -> list[AttachmentView]:
    """The dossier's files, oldest first, with who attached each and its checksum."""
    stored = visible_dossier(store, code, scope)
    return attachment_views(store, files.attachments(stored.dossier.code))


@router.get("/dossiers/{code}/attachments/{id}", response_class=FileResponse, responses=responses(401, 403, 404),
            dependencies=[allow(P.dossier_read)])
def download_attachment(code: DossierCode, id: AttachmentId, store: DossiersDep, scope: ScopeDep,
                        files: FilesDep) -> FileResponse:
    """The file's bytes, as a download of the type read at upload (never sniffed by the browser)."""
    stored = visible_dossier(store, code, scope)
    found = files.attachment(stored.dossier.code, int(id)) if id.isdigit() else None
    path = files.files.path_of(found.sha256) if found is not None else None
    if found is None or path is None or not path.is_file():
        raise ApiError(404, "attachment_not_found", f"dossier {stored.dossier.code} has no attachment {id!r}",
                       "Không tìm thấy tệp đính kèm.")
    return FileResponse(path, media_type=found.media_type, filename=found.filename,
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


@router.post("/dossiers/{code}/notes", status_code=201, response_model=NoteView,
             responses=responses(401, 403, 404, 422), dependencies=[allow(P.dossier_act)])
def add_note(code: DossierCode, actor: ActorDep, store: DossiersDep, scope: ScopeDep, files: FilesDep,
             body: Annotated[NoteCreate | None, Body()] = None) -> NoteView:
    """Write a note on a dossier you handle (``{"text": …}``); the audit log records it."""
    stored = handled_dossier(store, code, scope, actor)  # before the body: an outsider learns nothing
    if body is None:
        raise ApiError(422, "empty_note", "send {\"text\": …}", "Vui lòng nhập nội dung ghi chú.")
    try:
        note = files.add_note(stored.dossier.code, body.text, actor)
    except BadText as exc:
        raise refused(exc) from None
    return note_views(store, [note])[0]


@router.get("/dossiers/{code}/notes", response_model=list[NoteView], responses=responses(401, 403, 404),
            dependencies=[allow(P.dossier_read)])
def list_notes(code: DossierCode, store: DossiersDep, scope: ScopeDep, files: FilesDep) -> list[NoteView]:
    """The dossier's notes, oldest first, by their authors' names."""
    stored = visible_dossier(store, code, scope)
    return note_views(store, files.notes(stored.dossier.code))
