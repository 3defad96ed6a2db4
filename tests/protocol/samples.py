"""Valid sample payloads shared by the protocol tests: one ``data`` per event type and command."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from protocol import dumps, make_command, make_event
from protocol.envelope import Ack, AckError, Cursor, NodeState
from protocol.messages import COMMANDS, EVENTS

OFFICE, NODE = "xa-an-phu", "hub"
TS = datetime(2026, 11, 23, 1, 15, tzinfo=UTC)
EXPIRES = TS + timedelta(seconds=5)

EVENT_DATA: dict[str, dict[str, Any]] = {
    "ticket.issued": {"ticket_id": "20261123-081500-0001", "number": "A001", "field": "ho-tich", "priority": True,
                      "day": "2026-11-23", "waiting_ahead": 3},
    "ticket.called": {"ticket_id": "20261123-081500-0001", "number": "A001", "field": "ho-tich", "counter": 2,
                      "previous_ticket_id": "20261123-080100-0000",
                      "officer": {"id": "tiepnhan", "name": "Nguyễn Thị Lan"}},
    "ticket.recalled": {"ticket_id": "20261123-081500-0001", "number": "A001", "counter": 2,
                        "officer": {"id": "tiepnhan", "name": "Nguyễn Thị Lan"}},
    "ticket.served": {"ticket_id": "20261123-081500-0001", "number": "A001", "counter": 2,
                      "officer": {"id": "tiepnhan", "name": "Nguyễn Thị Lan"}},
    "ticket.no_show": {"ticket_id": "20261123-081500-0001", "number": "A001", "counter": 2,
                       "officer": {"id": "tiepnhan", "name": "Nguyễn Thị Lan"}},
    "ticket.transferred": {"ticket_id": "20261123-081500-0001", "number": "A001", "field": "ho-tich",
                           "from_counter": 2, "to_counter": 3,
                           "officer": {"id": "tiepnhan", "name": "Nguyễn Thị Lan"}},
    "counter.opened": {"counter": 2, "fields": ["ho-tich", "chung-thuc"]},
    "counter.closed": {"counter": 2},
    "counter.status": {"counter": 2, "status": "paused", "officer": {"id": "tiepnhan", "name": "Nguyễn Thị Lan"}},
    "node.alert": {"code": "cursor_ahead", "message": "refused a cursor of seq 1000000000",
                   "details": {"epoch": 0, "cursor_seq": 1000000000, "last_seq": 7, "cursor_ts": "2026-11-23T01:14:59Z"}},
}
COMMAND_DATA: dict[str, dict[str, Any]] = {
    "queue.call_next": {"counter": 2},
    "queue.recall": {"counter": 2},
    "queue.finish": {"counter": 2, "outcome": "no_show"},
    "queue.transfer": {"counter": 2, "to_counter": 3},
    "counter.set_status": {"counter": 2, "status": "open", "officer": {"id": "tiepnhan", "name": "Nguyễn Thị Lan"}},
}
assert set(EVENT_DATA) == set(EVENTS) and set(COMMAND_DATA) == set(COMMANDS), "a message type has no sample"


def event_payload(type_: str = "ticket.issued", **changes: Any) -> dict[str, Any]:
    """A valid event envelope (seq 1) as a JSON object, with top-level ``changes`` applied."""
    envelope = make_event(OFFICE, NODE, 1, TS, EVENTS[type_].model_validate(EVENT_DATA[type_]))
    return {**json.loads(dumps(envelope)), **changes}


def command_payload(name: str = "queue.call_next", **changes: Any) -> dict[str, Any]:
    envelope = make_command(OFFICE, NODE, TS, EXPIRES, COMMANDS[name].model_validate(COMMAND_DATA[name]))
    return {**json.loads(dumps(envelope)), **changes}


def ack_payload(ok: bool = True, **changes: Any) -> dict[str, Any]:
    if ok:
        ack = Ack(command_id="c0ffee", office=OFFICE, node=NODE, ts=TS, ok=True,
                  result={"ticket_id": "20261123-081500-0001", "number": "A001", "field": "ho-tich", "counter": 2})
    else:
        ack = Ack(command_id="c0ffee", office=OFFICE, node=NODE, ts=TS, ok=False,
                  error=AckError(code="queue_empty", message="no ticket waiting for counter 2",
                                 message_vi="Không còn khách chờ cho quầy 2."))
    return {**json.loads(dumps(ack)), **changes}


def state_payload(online: bool = True, **changes: Any) -> dict[str, Any]:
    state = NodeState(office=OFFICE, node=NODE, ts=TS, online=online)
    return {**json.loads(dumps(state)), **changes}


def cursor_payload(**changes: Any) -> dict[str, Any]:
    return {**json.loads(dumps(Cursor(office=OFFICE, node=NODE, seq=42, ts=TS))), **changes}


def without(payload: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != key}
