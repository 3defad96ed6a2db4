"""Who is watching which office, and waking them when something of that office was stored.

The ingest writer (``cloud.ingest.writer``) is the one writer of tickets, counters and node presence,
and it is a thread of this process: after each commit it calls :meth:`LiveHub.notify` with the offices
the batch touched. An open event stream (``cloud.web.live.stream``) waits on its :class:`Watch` and
re-reads its office only then, so a quiet office costs nothing and a ticket reaches the console in the
time of one commit and one render, not a polling period. Waking crosses from the writer's thread to the
event loop with ``call_soon_threadsafe``; several notifications before the stream looks are one wake.

:meth:`LiveHub.close` ends every stream: uvicorn waits for open responses before it shuts down, and an
event stream never ends by itself (``cloud.app``'s server calls it when shutdown begins).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


class Watch:
    """One open stream's interest in one office."""

    def __init__(self, office: str, loop: asyncio.AbstractEventLoop) -> None:
        self.office = office
        self.loop = loop
        self._event = asyncio.Event()

    async def changed(self, timeout: float) -> bool:
        """Wait until the office changed (True) or ``timeout`` seconds passed (False)."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            return False
        self._event.clear()
        return True

    def wake(self) -> None:
        """From any thread."""
        try:
            self.loop.call_soon_threadsafe(self._event.set)
        except RuntimeError:  # the loop is closed: the stream is gone with it
            pass


class LiveHub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watches: dict[str, set[Watch]] = {}
        self._closing = threading.Event()

    @property
    def closing(self) -> bool:
        return self._closing.is_set()

    @contextmanager
    def watch(self, office: str) -> Iterator[Watch]:
        """Register a stream for ``office`` (on the event loop) until the block ends."""
        watch = Watch(office, asyncio.get_running_loop())
        with self._lock:
            self._watches.setdefault(office, set()).add(watch)
        try:
            yield watch
        finally:
            with self._lock:
                watches = self._watches.get(office, set())
                watches.discard(watch)
                if not watches:
                    self._watches.pop(office, None)

    def notify(self, offices: Iterable[str]) -> None:
        """Something of these offices was committed (from any thread: the ingest writer's, a request's)."""
        with self._lock:
            woken = [w for office in set(offices) for w in self._watches.get(office, ())]
        for watch in woken:
            watch.wake()

    def close(self) -> None:
        """Server shutdown: every stream ends at its next look."""
        self._closing.set()
        with self._lock:
            every = [w for watches in self._watches.values() for w in watches]
        for watch in every:
            watch.wake()

    def watchers(self, office: str | None = None) -> int:
        """Open streams (of ``office``, or all): for health and tests."""
        with self._lock:
            if office is not None:
                return len(self._watches.get(office, ()))
            return sum(len(w) for w in self._watches.values())
