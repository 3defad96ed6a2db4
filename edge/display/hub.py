"""Pushes the hub's current state to every open display page.

Devices change state on their own threads (gpiozero, paho, the printer twin);
pages listen on one asyncio loop. ``changed()`` may be called from any thread:
it hands a fresh snapshot to each page's queue on the loop's thread. Pages get
whole snapshots, not deltas, so a page that reconnects is right at once.
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
        snap = self.snapshot()
        with self._lock:
            queues = list(self._queues)
        for queue in queues:
            loop.call_soon_threadsafe(_offer, queue, snap)


def _offer(queue: asyncio.Queue[Snapshot], snap: Snapshot) -> None:
    """Keep only the newest snapshots for a slow page rather than blocking devices."""
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(snap)
