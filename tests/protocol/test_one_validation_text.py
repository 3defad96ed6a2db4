"""No module formats a pydantic ValidationError by hand: they all call protocol.errors.

Issue 8 found six copies of the ``path: reason`` loop; two came back later
(cloud/registry/store.py, onestop_cli/office.py). A copy drifts (its own
root name, no ``Value error,`` trimming, no limit), so this test reads every
source file and refuses a hand-written walk over ``exc.errors()``.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["protocol", "workdays", "transport", "broker", "edge", "cloud", "onestop_cli", "bench"]
#: Where ``.errors()`` is read for something other than the English ``path: reason`` text: the one helper, the
#: API's structured 422 body, and the catalogue editor, which words each problem in Vietnamese for the officer
#: by the error's type and the form's section names.
ALLOWED = {"protocol/errors.py", "cloud/api/errors.py", "cloud/web/admin/catalogue.py"}
HAND_WRITTEN = re.compile(r"\.errors\(|\[['\"]loc['\"]\]")


def test_every_validation_error_is_worded_by_protocol_errors() -> None:
    copies = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if str(path.relative_to(ROOT)) not in ALLOWED and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if HAND_WRITTEN.search(line)
    ]
    assert copies == [], "use protocol.errors.validation_text / validation_lines:\n" + "\n".join(copies)
