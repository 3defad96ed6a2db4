"""Slowing down password guessing: a username locked for a while after repeated failures.

In memory and per process, which is what one cloud service needs; the
lock-out is short so a mistyping officer is not locked out of their
morning, and long enough to make an online guessing attack hopeless
against a 10-character password.

The attacker chooses the usernames, so the memory is bounded: two
``cachetools.TTLCache`` tables, each with a fixed ``maxsize`` and a time to
live of the lock-out window.

* ``counting`` holds the wrong passwords of usernames that are not locked
  yet. An entry lives ``lock_seconds`` after its latest failure: five wrong
  passwords lock a username when no more than five minutes pass between one
  and the next. When the table is full the least recently failed username is
  forgotten first. A flood of made-up usernames can therefore reset a
  partial count, but only by pushing ``max_counting`` other names through
  after the target's last failure; each of those costs the attacker a
  request and the server an argon2id verification, and buys at most
  ``max_failures - 1`` more guesses.
* ``locked`` holds locked usernames, each until its lock expires (the TTL is
  the lock). Only a username with ``max_failures`` failures enters it, so
  floods of one-off failures never touch it: the eviction policy cannot be
  used to unlock the username under attack. Evicting a lock early needs
  ``max_locked`` *other* usernames locked within one lock window, i.e.
  ``max_failures × max_locked`` (50 000 by default) failed sign-ins in five
  minutes, far beyond what the argon2id verifications of one service can
  answer; even then the least recently tried lock goes first, and a target
  still being tried is the most recently tried one.

A successful sign-in clears the username's count. Both tables share one
lock, because cachetools' caches are not thread-safe and FastAPI runs
synchronous routes on a thread pool.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from cachetools import TTLCache

MAX_FAILURES = 5
LOCK_SECONDS = 300.0
#: Usernames with a few wrong passwords remembered at once (about 3 MB when full).
MAX_COUNTING = 10_000
#: Usernames locked at once; reaching it takes 50 000 failures in 5 minutes.
MAX_LOCKED = 10_000


class TooManyAttempts(Exception):
    def __init__(self, failures: int, wait_s: float) -> None:
        super().__init__(f"{failures} wrong passwords: try again in {int(wait_s) + 1} s")
        self.failures = failures
        self.wait_s = wait_s


class SignInThrottle:
    """Counts wrong passwords per username and locks it after ``max_failures`` for ``lock_seconds``.

    ``clock`` may be replaced after construction (tests step time); both
    tables read it through :meth:`_now`.
    """

    def __init__(self, max_failures: int = MAX_FAILURES, lock_seconds: float = LOCK_SECONDS,
                 clock: Callable[[], float] = time.monotonic, *,
                 max_counting: int = MAX_COUNTING, max_locked: int = MAX_LOCKED) -> None:
        self.max_failures = max_failures
        self.lock_seconds = lock_seconds
        self.clock = clock
        # username -> wrong passwords so far (fewer than max_failures)
        self._counting: TTLCache[str, int] = TTLCache(maxsize=max_counting, ttl=lock_seconds, timer=self._now)
        # username -> (wrong passwords, when the lock began); expires with the lock
        self._locked: TTLCache[str, tuple[int, float]] = TTLCache(maxsize=max_locked, ttl=lock_seconds, timer=self._now)
        self._lock = threading.Lock()

    def _now(self) -> float:
        return self.clock()

    @property
    def capacity(self) -> int:
        """The most usernames this throttle ever holds, whatever it is sent."""
        return int(self._counting.maxsize + self._locked.maxsize)

    def __len__(self) -> int:
        """Usernames held right now (expired entries are dropped first)."""
        with self._lock:
            self._counting.expire()
            self._locked.expire()
            return len(self._counting) + len(self._locked)

    def check(self, username: str) -> None:
        """Raise :class:`TooManyAttempts` while ``username`` is locked out."""
        with self._lock:
            entry = self._locked.get(username)  # also marks it recently tried
            if entry is None:
                return
            failures, since = entry
            wait = since + self.lock_seconds - self.clock()
        raise TooManyAttempts(failures, max(wait, 0.0))

    def failed(self, username: str) -> None:
        with self._lock:
            locked = self._locked.get(username)
            if locked is not None:  # a guess that passed check() just before the lock: the lock restarts
                self._locked[username] = (locked[0] + 1, self.clock())
                return
            failures = self._counting.get(username, 0) + 1
            if failures < self.max_failures:
                self._counting[username] = failures
                return
            self._counting.pop(username, None)
            self._locked[username] = (failures, self.clock())

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._counting.pop(username, None)
            self._locked.pop(username, None)
