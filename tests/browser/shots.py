"""Screenshots that the browser tests keep: as test artefacts, and as the pictures of the user guides.

Every test that walks a role's path calls :func:`keep` at the steps a user guide shows. The picture is
written to the test's ``tmp_path`` (to look at after a run) and, when ``ONESTOP_GUIDE_SHOTS`` names a
directory (``make guide`` sets it to ``cloud/web/guide/img``), there too under its stable name, so the guides
are rebuilt from what the console really looks like and never go stale.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

GUIDE_SHOTS_ENV = "ONESTOP_GUIDE_SHOTS"
NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def keep(page: Any, tmp_path: Path, name: str, *, full_page: bool = True) -> Path:
    """Screenshot ``page`` as ``name``.png (lowercase words joined by hyphens, e.g. ``reception-intake``)."""
    if not NAME.match(name):
        raise ValueError(f"screenshot name {name!r}: use lowercase words joined by hyphens")
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    target = os.environ.get(GUIDE_SHOTS_ENV)
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(target) / path.name)
    return path
