"""The official printouts of the one-stop office as PDF (Circular 01/2018/TT-VPCP's forms).

One Jinja2 template per form under ``templates/``, rendered by WeasyPrint
with the DejaVu fonts embedded, so a printer or a PDF reader without
Vietnamese fonts still shows every diacritic. Today: Mẫu 01, the
receipt-and-appointment slip, two copies (the citizen's and the file's),
Mẫu 02, the request to supplement the dossier, and Mẫu 03, the refusal to
receive; in :mod:`cloud.printouts.followup`, Mẫu 04 (apology and new date),
05 (process-control sheet, every hand-over) and 06 (the office's dossier
register for a period, A4 landscape).
"""

from cloud.printouts.codes import barcode_svg, qr_svg
from cloud.printouts.render import (
    FontsMissing,
    ReceiptPrintout,
    RefusalPrintout,
    SupplementPrintout,
    render_receipt,
    render_refusal,
    render_supplement_request,
)

__all__ = ["FontsMissing", "ReceiptPrintout", "RefusalPrintout", "SupplementPrintout", "barcode_svg", "qr_svg",
           "render_receipt", "render_refusal", "render_supplement_request"]
