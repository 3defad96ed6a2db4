"""What a procedure's downloadable form may be, read from its bytes and its title (cloud.domain.procedure_forms)."""

from __future__ import annotations

import pytest

from cloud.domain.attachments import BadText
from cloud.domain.procedure_forms import DOCX, PDF, clean_title, download_name, is_docx, sniff_form


def test_the_type_comes_from_the_first_bytes() -> None:
    assert sniff_form(b"%PDF-1.7\n") == PDF
    assert sniff_form(b"PK\x03\x04\x14\x00") == DOCX  # a candidate, until its entries are seen
    assert sniff_form(b"<html>") is None and sniff_form(b"\x89PNG\r\n\x1a\n") is None and sniff_form(b"") is None


def test_only_a_word_document_without_macros_is_a_docx() -> None:
    word = ["[Content_Types].xml", "_rels/.rels", "word/document.xml"]
    assert is_docx(word)
    assert not is_docx(["[Content_Types].xml", "xl/workbook.xml"])  # a spreadsheet
    assert not is_docx(["META-INF/MANIFEST.MF", "a.class"])  # any other ZIP
    assert not is_docx([*word, "word/vbaProject.bin"])  # a DOCM in disguise


def test_the_title_is_cleaned_and_names_the_download() -> None:
    assert clean_title("  Tờ khai   đăng ký khai sinh ") == "Tờ khai đăng ký khai sinh"
    assert clean_title("To\u0302\u0300 khai") == "Tồ khai"  # NFC
    for bad, code in (("", "title_required"), ("  ", "title_required"), ("Tờ\u202ekhai", "bad_title"),
                      ("x" * 201, "title_too_long")):
        with pytest.raises(BadText) as caught:
            clean_title(bad)
        assert caught.value.code == code and caught.value.message_vi
    assert download_name("Tờ khai đăng ký khai sinh", PDF) == "Tờ khai đăng ký khai sinh.pdf"
    assert download_name("Mẫu 01/TP: tờ khai?", DOCX) == "Mẫu 01-TP- tờ khai-.docx"
    assert download_name("...", PDF) == "bieu-mau.pdf"
