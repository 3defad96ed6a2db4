"""What an outside guesser can and cannot do to sign-in (issue 9), on the real app.

Sources are real client addresses: TestClient's ``client=`` for the ASGI
scope, and for the concurrent tests uvicorn on 127.0.0.1 with connections
from other loopback addresses (the whole of 127.0.0.0/8 is this machine).
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from cloud.app import CloudServer
from cloud.auth.passwords import Verifier
from cloud.auth.throttle import MAX_FAILURES, SOURCE_FAILURES, USERNAME_FAILURES, SignInThrottle, TooManyAttempts
from cloud.auth.users import UserStore
from tests.auth.conftest import PASSWORD, RECEPTION

TOKEN = "/api/v1/auth/token"


def from_address(client: TestClient, host: str) -> TestClient:
    """The same running app, reached from ``host`` (no second lifespan: the app is already started)."""
    return TestClient(client.app, client=(host, 50_000))


def guess(client: TestClient | httpx.Client, username: str = RECEPTION, password: str = "guess guess") -> httpx.Response:
    return client.post(TOKEN, data={"username": username, "password": password})


class Steps:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def refusal(throttle: SignInThrottle, username: str, source: str) -> TooManyAttempts | None:
    try:
        with throttle.attempt(username, source):
            return None  # not decided: released
    except TooManyAttempts as exc:
        return exc


def test_guesses_from_one_address_do_not_lock_the_officer_out_of_their_desk(client: TestClient) -> None:
    attacker, desk = from_address(client, "203.0.113.66"), from_address(client, "10.20.0.7")
    for _ in range(MAX_FAILURES):
        assert guess(attacker).status_code == 401
    for _ in range(3):  # the attacker's address is locked for this username, even with the right password
        locked = guess(attacker, password=PASSWORD)
        assert locked.status_code == 429 and "from 203.0.113.66" in locked.json()["detail"]
        assert int(locked.headers["retry-after"]) > 60
    assert guess(desk, password=PASSWORD).status_code == 200  # the officer at their desk is not


def test_a_username_tried_from_many_addresses_is_slowed_down_not_locked_and_not_at_a_familiar_desk() -> None:
    clock = Steps()
    throttle = SignInThrottle(clock=clock)
    with throttle.attempt("tn.lan", "10.20.0.7") as at_desk:  # the officer signed in here before
        at_desk.succeeded()
    for i in range(USERNAME_FAILURES):  # spread so that no address reaches its own lock
        throttle.failed("tn.lan", f"198.51.100.{i // (MAX_FAILURES - 1)}")
    slowed = refusal(throttle, "tn.lan", "198.51.100.200")
    assert slowed is not None and slowed.scope == "username" and 0 < slowed.wait_s <= 1
    assert refusal(throttle, "tn.lan", "10.20.0.7") is None  # the familiar desk is not held back
    waits = []
    for _ in range(8):  # each further failure doubles the wait, up to a minute: a delay, never a lock
        clock.now += 61
        throttle.failed("tn.lan", "198.51.100.201")
        slowed = refusal(throttle, "tn.lan", "198.51.100.202")
        assert slowed is not None
        waits.append(round(slowed.wait_s))
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60]
    clock.now += 61
    assert refusal(throttle, "tn.lan", "198.51.100.202") is None


def test_password_spraying_from_one_address_locks_that_address() -> None:
    throttle = SignInThrottle(clock=Steps())
    for i in range(SOURCE_FAILURES):
        throttle.failed(f"officer-{i}", "203.0.113.9")
    sprayed = refusal(throttle, "someone.else", "203.0.113.9")
    assert sprayed is not None and sprayed.scope == "source" and sprayed.wait_s > 290
    assert refusal(throttle, "someone.else", "10.20.0.7") is None


def post_at_once(url: str, requests: list[tuple[str, dict[str, str]]]) -> list[httpx.Response]:
    """Send every (source address, form) at the same moment, each on its own connection from that address."""

    async def send(source: str, form: dict[str, str]) -> httpx.Response:
        async with httpx.AsyncClient(base_url=url, timeout=60,
                                     transport=httpx.AsyncHTTPTransport(local_address=source)) as client:
            return await client.post(TOKEN, data=form)

    async def main() -> list[httpx.Response]:
        return list(await asyncio.gather(*(send(source, form) for source, form in requests)))

    return asyncio.run(main())


def test_thirty_parallel_guesses_get_at_most_five_checks(server: CloudServer) -> None:
    users: UserStore = server.app.state.users
    users.passwords.wait_s = 60  # on a loaded machine the five checks must not turn into 503s
    answers = post_at_once(server.url, [("127.0.0.2", {"username": RECEPTION, "password": f"guess {i:02d} x"})
                                        for i in range(30)])
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [401] * MAX_FAILURES + [429] * (30 - MAX_FAILURES)
    with httpx.Client(base_url=server.url, transport=httpx.HTTPTransport(local_address="127.0.0.3")) as desk:
        assert guess(desk, password=PASSWORD).status_code == 200


class CountingHasher:
    """The real hasher, counting how many of its checks run at once and in all."""

    def __init__(self, inner: Verifier) -> None:
        self.inner = inner
        self.running = self.most = self.calls = 0
        self._lock = threading.Lock()

    def verify_and_update(self, password: str, hash: str) -> tuple[bool, str | None]:
        with self._lock:
            self.running += 1
            self.calls += 1
            self.most = max(self.most, self.running)
        try:
            return self.inner.verify_and_update(password, hash)
        finally:
            with self._lock:
                self.running -= 1


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc/self/status")


def test_a_burst_of_made_up_usernames_runs_a_bounded_number_of_checks_and_others_are_served(
        server: CloudServer) -> None:
    users: UserStore = server.app.state.users
    counting = CountingHasher(users.passwords.hasher)
    users.passwords.hasher = counting
    health: list[tuple[int, float]] = []
    done = threading.Event()

    def watch_health() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            while not done.wait(0.05):  # a request every 50 ms while the burst lasts
                started = time.monotonic()
                status = client.get("/api/v1/health").status_code
                health.append((status, time.monotonic() - started))

    Path("/proc/self/clear_refs").write_text("5")  # the peak RSS starts again from now
    before = peak_rss_mib()
    watcher = threading.Thread(target=watch_health)
    watcher.start()
    try:
        answers = post_at_once(server.url, [(f"127.0.1.{i + 1}", {"username": f"ghost-{i:02d}", "password": "x" * 12})
                                            for i in range(60)])
    finally:
        done.set()
        watcher.join()
    growth = peak_rss_mib() - before
    assert counting.most == users.passwords.limit  # the checks did run side by side, but no more of them
    assert {r.status_code for r in answers} <= {401, 503} and sum(r.status_code == 401 for r in answers) >= 2
    assert all(r.headers["retry-after"] == "1" for r in answers if r.status_code == 503)
    assert growth < 64 * users.passwords.limit + 200, f"peak RSS grew {growth:.0f} MiB"
    assert health and all(status == 200 for status, _ in health)
    assert max(seconds for _, seconds in health) < 2.0, health


def test_a_made_up_username_costs_what_a_real_one_costs(client: TestClient, users: UserStore) -> None:
    counting = CountingHasher(users.passwords.hasher)
    users.passwords.hasher = counting
    seconds: dict[str, list[float]] = {}
    for username in [RECEPTION, "ghost.test", "it.test"] * 3:  # real, unknown, without a password
        started = time.perf_counter()
        calls = counting.calls
        assert guess(from_address(client, f"10.9.0.{len(seconds) + 1}"), username).status_code == 401
        assert counting.calls == calls + 1  # one argon2id check each, through the same gate
        seconds.setdefault(username, []).append(time.perf_counter() - started)
    real = statistics.median(seconds[RECEPTION])
    for other in ("ghost.test", "it.test"):
        assert 0.5 < statistics.median(seconds[other]) / real < 2, seconds
