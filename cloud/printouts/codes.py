"""The dossier code as a QR code and a Code 128 barcode, as inline SVG.

The lookup kiosk and the counters' USB scanners read either (seed 001: a
barcode reader per counter; seed 002: the barcode printed on every receipt);
both carry exactly the dossier code, nothing else, so a scan is a lookup.
SVG documents keep them sharp at any printer resolution; WeasyPrint draws
them as vectors.
"""

from __future__ import annotations

import io

import barcode
import segno
from barcode.writer import SVGWriter


def qr_svg(text: str, *, scale: int = 3) -> str:
    """``text`` as a QR code (error correction M, quiet zone of 4 modules), an SVG document."""
    out = io.BytesIO()
    segno.make_qr(text, error="m").save(out, kind="svg", scale=scale, border=4)
    return out.getvalue().decode("utf-8")


def barcode_svg(text: str) -> str:
    """``text`` as Code 128 (every printable ASCII character, so any dossier code pattern), an SVG document.

    The human-readable line under the bars is left out: the slip prints the code in large type next to it.
    """
    out = io.BytesIO()
    barcode.Code128(text, writer=SVGWriter()).write(out, options={
        "module_width": 0.25, "module_height": 9.0, "quiet_zone": 3.0, "write_text": False, "compress": False})
    return out.getvalue().decode("utf-8")
