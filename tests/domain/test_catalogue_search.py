"""Finding a procedure as a reception officer types it: code or name words, accents optional."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloud.domain.catalogue import Procedure, Tier, fold, parse_catalogue, search
from tests.domain.support import load

PROCEDURES = parse_catalogue(load("catalogue.yaml"), "catalogue.yaml").procedures


def codes(query: str, **kwargs: Any) -> list[str]:
    return [m.procedure.code for m in search(PROCEDURES, query, **kwargs)]


def test_fold_strips_accents_and_punctuation() -> None:
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"
    assert fold("  ĐĂNG  KÝ—KHAI, sinh!! ") == "dang ky khai sinh"
    assert fold("Chứng thực bản sao") == "chung thuc ban sao"
    assert fold("Thỏa thuận, hủy bỏ") == "thoa thuan huy bo"
    assert fold("HT.01") == "ht 01"
    assert fold("") == fold(" .,; ") == ""


def test_every_name_without_accents_finds_its_procedure_first() -> None:
    assert len({fold(p.name) for p in PROCEDURES}) == len(PROCEDURES), "two names fold alike: they cannot both win"
    for procedure in PROCEDURES:
        bare = "".join(c for c in unicodedata.normalize("NFD", procedure.name)
                       if not unicodedata.combining(c)).replace("đ", "d").replace("Đ", "D").lower()
        assert codes(bare)[0] == procedure.code, bare
        assert codes(procedure.name)[0] == procedure.code, procedure.name


@st.composite
def typed(draw: st.DrawFn) -> tuple[Procedure, str]:
    """A procedure's name as someone might type it: each letter with or without its accent, any case, extra spaces."""
    procedure = draw(st.sampled_from(PROCEDURES))
    out: list[str] = []
    for char in procedure.name:
        if draw(st.booleans()):
            char = fold(char) or char
        if draw(st.booleans()):
            char = char.upper()
        out.append(char * (draw(st.integers(1, 3)) if char == " " else 1))
    return procedure, "".join(out)


@given(typed())
def test_a_name_typed_any_way_finds_its_procedure_first(case: tuple[Procedure, str]) -> None:
    procedure, query = case
    assert codes(query)[0] == procedure.code


@given(st.text(max_size=60))
def test_fold_is_idempotent_and_never_fails(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert "  " not in fold(text) and fold(text) == fold(text).strip()


def test_hand_cases() -> None:
    assert codes("dang ky khai sinh")[0] == "HT.01"
    # the whole name before the longer ones that contain it
    assert codes("dang ky khai sinh")[:2] == ["HT.01", "HT.10"]
    assert codes("khai sinh")[:3] == ["HT.01", "HT.04", "HT.10"]
    # codes: exact whatever the punctuation and case, then the code's prefix
    for query in ("HT.01", "ht01", "ht 01", "Ht.01"):
        assert codes(query)[0] == "HT.01", query
    assert codes("ct")[:10] == [f"CT.{n:02}" for n in range(1, 11)]
    assert [m.tier for m in search(PROCEDURES, "ht.1")] == [Tier.code_prefix] * 2  # HT.10, HT.11
    # a field's word: every procedure of it whose name has it, shortest name first
    certified = codes("chứng thực")
    assert certified[0] == "CT.05" and {f"CT.{n:02}" for n in range(1, 11)} <= set(certified)
    assert "GD.02" not in certified  # "văn bằng, chứng chỉ": chứng is there, thực is not
    # a word in the middle of a name
    assert codes("karaoke") == ["VH.01"]
    assert codes("thế chấp") == ["DD.07", "DD.08"]
    # words in another order, and type-ahead prefixes
    assert search(PROCEDURES, "khai sinh dang ky")[0].tier is Tier.all_words
    assert codes("dang ky khai s")[0] == "HT.01"
    assert search(PROCEDURES, "dang k kh si")[0].tier is Tier.word_prefixes
    # no typo tolerance: a misspelt word finds nothing rather than a wrong procedure
    assert codes("khai sinhh") == []
    assert codes("zzz") == []


def test_empty_query_lists_everything_by_code() -> None:
    assert codes("") == codes(" ,. ") == sorted(p.code for p in PROCEDURES)


def test_filters_and_the_office_fields() -> None:
    assert codes("cap lai", fields={"xay_dung"}) == ["XD.04"]
    assert set(codes("", fields={"ho_tich"})) == {p.code for p in PROCEDURES if p.field == "ho_tich"}
    # an office serving construction only: "cấp lại" shows its procedure first, the others after
    everywhere = search(PROCEDURES, "cap lai giay")
    first = search(PROCEDURES, "cap lai giay", served={"xay_dung"})
    assert everywhere[0].procedure.code == "DD.04" and first[0].procedure.code == "XD.04"
    assert [m.served for m in first] == sorted((m.served for m in first), reverse=True)
    assert {m.procedure.code for m in first} == {m.procedure.code for m in everywhere}
    assert codes("cap lai giay", served={"xay_dung"}, served_only=True) == ["XD.04"]
    assert all(m.served for m in everywhere)  # no office: everything counts as served


@pytest.mark.parametrize("limit", [1, 3])
def test_limit(limit: int) -> None:
    assert len(codes("dang ky", limit=limit)) == limit
