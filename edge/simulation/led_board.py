"""The twin of every LED number board on the RS-485 bus at once, on one pty.

It decodes the frames the driver writes with the same ``led_frame`` code the
boards' protocol is documented in, and keeps what each board would show.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import structlog

from edge.drivers.led_frame import BLINK, Frame, decode_frames
from edge.simulation.serial_twin import SerialTwin

__all__ = ["LedBoardTwin"]

log = structlog.get_logger(__name__)


class LedBoardTwin(SerialTwin[Frame]):
    """Every board of the bus at once, on a pty: ``displays`` is what each board shows.

    A board that was never addressed is absent from ``displays``; a cleared one
    shows ``""``. ``blinking`` holds the addresses whose text blinks.
    ``bad_frames`` counts faults on the wire (rejected frames and runs of garbage).
    ``on_frame`` runs on the reader thread for each good frame.
    """

    what = "LED boards"

    def __init__(self, on_frame: Callable[[Frame], None] | None = None) -> None:
        super().__init__("led-board-twin")
        self._partial = b""
        self.frames: list[Frame] = []
        self.displays: dict[int, str] = {}
        self.blinking: set[int] = set()
        self.bad_frames = 0
        self.on_frame = on_frame

    def _interpret(self, chunk: bytes) -> Sequence[Frame]:
        frames, self._partial, errors = decode_frames(self._partial + chunk)
        for error in errors:
            log.warning("twin_led_frame_rejected", reason=error)
        self.bad_frames += len(errors)
        for frame in frames:
            self.frames.append(frame)
            self.displays[frame.address] = frame.text
            if frame.command == BLINK:
                self.blinking.add(frame.address)
            else:
                self.blinking.discard(frame.address)
        return frames

    def _listener(self) -> Callable[[Frame], None] | None:
        return self.on_frame

    def _describe(self) -> str:
        return f"displays={self.displays} bad_frames={self.bad_frames}"
