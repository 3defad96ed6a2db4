"""What the procedure editor shows of its downloadable forms (listing, limits); the routes are in ``forms``."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from cloud.api.routes.procedure_forms import form_views
from cloud.domain.attachments import size_label
from cloud.domain.procedure_forms import ALLOWED_VI, MAX_TITLE
from cloud.settings import Settings

FORM_DONE = {"form_added": "Đã tải biểu mẫu lên; công dân và bộ phận một cửa tải về được ngay.",
             "form_removed": "Đã gỡ biểu mẫu; không còn ai tải về được nữa."}
"""What the page says after a form was published or withdrawn (chosen by a code, never text from the address)."""


def forms_context(request: Request, code: str) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    return {"forms": form_views(request.app.state.procedure_forms.forms(code)),
            "forms_types": ALLOWED_VI, "forms_max_label": size_label(settings.procedure_form_max_bytes),
            "forms_title_max": MAX_TITLE}
