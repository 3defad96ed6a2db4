"""One office's queue end to end: kiosk → printer → hub → bridge → cloud → console → hub → LED/voice/display."""

from __future__ import annotations

import wave
from collections import Counter
from pathlib import Path

from tests.waiting import wait_until

KIOSK = {"ho-tich": 17, "dat-dai": 27, "chung-thuc": 22, "kinh-doanh": 23}
NEXT = {1: 5, 2: 26, 3: 21}


def _queue(stack) -> dict:
    response = stack.api.get("/api/v1/offices/sai-gon/queue")
    assert response.status_code == 200, response.text
    return response.json()


def _waiting_numbers(queue: dict, field: str) -> list[str]:
    return [t["number"] for f in queue["fields"] if f["code"] == field for t in f["waiting"]]


def test_kiosk_press_reaches_the_cloud_and_call_next_comes_back_to_the_room(stack):
    hub = stack.hub
    hub.sim.press(KIOSK["dat-dai"])
    receipt = hub.sim.printer.wait_for_receipts(1, timeout=5)[0]
    assert "B001" in receipt.lines and "Đất đai" in receipt.lines

    wait_until(lambda: _waiting_numbers(_queue(stack), "dat-dai") == ["B001"], what="B001 waiting in the cloud")
    assert [t for _, _, t in stack.events()] == ["ticket.issued"]

    response = stack.api.post("/api/v1/offices/sai-gon/counters/2/call-next")
    assert response.status_code == 200, response.text
    called = response.json()
    assert (called["number"], called["counter"], called["field"]) == ("B001", 2, "dat-dai")

    hub.sim.led_bus.wait_for(lambda twin: twin.displays.get(2) == "B001", timeout=5)
    assert hub.snapshot()["last_called"][0] == {"number": "B001", "counter": 2, "recall": False}
    announcement = wait_until(lambda: hub.announcement, timeout=20, what="the voice announcement")
    with wave.open(str(hub.options.data_dir / "audio" / Path(announcement["url"]).name)) as wav:
        assert wav.getnframes() > wav.getframerate() // 2
    with stack.cloud_db() as db:
        status, result = db.execute("SELECT status, result FROM command WHERE name = 'queue.call_next'").fetchone()
    assert status == "ok" and '"B001"' in result
    wait_until(lambda: _queue(stack)["counters"][1]["current"], what="counter 2's current ticket in the cloud")
    assert _queue(stack)["counters"][1]["current"]["number"] == "B001"
    assert _waiting_numbers(_queue(stack), "dat-dai") == []


def test_call_next_errors_are_clear(stack):
    empty = stack.api.post("/api/v1/offices/sai-gon/counters/1/call-next")
    assert empty.status_code == 409 and empty.json()["code"] == "queue_empty"
    assert stack.api.post("/api/v1/offices/nowhere/counters/1/call-next").status_code == 404
    assert stack.api.post("/api/v1/offices/sai-gon/counters/42/call-next").status_code == 404


def test_an_outage_of_the_cloud_loses_nothing_and_doubles_nothing(stack):
    hub = stack.hub
    # Open every counter first, so the outage's events are exactly the 25 below.
    for counter, field in ((1, "ho-tich"), (2, "dat-dai"), (3, "kinh-doanh")):
        hub.sim.press(KIOSK[field])
        hub.sim.press(NEXT[counter])
    wait_until(lambda: hub.outbox.count() == 0, what="the outbox to drain before the outage")
    before = stack.events()
    wait_until(lambda: hub.snapshot()["cloud_link"] is True, timeout=10, what="the hub to know the cloud is reached")

    stack.cloud_broker.process.stop()  # the province's broker is down: the WAN link is gone
    # The hub reaches only its office broker; the bridge's notification tells it (and the virtual office) the truth.
    wait_until(lambda: hub.snapshot()["cloud_link"] is False, timeout=20, what="the hub to see the link down")
    assert hub.snapshot()["online"] is True
    fields = list(KIOSK)
    for i in range(20):
        hub.sim.press(KIOSK[fields[i % 4]])
    for counter in (1, 1, 2, 3, 3):
        hub.sim.press(NEXT[counter])
    assert hub.sim.printer.wait_for_receipts(23, timeout=10)[-1]  # the kiosk kept printing
    assert hub.sim.led_bus.displays[1] and hub.sim.led_bus.displays[3]  # counters kept calling
    outage = [p for p in hub.outbox.pending()]
    assert len(outage) == 25

    stack.cloud_broker.process.start()
    wait_until(lambda: hub.outbox.count() == 0, timeout=30, what="the outbox to empty after the link is back")
    assert hub.snapshot()["cloud_link"] is True
    after = stack.events()
    new = after[len(before):]
    assert len(after) == len(before) + 25
    assert len({event_id for event_id, _, _ in after}) == len(after)  # no event twice
    assert [seq for _, seq, _ in new] == [p.seq for p in outage]
    assert Counter(t for _, _, t in new) == {"ticket.issued": 20, "ticket.called": 5}
    assert _queue(stack)["counts"]["issued"] == 23
