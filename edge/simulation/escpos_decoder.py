"""An ESC/POS interpreter: turns the bytes a receipt printer receives into receipts.

It is the brain of the printer twin and knows the commands a ticket uses well
enough to tell what a citizen would read on the paper: text lines decoded in
the code page selected at that moment (``ESC t``), the style each line was
started in (``ESC a`` alignment, ``ESC E``/``ESC !`` bold, ``ESC !``/``GS !``
size), every native QR code (``GS ( k``: function 67 sets its module size,
69 its error correction level, 80 stores the data, 81 prints it), the order in
which lines and QR codes came out (``blocks``, what the virtual office draws),
and the cut (``GS V``, or ``ESC i``/``ESC m``)
that ends a receipt. ``ESC @`` resets style and code page, as on a printer.

Commands that carry parameters or data blocks we do not interpret (images,
barcodes, page mode, cash drawer, status requests, ...) are skipped by their
declared length so their bytes never show up as text. An escape sequence we do
not know is logged and skipped (the two command bytes), never fatal: the twin
must keep reading whatever a future driver version sends.

Feeding is incremental: a command split across two reads waits in a buffer
until its last byte arrives.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import structlog
from escpos.capabilities import get_profile

from edge.drivers.vietnamese_codepages import decode_page

log = structlog.get_logger(__name__)

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C
LF, CR, HT, FF, NUL = 0x0A, 0x0D, 0x09, 0x0C, 0x00
_MAX_BLOCK = 4 * 1024 * 1024  # a data block declaring more than this is a corrupt header
_UNKNOWN = -1
_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
_QR_LEVELS = {48: "L", 49: "M", 50: "Q", 51: "H"}  # GS ( k fn 69's n

# Commands with a fixed number of parameter bytes after the two command bytes.
_ESC_PARAMS = {
    0x20: 1, 0x21: 1, 0x24: 2, 0x25: 1, 0x2D: 1, 0x32: 0, 0x33: 1, 0x3D: 1, 0x3F: 1, 0x40: 0,
    0x42: 2, 0x45: 1, 0x47: 1, 0x4A: 1, 0x4C: 0, 0x4D: 1, 0x52: 1, 0x53: 0, 0x54: 1, 0x55: 1,
    0x56: 1, 0x57: 8, 0x5C: 2, 0x61: 1, 0x63: 2, 0x64: 1, 0x65: 1, 0x69: 0, 0x6D: 0, 0x70: 3,
    0x72: 1, 0x74: 1, 0x75: 1, 0x76: 0, 0x7B: 1,
}
_GS_PARAMS = {
    0x21: 1, 0x24: 2, 0x2F: 1, 0x3A: 0, 0x42: 1, 0x48: 1, 0x49: 1, 0x4C: 2, 0x50: 2, 0x54: 1,
    0x57: 2, 0x5C: 2, 0x5E: 3, 0x61: 1, 0x62: 1, 0x66: 1, 0x68: 1, 0x72: 1, 0x77: 1,
}
_DLE_PARAMS = {0x04: 1, 0x05: 1, 0x14: 3}
_FS_PARAMS = {0x21: 1, 0x26: 0, 0x2D: 1, 0x2E: 0, 0x43: 1, 0x53: 2, 0x57: 1, 0x70: 2}


@dataclass(frozen=True)
class LineStyle:
    """How a line was printed: what the printer had selected when its first character arrived."""

    align: str = "left"
    bold: bool = False
    width: int = 1
    height: int = 1


@dataclass(frozen=True)
class PrintedLine:
    """A line of text as the paper shows it."""

    text: str
    style: LineStyle


@dataclass(frozen=True)
class PrintedQr:
    """A QR code the printer drew: its data, the size of a module in dots, its error correction, where on the line."""

    data: str
    module_size: int = 3
    error_correction: str = "L"
    align: str = "left"


#: What came out of the printer, top to bottom.
PrintedBlock = PrintedLine | PrintedQr


@dataclass
class PrintedReceipt:
    """One piece of paper, from the previous cut to this one."""

    lines: list[str]
    qr_codes: list[str]
    raw: bytes
    styles: list[LineStyle] = field(default_factory=list)
    images: int = 0  # raster/bit images printed (e.g. a QR code drawn by the host)
    blocks: list[PrintedBlock] = field(default_factory=list)

    def style_of(self, line: str) -> LineStyle:
        """The style of the first line equal to ``line``; ``ValueError`` if it was not printed."""
        return self.styles[self.lines.index(line)]


class EscposStream:
    """Feed it bytes in any chunking; it returns each receipt once its cut arrives."""

    def __init__(self, profile: str | None = None) -> None:
        self._pages = {int(slot): name for slot, name in get_profile(profile).codePages.items()}
        self._buffer = bytearray()
        self._raw = bytearray()
        self.unknown_commands = 0
        self._reset_receipt()
        self._reset_printer()

    def feed(self, data: bytes) -> list[PrintedReceipt]:
        self._buffer += data
        done: list[PrintedReceipt] = []
        i = 0
        while i < len(self._buffer):
            size = self._command_size(i)
            if size is None:
                break
            chunk = bytes(self._buffer[i : i + size])
            i += size
            self._raw += chunk
            receipt = self._execute(chunk)
            if receipt is not None:
                done.append(receipt)
        del self._buffer[:i]
        return done

    # -- state ---------------------------------------------------------------

    def _reset_printer(self) -> None:
        """ESC @: styles back to defaults, code page back to slot 0, unprinted line dropped."""
        self._style = LineStyle()
        self._encoding = self._pages.get(0, "CP437")
        self._line_parts: list[str] = []
        self._pending = bytearray()
        self._line_style: LineStyle | None = None
        self._qr_module = 3  # the printer's defaults for GS ( k
        self._qr_level = "L"

    def _reset_receipt(self) -> None:
        self._lines: list[str] = []
        self._styles: list[LineStyle] = []
        self._qr_codes: list[str] = []
        self._qr_store: bytes = b""
        self._blocks: list[PrintedBlock] = []
        self._images = 0

    def _flush_pending(self) -> None:
        if self._pending:
            self._line_parts.append(decode_page(bytes(self._pending), self._encoding))
            self._pending.clear()

    def _end_line(self) -> None:
        self._flush_pending()
        text = unicodedata.normalize("NFC", "".join(self._line_parts)).rstrip()
        if text:
            style = self._line_style or self._style
            self._lines.append(text)
            self._styles.append(style)
            self._blocks.append(PrintedLine(text, style))
        self._line_parts = []
        self._line_style = None

    def _cut(self) -> PrintedReceipt:
        self._end_line()
        receipt = PrintedReceipt(
            lines=self._lines,
            qr_codes=self._qr_codes,
            raw=bytes(self._raw),
            styles=self._styles,
            images=self._images,
            blocks=self._blocks,
        )
        self._raw.clear()
        self._reset_receipt()
        return receipt

    # -- framing -------------------------------------------------------------

    def _command_size(self, i: int) -> int | None:
        """Bytes taken by the command or character at ``i``; None while it is incomplete."""
        buf = self._buffer
        first = buf[i]
        if first not in (ESC, GS, DLE, FS):
            return 1
        if i + 1 >= len(buf):
            return None
        second = buf[i + 1]
        fixed = {ESC: _ESC_PARAMS, GS: _GS_PARAMS, DLE: _DLE_PARAMS, FS: _FS_PARAMS}[first].get(second)
        if fixed is not None:
            return self._available(i, 2 + fixed)
        variable = self._variable_size(i, first, second)
        if variable != _UNKNOWN:
            return variable
        self.unknown_commands += 1
        log.warning("escpos_unknown_command", command=bytes(buf[i : i + 2]).hex(" "))
        return 2

    def _available(self, i: int, size: int) -> int | None:
        return size if i + size <= len(self._buffer) else None

    def _variable_size(self, i: int, first: int, second: int) -> int | None:
        """Size of a command whose length is in its parameters; ``_UNKNOWN`` if we do not know it."""
        buf = self._buffer
        n = len(buf) - i

        def block(header: int, length: Callable[[], int]) -> int | None:
            if n < header:
                return None
            size = header + length()
            if size - header > _MAX_BLOCK:
                self.unknown_commands += 1
                log.warning("escpos_block_too_large", command=bytes(buf[i : i + 2]).hex(" "), size=size)
                return 2
            return self._available(i, size)

        def le(offset: int, count: int) -> int:
            return int.from_bytes(buf[i + offset : i + offset + count], "little")

        def terminated(start: int) -> int | None:
            end = buf.find(b"\x00", i + start)
            return None if end < 0 else end - i + 1

        if first == GS and second == ord("V"):  # cut: GS V m, or GS V m n for m in 65/66/97/98/103/104
            if n < 3:
                return None
            return self._available(i, 4 if buf[i + 2] in (65, 66, 97, 98, 103, 104) else 3)
        if first == GS and second == ord("("):  # GS ( fn pL pH data
            return block(5, lambda: le(3, 2))
        if first == GS and second == ord("8"):  # GS 8 L p1..p4 data
            return block(7, lambda: le(3, 4))
        if first == GS and second == ord("v"):  # GS v 0 m xL xH yL yH data
            return block(8, lambda: le(4, 2) * le(6, 2))
        if first == GS and second == ord("*"):  # GS * x y data
            return block(4, lambda: buf[i + 2] * buf[i + 3] * 8)
        if first == GS and second == ord("k"):  # barcode: GS k m d1..dk NUL | GS k m n d1..dn
            if n < 3:
                return None
            if buf[i + 2] <= 6:
                return terminated(3)
            return block(4, lambda: buf[i + 3])
        if first == ESC and second == ord("*"):  # ESC * m nL nH data
            return block(5, lambda: le(3, 2) * (1 if buf[i + 2] in (0, 1) else 3))
        if first == ESC and second == ord("D"):  # tab positions, NUL-terminated
            return terminated(2)
        return _UNKNOWN

    # -- meaning -------------------------------------------------------------

    def _execute(self, chunk: bytes) -> PrintedReceipt | None:
        first = chunk[0]
        if first not in (ESC, GS, DLE, FS):
            self._character(first)
            return None
        second = chunk[1] if len(chunk) > 1 else None
        if _is_image(first, second, chunk):
            self._end_line()
            self._images += 1
        elif first == ESC:
            self._esc(second, chunk[2:])
        elif first == GS:
            if second == ord("V"):
                return self._cut()
            self._gs(second, chunk[2:])
        if first == ESC and second in (ord("i"), ord("m")):
            return self._cut()
        return None

    def _character(self, byte: int) -> None:
        if byte == LF:
            self._end_line()
        elif byte == FF:
            self._end_line()
        elif byte == HT:
            self._text(b" ")
        elif byte < 0x20 or byte == 0x7F:
            pass  # CR (LF follows), NUL padding, BEL, ...: nothing to print
        else:
            self._text(bytes([byte]))

    def _text(self, data: bytes) -> None:
        if self._line_style is None:
            self._line_style = self._style
        self._pending += data

    def _esc(self, command: int | None, args: bytes) -> None:
        if command == ord("@"):
            self._reset_printer()
        elif command == ord("t"):
            self._flush_pending()
            slot = args[0]
            self._encoding = self._pages.get(slot, "Unknown")
            if slot not in self._pages:
                log.warning("escpos_unknown_code_page", slot=slot)
        elif command == ord("a"):
            self._style = replace(self._style, align=_ALIGN.get(args[0], "left"))
        elif command == ord("E"):
            self._style = replace(self._style, bold=bool(args[0] & 1))
        elif command == ord("!"):
            mode = args[0]
            self._style = replace(
                self._style,
                bold=bool(mode & 0x08),
                height=2 if mode & 0x10 else 1,
                width=2 if mode & 0x20 else 1,
            )
        elif command in (ord("d"), ord("J"), ord("e")):
            self._end_line()

    def _gs(self, command: int | None, args: bytes) -> None:
        if command == ord("!"):
            size = args[0]
            self._style = replace(self._style, width=((size >> 4) & 0x07) + 1, height=(size & 0x07) + 1)
        elif command == ord("(") and args[:1] == b"k":
            self._two_dimensional_code(args[3:])

    def _two_dimensional_code(self, body: bytes) -> None:
        """GS ( k: body is cn fn [m] data; cn 49 is QR.

        fn 67 n: module size n dots (1..16); fn 69 n: error correction 48..51
        (L, M, Q, H); fn 80 m data: store the data; fn 81 m: print what is stored.
        """
        if len(body) < 2 or body[0] != 49:
            return
        function = body[1]
        if function == 67 and len(body) > 2 and 1 <= body[2] <= 16:
            self._qr_module = body[2]
        elif function == 69 and len(body) > 2 and body[2] in _QR_LEVELS:
            self._qr_level = _QR_LEVELS[body[2]]
        elif function == 80:
            self._qr_store = body[3:]
        elif function == 81:
            self._end_line()
            data = self._qr_store.decode("utf-8", errors="replace")
            self._qr_codes.append(data)
            self._blocks.append(PrintedQr(data, self._qr_module, self._qr_level, self._style.align))


def _is_image(first: int, second: int | None, chunk: bytes) -> bool:
    """Commands that put a picture on the paper: ESC *, GS v 0, GS ( L / GS 8 L print (fn 50 or 2)."""
    if len(chunk) <= 2:
        return False  # a corrupt header skipped on its own, not a picture
    if first == ESC and second == ord("*"):
        return True
    if first == GS and second == ord("v"):
        return True
    if first == GS and second in (ord("("), ord("8")) and chunk[2:3] == b"L":
        header = 5 if second == ord("(") else 7
        return chunk[header + 1 : header + 2] in (b"2", b"\x02")
    return False
