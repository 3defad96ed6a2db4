"""transport.waiting.wait_until: the one polling loop of the code base and of the tests."""

from __future__ import annotations

import itertools
import time

import pytest

from transport.waiting import WaitTimeout, wait_until


def test_returns_the_first_truthy_value() -> None:
    values = iter([0, None, "", "ready", "later"])
    assert wait_until(lambda: next(values), timeout=5, interval=0) == "ready"


def test_a_zero_timeout_checks_exactly_once() -> None:
    calls = itertools.count()
    with pytest.raises(WaitTimeout):
        wait_until(lambda: next(calls) and False, timeout=0)
    assert next(calls) == 1


def test_a_timeout_says_what_was_awaited_and_what_was_seen_last() -> None:
    started = time.monotonic()
    with pytest.raises(WaitTimeout, match=r"after 0.2s waiting for the printer; last value: \[\]") as err:
        wait_until(lambda: [], timeout=0.2, interval=0.05, what="the printer")
    assert 0.2 <= time.monotonic() - started < 2
    assert isinstance(err.value, TimeoutError)


def test_an_exception_in_the_predicate_ends_the_wait() -> None:
    def child_exited() -> bool:
        raise RuntimeError("the child exited")

    with pytest.raises(RuntimeError, match="the child exited"):
        wait_until(child_exited, timeout=30)


def test_the_interval_doubles_up_to_max_interval() -> None:
    seen: list[float] = []

    def never() -> bool:
        seen.append(time.monotonic())
        return False

    with pytest.raises(WaitTimeout):
        wait_until(never, timeout=0.5, interval=0.01, max_interval=0.16)
    gaps = [b - a for a, b in itertools.pairwise(seen)]
    # 0.01, 0.02, 0.04, 0.08, 0.16, 0.16, ...: a fixed 0.01 s interval would make ~50 calls
    assert 5 <= len(seen) <= 12, len(seen)
    assert max(gaps) < 0.16 + 0.1
