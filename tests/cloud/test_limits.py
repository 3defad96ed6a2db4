"""Request bodies are limited before they are read, and refused unread for callers without credentials.

Issue 9: one anonymous 40 MB JSON body to ``POST /api/v1/dossiers`` was read
and parsed before the 401 (the process at 1.1 GB), a signed-in one got its
40 MB echoed back in the 422, and two such senders slowed ``/health`` from
2 ms to 2 s. These tests talk to the real service under uvicorn: the
``cloud`` fixture (a thread) for what a request gets back, ``onestop cloud``
as its own process for its memory and its connection settings.
"""

from __future__ import annotations

import socket
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import h11
import httpx
import pytest

from broker.stack import CloudBroker
from cloud.app import CloudServer, create_app
from cloud.domain.access import MATRIX
from cloud.domain.roles import Role
from cloud.settings import Settings
from tests.auth.test_access_matrix import ENDPOINTS, OPEN, SIGNED_IN
from tests.cloud.test_ingest_crash import CloudProcess
from tests.staff import HEADERS, sign_in_staff
from tests.waiting import wait_until

LIMIT = 64 * 1024
BIG = 40 * 1024 * 1024
CHUNK = 64 * 1024
DOSSIERS = "/api/v1/dossiers"


def answer_to_head(url: str, method: str, path: str, headers: dict[str, str], timeout: float = 10) -> h11.Response:
    """Send only a request's head, announcing a body that never comes: an answer proves no body was awaited."""
    host, port = url.removeprefix("http://").split(":")
    client = h11.Connection(h11.CLIENT)
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(client.send(h11.Request(method=method, target=path,
                                             headers=[("Host", f"{host}:{port}"), *headers.items()])) or b"")
        while True:
            event = client.next_event()
            if event is h11.NEED_DATA:
                try:
                    client.receive_data(sock.recv(65536))
                except TimeoutError:
                    raise AssertionError(f"no answer within {timeout} s: the service waits for the body") from None
                continue
            assert isinstance(event, h11.Response), event
            return event


