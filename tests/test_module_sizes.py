"""The pure core stays in modules one can read whole: none in protocol/, workdays/ or cloud/domain/ over 400 lines.

Issue 8 split ``cloud/domain/workflow.py`` (about 1,100 lines, nine jobs)
into a package with one job per module; this keeps the next one from
growing back. A module that needs more is two jobs: split it.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PURE = ["protocol", "workdays", "cloud/domain"]
LIMIT = 400


def test_no_pure_module_is_over_the_limit() -> None:
    sizes = {str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
             for package in PURE for path in (ROOT / package).rglob("*.py")}
    assert len(sizes) > 20  # the packages were found
    assert {name: n for name, n in sizes.items() if n > LIMIT} == {}
