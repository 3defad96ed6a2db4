"""Downloadable forms of a procedure (biểu mẫu, tờ khai; issue 11): list and download, open to everyone.

The forms are public information, like the catalogue (``catalogue.read``):
a citizen downloads "Tờ khai đăng ký khai sinh" before coming to the desk,
with no account. The administrator publishes them on the console's
procedure page (``cloud.web.admin.forms``). A download is served with the
type read at upload, ``Content-Disposition: attachment`` named after the
title, and ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, cast
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from cloud.api.deps import SessionDep, allow
from cloud.api.errors import ApiError, responses
from cloud.db.dossiers import ProcedureRow
from cloud.domain.access import Permission as P
from cloud.domain.attachments import size_label
from cloud.domain.procedure_forms import FORM_TYPES
from cloud.dossiers.procedure_forms import ProcedureForm, ProcedureForms

router = APIRouter(tags=["dossiers"])

ProcedureCode = Annotated[str, Path(max_length=40, description="Procedure code, e.g. HT.01")]
FormId = Annotated[str, Path(max_length=20, description="The form's id in the procedure's list")]


async def get_forms(request: Request) -> ProcedureForms:
    return cast(ProcedureForms, request.app.state.procedure_forms)


FormsDep = Annotated[ProcedureForms, Depends(get_forms)]


class ProcedureFormView(BaseModel):
    id: int
    title: str = Field(examples=["Tờ khai đăng ký khai sinh"])
    filename: str = Field(examples=["Tờ khai đăng ký khai sinh.pdf"], description="The download's name.")
    sha256: str = Field(description="Hex SHA-256 of the stored bytes: compare with a download.")
    size: int
    size_label: str = Field(examples=["120 KB"])
    media_type: str = Field(description="Read from the bytes at upload: PDF or DOCX.")
    type_label: str = Field(examples=["PDF", "DOCX"])
    at: datetime = Field(description="When it was published.")
    url: str = Field(description="Where to download it.")


def form_url(form: ProcedureForm) -> str:
    return f"/api/v1/catalogue/{quote(form.procedure, safe='')}/forms/{form.id}"


def form_views(found: list[ProcedureForm]) -> list[ProcedureFormView]:
    return [ProcedureFormView(id=f.id, title=f.title, filename=f.filename, sha256=f.sha256, size=f.size,
                              size_label=size_label(f.size), media_type=f.media_type,
                              type_label=FORM_TYPES.get(f.media_type, (f.media_type, ""))[0], at=f.at,
                              url=form_url(f)) for f in found]


def _procedure(session: SessionDep, code: str) -> str:
    row = session.get(ProcedureRow, code)
    if row is None:
        raise ApiError(404, "procedure_not_found", f"no procedure {code!r} in the catalogue",
                       f"Không tìm thấy thủ tục “{code}”.")
    return row.code


@router.get("/catalogue/{code}/forms", response_model=list[ProcedureFormView], responses=responses(404),
            dependencies=[allow(P.catalogue_read)])
def list_forms(session: SessionDep, code: ProcedureCode, forms: FormsDep) -> list[ProcedureFormView]:
    """The procedure's downloadable forms (tờ khai, biểu mẫu), in the order they were published."""
    return form_views(forms.forms(_procedure(session, code)))


@router.get("/catalogue/{code}/forms/{id}", response_class=FileResponse, responses=responses(404),
            dependencies=[allow(P.catalogue_read)])
def download_form(session: SessionDep, code: ProcedureCode, id: FormId, forms: FormsDep) -> FileResponse:
    """The form's bytes, as a download named after its title (never sniffed by the browser)."""
    procedure = _procedure(session, code)
    found = forms.form(procedure, int(id)) if id.isdigit() else None
    path = forms.files.path_of(found.sha256) if found is not None else None
    if found is None or path is None or not path.is_file():
        raise ApiError(404, "form_not_found", f"procedure {procedure} has no form {id!r}",
                       "Không tìm thấy biểu mẫu.")
    return FileResponse(path, media_type=found.media_type, filename=found.filename,
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"})
