"""The ticket printer driven through a real pty into the ESC/POS twin."""

from __future__ import annotations

import os
import unicodedata

import pytest
from escpos.capabilities import get_profile
from escpos.printer import Dummy
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.drivers.printer import (
    FOOTER,
    PRIORITY_LINE,
    TITLE,
    PrintableTicket,
    PrinterError,
    TicketPrinter,
    render_ticket,
)
from edge.drivers.vietnamese_codepages import choose_code_pages
from edge.simulation import EscposStream, PrintedLine, PrintedQr, PrinterTwin
from edge.simulation.paper import qr_svg, receipt_view

TIMEOUT = 5.0


def ticket(**changes: object) -> PrintableTicket:
    fields: dict[str, object] = {
        "office_name": "UBND phường Sài Gòn",
        "field_name": "Đất đai – Nhà ở",
        "number": "A012",
        "ticket_id": "01JD2W5K6X-A012",
        "issued_at": "08:15 23/11/2026",
        "waiting_ahead": 4,
    }
    fields.update(changes)
    return PrintableTicket(**fields)  # type: ignore[arg-type]  # fields is a dict[str, object] of the ticket's keywords


@pytest.mark.parametrize(
    ("codepage", "field_line"),
    [
        # TCVN-3 has every toned letter but no en dash: the dash prints as '-'.
        (None, "Đất đai - Nhà ở"),
        # CP1258 has the en dash; toned letters travel as base + combining mark.
        ("CP1258", "Đất đai – Nhà ở"),
    ],
)
def test_ticket_reaches_the_paper_with_exact_vietnamese(
    printer_twin: PrinterTwin, codepage: str | None, field_line: str
) -> None:
    with TicketPrinter(printer_twin.port, codepage=codepage) as printer:
        printer.print_ticket(ticket())
        [receipt] = printer_twin.wait_for_receipts(1, TIMEOUT)

    assert receipt.lines[0] == "UBND phường Sài Gòn"
    assert TITLE in receipt.lines
    assert "A012" in receipt.lines
    assert field_line in receipt.lines
    assert "Giờ lấy số: 08:15 23/11/2026" in receipt.lines
    assert "Số người đang chờ trước bạn: 4" in receipt.lines
    assert receipt.lines[-1] == FOOTER
    assert PRIORITY_LINE not in receipt.lines
    assert receipt.qr_codes == ["01JD2W5K6X-A012"]
    assert all(line == unicodedata.normalize("NFC", line) for line in receipt.lines)
    assert not any(ch < " " for line in receipt.lines for ch in line)
    assert receipt.raw.startswith(b"\x1b@") and receipt.raw.endswith(b"\x1dV\x00")
    assert printer_twin.unknown_commands == 0


def test_number_is_big_and_centred_and_priority_is_marked(printer_twin: PrinterTwin) -> None:
    with TicketPrinter(printer_twin.port) as printer:
        printer.print_ticket(ticket(number="B105", priority=True))
        [receipt] = printer_twin.wait_for_receipts(1, TIMEOUT)

    number_style = receipt.style_of("B105")
    assert (number_style.width, number_style.height, number_style.align) == (2, 2, "center")
    assert receipt.style_of("Đất đai - Nhà ở").width == 1
    assert receipt.style_of(PRIORITY_LINE).bold


def test_the_qr_code_keeps_its_place_module_size_and_error_correction_among_the_lines() -> None:
    """What the virtual office draws: the paper top to bottom, the QR code as the GS ( k commands set it up."""
    [receipt] = EscposStream().feed(render_ticket(ticket(number="A012")))
    kinds = [type(b).__name__ for b in receipt.blocks]
    assert kinds == ["PrintedLine"] * 6 + ["PrintedQr"] + ["PrintedLine"] * 2
    qr = receipt.blocks[6]
    assert qr == PrintedQr("01JD2W5K6X-A012", module_size=6, error_correction="M", align="center")
    assert [b.text for b in receipt.blocks if isinstance(b, PrintedLine)] == receipt.lines
    number = receipt.blocks[2]
    assert isinstance(number, PrintedLine) and (number.text, number.style.width, number.style.height) == ("A012", 2, 2)

    view = receipt_view(receipt, 7)
    assert view["blocks"][6] == {"kind": "qr", "data": "01JD2W5K6X-A012", "align": "center",
                                 "dots": (21 + 2 * 4) * 6,  # version 1 (21 modules) and its quiet zone, 6 dots each
                                 "url": "/sim/receipts/7/qr/0.svg"}
    assert view["blocks"][2] == {"kind": "line", "text": "A012", "align": "center", "bold": True, "width": 2, "height": 2}
    svg = qr_svg(receipt, 0).decode()
    assert svg.startswith("<svg") and 'width="174"' in svg and "<title>01JD2W5K6X-A012</title>" in svg
    with pytest.raises(IndexError):
        qr_svg(receipt, 1)


