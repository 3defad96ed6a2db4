"""Events: make_event → dumps → decode_event round trip, and every refusal with its reason."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from protocol import Event, EventEnvelope, ProtocolError, decode_event, dumps, make_event, topics
from protocol.messages import EVENT_NAMES, EVENTS, TicketIssued
from tests.protocol.samples import EVENT_DATA, NODE, OFFICE, TS, event_payload, without

ISSUED = topics.evt(OFFICE, NODE, "ticket.issued")


@pytest.mark.parametrize("type_", sorted(EVENTS))
def test_round_trip_for_every_event_type(type_):
    data = EVENTS[type_].model_validate(EVENT_DATA[type_])
    envelope = make_event(OFFICE, NODE, 7, TS, data)
    assert (envelope.v, envelope.office, envelope.node, envelope.seq, envelope.ts, envelope.type) == \
        (1, OFFICE, NODE, 7, TS, type_)

    event = decode_event(topics.evt(OFFICE, NODE, type_), dumps(envelope))

    assert isinstance(event, Event)
    assert event.envelope == envelope
    assert type(event.data) is EVENTS[type_] and event.data == data
    assert event.data.model_dump(mode="json") == EVENT_DATA[type_] == event.envelope.data


def test_the_registry_is_one_to_one():
    assert {model: name for name, model in EVENTS.items()} == EVENT_NAMES
    assert all(re.fullmatch(r"[a-z]+\.[a-z_]+", name) for name in EVENTS)


def test_optional_data_fields_have_defaults():
    issued = decode_event(ISSUED, json.dumps(event_payload(data=without(EVENT_DATA["ticket.issued"], "priority"))))
    assert issued.data.priority is False  # type: ignore[attr-defined]  # data is the Message base; the topic fixes the subclass
    called = event_payload("ticket.called", data=without(EVENT_DATA["ticket.called"], "previous_ticket_id"))
    event = decode_event(topics.evt(OFFICE, NODE, "ticket.called"), json.dumps(called))
    assert event.data.previous_ticket_id is None  # type: ignore[attr-defined]  # data is the Message base; the topic fixes the subclass


def test_make_event_ids():
    data = EVENTS["counter.closed"].model_validate(EVENT_DATA["counter.closed"])
    first, second = make_event(OFFICE, NODE, 1, TS, data), make_event(OFFICE, NODE, 2, TS, data)
    assert first.id != second.id and re.fullmatch(r"[0-9a-f]{32}", first.id)
    assert make_event(OFFICE, NODE, 3, TS, data, id="fixed-id").id == "fixed-id"


def test_dumps_is_compact_utc_json_in_envelope_order():
    data = TicketIssued.model_validate(EVENT_DATA["ticket.issued"])
    raw = dumps(make_event(OFFICE, NODE, 1, TS, data, id="e1"))
    assert isinstance(raw, bytes)
    assert raw.startswith(b'{"v":1,"id":"e1","office":"xa-an-phu","node":"hub","seq":1,"ts":"2026-11-23T01:15:00Z",'
                          b'"type":"ticket.issued","data":{')
    assert list(json.loads(raw)) == ["v", "id", "office", "node", "seq", "ts", "type", "data"]


def test_make_event_refuses_what_decode_would_refuse():
    data = EVENTS["counter.closed"].model_validate(EVENT_DATA["counter.closed"])
    with pytest.raises(ValidationError, match="timezone"):
        make_event(OFFICE, NODE, 1, datetime(2026, 11, 23, 8, 15), data)
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        make_event(OFFICE, NODE, 0, TS, data)
    with pytest.raises(ValidationError, match="office"):
        make_event("Xa An Phu", NODE, 1, TS, data)


def test_str_and_bytes_payloads_decode_alike():
    payload = json.dumps(event_payload(), ensure_ascii=False)
    assert decode_event(ISSUED, payload) == decode_event(ISSUED, payload.encode())


# -- refusals ---------------------------------------------------------------------------------

REQUIRED = ["id", "office", "node", "seq", "ts", "type", "data"]


@pytest.mark.parametrize("key", REQUIRED)
def test_every_required_envelope_key_is_required(key):
    with pytest.raises(ProtocolError, match=re.escape(f"invalid event envelope: {key}: Field required")):
        decode_event(ISSUED, json.dumps(without(event_payload(), key)))


@pytest.mark.parametrize("payload, reason", [
    # not JSON, or not an object
    (b"not json", "invalid event envelope: (payload): Invalid JSON"),
    (b"", "invalid event envelope: (payload): Invalid JSON: EOF while parsing"),
    (b"\xff\xfe", "invalid event envelope: (payload): Invalid JSON"),
    (b'{"v":1,', "invalid event envelope: (payload): Invalid JSON"),
    (b"[]", "invalid event envelope: (payload): Input should be an object"),
    (b"null", "invalid event envelope: (payload): Input should be an object"),
    # extra keys
    (event_payload(extra=1), "invalid event envelope: extra: Extra inputs are not permitted"),
    (event_payload(command_id="x"), "command_id: Extra inputs are not permitted"),
    # envelope values
    (event_payload(v=2), "invalid event envelope: v: Input should be 1"),
    (event_payload(seq=0), "invalid event envelope: seq: Input should be greater than or equal to 1"),
    (event_payload(seq=-1), "seq: Input should be greater than or equal to 1"),
    (event_payload(seq="one"), "seq: Input should be a valid integer"),
    (event_payload(ts="2026-11-23T01:15:00"), "invalid event envelope: ts: Input should have timezone info"),
    (event_payload(ts="2026-11-23T08:15:00.000"), "ts: Input should have timezone info"),
    (event_payload(ts="yesterday"), "ts: Input should be a valid datetime"),
    (event_payload(id=""), "id: String should have at least 1 character"),
    (event_payload(id="x" * 65), "id: String should have at most 64 characters"),
    (event_payload(id="has space"), "id: String should match pattern"),
    (event_payload(type="Ticket.Issued"), "type: String should match pattern"),
    (event_payload(type="ticket"), "type: String should match pattern"),
    (event_payload(office="Xa An Phu"), "office: String should match pattern"),
    (event_payload(data=[]), "invalid event envelope: data: Input should be an object"),
    # payload against topic
    (event_payload(office="b"), "payload says office='b' node='hub' but came on xa-an-phu/hub"),
    (event_payload(node="kiosk"), "payload says office='xa-an-phu' node='kiosk' but came on xa-an-phu/hub"),
    (event_payload("ticket.called"), "payload type 'ticket.called' does not match topic name 'ticket.issued'"),
    # bad data
    (event_payload(data={**EVENT_DATA["ticket.issued"], "number": "12"}),
     "invalid data of ticket.issued: number: String should match pattern"),
    (event_payload(data={**EVENT_DATA["ticket.issued"], "ticket_id": "2026-11-23-1"}),
     "invalid data of ticket.issued: ticket_id: String should match pattern"),
    (event_payload(data={**EVENT_DATA["ticket.issued"], "day": "23/11/2026"}),
     "invalid data of ticket.issued: day: Input should be a valid date"),
    (event_payload(data={**EVENT_DATA["ticket.issued"], "waiting_ahead": -1}),
     "invalid data of ticket.issued: waiting_ahead: Input should be greater than or equal to 0"),
    (event_payload(data={**EVENT_DATA["ticket.issued"], "colour": "red"}),
     "invalid data of ticket.issued: colour: Extra inputs are not permitted"),
    (event_payload(data=without(EVENT_DATA["ticket.issued"], "field")),
     "invalid data of ticket.issued: field: Field required"),
    (event_payload(data={}), "invalid data of ticket.issued: ticket_id: Field required"),
])
def test_decode_event_refuses_with_a_reason(payload, reason):
    raw = payload if isinstance(payload, bytes) else json.dumps(payload)
    with pytest.raises(ProtocolError, match=re.escape(reason)):
        decode_event(ISSUED, raw)


@pytest.mark.parametrize("type_, key, value, reason", [
    ("ticket.called", "counter", 0, "counter: Input should be greater than or equal to 1"),
    ("ticket.called", "counter", 1000, "counter: Input should be less than or equal to 999"),
    ("ticket.called", "previous_ticket_id", "A001", "previous_ticket_id: String should match pattern"),
    ("ticket.recalled", "field", "ho-tich", "field: Extra inputs are not permitted"),
    ("ticket.served", "number", "a001", "number: String should match pattern"),
    ("ticket.no_show", "ticket_id", None, "ticket_id: Input should be a valid string"),
    ("counter.opened", "fields", "ho-tich", "fields: Input should be a valid list"),
    ("counter.closed", "counter", "two", "counter: Input should be a valid integer"),
])
def test_bad_data_of_each_type_is_refused(type_, key, value, reason):
    payload = event_payload(type_, data={**EVENT_DATA[type_], key: value})
    with pytest.raises(ProtocolError, match=re.escape(f"invalid data of {type_}: {reason}")):
        decode_event(topics.evt(OFFICE, NODE, type_), json.dumps(payload))


def test_unknown_event_type_is_refused_and_the_known_ones_listed():
    payload = event_payload(type="ticket.teleported")
    with pytest.raises(ProtocolError) as err:
        decode_event(topics.evt(OFFICE, NODE, "ticket.teleported"), json.dumps(payload))
    assert str(err.value) == f"unknown event type 'ticket.teleported'; known: {', '.join(sorted(EVENTS))}"


def test_topic_is_checked_before_the_payload():
    with pytest.raises(ProtocolError, match="expected a 'evt' topic"):
        decode_event(topics.cmd(OFFICE, NODE, "queue.recall"), b"not json")


def test_reasons_are_capped_at_five_problems():
    payload = {"v": 1, "a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}
    with pytest.raises(ProtocolError) as err:
        decode_event(ISSUED, json.dumps(payload))
    assert str(err.value).count(";") == 4


# -- time -----------------------------------------------------------------------------------------

# ISO-8601 offsets are whole minutes, up to ±23:59.
offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))
aware = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets)


@given(ts=aware)
def test_ts_is_normalised_to_utc(ts):
    payload = event_payload(ts=ts.isoformat())
    event = decode_event(ISSUED, json.dumps(payload))
    assert event.envelope.ts == ts and event.envelope.ts.utcoffset() == timedelta(0)
    assert event.envelope.ts.tzinfo is UTC
    assert json.loads(dumps(event.envelope))["ts"].endswith("Z")


def test_vietnam_time_becomes_utc():
    event = decode_event(ISSUED, json.dumps(event_payload(ts="2026-11-23T08:15:00+07:00")))
    assert event.envelope.ts == TS and event.envelope.ts.tzinfo is UTC
    assert json.loads(dumps(event.envelope))["ts"] == "2026-11-23T01:15:00Z"


def test_make_event_normalises_too():
    data = EVENTS["counter.closed"].model_validate(EVENT_DATA["counter.closed"])
    envelope = make_event(OFFICE, NODE, 1, TS.astimezone(timezone(timedelta(hours=7))), data)
    assert envelope.ts.tzinfo is UTC and envelope.ts == TS


def test_fractional_seconds_survive():
    event = decode_event(ISSUED, json.dumps(event_payload(ts="2026-11-23T01:15:00.412Z")))
    assert json.loads(dumps(event.envelope))["ts"] == "2026-11-23T01:15:00.412000Z"


def test_envelopes_are_immutable():
    envelope = EventEnvelope.model_validate(event_payload())
    with pytest.raises(ValidationError, match="frozen"):
        envelope.seq = 2  # type: ignore[misc]  # assigning to a frozen field is what the test checks


@pytest.mark.parametrize("bad, where", [
    ({"code": "Cursor Ahead"}, "data.code"),
    ({"message": ""}, "data.message"),
    ({"details": {"cursor_seq": [1]}}, "data.details.cursor_seq"),
])
def test_a_node_alert_must_name_its_code_and_say_what_happened(bad: dict, where: str) -> None:
    payload = event_payload("node.alert")
    payload["data"] = {**payload["data"], **bad}
    with pytest.raises(ProtocolError, match=re.escape(where.removeprefix("data.").split(".")[0])):
        decode_event(topics.evt(OFFICE, NODE, "node.alert"), json.dumps(payload))
