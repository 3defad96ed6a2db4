"""Counter LED number boards: the bus driver and its simulated twin.

The wire format (STX | address | command | length | payload | XOR | ETX) is
defined and documented in ``led_frame``; it is re-exported here so callers
import one module per device.

Every counter's board shares one serial port, and a frame is only meaningful
whole, so writes are serialised with a lock and each frame is drained onto the
wire (``flush``) before the next counter may send: interleaved bytes from two
counters would corrupt both frames.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType

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
from edge.drivers.pty_port import VirtualSerialPort

__all__ = ["Frame", "LedBoardBus", "LedBoardError", "LedBoardTwin", "decode_frames", "encode_frame"]

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


class LedBoardTwin:
    """Every board of the bus at once, on a pty: ``displays`` is what each board shows.

    A board that was never addressed is absent from ``displays``; a cleared one
    shows ``""``. ``blinking`` holds the addresses whose text blinks.
    ``bad_frames`` counts faults on the wire (rejected frames and runs of garbage).
    ``on_frame`` runs on the reader thread for each good frame.
    """

    def __init__(self, on_frame: Callable[[Frame], None] | None = None) -> None:
        self._pty = VirtualSerialPort("led-board-twin", self._received)
        self._changed = threading.Condition()
        self._partial = b""
        self._delivering = False  # frames applied, on_frame callbacks still running
        self.frames: list[Frame] = []
        self.displays: dict[int, str] = {}
        self.blinking: set[int] = set()
        self.bad_frames = 0
        self.on_frame = on_frame

    @property
    def port(self) -> str:
        return self._pty.path

    def start(self) -> LedBoardTwin:
        self._pty.start()
        return self

    def stop(self) -> None:
        self._pty.stop()

    def __enter__(self) -> LedBoardTwin:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def wait_for(self, predicate: Callable[[LedBoardTwin], bool], timeout: float) -> None:
        """Block until ``predicate(self)`` holds and ``on_frame`` has seen every frame so far.

        Raises ``TimeoutError`` (with what the boards show) if that does not happen in time.
        """
        with self._changed:
            if not self._changed.wait_for(lambda: not self._delivering and predicate(self), timeout):
                raise TimeoutError(
                    f"LED boards did not reach the expected state in {timeout}s; "
                    f"displays={self.displays} bad_frames={self.bad_frames}"
                )

    def _received(self, chunk: bytes) -> None:
        frames, self._partial, errors = decode_frames(self._partial + chunk)
        with self._changed:
            self._delivering = True
            for error in errors:
                log.warning("twin_led_frame_rejected", reason=error)
            self.bad_frames += len(errors)
            for frame in frames:
                self._apply(frame)
        try:
            if self.on_frame is not None:
                for frame in frames:
                    try:
                        self.on_frame(frame)
                    except Exception:
                        log.exception("twin_led_frame_callback_failed", address=frame.address)
        finally:
            with self._changed:
                self._delivering = False
                self._changed.notify_all()

    def _apply(self, frame: Frame) -> None:
        self.frames.append(frame)
        self.displays[frame.address] = frame.text
        if frame.command == BLINK:
            self.blinking.add(frame.address)
        else:
            self.blinking.discard(frame.address)