def big_json(size: int = BIG) -> Iterator[bytes]:
    """A JSON body of ``size`` bytes (a list of short strings, costly to parse), streamed in 64 KiB pieces."""
    head, tail = b'{"applicant_name": [', b'"x"]}'
    item = b'"xxxxxxxxx",'
    middle = size - len(head) - len(tail)
    piece = item * (CHUNK // len(item))
    yield head
    sent = 0
    while middle - sent >= len(piece):
        yield piece
        sent += len(piece)
    rest = middle - sent
    yield item * (rest // len(item)) + b" " * (rest % len(item))
    yield tail


class Counted:
    """An iterable body that counts what the client really took from it (it stops when the server answers)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks, self.taken = chunks, 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.taken += len(chunk)
            yield chunk


def test_the_gate_knows_which_routes_need_an_account(settings: Settings) -> None:
    """Its table, read from the routes' declared permissions, agrees with the hand-written access matrix."""
    from cloud.api.limits import route_limits

    table = {(method, entry.path): entry for entry in route_limits(create_app(settings).routes, LIMIT)
             for method in entry.methods}
    for (method, path), rule in ENDPOINTS.items():
        public_may = rule in (OPEN, SIGNED_IN) or any(p.value == rule for p in MATRIX[Role.public])
        assert (table[method, path].sign_in_for is None) == public_may, (method, path)
        expected = settings.upload_max_body_bytes if (method, path) in UPLOADS else LIMIT
        assert table[method, path].max_body == expected, (method, path)  # only uploads take more
    assert table["POST", "/console/dossiers/{code}/attachments"].max_body == settings.upload_max_body_bytes


UPLOADS = {("POST", "/api/v1/dossiers/{code}/attachments")}
"""The API routes that take a file (issue 11): their own limit, the largest attachment plus its form."""


def test_an_upload_is_refused_from_its_head_without_an_account_or_over_its_limit(cloud: CloudServer,
                                                                                api: httpx.Client) -> None:
    path, form = "/api/v1/dossiers/X/attachments", {"Content-Type": "multipart/form-data; boundary=b"}
    anonymous = answer_to_head(cloud.url, "POST", path, {**form, "Content-Length": str(BIG)})
    assert anonymous.status_code == 401
    over = cloud.settings.upload_max_body_bytes + 1
    assert answer_to_head(cloud.url, "POST", path, {**HEADERS, **form, "Content-Length": str(over)}).status_code == 413
    console = answer_to_head(cloud.url, "POST", "/console/dossiers/X/attachments",
                             {**HEADERS, **form, "Content-Length": str(over)})
    assert console.status_code == 413


def test_an_anonymous_body_to_a_staff_route_is_refused_from_its_head(cloud: CloudServer) -> None:
    answer = answer_to_head(cloud.url, "POST", DOSSIERS, {"Content-Type": "application/json",
                                                          "Content-Length": str(BIG)})
    assert answer.status_code == 401 and (b"www-authenticate", b"Bearer") in answer.headers


def test_a_signed_in_body_over_the_limit_is_refused_from_its_content_length(cloud: CloudServer,
                                                                             api: httpx.Client) -> None:
    answer = answer_to_head(cloud.url, "POST", DOSSIERS, {**HEADERS, "Content-Type": "application/json",
                                                          "Content-Length": str(LIMIT + 1)})
    assert answer.status_code == 413
    sent = Counted(big_json())
    refused = api.post(DOSSIERS, content=sent, headers={"Content-Type": "application/json", "Content-Length": str(BIG)})
    assert refused.status_code == 413 and refused.json()["code"] == "body_too_large"
    assert str(LIMIT) in refused.json()["detail"] and refused.json()["message_vi"]
    assert sent.taken < BIG // 4, "the client could send its whole body"


def test_a_chunked_body_is_counted_and_stopped_at_the_limit(api: httpx.Client) -> None:
    sent = Counted(big_json())
    refused = api.post(DOSSIERS, content=sent, headers={"Content-Type": "application/json"})
    assert refused.request.headers.get("transfer-encoding") == "chunked"
    assert refused.status_code == 413 and refused.json()["code"] == "body_too_large"
    assert sent.taken < BIG // 4, "the service read the whole body"
    anonymous = httpx.post(f"{api.base_url}{DOSSIERS}", content=Counted(big_json()),
                           headers={"Content-Type": "application/json"}, timeout=15)
    assert anonymous.status_code == 401


def test_a_body_within_the_limit_is_still_served(api: httpx.Client) -> None:
    body = {"procedure": "HT.01", "office": "sai-gon", "applicant_name": "Nguyễn Văn An " * 2000}
    assert LIMIT // 2 < len(httpx.Request("POST", "/", json=body).content) < LIMIT
    assert api.post(DOSSIERS, json=body).status_code not in (401, 413)


def test_a_validation_error_never_echoes_what_was_sent(api: httpx.Client) -> None:
    marker = "ĐÁNH-DẤU-" + "q7" * 5000  # 10 KB that only the request contains
    refused = api.post(DOSSIERS, json={"procedure": "HT.01", "office": "sai-gon", "applicant_name": "An",
                                       "applicant_email": marker, "documents": []})
    assert refused.status_code == 422
    assert "q7q7" not in refused.text and len(refused.content) < 2000
    (error,) = refused.json()["detail"]
    assert set(error) == {"loc", "msg", "type"} and error["loc"] == ["body", "applicant_email"]
    many = api.post(DOSSIERS, json={"procedure": "HT.01", "office": "sai-gon", "applicant_name": "An",
                                    "documents": [{"colour": i} for i in range(50)]})
    assert many.status_code == 422 and len(many.json()["detail"]) == 20


# -- the service as its own process --------------------------------------------------------------------------


def vm(pid: int, field: str) -> int:
    """A memory figure of a process in bytes (/proc/<pid>/status: VmHWM is its peak resident size)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field} for {pid}")


@pytest.fixture
def service(tmp_path: Path, cloud_broker: CloudBroker, firmware_configs: Path) -> Iterator[tuple[CloudProcess, str]]:
    process = CloudProcess(tmp_path, cloud_broker, firmware_configs)
    process.env["ONESTOP_HTTP_KEEP_ALIVE_S"] = "1"
    process.env["ONESTOP_HTTP_HEAD_TIMEOUT_S"] = "1"
    process.start()
    try:
        yield process, f"http://127.0.0.1:{process.port}"
    finally:
        process.stop()


def test_oversized_senders_leave_the_memory_and_the_health_check_alone(service: tuple[CloudProcess, str]) -> None:
    process, url = service
    assert process.process is not None
    pid = process.process.pid
    staff = sign_in_staff(f"sqlite:///{process.data_dir / 'cloud.db'}")
    peak_before = vm(pid, "VmHWM")

    started = time.monotonic()
    first = httpx.post(f"{url}{DOSSIERS}", content=Counted(big_json()), timeout=30,
                       headers={"Content-Type": "application/json", "Content-Length": str(BIG)})
    assert first.status_code in (401, 413) and time.monotonic() - started < 5

    def sender(headers: dict[str, str]) -> None:
        with httpx.Client(base_url=url, timeout=30, headers=headers) as client:
            for _ in range(10):
                client.post(DOSSIERS, content=Counted(big_json()), headers={"Content-Type": "application/json"})

    senders = [threading.Thread(target=sender, args=(h,), daemon=True) for h in ({}, staff)]
    for thread in senders:
        thread.start()
    latencies: list[float] = []
    with httpx.Client(base_url=url, timeout=30) as health:
        while any(t.is_alive() for t in senders) or len(latencies) < 10:
            t0 = time.monotonic()
            assert health.get("/api/v1/health").status_code == 200
            latencies.append(time.monotonic() - t0)
    for thread in senders:
        thread.join(60)
    grown = vm(pid, "VmHWM") - peak_before
    ms = sorted(x * 1000 for x in latencies)
    print(f"health p50 {statistics.median(ms):.1f} ms, p95 {ms[int(len(ms) * 0.95)]:.1f} ms, max {ms[-1]:.1f} ms "
          f"over {len(ms)} checks; "
          f"peak RSS grew {grown / 2**20:.1f} MB")
    assert grown < 100 * 2**20, f"the service's peak memory grew by {grown / 2**20:.0f} MB"
    assert statistics.median(latencies) < 0.2, latencies


def test_an_idle_keep_alive_connection_is_closed_after_the_setting(service: tuple[CloudProcess, str]) -> None:
    _, url = service
    host, port = url.removeprefix("http://").split(":")
    client = h11.Connection(h11.CLIENT)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(client.send(h11.Request(method="GET", target="/api/v1/health", headers=[("Host", host)])) or b"")
        sock.sendall(client.send(h11.EndOfMessage()) or b"")
        while not isinstance(event := client.next_event(), h11.EndOfMessage):
            if event is h11.NEED_DATA:
                client.receive_data(sock.recv(65536))
        answered = time.monotonic()
        sock.settimeout(0.2)

        def closed() -> bool:
            try:
                return sock.recv(1) == b""
            except TimeoutError:
                return False

        wait_until(closed, timeout=4, what="the service to close the idle connection (keep-alive 1 s; uvicorn's 5 s)")
        assert time.monotonic() - answered >= 0.8


def test_a_head_sent_a_byte_at_a_time_is_cut_off_at_the_head_timeout(service: tuple[CloudProcess, str]) -> None:
    """Slowloris: uvicorn alone would wait for the headers for ever; the service closes after 1 s."""
    _, url = service
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: " + host.encode() + b"\r\n")
        started = time.monotonic()
        sock.settimeout(0.2)

        def closed() -> bool:
            try:
                sock.sendall(b"X")  # one more header byte, as a slowloris client does
                return sock.recv(1) == b""
            except TimeoutError:
                return False
            except (BrokenPipeError, ConnectionResetError):
                return True

        wait_until(closed, timeout=5, what="the service to close a connection whose head never ends")
        assert time.monotonic() - started >= 0.8
    # a prompt request on a new connection is served as before
    assert httpx.get(f"{url}/api/v1/health", timeout=10).status_code == 200
