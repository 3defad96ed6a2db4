"""The walking skeleton end to end: the real hub agent (simulated devices) on its
office broker, bridged to the cloud broker, and the real cloud service."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from broker.stack import OfficeBroker
from edge.agent import HubAgent, HubOptions
from edge.config_file import load_office_config
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
KIOSK_HO_TICH, KIOSK_DAT_DAI, KIOSK_KINH_DOANH = 17, 27, 23
NEXT_3, DONE_3 = 21, 8


@pytest.fixture
def hub(tmp_path: Path, office_broker: Callable[..., OfficeBroker]) -> Iterator[HubAgent]:
    office = office_broker("sai-gon")
    agent = HubAgent(load_office_config(ROOT / "firmware_configs/sai-gon.yaml"),
                     HubOptions(data_dir=tmp_path / "edge", simulate=True, mqtt_port=office.port,
                                mqtt_password=office.hub_password, display_port=0, open_all_day=True))
    agent.start()
    assert agent.client.wait_connected(10)
    yield agent
    agent.stop()


def test_kiosk_ticket_reaches_the_cloud_and_the_cloud_calls_it(api: httpx.Client, hub: HubAgent) -> None:
    wait_until(lambda: api.get("/api/v1/offices/sai-gon").json()["online"], what="the hub's birth certificate")
    assert hub.sim is not None
    hub.sim.press(KIOSK_DAT_DAI)
    hub.sim.press(KIOSK_HO_TICH)

    def waiting() -> dict[str, list[str]]:
        queue = api.get("/api/v1/offices/sai-gon/queue").json()
        return {f["code"]: [t["number"] for t in f["waiting"]] for f in queue["fields"] if f["waiting"]}

    wait_until(lambda: waiting() == {"dat-dai": ["B001"], "ho-tich": ["A001"]}, what="both tickets in the cloud")
    wait_until(lambda: hub.outbox.confirmed() == 2, what="the cursor to reach the hub")

    response = api.post("/api/v1/offices/sai-gon/counters/2/call-next")
    assert response.status_code == 200, response.text
    assert (response.json()["number"], response.json()["counter"]) == ("B001", 2)
    # The hub's own events of that call come back up as facts.
    wait_until(lambda: api.get("/api/v1/offices/sai-gon/queue").json()["counters"][1]["current"] is not None,
               what="the call projected")
    assert waiting() == {"ho-tich": ["A001"]}

    response = api.post("/api/v1/offices/sai-gon/counters/2/call-next")  # nothing left for counter 2's field
    assert response.status_code == 409
    assert response.json()["code"] == "queue_empty"
    assert response.json()["message_vi"] == "Không còn khách chờ cho quầy 2."


def test_done_no_show_and_transfer_from_the_console_run_on_the_hub_and_come_back_as_facts(
        api: httpx.Client, hub: HubAgent) -> None:
    wait_until(lambda: api.get("/api/v1/offices/sai-gon").json()["online"], what="the hub's birth certificate")
    assert hub.sim is not None
    for _ in range(3):
        hub.sim.press(KIOSK_HO_TICH)
    hub.sim.press(KIOSK_KINH_DOANH)
    hub.sim.press(NEXT_3)  # counter 3 at work (its keypad), then free again
    hub.sim.press(DONE_3)
    counter = "/api/v1/offices/sai-gon/counters/{}/{}"

    def queue() -> dict[str, Any]:
        body: dict[str, Any] = api.get("/api/v1/offices/sai-gon/queue").json()
        return body

    assert api.post(counter.format(1, "call-next")).json()["number"] == "A001"
    done = api.post(counter.format(1, "done"))
    assert done.status_code == 200, done.text
    assert {k: done.json()[k] for k in ("number", "counter", "outcome")} == {"number": "A001", "counter": 1,
                                                                              "outcome": "served"}
    assert api.post(counter.format(1, "call-next")).json()["number"] == "A002"
    assert api.post(counter.format(1, "no-show")).json()["outcome"] == "no_show"
    nothing = api.post(counter.format(1, "transfer"), json={"to_counter": 3})
    assert (nothing.status_code, nothing.json()["code"]) == (409, "nothing_called")
    assert nothing.json()["message_vi"] == "Quầy 1 chưa gọi số nào."

    assert api.post(counter.format(1, "call-next")).json()["number"] == "A003"
    wait_until(lambda: (queue()["counters"][0]["current"] or {}).get("number") == "A003", what="A003 at counter 1")
    for body, code in (({"to_counter": 1}, "same_counter"), ({"to_counter": 9}, "counter_not_found")):
        refused = api.post(counter.format(1, "transfer"), json=body)
        assert (refused.status_code, refused.json()["code"]) == (422, code)
    closed = api.post(counter.format(1, "transfer"), json={"to_counter": 2})  # nobody at counter 2 today
    assert (closed.status_code, closed.json()["code"]) == (409, "counter_closed")
    moved = api.post(counter.format(1, "transfer"), json={"to_counter": 3})
    assert moved.status_code == 200, moved.text
    assert {k: moved.json()[k] for k in ("number", "from_counter", "to_counter")} == {
        "number": "A003", "from_counter": 1, "to_counter": 3}
    wait_until(lambda: queue()["counters"][0]["current"] is None, what="the transfer projected: counter 1 free")

    hub.sim.press(NEXT_3)  # counter 3's next call takes the transferred citizen first
    hub.sim.led_bus.wait_for(lambda twin: twin.displays.get(3) == "A003", timeout=5)
    finished = api.post(counter.format(3, "done"))
    assert (finished.json()["number"], finished.json()["counter"]) == ("A003", 3)
    wait_until(lambda: queue()["counts"]["served"] == 3, what="A001, D001 and A003 served in the cloud")
    assert queue()["counts"]["no_show"] == 1
