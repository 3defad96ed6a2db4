"""Counter buttons through the cloud: API → broker → hub → ack → API."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import Engine, select

from broker.stack import CloudBroker
from cloud.db.tables import command_table
from protocol import Ack, Command
from protocol.messages import QueueCallNext, QueueRecall
from tests.cloud.fakes import FakeHub, ack_error, ack_ok, called, ticket_id
from tests.staff import AS_IT
from tests.waiting import wait_until

CALL_NEXT = "/api/v1/offices/sai-gon/counters/{}/call-next"


def command_rows(db: Engine) -> list[dict[str, Any]]:
    with db.connect() as conn:
        return [dict(r) for r in conn.execute(select(command_table).order_by(command_table.c.created_at)).mappings()]


def test_call_next_returns_the_ticket_the_hub_called(api: httpx.Client, fake_hub: Callable[..., FakeHub],
                                                     db: Engine) -> None:
    hub = fake_hub(called("A001", "ho-tich", 1))
    response = api.post(CALL_NEXT.format(1))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["number"], body["field"], body["counter"], body["ticket_id"]) == ("A001", "ho-tich", 1, ticket_id(1))
    assert [type(c.data) for c in hub.commands] == [QueueCallNext]
    sent = hub.commands[0].envelope
    assert sent.data == {"counter": 1} and body["command_id"] == sent.id
    assert 0 < (sent.expires_at - sent.ts).total_seconds() <= 2.0  # expires with the API's timeout
    [row] = command_rows(db)
    assert (row["id"], row["status"], row["result"]["number"]) == (sent.id, "ok", "A001")
    assert row["acked_at"] is not None


def test_recall_sends_queue_recall(api: httpx.Client, fake_hub: Callable[..., FakeHub]) -> None:
    hub = fake_hub(called("B003", "dat-dai", 3))
    response = api.post("/api/v1/offices/sai-gon/counters/2/recall")
    assert response.status_code == 200, response.text
    assert response.json()["number"] == "B003"
    assert [type(c.data) for c in hub.commands] == [QueueRecall]


def test_an_empty_queue_is_a_409_with_the_hubs_vietnamese_message(api: httpx.Client,
                                                                   fake_hub: Callable[..., FakeHub],
                                                                   db: Engine) -> None:
    fake_hub(lambda c: ack_error(c, "queue_empty", "no ticket waiting for counter 1",
                                 "Không còn khách chờ cho quầy 1."))
    response = api.post(CALL_NEXT.format(1))
    assert response.status_code == 409
    assert response.json() == {"detail": "no ticket waiting for counter 1", "code": "queue_empty",
                               "message_vi": "Không còn khách chờ cho quầy 1."}
    assert [(r["status"], r["error"]["code"]) for r in command_rows(db)] == [("error", "queue_empty")]


def test_a_silent_hub_is_a_504_within_the_timeout_and_a_late_ack_is_recorded(
    api: httpx.Client, fake_hub: Callable[..., FakeHub], db: Engine
) -> None:
    hub = fake_hub(None)  # receives, never answers
    started = time.monotonic()
    response = api.post(CALL_NEXT.format(1))
    elapsed = time.monotonic() - started
    assert response.status_code == 504
    assert response.json()["detail"] == ("the office hub did not answer within 2 s (it may be offline); "
                                         "the command expires and will not run later")
    assert response.json()["message_vi"].startswith("Máy chủ tại bộ phận một cửa không phản hồi")
    assert 2.0 <= elapsed < 3.5
    assert [r["status"] for r in command_rows(db)] == ["expired"]

    # The hub answers after all (it had run it just before expiry): the row says what happened.
    command: Command = hub.commands[0]
    hub.send_ack(ack_ok(command, {"ticket_id": ticket_id(1), "number": "A001", "field": "ho-tich", "counter": 1}))
    wait_until(lambda: command_rows(db)[0]["status"] == "ok", what="the late ack recorded")


def test_an_ack_for_an_unknown_command_is_a_dead_letter(api: httpx.Client, fake_hub: Callable[..., FakeHub]) -> None:
    hub = fake_hub(None)
    hub.send_ack(Ack(command_id="no-such-command", office="sai-gon", node="hub", ts=datetime.now(UTC), ok=True))
    letters = wait_until(lambda: api.get("/api/v1/dead-letters", headers=AS_IT).json()["items"], what="a dead letter")
    assert "ack for unknown command 'no-such-command'" in letters[0]["reason"]
    assert letters[0]["topic"] == "onestop/v1/sai-gon/hub/ack"
    assert api.get("/api/v1/health").json()["status"] == "ok"  # and nothing broke


def test_unknown_office_or_counter_is_a_404_and_nothing_is_sent(api: httpx.Client,
                                                                fake_hub: Callable[..., FakeHub],
                                                                db: Engine) -> None:
    hub = fake_hub(called("A001", "ho-tich", 1))
    response = api.post("/api/v1/offices/ghost/counters/1/call-next")
    assert response.status_code == 404
    assert response.json()["code"] == "office_not_found"
    response = api.post(CALL_NEXT.format(9))
    assert response.status_code == 404
    assert response.json()["detail"] == "office 'sai-gon' has no counter 9; its counters are 1, 2, 3"
    for bad in ("abc", "0", "1000", "-1"):
        assert api.post(CALL_NEXT.format(bad)).status_code == 422
    assert api.post("/api/v1/offices/%20/counters/1/call-next").status_code == 404
    assert hub.commands == [] and command_rows(db) == []


def test_without_the_broker_call_next_is_a_503(api: httpx.Client, cloud_broker: CloudBroker) -> None:
    cloud_broker.process.kill()
    wait_until(lambda: not api.get("/api/v1/health").json()["commands_connected"], what="the cloud to notice")
    response = api.post(CALL_NEXT.format(1))
    assert response.status_code == 503
    assert response.json()["code"] == "broker_unavailable"
    assert api.get("/api/v1/health").json()["status"] == "degraded"
