"""Counter LED number boards: the bus driver.

The wire format (STX | address | command | length | payload | XOR | ETX) is
defined and documented in ``led_frame``; it is re-exported here so callers
import one module per device.

Every counter's board shares one serial port, and a frame is only meaningful
whole, so writes are serialised with a lock and each frame is drained onto the
wire (``flush``) before the next counter may send: interleaved bytes from two
counters would corrupt both frames.

Its twin, every board at once on a pty, is ``edge.simulation.LedBoardTwin``.
"""

from __future__ import annotations

import threading

import serial
import structlog

from edge.drivers.led_frame import (
    BLINK,
    CLEAR,
    SHOW,
    Frame,
    FrameError,
    decode_frames,
    encode_frame,
)

__all__ = ["Frame", "LedBoardBus", "LedBoardError", "decode_frames", "encode_frame"]

log = structlog.get_logger(__name__)


class LedBoardError(Exception):
    """A board cannot be driven: a bad address or text, or the bus port fails."""


class LedBoardBus:
    """The RS-485 bus of one reception room, opened once and shared by all counters."""

    def __init__(self, port: str, baudrate: int = 9600, write_timeout: float = 2.0) -> None:
        self._port = port
        self._baudrate = baudrate
        self._write_timeout = write_timeout
        self._lock = threading.Lock()
        self._serial: serial.Serial | None = None
        with self._lock:
            self._open()
        log.info("led_bus_ready", port=port, baudrate=baudrate)

    def show(self, address: int, text: str, blink: bool = False) -> None:
        self._send(address, BLINK if blink else SHOW, text)

    def clear(self, address: int) -> None:
        self._send(address, CLEAR, "")

    def close(self) -> None:
        with self._lock:
            self._drop()

    def __enter__(self) -> LedBoardBus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, address: int, command: str, text: str) -> None:
        try:
            frame = encode_frame(address, command, text)
        except FrameError as exc:
            raise LedBoardError(str(exc)) from None
        with self._lock:
            if self._serial is None:
                self._open()
            assert self._serial is not None
            try:
                self._serial.write(frame)
                self._serial.flush()
            except (serial.SerialException, OSError) as exc:
                self._drop()
                raise LedBoardError(
                    f"LED board {address} not updated: the bus on {self._port} failed ({exc}); "
                    "check the USB-RS-485 adapter and the bus cable"
                ) from exc
        log.debug("led_frame_sent", port=self._port, address=address, command=command, text=text)

    def _open(self) -> None:
        try:
            self._serial = serial.Serial(
                self._port, self._baudrate, timeout=0, write_timeout=self._write_timeout
            )
        except (serial.SerialException, ValueError) as exc:
            raise LedBoardError(
                f"cannot open the LED board bus {self._port}: {exc}. Check the USB-RS-485 adapter "
                "(ls /dev/ttyUSB*) and that the agent's user is in the 'dialout' group"
            ) from None

    def _drop(self) -> None:
        port, self._serial = self._serial, None
        if port is None:
            return
        try:
            port.close()
        except (serial.SerialException, OSError) as exc:
            log.warning("led_bus_close_failed", port=self._port, error=str(exc))
