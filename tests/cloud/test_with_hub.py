"""The walking skeleton end to end: the real hub agent (simulated devices) on its
office broker, bridged to the cloud broker, and the real cloud service."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from broker.stack import OfficeBroker
from edge.agent import HubAgent, HubOptions
from edge.config_file import load_office_config
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
KIOSK_HO_TICH, KIOSK_DAT_DAI = 17, 27


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
