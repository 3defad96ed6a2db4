"""Simulated hardware for a hub without devices: the demo, the tests, a laptop.

Everything is simulated at the OS boundary only. The printer and the LED bus
are ptys whose far ends are decoded by the twins; buttons are gpiozero
MockFactory pins. The agent's driver code is the same as on a Pi.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gpiozero.pins.mock import MockFactory

from edge.simulation.gpio import press
from edge.simulation.led_board import LedBoardTwin
from edge.simulation.paper import qr_svg, receipt_view
from edge.simulation.printer import PrinterTwin


@dataclass
class SimulatedHardware:
    """Every device of a hub, simulated: what ``onestop edge --simulate`` wires the agent to."""

    pin_factory: MockFactory = field(default_factory=MockFactory)
    printer: PrinterTwin = field(default_factory=PrinterTwin)
    led_bus: LedBoardTwin = field(default_factory=LedBoardTwin)
    wired_pins: set[int] = field(default_factory=set)

    def start(self) -> None:
        self.printer.start()
        self.led_bus.start()

    def stop(self) -> None:
        self.printer.stop()
        self.led_bus.stop()

    def press(self, pin: int) -> None:
        """Press and release a button, as a citizen or officer would."""
        if pin not in self.wired_pins:
            raise KeyError(pin)
        press(self.pin_factory, pin)

    def snapshot(self) -> dict[str, Any]:
        """The last 20 receipts, newest first, as the paper shows them (``paper``), and every LED board."""
        receipts = list(enumerate(self.printer.receipts))[-20:]
        return {
            "receipts": [receipt_view(r, i) for i, r in reversed(receipts)],
            "led_boards": {str(addr): text for addr, text in self.led_bus.displays.items()},
        }

    def receipt_qr(self, receipt: int, code: int) -> bytes:
        """The SVG of a printed QR code (``paper.qr_svg``); ``IndexError`` for a receipt or code never printed."""
        if receipt < 0 or code < 0:
            raise IndexError(receipt)
        return qr_svg(self.printer.receipts[receipt], code)
