"""Pushes the hub's current state to every open display page.

Devices change state on their own threads (gpiozero, paho, the printer twin);
pages listen on one asyncio loop. ``changed()`` may be called from any thread:
it asks the loop to take a snapshot and hand it to each page's queue. The
snapshot is taken on the loop, not on the caller's thread, so snapshots reach
pages in the order they were taken: two devices changing at once can never
leave a page showing the older state. Pages get whole snapshots, not deltas,
so a page that reconnects is right at once.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

Snapshot = dict[str, Any]


class DisplayHub:
    def __init__(self, snapshot: Callable[[], Snapshot]) -> None:
        self.snapshot = snapshot
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queues: set[asyncio.Queue[Snapshot]] = set()
        self._lock = threading.Lock()

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def subscribe(self) -> asyncio.Queue[Snapshot]:
        queue: asyncio.Queue[Snapshot] = asyncio.Queue(maxsize=16)
        with self._lock:
            self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Snapshot]) -> None:
        with self._lock:
            self._queues.discard(queue)

    def changed(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._broadcast)
        except RuntimeError:  # loop closed between the check and the call (shutdown)
            pass

    def _broadcast(self) -> None:
        with self._lock:
            queues = list(self._queues)
        if not queues:
            return
        snap = self.snapshot()
        for queue in queues:
            _offer(queue, snap)


def _offer(queue: asyncio.Queue[Snapshot], snap: Snapshot) -> None:
    """Keep only the newest snapshots for a slow page rather than blocking devices."""
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(snap)
