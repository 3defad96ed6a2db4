"""How Vietnamese text becomes bytes a thermal printer prints correctly, and back.

ESC/POS printers have no UTF-8: text bytes above 0x7F are looked up in the
code page selected with ``ESC t n``, and the slot ``n`` of a given code page
differs between models. python-escpos knows the slots per model from its
capabilities database (``profile``) and, by default, its "magic encoder" picks
*any* code page of the profile that holds the next character, so a Vietnamese
line could hop between CP1250, CP1258, TCVN-3 and others. We never let it roam:
the encoder is limited to one Vietnamese scheme, chosen per profile.

``TCVN-3`` (preferred when the profile has it, as Epson-compatible ones do, in
slots 30/31): every Vietnamese letter is one precomposed byte; lower case lives
in page ``TCVN-3-1``, upper case in ``TCVN-3-2``, and python-escpos switches
between the two with ``ESC t`` as the text needs. Each glyph is a whole letter,
so nothing depends on the printer stacking accents.

``CP1258`` (Windows Vietnamese, the only Vietnamese page of many cheap Chinese
printers): it holds the base letters with their shape marks (â ê ô ơ ư ă đ) and
a handful of toned vowels, and spells every other toned letter as base + a
combining tone mark (U+0300 U+0301 U+0303 U+0309 U+0323, which CP1258 encodes
at 0xCC 0xEC 0xDE 0xD2 0xF2). Python's ``cp1258`` codec does not perform that
decomposition, so ``prepare`` does it. Whether the printer draws the tone mark
over the letter or in the next cell is up to its firmware; some cheap models do
the latter (a POS-5890 in mike42/escpos-php issue #254), which is why TCVN-3
wins when both exist. A model that does neither needs the text rendered as an
image, which we do not do yet.

Quirk worked around here: python-escpos's TCVN-3-2 table lists U+00D0 (Ð,
Icelandic eth) where TCVN-3 has U+0110 (Đ), so upper-case Đ is swapped for Ð
before encoding and back when decoding.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import structlog
from escpos.capabilities import BaseProfile
from escpos.codepages import CodePages
from escpos.magicencode import Encoder

log = structlog.get_logger(__name__)

TCVN3 = "TCVN-3"
CP1258 = "CP1258"
SCHEMES: dict[str, tuple[str, ...]] = {TCVN3: ("TCVN-3-1", "TCVN-3-2"), CP1258: ("CP1258",)}

# Grave, acute, tilde, hook above, dot below: the five Vietnamese tone marks.
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")

# Typographic characters that a page may lack, with what a reader still understands.
_PLAIN_FALLBACK = {
    "\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'",
    "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u00a0": " ",
}
_ESCPOS_ETH = "\u00d0"  # what python-escpos's TCVN-3-2 table has instead of Đ
_D_STROKE = "\u0110"


@cache
def page_characters(encoding: str) -> tuple[str, ...]:
    """The 128 characters of bytes 0x80..0xFF in a python-escpos code page (U+FFFD = unassigned)."""
    page = CodePages.data.get(encoding, {})  # a profile may name a page the database does not describe
    if "data" in page:
        chars = list("".join(page["data"]))
        chars = ["\ufffd" if c == " " else c for c in chars]
        if encoding == "TCVN-3-2":
            chars = [_D_STROKE if c == _ESCPOS_ETH else c for c in chars]
        return tuple(chars)
    if "python_encode" in page:
        return tuple(bytes([b]).decode(page["python_encode"], errors="replace") for b in range(0x80, 0x100))
    return ("\ufffd",) * 128


def decode_page(data: bytes, encoding: str) -> str:
    """Decode printable bytes the way a printer with ``encoding`` selected would draw them."""
    table = page_characters(encoding)
    return "".join(chr(b) if b < 0x80 else table[b - 0x80] for b in data)


@dataclass(frozen=True)
class VietnameseCodePages:
    """One Vietnamese scheme on one printer model: the pages and their ``ESC t`` slots."""

    scheme: str
    slots: dict[str, int]

    def encoder(self) -> Encoder:
        """A python-escpos encoder that may only use this scheme's pages."""
        return Encoder({name: str(slot) for name, slot in self.slots.items()})

    def prepare(self, text: str) -> str:
        """Rewrite ``text`` so that python-escpos can encode every character with our pages."""
        encodable = self._encodable()
        out: list[str] = []
        lost: list[str] = []
        for char in unicodedata.normalize("NFC", text):
            spelled = self._spell(char, encodable)
            if spelled is None:
                lost.append(char)
                spelled = char  # python-escpos prints it as '?'
            out.append(spelled)
        if lost:
            log.warning("printer_text_unencodable", scheme=self.scheme, characters="".join(lost), text=text)
        return "".join(out)

    def _encodable(self) -> frozenset[str]:
        return _encodable(tuple(self.slots))

    def _spell(self, char: str, encodable: frozenset[str]) -> str | None:
        if char < "\x80" or char in encodable:
            return _ESCPOS_ETH if (self.scheme == TCVN3 and char == _D_STROKE) else char
        if self.scheme == CP1258:
            decomposed = unicodedata.normalize("NFD", char)
            tones = "".join(c for c in decomposed if c in TONE_MARKS)
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
            if tones and all(c < "\x80" or c in encodable for c in base + tones):
                return base + tones
        plain = _PLAIN_FALLBACK.get(char)
        if plain is not None:
            return plain
        return None


@cache
def _encodable(pages: tuple[str, ...]) -> frozenset[str]:
    return frozenset(c for page in pages for c in page_characters(page) if c != "\ufffd")


def choose_code_pages(profile: BaseProfile, requested: str | None = None) -> VietnameseCodePages:
    """Pick the Vietnamese scheme for a printer profile; ``requested`` forces one.

    Raises ``ValueError`` naming the profile and the schemes tried when nothing fits.
    """
    available = {name: int(slot) for name, slot in profile.get_code_pages().items()}
    wanted = [requested.upper()] if requested else [TCVN3, CP1258]
    for scheme in wanted:
        pages = SCHEMES.get(scheme)
        if pages is None:
            raise ValueError(f"unknown Vietnamese code page {requested!r}; use one of {', '.join(SCHEMES)}")
        if all(p in available for p in pages):
            return VietnameseCodePages(scheme=scheme, slots={p: available[p] for p in pages})
    profile_name = profile.profile_data.get("name", "?")
    raise ValueError(
        f"printer profile {profile_name!r} has no {' or '.join(wanted)} code page; "
        "choose the python-escpos profile that matches the printer model "
        "(names in escpos.capabilities.CAPABILITIES['profiles'])"
    )
