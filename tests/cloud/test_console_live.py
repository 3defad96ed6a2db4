"""The office's live parts over server-sent events, against the real service (uvicorn, broker, ingest).

A ticket the hub reports reaches an open stream as the part that changed; another administration's
office is "not found"; a client that goes away releases its stream, and so does the server's shutdown
(uvicorn would otherwise wait for the never-ending response). Vendored scripts only, served here.
"""

from __future__ import annotations

import hashlib
import queue
import re
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from cloud.app import CloudServer
from cloud.web.live import LiveHub, stream
from tests.cloud.fakes import OfficeEdge
from tests.cloud.test_ingest import issued
from tests.waiting import wait_until

EVENTS = "/console/offices/sai-gon/events"
VENDOR = Path(__file__).resolve().parents[2] / "cloud" / "web" / "static" / "vendor"


class Reader:
    """An open event stream read on its own thread: each complete event lands in ``events``."""

    def __init__(self, api: httpx.Client, path: str = EVENTS) -> None:
        self.events: queue.Queue[tuple[str, str]] = queue.Queue()
        self.status: int | None = None
        self.ended = threading.Event()
        self._client = httpx.Client(base_url=api.base_url, headers=api.headers, timeout=httpx.Timeout(5, read=60))
        self._thread = threading.Thread(target=self._read, args=(path,), daemon=True)
        self._opened = threading.Event()
        self._thread.start()
        assert self._opened.wait(10), "the stream did not open"

    def _read(self, path: str) -> None:
        try:
            with self._client.stream("GET", path) as response:
                self.status = response.status_code
                self._opened.set()
                name, data = "message", []
                for line in response.iter_lines():
                    if line.startswith("event: "):
                        name = line[7:]
                    elif line.startswith("data: "):
                        data.append(line[6:])
                    elif line == "" and data:
                        self.events.put((name, "\n".join(data)))
                        name, data = "message", []
        except httpx.HTTPError:
            pass
        finally:
            self._opened.set()
            self.ended.set()

    def until(self, name: str, contains: str, timeout: float = 10.0) -> str:
        """The first event ``name`` whose data contains ``contains`` (events before it are dropped)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                got, data = self.events.get(timeout=left)
            except queue.Empty:
                break
            if got == name and contains in data:
                return data
        raise AssertionError(f"no event {name!r} with {contains!r} within {timeout}s")

    def close(self) -> None:
        self._client.close()
        self.ended.wait(10)


def live(cloud: CloudServer) -> LiveHub:
    return cloud.app.state.live  # type: ignore[no-any-return]  # Starlette's app.state is untyped


def test_a_ticket_the_hub_reports_reaches_the_open_stream(cloud: CloudServer, api: httpx.Client,
                                                          edge: OfficeEdge, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "REFRESH_S", 120.0)  # so only the ingest's wake-up can bring the ticket in time
    reader = Reader(api)
    try:
        assert reader.status == 200
        # On connect every part comes once, in the page's order.
        reader.until("overview", 'data-testid="overview-issued">0<')
        reader.until("counter-1", 'data-testid="counter-1-current">—<')
        first = reader.until("field-ho-tich", "Không có khách chờ")
        assert 'data-testid="waiting-ho-tich"' in first
        edge.publish_event(1, issued(1, "A001"))
        reader.until("counts", 'data-testid="count-waiting">1<')  # the parts that changed, in the page's order
        waiting = reader.until("field-ho-tich", "A001")
        assert 'data-testid="waiting-count-ho-tich">1<' in waiting
    finally:
        reader.close()


def test_another_administration_s_office_is_not_found(cloud: CloudServer, api: httpx.Client) -> None:
    users = cloud.app.state.users
    users.add("tn.benthanh", full_name="Lê Thị Hoa", unit="ben-thanh", roles=["reception"])
    users.issue_token("tn.benthanh", kind="api", name="tests", ttl=timedelta(hours=1), secret="ben-thanh-token")
    other = {"Authorization": "Bearer ben-thanh-token"}
    foreign = httpx.get(f"{cloud.url}{EVENTS}", headers=other, timeout=5)
    assert foreign.status_code == 404 and "Không tìm thấy bộ phận" in foreign.text
    assert httpx.get(f"{cloud.url}/console/offices/sai-gon/overview", headers=other, timeout=5).status_code == 404
    assert httpx.get(f"{cloud.url}/console/offices/ghost/events", headers=api.headers, timeout=5).status_code == 404
    signed_out = httpx.get(f"{cloud.url}{EVENTS}", timeout=5, follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login")
    assert live(cloud).watchers() == 0  # none of them opened a stream


def test_a_client_that_goes_away_releases_its_stream(cloud: CloudServer, api: httpx.Client) -> None:
    readers = [Reader(api), Reader(api)]
    for reader in readers:
        reader.until("nodes", "Máy chủ")
    assert live(cloud).watchers("sai-gon") == 2
    readers[0].close()
    wait_until(lambda: live(cloud).watchers("sai-gon") == 1, timeout=10, what="the closed stream to end")
    readers[1].close()
    wait_until(lambda: live(cloud).watchers("sai-gon") == 0, timeout=10, what="the last stream to end")


def test_the_server_shuts_down_promptly_with_streams_open(cloud: CloudServer, api: httpx.Client) -> None:
    readers = [Reader(api) for _ in range(3)]
    for reader in readers:
        reader.until("nodes", "Máy chủ")
    started = time.monotonic()
    cloud.stop()
    took = time.monotonic() - started
    assert not cloud._thread.is_alive(), "uvicorn still runs"
    assert took < 8, f"shutdown took {took:.1f}s with event streams open"
    for reader in readers:
        assert reader.ended.wait(5), "a client's stream did not end with the server"
    assert live(cloud).watchers() == 0


@pytest.mark.parametrize("path", ["/console", "/console/offices/sai-gon", "/console/offices/sai-gon/overview",
                                  "/console/dossiers", "/login"])
def test_pages_load_scripts_from_this_server_only(api: httpx.Client, path: str) -> None:
    page = api.get(path)
    assert page.status_code == 200
    sources = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", page.text)
    assert all(src.startswith("/console/static/") for src in sources), sources
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.text), "a page refers to another site"


def test_the_vendored_htmx_is_served_as_the_readme_pins_it(api: httpx.Client) -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    pinned = dict(re.findall(r"\| `([\w.-]+\.js)` \|.*?\| `([0-9a-f]{64})` \|", readme))
    assert set(pinned) == {"htmx.min.js", "htmx-ext-sse.min.js"}
    for name, digest in pinned.items():
        served = api.get(f"/console/static/vendor/{name}")
        assert served.status_code == 200 and hashlib.sha256(served.content).hexdigest() == digest, name
    assert (VENDOR / "LICENSE.htmx").exists() and (VENDOR / "LICENSE.htmx-ext-sse").exists()
    page = api.get("/console/offices/sai-gon").text
    assert 'sse-connect="/console/offices/sai-gon/events"' in page and "/console/static/vendor/htmx.min.js" in page
