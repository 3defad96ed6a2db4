"""Waiting for something no event announces: a child's port, a broker login, uvicorn's start flag.

Where a library offers an event or a condition (``threading.Event``,
``Condition.wait_for``, a queue's ``get(timeout=...)``) we wait on that. What
is left is polling a predicate against a deadline, and it lives here once, so
that every such wait in the edge, the cloud, the brokers, the demo and the
tests has the same two properties: it gives up at a deadline that does not
move (``time.monotonic``, immune to clock changes) and its error says what it
was waiting for and what it saw last.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["WaitTimeout", "wait_until"]

T = TypeVar("T")


class WaitTimeout(TimeoutError):
    """``wait_until`` gave up. Its own class so that a ``TimeoutError`` raised by the predicate
    (a socket's, say) is never taken for the deadline passing."""


def wait_until(
    predicate: Callable[[], T | None],
    timeout: float = 10.0,
    interval: float = 0.02,
    what: str = "condition",
    *,
    max_interval: float | None = None,
) -> T:
    """Return the first truthy value of ``predicate()``; raise ``WaitTimeout`` after ``timeout`` seconds.

    The predicate is called at once (so ``timeout=0`` checks exactly once) and
    then every ``interval`` seconds; with ``max_interval`` the interval doubles
    after each miss up to that bound, which answers fast when the thing is
    quick and costs little when it is slow. An exception from the predicate
    propagates: that is how a caller stops waiting for something that can no
    longer happen (the child process exited). A predicate may itself block
    briefly (``queue.get(timeout=...)``); then ``interval=0`` adds no sleep.
    """
    deadline = time.monotonic() + timeout
    delay = interval
    last = predicate()
    while not last:
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"timed out after {timeout}s waiting for {what}; last value: {last!r}")
        if delay > 0:
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))  # re-check interval; the deadline decides
        if max_interval is not None:
            delay = min(delay * 2, max_interval)
        last = predicate()
    return last
