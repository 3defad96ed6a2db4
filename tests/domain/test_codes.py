"""Dossier codes: formatting from a pattern, parsing typed and scanned codes."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloud.domain.codes import DEFAULT_PATTERN, CodeError, CodeFormat, DossierCode, format_code, parse_code


def test_default_pattern() -> None:
    assert DEFAULT_PATTERN == "{agency}-{yymmdd}-{seq:04d}"
    code = format_code("H74.718", date(2026, 11, 23), 42)
    assert code == "H74.718-261123-0042"
    assert parse_code(code) == DossierCode(agency="H74.718", day=date(2026, 11, 23), seq=42)


def test_national_style_identifiers() -> None:
    code = format_code("000.00.20.H57", date(2026, 1, 5), 1)
    assert code == "000.00.20.H57-260105-0001"
    assert parse_code(code).agency == "000.00.20.H57"


@pytest.mark.parametrize(
    "scanned",
    [
        " H74.718-261123-0042\r\n",  # a keyboard-wedge scanner's CR/LF
        "h74.718-261123-0042",  # caps lock
        "https://dichvucong.example.gov.vn/tra-cuu?ma=H74.718-261123-0042&lang=vi",  # a QR code's lookup URL
        "Mã hồ sơ: H74.718-261123-0042",
    ],
)
def test_scanned_codes(scanned: str) -> None:
    assert parse_code(scanned) == DossierCode(agency="H74.718", day=date(2026, 11, 23), seq=42)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("H74.718-261332-0042", "no dossier code"),  # 32 March
        ("H74.718-261123-0000", "no dossier code"),
        ("H74.718-261123-42", "no dossier code"),
        ("hello", "no dossier code"),
    ],
)
def test_invalid_codes(text: str, message: str) -> None:
    with pytest.raises(CodeError, match=message):
        parse_code(text)
    assert not CodeFormat().is_valid(text)
    with pytest.raises(CodeError):
        CodeFormat().parse(text)


def test_a_sequence_outgrowing_its_width_keeps_its_digits() -> None:
    code = format_code("H74", date(2026, 11, 23), 12345)
    assert code == "H74-261123-12345" and parse_code(code).seq == 12345


def test_custom_patterns() -> None:
    fmt = CodeFormat("HS/{yyyy}{mm}{dd}/{agency}/{seq:05d}")
    code = fmt.format("UBNDTDM", date(2026, 2, 23), 7)
    assert code == "HS/20260223/UBNDTDM/00007"
    assert fmt.parse(code) == DossierCode(agency="UBNDTDM", day=date(2026, 2, 23), seq=7)
    no_agency = CodeFormat("{yyyymmdd}-{seq:03d}")
    assert no_agency.parse(no_agency.format("", date(2026, 2, 23), 5)).agency == ""


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{agency}-{yymmdd}", "needs {seq}"),
        ("{agency}-{seq:04d}", "needs a full date"),
        ("{agency}-{yymmdd}-{seq:04d}-{office}", "unknown field"),
        ("{agency:>5}-{yymmdd}-{seq}", "only {seq} takes a format spec"),
        ("{seq}-{yymmdd}-{seq}", "appears twice"),
        ("{agency-{yymmdd}", "dossier code pattern"),
    ],
)
def test_invalid_patterns(pattern: str, message: str) -> None:
    with pytest.raises(CodeError, match=message):
        CodeFormat(pattern)


def test_invalid_inputs_to_format() -> None:
    with pytest.raises(CodeError, match="sequence"):
        format_code("H74", date(2026, 1, 1), 0)
    with pytest.raises(CodeError, match="agency identifier"):
        format_code("H74-718", date(2026, 1, 1), 1)


AGENCIES = st.from_regex(r"\A[A-Z0-9](?:[A-Z0-9._]{0,12}[A-Z0-9])?\Z")


@settings(max_examples=200, deadline=None)
@given(agency=AGENCIES, day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), seq=st.integers(min_value=1, max_value=99_999))
def test_format_then_parse_round_trips(agency: str, day: date, seq: int) -> None:
    code = format_code(agency, day, seq)
    assert parse_code(code) == DossierCode(agency=agency, day=day, seq=seq)
    assert parse_code(f"https://x.vn/tra-cuu?ma={code}") == DossierCode(agency=agency, day=day, seq=seq)
