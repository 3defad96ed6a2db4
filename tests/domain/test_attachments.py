"""What a dossier may store, decided from the bytes and the words alone (cloud.domain.attachments)."""

from __future__ import annotations

import pytest

from cloud.domain.attachments import BadText, clean_filename, clean_note, size_label, sniff


@pytest.mark.parametrize(("head", "media_type"), [
    (b"%PDF-1.7\n", "application/pdf"), (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"), (b"PK\x03\x04", None), (b"<html>", None), (b"MZ\x90", None),
    (b"", None), (b" %PDF-1.4", None),
])
def test_the_type_is_read_from_the_first_bytes(head: bytes, media_type: str | None) -> None:
    assert sniff(head) == media_type


@pytest.mark.parametrize(("raw", "shown"), [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\an\\Giấy tờ.pdf", "Giấy tờ.pdf"), ("  scan.pdf ", "scan.pdf"),
    ("Gia\u0301y.pdf", "Giáy.pdf"),  # decomposed accents are composed (NFC)
])
def test_a_name_keeps_its_last_component(raw: str, shown: str) -> None:
    assert clean_filename(raw) == shown


@pytest.mark.parametrize("raw", ["a\nb.pdf", "a\tb.pdf", "a\x00.pdf", "\u202efdp.exe", "a\r.pdf", "", "..", "/",
                                 None, "x" * 201])
def test_a_name_with_control_characters_or_none_is_refused(raw: str | None) -> None:
    with pytest.raises(BadText) as refused:
        clean_filename(raw)
    assert refused.value.code == "bad_filename" and "tên" in refused.value.message_vi.lower()


def test_a_note_keeps_its_lines_and_refuses_control_characters() -> None:
    assert clean_note(" một\r\nhai\tba ") == "một\nhai\tba"
    for raw, code in [("", "empty_note"), (" \n ", "empty_note"), ("x" * 4001, "note_too_long"), ("a\x1bb", "bad_note")]:
        with pytest.raises(BadText) as refused:
            clean_note(raw)
        assert refused.value.code == code


def test_sizes_read_as_officers_write_them() -> None:
    assert [size_label(n) for n in (10, 2048, 870_000, 1_468_006, 10 * 1024 * 1024)] == [
        "1 KB", "2 KB", "850 KB", "1,4 MB", "10 MB"]
