"""Slowing down password guessing: a username locked for a while after repeated failures.

In memory and per process, which is what one cloud service needs; the
lock-out is short so a mistyping officer is not locked out of their
morning, and long enough to make an online guessing attack hopeless
against a 10-character password.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

MAX_FAILURES = 5
LOCK_SECONDS = 300.0


class TooManyAttempts(Exception):
    def __init__(self, failures: int, wait_s: float) -> None:
        super().__init__(f"{failures} wrong passwords: try again in {int(wait_s) + 1} s")
        self.failures = failures
        self.wait_s = wait_s


class SignInThrottle:
    def __init__(self, max_failures: int = MAX_FAILURES, lock_seconds: float = LOCK_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.lock_seconds = lock_seconds
        self.clock = clock
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def check(self, username: str) -> None:
        """Raise :class:`TooManyAttempts` while ``username`` is locked out."""
        with self._lock:
            count, since = self._failures.get(username, (0, 0.0))
            if count < self.max_failures:
                return
            wait = since + self.lock_seconds - self.clock()
            if wait <= 0:
                del self._failures[username]
                return
        raise TooManyAttempts(count, wait)

    def failed(self, username: str) -> None:
        with self._lock:
            count, _ = self._failures.get(username, (0, 0.0))
            self._failures[username] = (count + 1, self.clock())

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username, None)
