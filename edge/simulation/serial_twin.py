"""What every twin of a serial device shares: a pty, a reader thread, callbacks, a way to wait.

A twin is the device end of a pty (``pty.VirtualSerialPort``). Each chunk the
driver writes is interpreted by the twin's own ``_interpret`` (the ESC/POS
decoder, the LED frame decoder) with the twin's lock held, so a test that
reads ``receipts`` or ``displays`` never sees half a chunk applied. The
callbacks (``on_receipt``, ``on_frame``: the virtual office page refreshes on
them) run afterwards, outside the lock, on the reader thread; an exception in
one is logged and the twin keeps reading, because a twin that stopped reading
would make the driver under test block on a full pty buffer instead of failing.

``wait_for`` is the one way to synchronise with a twin: it returns once a
condition on the twin holds *and* the callbacks for everything received so
far have run, so a test that waited also sees what the callbacks did. It
waits on the twin's ``Condition`` (notified after each chunk), not by polling.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Generic, Self, TypeVar

import structlog

from edge.simulation.pty import VirtualSerialPort

__all__ = ["SerialTwin"]

log = structlog.get_logger(__name__)

Item = TypeVar("Item")


class SerialTwin(Generic[Item]):
    """Base of a simulated serial device whose output is a stream of ``Item`` (receipts, frames).

    Subclasses implement ``_interpret`` (bytes → items, updating their state),
    ``_listener`` (the callback to run per item, if any) and ``_describe``
    (the state shown when a wait times out).
    """

    #: How the twin is named in logs and in a timeout's message.
    what = "serial twin"

    def __init__(self, name: str) -> None:
        self._pty = VirtualSerialPort(name, self._received)
        self._changed = threading.Condition()
        self._delivering = False  # a chunk was applied and its callbacks are still running

    # -- what a subclass says -------------------------------------------------------

    def _interpret(self, chunk: bytes) -> Sequence[Item]:
        """Apply ``chunk`` to the twin's state (lock held) and return the finished items."""
        raise NotImplementedError

    def _listener(self) -> Callable[[Item], None] | None:
        """The callback to run for each finished item, or None."""
        return None

    def _describe(self) -> str:
        """The state worth showing in a timeout's message."""
        return ""

    # -- lifecycle ------------------------------------------------------------------

    @property
    def port(self) -> str:
        """The device path to give the driver, e.g. ``/dev/pts/7``."""
        return self._pty.path

    def start(self) -> Self:
        self._pty.start()
        return self

    def stop(self) -> None:
        """Hang up: a driver still holding the port gets EIO on its next write, as with a pulled cable."""
        self._pty.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- synchronisation --------------------------------------------------------------

    def wait_for(self, predicate: Callable[[Self], bool], timeout: float, expected: str = "the expected state") -> None:
        """Block until ``predicate(self)`` holds and the callbacks have seen everything so far.

        Raises ``TimeoutError`` naming ``expected`` and the twin's state if that does not happen in time.
        """
        with self._changed:
            if not self._changed.wait_for(lambda: not self._delivering and predicate(self), timeout):
                raise TimeoutError(f"{self.what} did not reach {expected} in {timeout}s; {self._describe()}")

    def _received(self, chunk: bytes) -> None:
        try:
            with self._changed:
                self._delivering = True
                items = self._interpret(chunk)
            listener = self._listener()
            if listener is not None:
                for item in items:
                    try:
                        listener(item)
                    except Exception:
                        log.exception("twin_callback_failed", device=self.what, port=self._pty.path)
        finally:
            with self._changed:
                self._delivering = False
                self._changed.notify_all()
