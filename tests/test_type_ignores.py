"""Every type-ignore comment says why, on its own line (issue 8: "justify every remaining one in place").

mypy's ``warn_unused_ignores`` removes the needless ones in the checked
packages; this test keeps the rest explained, tests/ and bench/ included
(which mypy does not check): the ignore must name its error code and be
followed by ``# reason``.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIRECTORIES = ["protocol", "workdays", "transport", "broker", "edge", "cloud", "onestop_cli", "bench", "tests", "scripts"]
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<code>\[[a-z-]+(?:,\s*[a-z-]+)*\])?(?P<rest>.*)$")


def test_every_type_ignore_names_its_code_and_its_reason() -> None:
    bare = []
    for directory in DIRECTORIES:
        for path in sorted((ROOT / directory).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                found = IGNORE.search(line)
                if found and (not found["code"] or not re.match(r"\s*#\s*\S", found["rest"])):
                    bare.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert bare == [], "say why after the ignore: `type: ignore[code]  # reason`:\n" + "\n".join(bare)
