"""Sign-in throttling holds bounded tables whatever usernames and addresses an attacker sends,
a pair under attack stays locked through a flood of others, and the guesser's address is
what gets locked, not the officer's desk."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cloud.auth.throttle import MAX_FAILURES, Lockout, SignInThrottle, TooManyAttempts
from tests.auth.conftest import PASSWORD, RECEPTION

FLOOD = 100_000


class Steps:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def address(i: int) -> str:
    """The i-th of many made-up source addresses."""
    return f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"


def is_locked(throttle: Lockout, username: str) -> bool:
    try:
        throttle.check(username)
    except TooManyAttempts:
        return True
    return False


def test_a_flood_of_made_up_usernames_stays_within_the_bound() -> None:
    throttle = SignInThrottle()
    for i in range(FLOOD):
        throttle.failed(f"guess-{i:06d}", address(i))
    assert throttle.capacity < FLOOD
    assert len(throttle) <= throttle.capacity


def test_the_attacked_username_stays_locked_through_the_flood_and_through_the_api(client: TestClient) -> None:
    throttle: SignInThrottle = client.app.state.throttle  # type: ignore[attr-defined]  # TestClient.app is typed as a bare ASGI app
    for _ in range(MAX_FAILURES):
        assert client.post("/api/v1/auth/token", data={"username": RECEPTION, "password": "guess guess"}).status_code == 401
    for i in range(FLOOD):  # what sign_in() records for each wrong password of a made-up name
        throttle.failed(f"guess-{i:06d}", address(i))
    assert len(throttle) <= throttle.capacity
    locked = client.post("/api/v1/auth/token", data={"username": RECEPTION, "password": PASSWORD})
    assert locked.status_code == 429 and "5 wrong passwords" in locked.json()["detail"]


def test_locks_of_other_usernames_do_not_free_one_still_being_tried() -> None:
    """When even the lock table is full, the least recently tried lock goes: never the target's."""
    clock = Steps()
    throttle = Lockout(clock=clock, max_counting=50, max_locked=20)  # the (username, source) count
    for _ in range(MAX_FAILURES):
        throttle.failed("target")
    for i in range(200):  # 10x the lock table, each locked with five failures
        for _ in range(MAX_FAILURES):
            throttle.failed(f"other-{i}")
        assert is_locked(throttle, "target")  # the attacker keeps trying
        clock.now += 1
    assert len(throttle) <= throttle.capacity == 70
    assert not is_locked(throttle, "other-0")  # evicted: the policy has a cost, paid by the attacker's own names


def test_the_lock_lasts_from_the_fifth_failure_and_a_count_lives_one_window() -> None:
    clock = Steps()
    throttle = Lockout(clock=clock)
    for _ in range(MAX_FAILURES - 1):
        throttle.failed("slow")
        clock.now += 299  # each wrong password within the window of the previous one
    throttle.failed("slow")
    with pytest.raises(TooManyAttempts) as locked:
        throttle.check("slow")
    assert locked.value.failures == MAX_FAILURES and 299 < locked.value.wait_s <= 300
    clock.now += 300
    throttle.check("slow")  # the lock is over
    assert len(throttle) == 0

    for _ in range(MAX_FAILURES - 1):
        throttle.failed("forgetful")
    clock.now += 301  # a count older than the window is forgotten
    throttle.failed("forgetful")
    throttle.check("forgetful")
    throttle.succeeded("forgetful")
    assert len(throttle) == 0
