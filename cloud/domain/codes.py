"""Dossier codes: formatting a new one and reading one back from a keyboard, a barcode or a QR code.

In practice a code is ``{agency's electronic identifier}-{yymmdd}-{4-digit
daily sequence}`` (DOMAIN.md), e.g. ``000.00.20.H57-261123-0042``. The pattern
is configurable per deployment, with these fields:

``{agency}``, ``{yymmdd}``, ``{yyyymmdd}``, ``{yy}``, ``{yyyy}``, ``{mm}``, ``{dd}``, ``{seq}``

``{seq}`` may carry a width (``{seq:04d}``); a sequence that outgrows it
keeps all its digits (``10000``), so codes stay unique and parseable. The
pattern must contain ``{seq}`` and a full date. Uniqueness under concurrency
(two counters taking the next number at once) is the database's job; this
module only formats and parses.

Reading is lenient where scanners are sloppy: surrounding whitespace and
control characters (a scanner's CR/LF), lower case, and a code embedded in a
lookup URL (a QR code may carry ``https://…/tra-cuu?ma=…``) are accepted.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date

DEFAULT_PATTERN = "{agency}-{yymmdd}-{seq:04d}"

AGENCY_RE = r"[A-Z0-9](?:[A-Z0-9._]*[A-Z0-9])?"
_FIELD_RE = {
    "agency": AGENCY_RE,
    "yymmdd": r"\d{6}",
    "yyyymmdd": r"\d{8}",
    "yy": r"\d{2}",
    "yyyy": r"\d{4}",
    "mm": r"\d{2}",
    "dd": r"\d{2}",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class CodeError(ValueError):
    """A code or a pattern is not valid; the message says what was expected."""


@dataclass(frozen=True)
class DossierCode:
    """The parts of a dossier code."""

    agency: str
    day: date
    seq: int


class CodeFormat:
    """A dossier-code pattern, compiled for formatting and parsing."""

    def __init__(self, pattern: str = DEFAULT_PATTERN) -> None:
        self.pattern = pattern
        self._seq_width = 0
        parts: list[str] = []
        fields: set[str] = set()
        try:
            parsed = list(string.Formatter().parse(pattern))
        except ValueError as exc:
            raise CodeError(f"dossier code pattern {pattern!r}: {exc}") from None
        for literal, name, spec, conversion in parsed:
            parts.append(re.escape(literal))
            if name is None:
                continue
            if conversion:
                raise CodeError(f"dossier code pattern {pattern!r}: conversions like !{conversion} are not allowed")
            if name == "seq":
                match = re.fullmatch(r"0?(\d*)d?", spec or "")
                if not match:
                    raise CodeError(f"dossier code pattern {pattern!r}: {{seq}} takes a width like {{seq:04d}}")
                self._seq_width = int(match.group(1) or 0)
                parts.append(rf"(?P<seq>\d{{{max(self._seq_width, 1)},}})")
            elif name in _FIELD_RE:
                if spec:
                    raise CodeError(f"dossier code pattern {pattern!r}: only {{seq}} takes a format spec")
                parts.append(f"(?P<{name}>{_FIELD_RE[name]})")
            else:
                known = ", ".join("{" + f + "}" for f in [*_FIELD_RE, "seq"])
                raise CodeError(f"dossier code pattern {pattern!r}: unknown field {{{name}}}; use {known}")
            if name in fields:
                raise CodeError(f"dossier code pattern {pattern!r}: {{{name}}} appears twice")
            fields.add(name)
        if "seq" not in fields:
            raise CodeError(f"dossier code pattern {pattern!r} needs {{seq}}")
        has_date = (
            "yymmdd" in fields
            or "yyyymmdd" in fields
            or ({"mm", "dd"} <= fields and bool(fields & {"yy", "yyyy"}))
        )
        if not has_date:
            raise CodeError(
                f"dossier code pattern {pattern!r} needs a full date ({{yymmdd}}, {{yyyymmdd}} or year, {{mm}}, {{dd}})"
            )
        self._fields = frozenset(fields)
        body = "".join(parts)
        self._full = re.compile(rf"^{body}$", re.IGNORECASE)
        self._inside = re.compile(rf"(?<![A-Za-z0-9._]){body}(?![0-9])", re.IGNORECASE)

    def format(self, agency: str, day: date, seq: int) -> str:
        """The code of the ``seq``-th dossier of ``day`` at ``agency`` (seq starts at 1)."""
        if seq < 1:
            raise CodeError(f"sequence must be >= 1, got {seq}")
        if "agency" in self._fields and not re.fullmatch(AGENCY_RE, agency):
            raise CodeError(f"agency identifier {agency!r} must be upper-case letters, digits, dots or underscores")
        if day.year < 2000 or day.year > 2099:
            raise CodeError(f"year {day.year} outside 2000–2099")
        values = {
            "agency": agency,
            "yymmdd": f"{day:%y%m%d}",
            "yyyymmdd": f"{day:%Y%m%d}",
            "yy": f"{day:%y}",
            "yyyy": f"{day:%Y}",
            "mm": f"{day:%m}",
            "dd": f"{day:%d}",
            "seq": seq,
        }
        return self.pattern.format(**values)

    def parse(self, text: str) -> DossierCode:
        """The parts of ``text``, which must be exactly one code (after trimming whitespace and control characters)."""
        cleaned = _CONTROL.sub("", text).strip()
        match = self._full.match(cleaned)
        if not match:
            raise CodeError(f"{cleaned!r} is not a dossier code of the form {self.pattern}")
        return self._from_match(match, cleaned)

    def find(self, scanned: str) -> DossierCode:
        """The code inside scanned text: the whole text, or a code embedded in it (a lookup URL)."""
        cleaned = _CONTROL.sub("", scanned).strip()
        try:
            return self.parse(cleaned)
        except CodeError:
            pass
        for match in self._inside.finditer(cleaned):
            try:
                return self._from_match(match, match.group(0))
            except CodeError:
                continue
        raise CodeError(f"no dossier code of the form {self.pattern} in the scanned text {cleaned[:80]!r}")

    def is_valid(self, text: str) -> bool:
        try:
            self.parse(text)
        except CodeError:
            return False
        return True

    def _from_match(self, match: re.Match[str], text: str) -> DossierCode:
        g = match.groupdict()
        try:
            if g.get("yymmdd"):
                v = g["yymmdd"]
                day = date(2000 + int(v[:2]), int(v[2:4]), int(v[4:]))
            elif g.get("yyyymmdd"):
                v = g["yyyymmdd"]
                day = date(int(v[:4]), int(v[4:6]), int(v[6:]))
            else:
                year = int(g["yyyy"]) if g.get("yyyy") else 2000 + int(g["yy"])
                day = date(year, int(g["mm"]), int(g["dd"]))
        except ValueError:
            raise CodeError(f"{text!r} carries an impossible date") from None
        seq = int(g["seq"])
        if seq < 1:
            raise CodeError(f"{text!r} has sequence 0; sequences start at 1")
        return DossierCode(agency=(g.get("agency") or "").upper(), day=day, seq=seq)


def format_code(agency: str, day: date, seq: int, pattern: str = DEFAULT_PATTERN) -> str:
    """Shortcut for ``CodeFormat(pattern).format(...)``."""
    return CodeFormat(pattern).format(agency, day, seq)


def parse_code(text: str, pattern: str = DEFAULT_PATTERN) -> DossierCode:
    """Shortcut for ``CodeFormat(pattern).find(text)``: accepts a bare or embedded code."""
    return CodeFormat(pattern).find(text)
