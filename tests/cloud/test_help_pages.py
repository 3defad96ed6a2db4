"""The user guides: one per group of users, reachable from every console page, pictured with the
screenshots the browser tests take (so a guide cannot show a screen that no longer exists)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from cloud.domain.roles import Role
from cloud.web.help_pages import GUIDE_DIR, GUIDES, IMAGE_DIR, guide_for, images_named

BROWSER_TESTS = Path(__file__).resolve().parents[1]


def _kept_names() -> set[str]:
    """Every screenshot name a test passes to tests/browser/shots.keep()."""
    names: set[str] = set()
    for path in BROWSER_TESTS.rglob("test_*.py"):
        names.update(re.findall(r"keep\([^()]*?,\s*[^()]*?,\s*\"([a-z0-9-]+)\"", path.read_text(encoding="utf-8")))
    return names


def test_every_officer_role_has_a_guide() -> None:
    for role in Role:
        if role is not Role.public:
            assert guide_for(role) is not None, role


def test_every_picture_of_a_guide_exists_and_is_taken_by_a_browser_test() -> None:
    kept = _kept_names()
    assert kept, "no browser test keeps a screenshot"
    for guide in GUIDES:
        assert (GUIDE_DIR / f"{guide.slug}.md").is_file(), guide.slug
        for name in images_named(guide.slug):
            assert name.removesuffix(".png") in kept, f"{guide.slug}: {name} is taken by no browser test"
            assert (IMAGE_DIR / name).is_file(), f"{guide.slug}: {name} missing; run `make guide`"


def test_each_guide_renders_in_vietnamese_with_its_pictures(api: httpx.Client) -> None:
    index = api.get("/console/help")
    assert index.status_code == 200
    for guide in GUIDES:
        assert f'href="/console/help/{guide.slug}"' in index.text and guide.title in index.text
        page = api.get(f"/console/help/{guide.slug}")
        assert page.status_code == 200, guide.slug
        assert guide.title in page.text and guide.readers in page.text
        for name in images_named(guide.slug):
            assert f'src="/console/help/img/{name}"' in page.text
            picture = api.get(f"/console/help/img/{name}")
            assert picture.status_code == 200 and picture.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_help_link_is_on_console_pages(api: httpx.Client) -> None:
    for path in ("/login", "/console", "/console/help", "/console/offices/ghost"):
        assert 'href="/console/help"' in api.get(path).text, path


def test_unknown_guides_and_pictures_are_404_without_leaving_the_folder(api: httpx.Client) -> None:
    assert api.get("/console/help/khong-co").status_code == 404
    assert "Không có hướng dẫn" in api.get("/console/help/khong-co").text
    for name in ("..%2F..%2Fsettings.py", "x.jpg", "khong-co.png"):
        assert api.get(f"/console/help/img/{name}").status_code == 404, name
