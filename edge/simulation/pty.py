"""A pseudo-terminal that stands in for a USB-serial adapter.

The simulated twins of serial devices (ticket printer, LED board bus) sit at
the OS boundary rather than behind a Python fake: the real driver opens
``/dev/pts/N`` with pyserial exactly as it would open ``/dev/ttyUSB0`` on the
Pi, so its termios calls, writes, flushes and error paths all run for real.

Two details make a pty behave like a cable:

* the slave side is put in raw mode, so the kernel neither echoes bytes back to
  the driver nor turns LF into CR LF; the device sees exactly the bytes sent;
* the twin keeps its own descriptor on the slave open for its whole life. On
  Linux, reading the master fails with EIO whenever no process holds the slave,
  so without this the reader would die each time the driver closes and reopens
  the port (which the drivers do after a write error).
"""

from __future__ import annotations

import os
import selectors
import threading
import tty
from collections.abc import Callable

import structlog

log = structlog.get_logger(__name__)

_READ_SIZE = 4096


class VirtualSerialPort:
    """The device end of a pty; hands every chunk the driver writes to ``on_data``.

    ``on_data`` runs on the port's reader thread. An exception in it is logged
    and the reader goes on, because a twin that stops reading would make the
    driver under test block on a full pty buffer instead of failing clearly.
    """

    def __init__(self, name: str, on_data: Callable[[bytes], None]) -> None:
        self._name = name
        self._on_data = on_data
        self._master: int | None = None
        self._slave: int | None = None
        self._wake_r: int | None = None
        self._wake_w: int | None = None
        self._path: str | None = None
        self._thread: threading.Thread | None = None

    @property
    def path(self) -> str:
        """The device path to give the driver, e.g. ``/dev/pts/7``."""
        if self._path is None:
            raise RuntimeError(f"{self._name}: start() the virtual port before asking for its path")
        return self._path

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"{self._name}: virtual port already started")
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self._path = os.ttyname(self._slave)
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._read_loop, name=f"{self._name}-pty", daemon=True)
        self._thread.start()
        log.info("virtual_serial_port_started", device=self._name, path=self._path)

    def stop(self) -> None:
        """Stop reading and hang up; a driver still holding the port then gets EIO on write."""
        thread = self._thread
        if thread is None:
            return
        assert self._wake_w is not None
        os.write(self._wake_w, b"x")
        thread.join(timeout=5)
        for fd in (self._master, self._slave, self._wake_r, self._wake_w):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = self._wake_r = self._wake_w = None
        self._thread = None
        log.info("virtual_serial_port_stopped", device=self._name, path=self._path)

    def _read_loop(self) -> None:
        assert self._master is not None and self._wake_r is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._master, selectors.EVENT_READ, "data")
            selector.register(self._wake_r, selectors.EVENT_READ, "wake")
            while True:
                for key, _ in selector.select():
                    if key.data == "wake":
                        return
                    try:
                        chunk = os.read(self._master, _READ_SIZE)
                    except OSError as exc:
                        log.error("virtual_serial_port_read_failed", device=self._name, error=str(exc))
                        return
                    if not chunk:
                        return
                    try:
                        self._on_data(chunk)
                    except Exception:
                        log.exception("virtual_serial_port_handler_failed", device=self._name)
