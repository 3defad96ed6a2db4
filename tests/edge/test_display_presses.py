"""The virtual office's buttons are pressed by its own page only, never by another site open in the same browser.

A real hub agent with simulated devices serves the display on 127.0.0.1; the
presses are real HTTP requests to it, with the headers a browser would send
from another page, from a rebinding page, from no page at all, and from the
virtual office itself. A press runs the kiosk handler before the answer
(MockPin delivers the edge in the caller's thread), so the tickets counted
right after each answer are all it issued.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from broker.process import free_port
from edge.agent import HubAgent, HubOptions
from edge.config_file import load_office_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def hub(tmp_path: Path, office_broker) -> Iterator[HubAgent]:
    office = office_broker("sai-gon", bridged=False)
    agent = HubAgent(load_office_config(ROOT / "firmware_configs/sai-gon.yaml"),
                     HubOptions(data_dir=tmp_path / "edge", simulate=True, mqtt_port=office.port,
                                mqtt_password=office.hub_password, display_port=free_port(), open_all_day=True))
    agent.start()
    yield agent
    agent.stop()


def tickets(agent: HubAgent) -> int:
    return int(agent.store.query("SELECT count(*) FROM tickets")[0][0])


def press(agent: HubAgent, headers: dict[str, str]) -> httpx.Response:
    pin = agent.config.hub.kiosk[0].pin
    return httpx.post(f"{agent.server.url}/sim/pins/{pin}/press", headers=headers, timeout=10)


def test_a_press_from_another_page_or_from_no_page_is_refused_and_issues_nothing(hub: HubAgent) -> None:
    port = hub.server.port
    refused = {
        "another site": {"Origin": "http://evil.example"},
        "another site, Referer only": {"Referer": "http://evil.example/page.html"},
        "another port of this machine": {"Origin": f"http://127.0.0.1:{free_port()}"},
        "a sandboxed frame or a file:// page": {"Origin": "null"},
        "neither Origin nor Referer (curl)": {},
        "a rebinding page, same-origin with its own name": {"Host": f"evil.example:{port}",
                                                            "Origin": f"http://evil.example:{port}"},
    }
    for what, headers in refused.items():
        response = press(hub, headers)
        assert response.status_code == 403, f"{what}: {response.status_code} {response.text}"
        assert tickets(hub) == 0, what
    assert hub.sim.printer.receipts == []


def test_a_press_from_the_virtual_office_itself_issues_a_ticket(hub: HubAgent) -> None:
    base = hub.server.url
    assert press(hub, {"Origin": base}).status_code == 204  # what the page's fetch() sends
    assert tickets(hub) == 1
    assert press(hub, {"Referer": f"{base}/office"}).status_code == 204  # a browser that sends only a Referer
    port = hub.server.port
    assert press(hub, {"Host": f"localhost:{port}", "Origin": f"http://localhost:{port}"}).status_code == 204
    assert tickets(hub) == 3


def test_reading_the_display_needs_no_origin(hub: HubAgent) -> None:
    """The hall TV's GETs (state, events, audio) are not presses: they stay open to any page, as before."""
    assert httpx.get(f"{hub.server.url}/api/state", headers={"Origin": "http://evil.example"}).status_code == 200
