"""The ticket printer's twin: a pty that the driver opens like ``/dev/ttyUSB0``.

What arrives is interpreted by the ESC/POS decoder (``escpos_decoder``) into
``PrintedReceipt`` objects, one per cut: the lines a citizen would read, the
style each was printed in, the QR codes. ``TicketPrinter`` (in
``edge.drivers.printer``) needs none of this; it is the same on the Pi.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import structlog

from edge.simulation.escpos_decoder import EscposStream, PrintedReceipt
from edge.simulation.serial_twin import SerialTwin

__all__ = ["PrinterTwin"]

log = structlog.get_logger(__name__)


class PrinterTwin(SerialTwin[PrintedReceipt]):
    """A simulated ESC/POS printer on a pty; what it "prints" lands in ``receipts``.

    ``on_receipt`` is called on the twin's reader thread after each cut (the
    virtual office page uses it to show the paper); ``wait_for_receipts`` lets a
    test block until the paper is out.
    """

    what = "printer twin"

    def __init__(
        self,
        profile: str | None = None,
        on_receipt: Callable[[PrintedReceipt], None] | None = None,
    ) -> None:
        super().__init__("printer-twin")
        self._stream = EscposStream(profile)
        self.receipts: list[PrintedReceipt] = []
        self.on_receipt = on_receipt

    @property
    def unknown_commands(self) -> int:
        """Escape sequences the interpreter did not know and skipped."""
        return self._stream.unknown_commands

    def wait_for_receipts(self, count: int, timeout: float) -> list[PrintedReceipt]:
        """The first ``count`` receipts since start, once ``on_receipt`` has run for them.

        Raises ``TimeoutError`` if they do not all arrive in time.
        """
        self.wait_for(lambda twin: len(twin.receipts) >= count, timeout, expected=f"{count} receipt(s)")
        with self._changed:
            return list(self.receipts[:count])

    def _interpret(self, chunk: bytes) -> Sequence[PrintedReceipt]:
        receipts = self._stream.feed(chunk)
        for receipt in receipts:
            self.receipts.append(receipt)
            log.info("twin_receipt_printed", port=self.port, lines=len(receipt.lines), qr=receipt.qr_codes)
        return receipts

    def _listener(self) -> Callable[[PrintedReceipt], None] | None:
        return self.on_receipt

    def _describe(self) -> str:
        return f"it received {len(self.receipts)} receipt(s)"
