"""Reading a printout back as a person would: the page as an image, its text by OCR, its codes by a scanner.

Debian's tools, run as processes: ``pdfinfo``/``pdffonts``/``pdftoppm``
(poppler-utils), ``tesseract -l vie`` (tesseract-ocr-vie) and ``zbarimg``
(zbar-tools). None of them knows how the PDF was made.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path


def run(*command: str | Path) -> str:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{command[0]} failed: {result.stderr}"
    return result.stdout


def pdf_info(pdf: Path) -> dict[str, str]:
    return dict(line.split(":", 1) for line in run("pdfinfo", pdf).splitlines() if ":" in line)


def pdf_fonts(pdf: Path) -> list[tuple[str, bool]]:
    """Each font of the PDF and whether it is embedded (pdffonts' "emb" column)."""
    lines = run("pdffonts", pdf).splitlines()[2:]
    return [(line.split()[0], line.split()[-5] == "yes") for line in lines]


def page_images(pdf: Path, dpi: int = 300) -> list[Path]:
    """Every page as a greyscale PNG at ``dpi`` (tesseract reads 300 dpi best)."""
    prefix = pdf.with_suffix("")
    run("pdftoppm", "-r", str(dpi), "-gray", "-png", pdf, prefix)
    return sorted(pdf.parent.glob(f"{prefix.name}-*.png"))


def region_image(pdf: Path, page: int, box_mm: tuple[float, float, float, float], dpi: int = 300) -> Path:
    """One rectangle of a page (left, top, width, height in mm), e.g. a column a whole-page OCR would
    read line by line across its neighbour."""
    px = [str(round(v / 25.4 * dpi)) for v in box_mm]
    out = pdf.parent / f"{pdf.stem}-p{page}-region"
    run("pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", "-f", str(page), "-l", str(page),
        "-x", px[0], "-y", px[1], "-W", px[2], "-H", px[3], pdf, out)
    return out.with_suffix(".png")


def ocr(image: Path) -> str:
    """The page's text by tesseract's Vietnamese model, NFC, one space between words, one line per line."""
    text = unicodedata.normalize("NFC", run("tesseract", image, "-", "-l", "vie"))
    return "\n".join(re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip())


def scanned_codes(image: Path) -> dict[str, str]:
    """Symbology → data of every code ``zbarimg`` finds on the image ("QR-Code", "CODE-128")."""
    found: dict[str, str] = {}
    for line in run("zbarimg", "-q", image).splitlines():
        kind, _, data = line.partition(":")
        found[kind] = data
    return found
