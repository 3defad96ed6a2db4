"""Hướng dẫn sử dụng: the user guides, one per group of users, reachable from every console page.

Hải Phòng trained its officers in four groups before roll-out (seed 004); the guides follow those
groups plus the results desk: reception, processing (department heads and specialists), approval,
results desk (with the clerk), administration. They are Markdown files in ``cloud/web/guide/``; the
pictures in ``guide/img/`` are the screenshots the browser tests take at each step
(``tests/browser/shots.py``; ``make guide`` re-takes them), so a guide shows the console as it is.
A test checks that every picture a guide names is one the tests take.

The guides need no sign-in: they show the demo office only, and an officer locked out of the
console must still be able to read how to sign in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from markdown_it import MarkdownIt

from cloud.api.deps import PrincipalDep
from cloud.domain.roles import Role
from cloud.web.console import templates

GUIDE_DIR = Path(__file__).resolve().parent / "guide"
IMAGE_DIR = GUIDE_DIR / "img"
IMAGE_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*\.png$")


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    readers: str
    roles: frozenset[Role]


GUIDES: tuple[Guide, ...] = (
    Guide("tiep-nhan", "Tiếp nhận hồ sơ tại quầy", "Cán bộ tiếp nhận", frozenset({Role.reception})),
    Guide("xu-ly", "Phân công và xử lý hồ sơ", "Trưởng phòng, chuyên viên thụ lý",
          frozenset({Role.department_head, Role.specialist})),
    Guide("phe-duyet", "Phê duyệt kết quả", "Lãnh đạo", frozenset({Role.leader})),
    Guide("tra-ket-qua", "Vào sổ và trả kết quả", "Văn thư, cán bộ trả kết quả",
          frozenset({Role.results_desk, Role.clerk})),
    Guide("quan-tri", "Quản trị và giám sát", "Quản trị hệ thống, cán bộ CNTT, giám sát cấp tỉnh",
          frozenset({Role.admin, Role.it, Role.provincial_monitor})),
)
BY_SLUG = {guide.slug: guide for guide in GUIDES}

router = APIRouter(include_in_schema=False)
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def guide_for(role: Role) -> Guide | None:
    """The guide of the group a role trained in (none for a citizen)."""
    return next((guide for guide in GUIDES if role in guide.roles), None)


@cache
def _rendered(slug: str) -> str:
    """The guide as HTML; pictures are served from this router (the files are read once per process)."""
    text = (GUIDE_DIR / f"{slug}.md").read_text(encoding="utf-8")
    html: str = _markdown.render(text)
    return html.replace('src="img/', 'src="/console/help/img/')


def images_named(slug: str) -> list[str]:
    """The pictures a guide shows (the test checks each is one the browser tests take)."""
    text = (GUIDE_DIR / f"{slug}.md").read_text(encoding="utf-8")
    return re.findall(r"\]\(img/([^)\s]+)\)", text)


@router.get("/console/help", response_class=HTMLResponse)
def help_index(request: Request, principal: PrincipalDep) -> HTMLResponse:
    mine = guide_for(principal.role) if principal.user else None
    return templates.TemplateResponse(request, "help.html", {
        "guides": GUIDES, "mine": mine, "user": principal if principal.user else None})


@router.get("/console/help/img/{name}", response_model=None)
def help_image(name: str) -> FileResponse | HTMLResponse:
    path = IMAGE_DIR / name
    if not IMAGE_NAME.match(name) or not path.is_file():
        return HTMLResponse("Không có hình này.", status_code=404)
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "max-age=3600"})


@router.get("/console/help/{slug}", response_class=HTMLResponse)
def help_guide(request: Request, slug: str, principal: PrincipalDep) -> HTMLResponse:
    guide = BY_SLUG.get(slug)
    user = principal if principal.user else None
    if guide is None:
        return templates.TemplateResponse(request, "help.html", {
            "guides": GUIDES, "mine": None, "user": user, "missing": slug}, status_code=404)
    return templates.TemplateResponse(request, "help_guide.html", {
        "guide": guide, "body": _rendered(slug), "user": user})
