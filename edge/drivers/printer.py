"""The kiosk's ticket printer (ESC/POS over a serial line).

A ticket is laid out once, as bytes, by python-escpos rendering into its
``Dummy`` printer (``render_ticket``: pure, testable without a device), then
sent in one write through ``escpos.printer.Serial``. Rendering first means a
failing cable never leaves half a ticket interleaved with the next one, and the
error names the ticket that did not come out.

Code pages: python-escpos's "magic encoder" would, by default, pick any code
page of the printer profile that holds each character. We restrict it to one
Vietnamese scheme (see ``vietnamese_codepages``): TCVN-3 when the profile has it
(precomposed letters, lower case in one page and upper case in another, switched
with ``ESC t`` by python-escpos as needed), otherwise CP1258 with tone marks as
combining characters. ``codepage="CP1258"`` forces the latter. Every ticket
starts with ``ESC @``, which resets the printer's code page, so each ticket is
rendered with a fresh encoder that re-sends ``ESC t`` before the first letter;
a printer power-cycled between two tickets therefore still prints correctly.

Its twin (``edge.simulation.PrinterTwin``) is a pty this driver opens like
``/dev/ttyUSB0``; nothing here knows about it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import serial
import structlog
from escpos.capabilities import get_profile
from escpos.constants import QR_ECLEVEL_M
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Dummy, Serial

from edge.drivers.vietnamese_codepages import VietnameseCodePages, choose_code_pages

__all__ = ["PrintableTicket", "PrinterError", "TicketPrinter", "render_ticket"]

log = structlog.get_logger(__name__)

TITLE = "PHIẾU THỨ TỰ"
PRIORITY_LINE = "Ưu tiên"
QR_CAPTION = "Quét mã để tra cứu lượt chờ"
FOOTER = "Vui lòng chờ gọi số. Xin cảm ơn!"  # 32 columns: one line on 58 mm paper


@dataclass(frozen=True)
class PrintableTicket:
    """Everything printed on a ticket, already formatted for the citizen."""

    office_name: str
    field_name: str
    number: str
    ticket_id: str
    issued_at: str
    waiting_ahead: int
    priority: bool = False


class PrinterError(Exception):
    """The ticket printer cannot be reached; the message says what to check."""


def render_ticket(ticket: PrintableTicket, profile: str | None = None, codepage: str | None = None) -> bytes:
    """The exact bytes of one ticket, ending with a cut."""
    pages = choose_code_pages(get_profile(profile), codepage)
    return _render(ticket, profile, pages)


def _render(ticket: PrintableTicket, profile: str | None, pages: VietnameseCodePages) -> bytes:
    paper = Dummy(profile=profile, magic_encode_args={"encoder": pages.encoder()})

    def line(text: str, *, bold: bool = False, big: bool = False) -> None:
        # Size first: ESC ! (which python-escpos uses for size) also clears bold.
        paper.set(double_width=big, double_height=big, normal_textsize=not big)
        paper.set(align="center", bold=bold)
        paper.textln(pages.prepare(text))

    paper.hw("INIT")
    line(ticket.office_name, bold=True)
    line(TITLE, bold=True)
    line(ticket.number, bold=True, big=True)
    line(ticket.field_name)
    if ticket.priority:
        line(PRIORITY_LINE, bold=True)
    line(f"Giờ lấy số: {ticket.issued_at}")
    line(f"Số người đang chờ trước bạn: {ticket.waiting_ahead}")
    if paper.profile.supports("qrCode"):
        # Drawn by the printer: a few bytes instead of an image over a 9600-baud line.
        paper.qr(ticket.ticket_id, native=True, size=6, ec=QR_ECLEVEL_M)
    else:
        paper.qr(ticket.ticket_id, native=False, size=6, ec=QR_ECLEVEL_M, center=True)
    line(QR_CAPTION)
    line(FOOTER)
    if paper.profile.supports("paperFullCut") or paper.profile.supports("paperPartCut"):
        paper.cut()
    else:
        # python-escpos sends no cut for a profile without a cutter. We still end the
        # ticket with GS V: printers without a cutter ignore it, and it is what tells
        # anything reading the stream (the twin, a logging tap) that the ticket ended.
        paper.print_and_feed(6)
        paper.cut(feed=False)  # GS V 66 0, sent whatever the profile says
    output: bytes = paper.output  # python-escpos is untyped
    return output


class TicketPrinter:
    """One serial ticket printer; safe to call from several button threads.

    The port is opened at construction so a wrong path fails at start-up, and
    reopened on the next ticket after a write error, so a printer that was
    unplugged and plugged back in recovers without restarting the agent.
    """

    def __init__(
        self,
        port: str,
        baudrate: int = 9600,
        profile: str | None = None,
        codepage: str | None = None,
        write_timeout: float = 5.0,
    ) -> None:
        try:
            self._pages = choose_code_pages(get_profile(profile), codepage)
        except KeyError:
            raise PrinterError(f"unknown python-escpos printer profile {profile!r}") from None
        except ValueError as exc:
            raise PrinterError(str(exc)) from None
        self._port = port
        self._baudrate = baudrate
        self._profile = profile
        self._write_timeout = write_timeout
        self._lock = threading.Lock()
        self._device: Serial | None = None
        with self._lock:
            self._open()
        log.info("printer_ready", port=port, baudrate=baudrate, profile=profile, codepage=self._pages.scheme)

    @property
    def codepage(self) -> str:
        return self._pages.scheme

    def print_ticket(self, t: PrintableTicket) -> None:
        data = _render(t, self._profile, self._pages)
        with self._lock:
            if self._device is None:
                self._open()
            assert self._device is not None
            try:
                self._device._raw(data)  # the one write primitive every python-escpos printer has
            except (serial.SerialException, OSError) as exc:
                self._drop_device()
                raise PrinterError(
                    f"ticket {t.number} was not printed: the printer on {self._port} stopped accepting data "
                    f"({exc}); check that it is on, has paper and its cover is closed, then print again"
                ) from exc
        log.info("ticket_printed", port=self._port, number=t.number, ticket_id=t.ticket_id, bytes=len(data))

    def close(self) -> None:
        with self._lock:
            self._drop_device()

    def __enter__(self) -> TicketPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open(self) -> None:
        device = Serial(devfile=self._port, baudrate=self._baudrate, profile=self._profile)
        try:
            device.open()
        except DeviceNotFoundError as exc:
            raise PrinterError(
                f"cannot open the ticket printer port {self._port}: {str(exc).splitlines()[-1]}. "
                "Check that the printer is on and "
                "its USB cable is plugged in (ls /dev/ttyUSB*), and that the agent's user is in the 'dialout' group"
            ) from None
        device.device.write_timeout = self._write_timeout  # a stalled printer fails instead of hanging the kiosk
        self._device = device

    def _drop_device(self) -> None:
        device, self._device = self._device, None
        if device is None:
            return
        port = device.device
        # Detach first: python-escpos's close() (also run from __del__) flushes, and a
        # flush on a port whose printer vanished raises termios.error, not SerialException.
        device.device = False
        try:
            port.flush()
        except Exception as exc:
            log.warning("printer_flush_failed", port=self._port, error=str(exc))
        try:
            port.close()
        except Exception as exc:
            log.warning("printer_close_failed", port=self._port, error=str(exc))