def test_two_tickets_give_two_receipts_in_order(printer_twin: PrinterTwin) -> None:
    seen = []
    printer_twin.on_receipt = seen.append
    with TicketPrinter(printer_twin.port) as printer:
        printer.print_ticket(ticket(number="A012", ticket_id="t-1"))
        printer.print_ticket(ticket(number="A013", ticket_id="t-2", waiting_ahead=5))
        first, second = printer_twin.wait_for_receipts(2, TIMEOUT)

    assert "A012" in first.lines and "A013" not in first.lines
    assert "A013" in second.lines and "Số người đang chờ trước bạn: 5" in second.lines
    assert [first.qr_codes, second.qr_codes] == [["t-1"], ["t-2"]]
    assert seen == [first, second]


def test_wait_for_receipts_times_out_when_nothing_is_printed(printer_twin: PrinterTwin) -> None:
    with pytest.raises(TimeoutError, match="0 receipt"):
        printer_twin.wait_for_receipts(1, 0.2)


def test_missing_port_raises_an_actionable_printer_error(tmp_path: os.PathLike[str]) -> None:
    port = f"{tmp_path}/ttyUSB9"
    with pytest.raises(PrinterError, match="ttyUSB9.*cable"):
        TicketPrinter(port)


def test_printer_that_goes_away_raises_printer_error() -> None:
    twin = PrinterTwin().start()
    printer = TicketPrinter(twin.port)
    twin.stop()  # the cable is pulled: the pty hangs up
    try:
        with pytest.raises(PrinterError, match="A012 was not printed"):
            printer.print_ticket(ticket())
        # the next ticket tries to reopen the port and says why it cannot
        with pytest.raises(PrinterError):
            printer.print_ticket(ticket())
    finally:
        printer.close()


def test_profile_without_vietnamese_code_page_is_refused() -> None:
    with pytest.raises(PrinterError, match="no TCVN-3 or CP1258"):
        TicketPrinter("/dev/null", profile="simple")
    with pytest.raises(PrinterError, match="unknown python-escpos printer profile"):
        TicketPrinter("/dev/null", profile="no-such-printer")


def test_xprinter_profile_uses_its_own_cp1258_slot() -> None:
    """NT-80-V-UL (an Xprinter) has CP1258 in slot 94, not Epson's 52: ESC t follows the profile."""
    twin = PrinterTwin(profile="NT-80-V-UL").start()
    try:
        with TicketPrinter(twin.port, profile="NT-80-V-UL") as printer:
            assert printer.codepage == "CP1258"
            printer.print_ticket(ticket())
            [receipt] = twin.wait_for_receipts(1, TIMEOUT)
    finally:
        twin.stop()
    assert b"\x1bt\x5e" in receipt.raw and b"\x1bt\x34" not in receipt.raw
    assert "Đất đai – Nhà ở" in receipt.lines


def test_printer_without_cutter_or_native_qr_still_ends_each_ticket() -> None:
    """POS-5890's profile claims neither: the QR goes as an image and GS V still closes the ticket."""
    data = render_ticket(ticket(), profile="POS-5890")
    [receipt] = EscposStream("POS-5890").feed(data)
    assert receipt.images == 1 and receipt.qr_codes == []
    assert "Đất đai – Nhà ở" in receipt.lines and receipt.lines[-1] == FOOTER


def test_stream_survives_unknown_commands_and_any_chunking() -> None:
    data = render_ticket(ticket())
    with_junk = data.replace(b"\x1bd\x06", b"\x1b\x01\x1d\x02\x1bd\x06", 1)
    whole = EscposStream().feed(with_junk)
    stream = EscposStream()
    pieces = [r for byte in with_junk for r in stream.feed(bytes([byte]))]
    assert len(whole) == len(pieces) == 1
    assert pieces[0].lines == whole[0].lines and "A012" in whole[0].lines
    assert stream.unknown_commands == 2


def test_stream_skips_data_blocks_without_printing_them_as_text() -> None:
    paper = Dummy()
    paper.textln("trước")
    paper.barcode("4006381333931", "EAN13")
    paper.qr("không in như chữ", native=False)  # a raster image (GS v 0)
    paper.textln("sau")
    paper.cut()
    [receipt] = EscposStream().feed(paper.output)
    assert receipt.lines == ["trước", "sau"]
    assert receipt.qr_codes == [] and receipt.images == 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_stream_never_crashes_on_arbitrary_bytes(noise: bytes) -> None:
    receipts = EscposStream().feed(noise + b"\x1dV\x00")
    assert all(" " <= ch for r in receipts for line in r.lines for ch in line)


VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxy" + "àảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"


@pytest.mark.parametrize("codepage", ["TCVN-3", "CP1258"])
@settings(max_examples=150, deadline=None)
@given(words=st.lists(st.text(alphabet=VIETNAMESE + VIETNAMESE.upper(), min_size=1, max_size=8), min_size=1, max_size=5))
def test_any_vietnamese_text_round_trips_through_the_code_page(codepage: str, words: list[str]) -> None:
    text = " ".join(words)
    pages = choose_code_pages(get_profile(None), codepage)
    paper = Dummy(magic_encode_args={"encoder": pages.encoder()})
    paper.textln(pages.prepare(text))
    paper.cut()
    [receipt] = EscposStream().feed(paper.output)
    assert receipt.lines == [unicodedata.normalize("NFC", text)]
