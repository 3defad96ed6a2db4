"""Slowing down password guessing without letting the guesser lock the officer out.

Locking a *username* after five wrong passwords lets anyone who knows an
officer's username keep them out of their own desk with five requests every
five minutes. So, as OWASP's Authentication Cheat Sheet advises, three counts
of wrong passwords are kept, each within five minutes of its latest attempt:

========================  =====================  ====================================================
count                     after                  then
========================  =====================  ====================================================
username and source       5 wrong passwords      that pair is locked 5 minutes: the guesser's
                                                 address, not the officer's desk
username, any source      20 wrong passwords     each attempt waits 1 s, 2 s, 4 s … at most 60 s
                                                 after the latest failure (a delay, not a lock)
source, any username      30 wrong passwords     that address is locked 5 minutes (password spraying)
========================  =====================  ====================================================

A source where a username signed in during the last 30 days is *familiar*
for it: the two wide counts do not hold it back, only its own pair's lock
does, so a guesser spread over many addresses slows the username down for
everyone else but not for the officer at their usual desk.

An attempt is *reserved* under the lock before its password is checked and
counts as a wrong password until it is known to be right: thirty guesses sent
at once get five checks and twenty-five refusals, not thirty checks.

The attacker chooses the usernames and, within limits, the addresses, so
every table is bounded: each count is a :class:`Lockout` of two
``cachetools.TTLCache`` tables with a fixed ``maxsize`` and a time to live of
the window.

* ``counting`` holds keys below the threshold. An entry lives the window
  after its latest attempt; when the table is full the least recently tried
  key is forgotten first. A flood of made-up names can therefore reset a
  partial count, but only by pushing ``max_counting`` other keys through after
  the target's last failure; each of those costs the attacker a request and
  the server an argon2id verification, and buys at most ``max_failures - 1``
  more guesses.
* ``locked`` holds keys past the threshold. Only a key with ``max_failures``
  failures enters it, so floods of one-off failures never touch it: the
  eviction policy cannot be used to unlock the key under attack. Evicting a
  lock early needs ``max_locked`` *other* keys locked within one window
  (50 000 failed sign-ins in five minutes by default, far beyond what the
  argon2id verifications of one service can answer); even then the least
  recently tried lock goes first, and a target still being tried is the most
  recently tried one.

In memory and per process, which is what one cloud service needs. All tables
share one lock: cachetools' caches are not thread-safe, and the three counts
must be checked and reserved together.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import structlog
from cachetools import TTLCache

log = structlog.get_logger(__name__)

MAX_FAILURES = 5
"""Wrong passwords of one username from one source before that pair is locked."""
LOCK_SECONDS = 300.0
"""How long a lock lasts, and how long a count is remembered after its latest attempt."""
USERNAME_FAILURES = 20
"""Wrong passwords of one username from all sources before its attempts are spaced out."""
USERNAME_MAX_DELAY = 60.0
SOURCE_FAILURES = 30
"""Wrong passwords from one source, whatever the usernames, before that source is locked."""
FAMILIAR_SECONDS = 30 * 24 * 3600.0
"""A source where a username signed in is familiar for it this long after."""
#: Keys with a few wrong passwords remembered at once, per count (about 3 MB when full).
MAX_COUNTING = 10_000
#: Keys locked at once, per count; reaching it takes 50 000 failures in 5 minutes.
MAX_LOCKED = 10_000
#: (username, source) pairs remembered as familiar: only successful sign-ins add one.
MAX_FAMILIAR = 10_000

Scope = Literal["pair", "username", "source"]


class TooManyAttempts(Exception):
    def __init__(self, failures: int, wait_s: float, scope: Scope = "pair") -> None:
        super().__init__(f"{failures} wrong passwords: try again in {int(wait_s) + 1} s")
        self.failures = failures
        self.wait_s = wait_s
        self.scope = scope
        """Which count refused: the (username, source) pair, the username or the source."""


def doubling_delay(threshold: int, cap: float) -> Callable[[int], float]:
    """1 s at ``threshold`` failures, doubling with each further one, at most ``cap``."""
    return lambda failures: min(2.0 ** max(failures - threshold, 0), cap)


class Lockout:
    """Counts wrong passwords per key; past ``max_failures`` the key is locked for ``lock_seconds``,
    or, with ``backoff``, each attempt waits ``backoff(failures)`` after the latest failure.

    ``clock`` may be replaced after construction (tests step time); both
    tables read it through :meth:`_now`.
    """

    def __init__(self, max_failures: int = MAX_FAILURES, lock_seconds: float = LOCK_SECONDS,
                 clock: Callable[[], float] = time.monotonic, *,
                 max_counting: int = MAX_COUNTING, max_locked: int = MAX_LOCKED,
                 backoff: Callable[[int], float] | None = None, scope: Scope = "pair",
                 lock: threading.RLock | None = None) -> None:
        self.max_failures = max_failures
        self.lock_seconds = lock_seconds
        self.clock = clock
        self.backoff = backoff
        self.scope: Scope = scope
        # key -> wrong passwords so far (fewer than max_failures)
        self._counting: TTLCache[Hashable, int] = TTLCache(maxsize=max_counting, ttl=lock_seconds, timer=self._now)
        # key -> (wrong passwords, latest failure); expires lock_seconds after it
        self._locked: TTLCache[Hashable, tuple[int, float]] = TTLCache(maxsize=max_locked, ttl=lock_seconds, timer=self._now)
        # key -> attempts reserved and not yet decided; as many as requests in flight, so bounded by them
        self._pending: dict[Hashable, int] = {}
        self._lock = lock or threading.RLock()

    def _now(self) -> float:
        return self.clock()

    @property
    def capacity(self) -> int:
        """The most keys this count ever holds, whatever it is sent (reservations aside)."""
        return int(self._counting.maxsize + self._locked.maxsize)

    def __len__(self) -> int:
        """Keys held right now (expired entries are dropped first)."""
        with self._lock:
            self._counting.expire()
            self._locked.expire()
            return len(self._counting) + len(self._locked)

    def refusal(self, key: Hashable) -> TooManyAttempts | None:
        """Why an attempt for ``key`` may not be made now; None if it may."""
        with self._lock:
            pending = self._pending.get(key, 0)
            entry = self._locked.get(key)  # also marks it recently tried
            if entry is not None:
                failures, since = entry
                wait = since + (self.lock_seconds if self.backoff is None else self.backoff(failures)) - self.clock()
                if wait > 0 or pending:  # a slowed key lets one attempt through at a time
                    return TooManyAttempts(failures, max(wait, 0.0), self.scope)
                return None
            failures = self._counting.get(key, 0)
            if failures + pending >= self.max_failures:  # the reserved ones may be wrong too
                return TooManyAttempts(failures + pending, self.lock_seconds, self.scope)
            return None

    def check(self, key: Hashable) -> None:
        """Raise :class:`TooManyAttempts` while ``key`` may not be tried."""
        if (refused := self.refusal(key)) is not None:
            raise refused

    def reserve(self, key: Hashable) -> None:
        """Count an attempt in flight (call :meth:`failed`, :meth:`succeeded` or :meth:`release` with ``reserved``)."""
        with self._lock:
            self.check(key)
            self._pending[key] = self._pending.get(key, 0) + 1

    def release(self, key: Hashable) -> None:
        """Forget a reserved attempt that was not decided (the check could not run) or turned out right."""
        with self._lock:
            left = self._pending.pop(key, 0) - 1
            if left > 0:
                self._pending[key] = left

    def failed(self, key: Hashable, *, reserved: bool = False) -> None:
        with self._lock:
            if reserved:
                self.release(key)
            now = self.clock()
            locked = self._locked.get(key)
            if locked is not None:  # a guess already under way when the lock began: it starts again
                self._locked[key] = (locked[0] + 1, now)
                return
            failures = self._counting.get(key, 0) + 1
            if failures < self.max_failures:
                self._counting[key] = failures
                return
            self._counting.pop(key, None)
            self._locked[key] = (failures, now)
        log.warning("auth.sign_in_locked" if self.backoff is None else "auth.sign_in_slowed",
                    scope=self.scope, key=repr(key), failures=failures)

    def succeeded(self, key: Hashable, *, reserved: bool = False) -> None:
        """The password was right: the count of this key starts again."""
        with self._lock:
            if reserved:
                self.release(key)
            self._counting.pop(key, None)
            self._locked.pop(key, None)


@dataclass
class Attempt:
    """What :meth:`SignInThrottle.attempt` hands out: say how the password check ended."""

    outcome: bool | None = None

    def failed(self) -> None:
        self.outcome = False

    def succeeded(self) -> None:
        self.outcome = True


class SignInThrottle:
    """The three counts of the module's table, checked and reserved together for each sign-in.

    ``clock`` may be replaced after construction (tests step time); every
    table reads it through :meth:`_now`.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, *, max_failures: int = MAX_FAILURES,
                 lock_seconds: float = LOCK_SECONDS, username_failures: int = USERNAME_FAILURES,
                 source_failures: int = SOURCE_FAILURES) -> None:
        self.clock = clock
        self._lock = threading.RLock()
        self.by_pair: Lockout = Lockout(max_failures, lock_seconds, self._now, lock=self._lock)
        self.by_username: Lockout = Lockout(
            username_failures, lock_seconds, self._now, lock=self._lock, scope="username",
            backoff=doubling_delay(username_failures, USERNAME_MAX_DELAY))
        self.by_source: Lockout = Lockout(source_failures, lock_seconds, self._now, lock=self._lock,
                                               scope="source")
        # (username, source) -> True: where the username signed in lately
        self._familiar: TTLCache[tuple[str, str], bool] = TTLCache(maxsize=MAX_FAMILIAR, ttl=FAMILIAR_SECONDS,
                                                                   timer=self._now)

    def _now(self) -> float:
        return self.clock()

    @property
    def capacity(self) -> int:
        """The most entries this throttle ever holds, whatever it is sent."""
        return self.by_pair.capacity + self.by_username.capacity + self.by_source.capacity + int(self._familiar.maxsize)

    def __len__(self) -> int:
        with self._lock:
            self._familiar.expire()
            return len(self.by_pair) + len(self.by_username) + len(self.by_source) + len(self._familiar)

    def _counts(self, username: str, source: str) -> list[tuple[Lockout, Hashable]]:
        counts: list[tuple[Lockout, Hashable]] = [(self.by_pair, (username, source))]
        if (username, source) not in self._familiar:
            counts += [(self.by_username, username), (self.by_source, source)]
        return counts

    @contextmanager
    def attempt(self, username: str, source: str) -> Iterator[Attempt]:
        """Reserve an attempt of ``username`` from ``source`` (or raise :class:`TooManyAttempts`), then record
        what the block says of it: failed, succeeded, or nothing (the check did not happen: not counted)."""
        with self._lock:
            counts = self._counts(username, source)
            for count, key in counts:
                count.check(key)
            for count, key in counts:
                count.reserve(key)
        attempt = Attempt()
        try:
            yield attempt
        finally:
            with self._lock:
                for count, key in counts:
                    if attempt.outcome is None:
                        count.release(key)
                    elif attempt.outcome is False:
                        count.failed(key, reserved=True)
                    elif count is self.by_pair:
                        count.succeeded(key, reserved=True)
                    else:  # a right password does not reset the wide counts: one account would reset a spray
                        count.release(key)
                if attempt.outcome is False and len(counts) == 1:  # familiar: not held back, still counted
                    self.by_username.failed(username)
                    self.by_source.failed(source)
                if attempt.outcome is True:
                    self._familiar[(username, source)] = True

    def failed(self, username: str, source: str) -> None:
        """Record a wrong password checked without a reservation."""
        with self._lock:
            self.by_pair.failed((username, source))
            self.by_username.failed(username)
            self.by_source.failed(source)
