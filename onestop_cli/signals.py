"""Waiting for SIGINT/SIGTERM in a process full of threads (the hub, the demo's supervisor).

Why not a handler that sets a ``threading.Event`` the main thread waits on:
the kernel delivers a signal sent to the process to *any* of its threads
that does not block it. When that is paho's or uvicorn's thread, CPython
only notes the signal; its handler runs when the main thread next executes
bytecode, and a main thread blocked in ``Event.wait()`` never does, so the
hub sat there until the demo killed it ten seconds later, without its
``hub.stopped`` line. Setting the event from inside the handler has a second
trap: the handler interrupts the main thread, possibly inside ``wait()``
while it holds the event's lock.

``signal.set_wakeup_fd`` is what asyncio uses against both: whichever thread
takes the signal, the C-level handler writes its number to a socket, and the
main thread waits on that socket with ``select``. The Python-level handler
does nothing (it only replaces the default, which would raise
``KeyboardInterrupt`` in the middle of whatever runs).
"""

from __future__ import annotations

import selectors
import signal
import socket
import time
from types import FrameType, TracebackType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _noted(_signum: int, _frame: FrameType | None) -> None:
    """The wake-up socket has the signal's number; nothing to do here."""


class StopSignals:
    """While entered, SIGINT and SIGTERM are written to a socket instead of interrupting the main thread.

    ``wait(timeout)`` returns the signal that came (or None after ``timeout``);
    ``fileno()`` lets a caller put the socket into its own selector beside
    other sockets. Enter it on the main thread before starting the threads
    whose start a signal must not interrupt; a signal that arrives meanwhile
    is kept in the socket and returned by the next ``wait``.
    """

    def __init__(self) -> None:
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)  # the C handler must never block
        self._previous: dict[int, object] = {}
        self._previous_fd = -1
        self.received: signal.Signals | None = None

    def __enter__(self) -> StopSignals:
        self._previous = {sig: signal.signal(sig, _noted) for sig in STOP_SIGNALS}
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        signal.set_wakeup_fd(self._previous_fd)
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]  # what signal.signal() returned before
        self._reader.close()
        self._writer.close()

    def fileno(self) -> int:
        return self._reader.fileno()

    def take(self) -> signal.Signals | None:
        """Read what the socket holds, without blocking; the first stop signal seen so far, if any."""
        try:
            data = self._reader.recv(64)
        except BlockingIOError:
            data = b""
        for number in data:
            if self.received is None and number in STOP_SIGNALS:
                self.received = signal.Signals(number)
        return self.received

    def wait(self, timeout: float | None = None) -> signal.Signals | None:
        """Block until SIGINT or SIGTERM has come (then return it) or ``timeout`` seconds passed (then None)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self._reader, selectors.EVENT_READ)
            while self.take() is None:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                selector.select(left)
        return self.received
