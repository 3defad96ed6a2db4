"""Finding a procedure by what the officer types: its code or words of its name, accents optional.

The reception officer starts an intake from the called ticket by finding the
procedure the citizen asks for. Keyboards at the counters often have no
Vietnamese input method switched on, so "dang ky khai sinh" must find "Đăng
ký khai sinh", and "ht01" or "HT.01" the code HT.01.

Matching compares *folded* text (:func:`fold`): Unicode NFD with the
combining marks dropped, đ/Đ → d (the one Vietnamese letter that does not
decompose), casefolded, every run of other characters (spaces, punctuation)
one space. The standard library's ``unicodedata`` is all this needs: the
catalogue is Vietnamese, and a transliteration library (``unidecode``) would
add a dependency only to handle scripts it never holds.

Ranking (:class:`Tier`, best first), then fewer words in the name (the
query "dang ky khai sinh" is all of "Đăng ký khai sinh" and a part of "Đăng
ký khai sinh lưu động": the whole one first), then the code:

1. the code itself ("HT.01", "ht01", "ht 01");
2. a prefix of the code, at least two characters ("HT", "ct.0");
3. the query's words in a row in the name ("khai sinh");
4. all the query's words in the name, any order ("khai sinh dang ky");
5. every query word the start of a word of the name ("dang k kh sinh": type-ahead).

No typo tolerance: a word must be spelt as in the name (accents aside).
Pure: no I/O; it ranks anything with a ``code``, ``name`` and ``field``
(the domain's :class:`~cloud.domain.catalogue.Procedure`, the cloud's
``ProcedureRow``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Generic, Protocol, TypeVar

MAX_QUERY = 100
"""The longest query the API takes (characters): longer than any procedure's name a person would type."""

_SEPARATORS = re.compile(r"[\W_]+")
_D = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """``text`` as it is compared: no accents, đ → d, casefolded, words separated by single spaces.

    >>> fold("  Đăng ký   KHAI-SINH ")
    'dang ky khai sinh'
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", bare.casefold()).strip()


def _compact(text: str) -> str:
    return fold(text).replace(" ", "")


class Searchable(Protocol):
    """What a search needs of a procedure."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def field(self) -> str: ...


class Tier(IntEnum):
    """How a procedure matched, best first (the module's docstring lists them)."""

    code = 1
    code_prefix = 2
    phrase = 3
    all_words = 4
    word_prefixes = 5
    listed = 6
    """An empty query: every procedure, by code."""


_BY_CODE = frozenset({Tier.code, Tier.code_prefix, Tier.listed})
"""Ranks ordered by code alone; the name ranks put shorter names first."""

P = TypeVar("P", bound=Searchable)


@dataclass(frozen=True)
class Match(Generic[P]):
    procedure: P
    tier: Tier
    served: bool
    """Of a catalogue field the office serves (True when no office was given)."""


def _tier(query: str, words: list[str], code: str, name: str) -> Tier | None:
    compact_query, compact_code = query.replace(" ", ""), _compact(code)
    if compact_query == compact_code:
        return Tier.code
    if len(compact_query) >= 2 and compact_code.startswith(compact_query):
        return Tier.code_prefix
    name_words = name.split(" ")
    if f" {query} " in f" {name} ":
        return Tier.phrase
    if set(words) <= set(name_words):
        return Tier.all_words
    if all(any(w.startswith(q) for w in name_words) for q in words):
        return Tier.word_prefixes
    return None


def search(procedures: Iterable[P], query: str, *, fields: Collection[str] | None = None,
           served: Collection[str] | None = None, served_only: bool = False,
           limit: int | None = None) -> list[Match[P]]:
    """The procedures ``query`` finds, best first (at most ``limit``).

    ``fields``: only procedures of these catalogue fields. ``served``: the
    catalogue fields the office's queue fields serve; their procedures come
    before the others at every rank (an officer still finds a procedure the
    office does not handle, to redirect the citizen), or alone when
    ``served_only``. An empty query (nothing left once folded) lists them all.
    """
    folded = fold(query)
    words = folded.split(" ") if folded else []
    found: list[tuple[tuple[int, int, int, str], Match[P]]] = []
    for procedure in procedures:
        if fields is not None and procedure.field not in fields:
            continue
        is_served = served is None or procedure.field in served
        if served_only and not is_served:
            continue
        name = fold(procedure.name)
        tier = _tier(folded, words, procedure.code, name) if words else Tier.listed
        if tier is None:
            continue
        size = 0 if tier in _BY_CODE else name.count(" ") + 1  # the name's words: the whole name first
        found.append(((0 if is_served else 1, tier, size, procedure.code), Match(procedure, tier, is_served)))
    found.sort(key=lambda item: item[0])
    return [match for _, match in found[:limit]]
