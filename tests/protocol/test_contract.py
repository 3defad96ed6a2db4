"""The wire contract alone: topics, envelopes, decoding errors, schema file, README examples."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol import ProtocolError, decode_ack, decode_command, decode_cursor, decode_event, decode_state, dumps, make_command, make_event, topics
from protocol.envelope import Ack, CommandEnvelope, Cursor, EventEnvelope, NodeState
from protocol.messages import EVENTS, QueueCallNext, TicketCalled, TicketIssued
from protocol.schema import json_schema

ROOT = Path(__file__).resolve().parents[2]
TS = datetime(2026, 11, 23, 1, 15, tzinfo=UTC)
ids = st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,20}\Z")


@given(office=ids, node=ids, name=st.sampled_from(sorted(EVENTS)))
def test_topics_round_trip(office, node, name):
    parsed = topics.parse(topics.evt(office, node, name))
    assert (parsed.office, parsed.node, parsed.channel, parsed.name) == (office, node, topics.Channel.EVT, name)
    assert topics.parse(topics.cursor(office, node)).channel is topics.Channel.CURSOR


@pytest.mark.parametrize("topic, reason", [
    ("other/v1/a/hub/evt/x.y", "does not start with"),
    ("onestop/v1/a/hub", "too few levels"),
    ("onestop/v1/a/hub/gossip", "unknown channel"),
    ("onestop/v1/a/hub/evt", "needs exactly one name level"),
    ("onestop/v1/a/hub/ack/extra", "takes no further levels"),
    ("onestop/v1/A/hub/ack", "office id 'A' is invalid"),
    ("onestop/v1/a/+/ack", "node id '+' is invalid"),
])
def test_bad_topics_say_what_is_wrong(topic, reason):
    with pytest.raises(topics.TopicError, match=re.escape(reason)):
        topics.parse(topic)


def _issued(seq: int = 1) -> EventEnvelope:
    data = TicketIssued(ticket_id="20261123-081500-0001", number="A001", field="ho-tich", day="2026-11-23", waiting_ahead=0)
    return make_event("a", "hub", seq, TS, data)


def test_event_round_trip_for_every_type():
    samples = {
        "ticket.issued": _issued().data,
        "ticket.called": {"ticket_id": "20261123-081500-0001", "number": "A001", "field": "ho-tich", "counter": 1,
                          "previous_ticket_id": None},
        "ticket.recalled": {"ticket_id": "20261123-081500-0001", "number": "A001", "counter": 1},
        "ticket.served": {"ticket_id": "20261123-081500-0001", "number": "A001", "counter": 1},
        "ticket.no_show": {"ticket_id": "20261123-081500-0001", "number": "A001", "counter": 1},
        "counter.opened": {"counter": 2, "fields": ["ho-tich"]},
        "counter.closed": {"counter": 2},
    }
    assert set(samples) == set(EVENTS)
    for name, data in samples.items():
        envelope = make_event("a", "hub", 7, TS, EVENTS[name].model_validate(data))
        event = decode_event(topics.evt("a", "hub", name), dumps(envelope))
        assert event.envelope == envelope and event.data.model_dump(mode="json") == data


@pytest.mark.parametrize("mutate, reason", [
    (lambda d: "not json", "invalid event envelope"),
    (lambda d: json.dumps({**d, "seq": 0}), "seq"),
    (lambda d: json.dumps({**d, "extra": 1}), "extra"),
    (lambda d: json.dumps({k: v for k, v in d.items() if k != "id"}), "id: Field required"),
    (lambda d: json.dumps({**d, "ts": "2026-11-23T01:15:00"}), "ts"),
    (lambda d: json.dumps({**d, "office": "b"}), "came on a/hub"),
    (lambda d: json.dumps({**d, "type": "ticket.called"}), "does not match topic name"),
    (lambda d: json.dumps({**d, "data": {**d["data"], "number": "12"}}), "invalid data of ticket.issued"),
])
def test_decode_event_refuses_with_a_reason(mutate, reason):
    good = json.loads(dumps(_issued()))
    with pytest.raises(ProtocolError, match=re.escape(reason)):
        decode_event(topics.evt("a", "hub", "ticket.issued"), mutate(good))


def test_unknown_event_type_is_refused():
    payload = json.loads(dumps(_issued()))
    payload["type"] = "ticket.teleported"
    with pytest.raises(ProtocolError, match="unknown event type 'ticket.teleported'"):
        decode_event(topics.evt("a", "hub", "ticket.teleported"), json.dumps(payload))


def test_times_are_normalised_to_utc():
    payload = json.loads(dumps(_issued()))
    payload["ts"] = "2026-11-23T08:15:00+07:00"
    event = decode_event(topics.evt("a", "hub", "ticket.issued"), json.dumps(payload))
    assert event.envelope.ts == TS and event.envelope.ts.tzinfo == UTC


def test_commands_acks_state_and_cursor_decode_against_their_topic():
    command = make_command("a", "hub", TS, TS + timedelta(seconds=5), QueueCallNext(counter=2))
    assert decode_command(topics.cmd("a", "hub", "queue.call_next"), dumps(command)).data == QueueCallNext(counter=2)
    with pytest.raises(ProtocolError, match="does not match topic name"):
        decode_command(topics.cmd("a", "hub", "queue.recall"), dumps(command))
    ack = Ack(command_id=command.id, office="a", node="hub", ts=TS, ok=True, result={"number": "A001"})
    assert decode_ack(topics.ack("a", "hub"), dumps(ack)) == ack
    with pytest.raises(ProtocolError, match="came on b/hub"):
        decode_ack(topics.ack("b", "hub"), dumps(ack))
    will = NodeState(office="a", node="hub", ts=TS, online=False)
    assert decode_state(topics.state("a", "hub"), dumps(will)).online is False
    cursor = Cursor(office="a", node="hub", seq=3, ts=TS)
    assert decode_cursor(topics.cursor("a", "hub"), dumps(cursor)).seq == 3
    with pytest.raises(ProtocolError, match="expected a 'cursor' topic"):
        decode_cursor(topics.ack("a", "hub"), dumps(cursor))


def test_called_event_may_close_the_previous_ticket():
    data = TicketCalled(ticket_id="20261123-081500-0002", number="A002", field="ho-tich", counter=1,
                        previous_ticket_id="20261123-081500-0001")
    assert data.previous_ticket_id == "20261123-081500-0001"


def test_committed_schema_file_is_current():
    expected = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    assert (ROOT / "protocol" / "schema.json").read_text(encoding="utf-8") == expected, \
        "protocol/schema.json is stale: run `onestop protocol schema`"


EXAMPLE_MODELS = {"event-example": EventEnvelope, "command-example": CommandEnvelope, "ack-example": Ack,
                  "state-example": NodeState, "cursor-example": Cursor}


def test_readme_examples_are_valid_payloads():
    readme = (ROOT / "protocol" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json ([a-z-]+)\n(.*?)\n```", readme, re.S)
    assert {name for name, _ in blocks} == set(EXAMPLE_MODELS)
    for name, body in blocks:
        EXAMPLE_MODELS[name].model_validate_json(body)
    event = EventEnvelope.model_validate_json(dict(blocks)["event-example"])
    decode_event(topics.evt(event.office, event.node, event.type), dict(blocks)["event-example"])
