"""Hand-overs from a barcode or QR scanner: read the dossier code, choose the action.

Seed 001: officers handed paper on without recording it, and the barcode
readers bought for every counter were never used. A scanner types what it
reads followed by Enter, so a desk records a hand-over by scanning the slip:

* :func:`read_scanned_code` finds the dossier code in what the scanner typed:
  a bare code (any case, surrounded by spaces or the scanner's CR/LF), or a
  QR code's URL — the public lookup ``…/public/dossiers/{code}``, or a
  ``?code=…`` / ``?ma=…`` query — percent-encoded or not;
* :data:`SCAN_ACTIONS` is what a scan means for the scanning person when they
  do not say: the move by which a dossier reaches their desk. Roles whose move
  needs data (the department head's ``assign`` needs an officer) or a
  decision (the leader's ``approve``/``refuse``) have no default: they name
  the action.

Pure: the code format is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qs, unquote_plus, urlsplit

from cloud.domain.codes import CodeError, CodeFormat
from cloud.domain.roles import Role
from cloud.domain.workflow import Action

QUERY_KEYS = ("code", "ma", "ma_ho_so", "mahoso")
"""Query parameters a lookup URL may carry the code in."""

SCAN_ACTIONS: Mapping[Role, Action] = {
    Role.reception: Action.receive_supplement,  # the citizen brings the missing papers with the slip
    Role.specialist: Action.start,  # the handling officer has the assigned dossier on the desk
    Role.results_desk: Action.deliver_result,  # the signed result (or refusal notice) reaches the desk
}
"""The default action of a scan per role; any other role must name the action."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ScanError(ValueError):
    """Nothing usable was scanned, or the role has no default action; the message says what to do."""


def read_scanned_code(scanned: str, code_format: CodeFormat) -> str:
    """The dossier code in ``scanned``, written as the system writes it (upper case, canonical)."""
    text = _CONTROL.sub("", scanned).strip()
    candidates: list[str] = []
    if "://" in text or text.startswith("/") or "?" in text:
        parts = urlsplit(text)
        query = parse_qs(parts.query)
        candidates += [value for key in QUERY_KEYS for value in query.get(key, [])]
        segments = [s for s in parts.path.split("/") if s]
        if segments:
            candidates.append(unquote_plus(segments[-1]))
    candidates.append(unquote_plus(text))
    for candidate in candidates:
        try:
            found = code_format.find(candidate)
        except CodeError:
            continue
        return code_format.format(found.agency, found.day, found.seq)
    shown = text[:80] + ("…" if len(text) > 80 else "")
    raise ScanError(f"no dossier code of the form {code_format.pattern} in the scanned text {shown!r}; "
                    "scan the barcode or QR code of the receipt slip again, or type the code")


def default_scan_action(role: Role) -> Action:
    """The action a scan takes when the scanning person names none (:data:`SCAN_ACTIONS`)."""
    default = SCAN_ACTIONS.get(role)
    if default is None:
        defaults = ", ".join(f"{r.value} → {a.value}" for r, a in SCAN_ACTIONS.items())
        raise ScanError(f"role {role.value} has no default action for a scan; name the action "
                        f"(defaults: {defaults})")
    return default
