"""uvicorn's httptools protocol with a deadline on each request's head.

uvicorn (0.54) closes idle keep-alive connections but has no timeout for a
request's head: a client sending one header byte a minute (slowloris) holds
its connection, and enough of them hold every connection the service has.
This protocol gives each request ``head_timeout_s`` from its first byte (or
from the connection's opening) to the end of its headers, then closes the
connection. A reverse proxy in front may set its own, tighter limits
(docs/cloud.md, "Limits"); this one holds without it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = structlog.get_logger(__name__)


class HeadTimeoutProtocol(HttpToolsProtocol):
    #: Seconds a request may take to send its head; set per server by ``with_head_timeout``.
    head_timeout_s: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn narrows it too
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._head_deadline = self.loop.call_later(self.head_timeout_s, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is being served (keep-alive's next head has not begun): not ours to cut
        log.info("http.head_timeout", client=self.client, seconds=self.head_timeout_s)
        self.transport.close()


def with_head_timeout(seconds: float) -> type[HeadTimeoutProtocol]:
    """The protocol class for one server, with its deadline (uvicorn takes a class, not an instance)."""
    return type("HeadTimeoutProtocol", (HeadTimeoutProtocol,), {"head_timeout_s": seconds})
