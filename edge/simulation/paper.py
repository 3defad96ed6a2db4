"""The paper a receipt printer would hand out, for the virtual office page to draw.

The printer twin decodes the bytes into ``PrintedReceipt.blocks`` (lines with
their ESC/POS style, QR codes with their module size and error correction);
this module turns them into what the page lays out. Sizes are in printer dots
(203 dpi: 8 dots a millimetre; one character of font A is 12 dots wide and 24
high), so the page draws a double-size number twice as high as a line and a
QR code as wide as the paper would show it.

A QR code is drawn as the printer draws a native one (``GS ( k``): from the
data the bytes carry, by segno, as SVG rendered here on the hub (no script or
font from the internet reaches the page).
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

import segno

from edge.simulation.escpos_decoder import PrintedLine, PrintedQr, PrintedReceipt

__all__ = ["QUIET_ZONE", "qr_svg", "receipt_view"]

#: Modules of white around a symbol: what a scanner needs, and the margin the paper leaves.
QUIET_ZONE = 4


def receipt_view(receipt: PrintedReceipt, index: int) -> dict[str, Any]:
    """One receipt for the page: its lines (for reading and tests), its QR payloads, its blocks to draw.

    ``index`` is the receipt's position in the twin's list: its QR images are
    ``/sim/receipts/{index}/qr/{n}.svg``.
    """
    blocks: list[dict[str, Any]] = []
    codes = 0
    for block in receipt.blocks:
        if isinstance(block, PrintedLine):
            blocks.append(_line(block))
        else:
            blocks.append({"kind": "qr", "data": block.data, "dots": _symbol(block.data, block.error_correction)
                           .symbol_size(scale=block.module_size, border=QUIET_ZONE)[0], "align": block.align,
                           "url": f"/sim/receipts/{index}/qr/{codes}.svg"})
            codes += 1
    return {"index": index, "lines": receipt.lines, "qr_codes": receipt.qr_codes, "blocks": blocks}


def qr_svg(receipt: PrintedReceipt, code: int) -> bytes:
    """The SVG of the receipt's ``code``-th QR code, one SVG unit per printer dot; ``IndexError`` if none."""
    qr = [b for b in receipt.blocks if isinstance(b, PrintedQr)][code]
    return _svg(qr.data, qr.error_correction, qr.module_size)


def _line(line: PrintedLine) -> dict[str, Any]:
    style = line.style
    return {"kind": "line", "text": line.text, "align": style.align, "bold": style.bold,
            "width": style.width, "height": style.height}


@lru_cache(maxsize=64)
def _symbol(data: str, level: str) -> segno.QRCode:
    # boost_error=False: the level the bytes asked for, as the printer would use.
    return segno.make_qr(data, error=level.lower(), boost_error=False)


@lru_cache(maxsize=64)
def _svg(data: str, level: str, module_size: int) -> bytes:
    out = io.BytesIO()
    # No light colour: the paper shows through, as on a thermal receipt.
    _symbol(data, level).save(out, kind="svg", scale=module_size, border=QUIET_ZONE, dark="#000", light=None,
                              xmldecl=False, svgclass="qr", title=data)
    return out.getvalue()


