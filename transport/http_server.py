"""An ASGI app under uvicorn on a background thread.

The hub runs its display server beside gpiozero, paho and the device twins in
one process; tests and benchmarks run the cloud service next to the code that
drives it. Both need the same thing: start, wait until the port listens (or
say why not), stop.

The socket is bound when the server is made, not when its thread runs: a
port picked earlier and bound later can be taken in between (by another
server, or as the ephemeral port of any outgoing connection: the kernel hands
out the same range), which once failed CI with "did not start". Port 0 lets
the kernel choose; :attr:`port` is then the one it chose.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any, Self

import uvicorn

from transport.waiting import WaitTimeout, wait_until


class BackgroundServer:
    def __init__(self, app: Any, host: str, port: int, name: str, *,
                 server: Callable[[uvicorn.Config], uvicorn.Server] = uvicorn.Server, **options: Any) -> None:
        """``options``: further ``uvicorn.Config`` settings (the cloud's connection limits); ``server``: makes
        the uvicorn server (the cloud's ends its event streams when shutdown begins)."""
        self.host, self.name = host, name
        self._socket = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
        self.port = int(self._socket.getsockname()[1])
        self._server = server(uvicorn.Config(app, host=host, port=self.port, log_level="warning", lifespan="on",
                                             **options))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, name=name,
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> Self:
        """Return (self, for ``with Server(...).start()``) once the lifespan ran and the port listens."""
        self._thread.start()

        def started() -> bool:
            if self._server.started:
                return True
            if not self._thread.is_alive():
                raise RuntimeError(f"the {self.name} did not start on {self.url} (see the log)")
            return False

        try:
            wait_until(started, timeout, interval=0.01, what=f"the {self.name} to listen")  # uvicorn offers no event
        except WaitTimeout:
            self.stop()
            raise RuntimeError(f"the {self.name} did not start on {self.url} within {timeout}s") from None
        return self

    def stop(self, timeout: float = 15.0) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._socket.close()
