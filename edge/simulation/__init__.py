"""The simulated twin of each driver in ``edge.drivers``, at the OS boundary.

A twin sits where the device would be — the far end of a pty for a serial
device, a gpiozero ``MockFactory`` pin for a button — so the driver code that
runs in the tests, the demo and on a laptop is the code that runs on the Pi.
Nothing here is imported by a driver.

hardware        ``SimulatedHardware``: every device of a hub, for ``onestop edge --simulate``
printer         ``PrinterTwin``: a pty + the ESC/POS decoder (``escpos_decoder``)
paper           a decoded receipt as the virtual office draws it (sizes in dots, QR codes as SVG by segno)
led_board       ``LedBoardTwin``: a pty + the frame decoder of ``edge.drivers.led_frame``
serial_twin     ``SerialTwin``: the pty, reader thread, callbacks and ``wait_for`` every serial twin shares
pty             ``VirtualSerialPort``: a pseudo-terminal that behaves like a USB-serial cable
gpio            ``press``: press and release a MockFactory button

docs/devices.md describes each twin beside its device.
"""

from edge.simulation.escpos_decoder import EscposStream, LineStyle, PrintedLine, PrintedQr, PrintedReceipt
from edge.simulation.gpio import press
from edge.simulation.hardware import SimulatedHardware
from edge.simulation.led_board import LedBoardTwin
from edge.simulation.printer import PrinterTwin
from edge.simulation.pty import VirtualSerialPort
from edge.simulation.serial_twin import SerialTwin

__all__ = [
    "EscposStream",
    "LedBoardTwin",
    "LineStyle",
    "PrintedLine",
    "PrintedQr",
    "PrintedReceipt",
    "PrinterTwin",
    "SerialTwin",
    "SimulatedHardware",
    "VirtualSerialPort",
    "press",
]
