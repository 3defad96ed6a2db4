"""Password hashes, and how many of them are checked at once.

argon2id is slow and memory-hard on purpose: pwdlib's recommended
parameters take 64 MiB and a fifth of a second of this machine per check.
That is what makes a stolen hash expensive to attack, and also what made
simultaneous sign-ins a weapon: sixty made-up usernames, thirty at a time,
took the service to 1.8 GB and every other request to two seconds. So every
check goes through one :class:`PasswordChecker`: at most ``limit`` at a time
(one per CPU, at most four: a check already runs its four lanes on threads),
a short wait for a slot, and beyond ``max_waiting`` waiting or that wait,
:class:`Busy` at once instead of a queue that grows with the attack.

A username that does not exist, or has no password, is checked against a
dummy hash through the same gate, so it costs what a real one costs and the
answer's timing does not tell which usernames exist.
"""

from __future__ import annotations

import os
import threading
from typing import Protocol

from pwdlib import PasswordHash

hasher = PasswordHash.recommended()
DUMMY_HASH = hasher.hash("not a password of anyone")
MAX_CHECKS = 4
WAIT_S = 2.0
"""How long a sign-in waits for a free slot: about ten checks' time, two sign-in bursts of one office."""
WAITERS_PER_SLOT = 4


class Verifier(Protocol):
    def verify_and_update(self, password: str, hash: str) -> tuple[bool, str | None]: ...


class Busy(Exception):
    """Every slot is taken and the wait is over (or too many are waiting): try again in a moment."""


def default_limit() -> int:
    """The CPUs this process may run on, at most :data:`MAX_CHECKS` (so at most 256 MiB in checks)."""
    return max(1, min(len(os.sched_getaffinity(0)), MAX_CHECKS))


class PasswordChecker:
    def __init__(self, limit: int | None = None, wait_s: float = WAIT_S, max_waiting: int | None = None) -> None:
        self.limit = limit or default_limit()
        self.wait_s = wait_s
        self.max_waiting = max_waiting if max_waiting is not None else WAITERS_PER_SLOT * self.limit
        self.hasher: Verifier = hasher
        """Replaceable, e.g. by a test that counts the checks running at once."""
        self._slots = threading.BoundedSemaphore(self.limit)
        self._waiting = 0
        self._lock = threading.Lock()

    def verify(self, password: str, stored: str | None) -> tuple[bool, str | None]:
        """(whether ``password`` matches ``stored``, a new hash if its parameters are outdated); a missing
        ``stored`` is checked against the dummy hash and never matches. Blocks: call it off the event loop."""
        self._acquire()
        try:
            valid, new_hash = self.hasher.verify_and_update(password, stored or DUMMY_HASH)
        finally:
            self._slots.release()
        return (valid and stored is not None), new_hash if stored is not None else None

    def _acquire(self) -> None:
        if self._slots.acquire(blocking=False):
            return
        with self._lock:
            if self._waiting >= self.max_waiting:
                raise Busy(f"{self.limit} password checks running and {self._waiting} waiting")
            self._waiting += 1
        try:
            if not self._slots.acquire(timeout=self.wait_s):
                raise Busy(f"no free password check within {self.wait_s} s")
        finally:
            with self._lock:
                self._waiting -= 1


def hash_password(password: str) -> str:
    """A new hash (accounts are created by admins, not by the public: not gated)."""
    return hasher.hash(password)
