"""Commands, acks, node state (birth certificate / Last Will) and cursors: round trips and refusals."""

from __future__ import annotations

import json
import re
from datetime import UTC, timedelta, timezone

import pytest

from protocol import (
    Ack,
    AckError,
    Command,
    CommandEnvelope,
    Cursor,
    NodeState,
    ProtocolError,
    decode_ack,
    decode_command,
    decode_cursor,
    decode_state,
    dumps,
    make_command,
    topics,
)
from protocol.envelope import CounterInfo, DeviceInfo, FieldInfo
from protocol.messages import COMMAND_NAMES, COMMANDS, QueueCallNext
from tests.protocol.samples import (
    COMMAND_DATA,
    EXPIRES,
    NODE,
    OFFICE,
    TS,
    ack_payload,
    command_payload,
    cursor_payload,
    state_payload,
    without,
)

CALL_NEXT = topics.cmd(OFFICE, NODE, "queue.call_next")
ACK = topics.ack(OFFICE, NODE)
STATE = topics.state(OFFICE, NODE)
CURSOR = topics.cursor(OFFICE, NODE)


def _raw(payload: dict | bytes) -> bytes | str:
    return payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False)


# -- commands -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_round_trip_for_every_command(name):
    data = COMMANDS[name].model_validate(COMMAND_DATA[name])
    envelope = make_command(OFFICE, NODE, TS, EXPIRES, data)
    assert (envelope.name, envelope.ts, envelope.expires_at, envelope.v) == (name, TS, EXPIRES, 1)

    command = decode_command(topics.cmd(OFFICE, NODE, name), dumps(envelope))

    assert isinstance(command, Command)
    assert command.envelope == envelope
    assert type(command.data) is COMMANDS[name] and command.data == data
    assert envelope.data == COMMAND_DATA[name]


def test_command_registry_is_one_to_one():
    assert {model: name for name, model in COMMANDS.items()} == COMMAND_NAMES


def test_command_ids_are_fresh_unless_given():
    data = QueueCallNext(counter=1)
    assert make_command(OFFICE, NODE, TS, EXPIRES, data).id != make_command(OFFICE, NODE, TS, EXPIRES, data).id
    assert make_command(OFFICE, NODE, TS, EXPIRES, data, id="cmd-1").id == "cmd-1"


def test_command_times_are_normalised_to_utc():
    payload = command_payload(ts="2026-11-23T08:15:00+07:00", expires_at="2026-11-23T08:15:05+07:00")
    env = decode_command(CALL_NEXT, json.dumps(payload)).envelope
    assert (env.ts, env.expires_at) == (TS, EXPIRES)
    assert env.ts.tzinfo is UTC and env.expires_at.tzinfo is UTC
    assert json.loads(dumps(env))["expires_at"] == "2026-11-23T01:15:05Z"


def test_command_data_defaults_to_an_empty_object():
    assert CommandEnvelope.model_validate(without(command_payload(), "data")).data == {}


@pytest.mark.parametrize("key", ["id", "office", "node", "ts", "name", "expires_at"])
def test_every_required_command_key_is_required(key):
    with pytest.raises(ProtocolError, match=re.escape(f"invalid command envelope: {key}: Field required")):
        decode_command(CALL_NEXT, json.dumps(without(command_payload(), key)))


@pytest.mark.parametrize("payload, reason", [
    (b"not json", "invalid command envelope: (payload): Invalid JSON"),
    (b"[1]", "invalid command envelope: (payload): Input should be an object"),
    (command_payload(seq=1), "invalid command envelope: seq: Extra inputs are not permitted"),
    (command_payload(expires_at="2026-11-23T01:15:05"),
     "invalid command envelope: expires_at: Input should have timezone info"),
    (command_payload(ts="2026-11-23T01:15:00"), "invalid command envelope: ts: Input should have timezone info"),
    (command_payload(v=2), "invalid command envelope: v: Input should be 1"),
    (command_payload(id="no spaces"), "invalid command envelope: id: String should match pattern"),
    (command_payload(office="b"), "payload says office='b' node='hub' but came on xa-an-phu/hub"),
    (command_payload(node="kiosk"), "payload says office='xa-an-phu' node='kiosk' but came on xa-an-phu/hub"),
    (command_payload("queue.recall"), "payload name 'queue.recall' does not match topic name 'queue.call_next'"),
    (command_payload(data={"counter": 0}),
     "invalid data of queue.call_next: counter: Input should be greater than or equal to 1"),
    (command_payload(data={"counter": 1000}),
     "invalid data of queue.call_next: counter: Input should be less than or equal to 999"),
    (command_payload(data={"counter": 1, "ticket": "A001"}),
     "invalid data of queue.call_next: ticket: Extra inputs are not permitted"),
    (without(command_payload(), "data"), "invalid data of queue.call_next: counter: Field required"),
])
def test_decode_command_refuses_with_a_reason(payload, reason):
    with pytest.raises(ProtocolError, match=re.escape(reason)):
        decode_command(CALL_NEXT, _raw(payload))


def test_unknown_command_is_refused_and_the_known_ones_listed():
    with pytest.raises(ProtocolError) as err:
        decode_command(topics.cmd(OFFICE, NODE, "queue.teleport"), json.dumps({**command_payload(), "name": "queue.teleport"}))
    assert str(err.value) == "unknown command 'queue.teleport'; known: counter.set_status, queue.call_next, queue.finish, queue.recall, queue.transfer"


def test_command_on_another_channel_is_refused():
    with pytest.raises(ProtocolError, match=re.escape("expected a 'cmd' topic")):
        decode_command(ACK, json.dumps(command_payload()))


# -- acks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("ok", [True, False])
def test_ack_round_trip(ok):
    payload = ack_payload(ok)
    ack = decode_ack(ACK, json.dumps(payload, ensure_ascii=False))
    assert isinstance(ack, Ack) and ack.ok is ok
    assert json.loads(dumps(ack)) == payload
    if ok:
        assert ack.error is None and ack.result == {"ticket_id": "20261123-081500-0001", "number": "A001",
                                                     "field": "ho-tich", "counter": 2}
    else:
        assert ack.result is None and ack.error == AckError(code="queue_empty", message="no ticket waiting for counter 2",
                                                             message_vi="Không còn khách chờ cho quầy 2.")


def test_an_ack_needs_only_its_required_keys():
    ack = decode_ack(ACK, json.dumps({"command_id": "c1", "office": OFFICE, "node": NODE,
                                      "ts": "2026-11-23T01:15:00Z", "ok": True}))
    assert (ack.v, ack.result, ack.error) == (1, None, None)


@pytest.mark.parametrize("code", ["queue_empty", "unknown_counter", "nothing_called", "expired", "invalid_command"])
def test_documented_error_codes_are_valid(code):
    error = {"code": code, "message": "m", "message_vi": None}
    assert decode_ack(ACK, json.dumps(ack_payload(False, error=error))).error.code == code  # type: ignore[union-attr]  # a refused ack always carries its error


@pytest.mark.parametrize("payload, reason", [
    (b"{", "invalid ack: (payload): Invalid JSON"),
    (without(ack_payload(), "command_id"), "invalid ack: command_id: Field required"),
    (without(ack_payload(), "ok"), "invalid ack: ok: Field required"),
    ({**ack_payload(), "ok": "maybe"}, "invalid ack: ok: Input should be a valid boolean"),
    (ack_payload(id="c0ffee"), "invalid ack: id: Extra inputs are not permitted"),
    (ack_payload(ts="2026-11-23T01:15:00"), "invalid ack: ts: Input should have timezone info"),
    (ack_payload(result=[]), "invalid ack: result: Input should be an object"),
    (ack_payload(False, error={"code": "Queue Empty", "message": "x"}),
     "invalid ack: error.code: String should match pattern '^[a-z_]+$'"),
    (ack_payload(False, error={"code": "expired"}), "invalid ack: error.message: Field required"),
    (ack_payload(False, error={"code": "expired", "message": "m", "hint": "h"}),
     "invalid ack: error.hint: Extra inputs are not permitted"),
    (ack_payload(office="b"), "payload says office='b' node='hub' but came on xa-an-phu/hub"),
])
def test_decode_ack_refuses_with_a_reason(payload, reason):
    with pytest.raises(ProtocolError, match=re.escape(reason)):
        decode_ack(ACK, _raw(payload))


def test_ack_on_another_channel_is_refused():
    with pytest.raises(ProtocolError, match=re.escape("expected a 'ack' topic")):
        decode_ack(STATE, json.dumps(ack_payload()))


# -- node state ------------------------------------------------------------------------------------


def test_birth_certificate_round_trip():
    birth = NodeState(
        office=OFFICE, node=NODE, ts=TS, online=True, role="hub", versions={"onestop": "0.1.0"}, config_version=3,
        fields=[FieldInfo(code="ho-tich", name="Hộ tịch", prefix="A")],
        counters=[CounterInfo(number=1, fields=["ho-tich"])],
        devices=[DeviceInfo(kind="printer", id="printer", status="fault", detail="paper out")],
    )
    assert decode_state(STATE, dumps(birth)) == birth


def test_last_will_needs_only_the_required_keys_and_gets_defaults():
    will = decode_state(STATE, json.dumps({"v": 1, "office": OFFICE, "node": NODE, "ts": "2026-11-23T01:15:00Z",
                                           "online": False}))
    assert will.online is False and will.role == "hub"
    assert (will.versions, will.config_version, will.fields, will.counters, will.devices) == ({}, None, [], [], [])


@pytest.mark.parametrize("payload, reason", [
    (without(state_payload(), "online"), "invalid state: online: Field required"),
    (state_payload(role="server"), "invalid state: role: Input should be 'hub' or 'satellite'"),
    (state_payload(devices=[{"kind": "printer", "id": "p", "status": "broken"}]),
     "invalid state: devices.0.status: Input should be 'ok', 'fault' or 'simulated'"),
    (state_payload(counters=[{"number": 0, "fields": []}]),
     "invalid state: counters.0.number: Input should be greater than or equal to 1"),
    (state_payload(fields=[{"code": "x"}]), "invalid state: fields.0.name: Field required; fields.0.prefix: Field required"),
    (state_payload(config_version="one"), "invalid state: config_version: Input should be a valid integer"),
    (state_payload(uptime=5), "invalid state: uptime: Extra inputs are not permitted"),
    (state_payload(ts="2026-11-23T01:15:00"), "invalid state: ts: Input should have timezone info"),
    (state_payload(node="kiosk"), "payload says office='xa-an-phu' node='kiosk' but came on xa-an-phu/hub"),
])
def test_decode_state_refuses_with_a_reason(payload, reason):
    with pytest.raises(ProtocolError, match=re.escape(reason)):
        decode_state(STATE, _raw(payload))


# -- cursor -------------------------------------------------------------------------------------------


def test_cursor_round_trip_and_zero_is_allowed():
    for seq in (0, 1, 42, 10**9):
        cursor = Cursor(office=OFFICE, node=NODE, seq=seq, ts=TS)
        assert decode_cursor(CURSOR, dumps(cursor)) == cursor


def test_cursor_ts_is_normalised_to_utc():
    cursor = decode_cursor(CURSOR, json.dumps(cursor_payload(ts=TS.astimezone(timezone(timedelta(hours=7))).isoformat())))
    assert cursor.ts == TS and cursor.ts.tzinfo is UTC


@pytest.mark.parametrize("payload, reason", [
    (cursor_payload(seq=-1), "invalid cursor: seq: Input should be greater than or equal to 0"),
    (without(cursor_payload(), "seq"), "invalid cursor: seq: Field required"),
    (cursor_payload(ts="2026-11-23T01:15:00"), "invalid cursor: ts: Input should have timezone info"),
    (cursor_payload(max_seq=50), "invalid cursor: max_seq: Extra inputs are not permitted"),
    (cursor_payload(office="b"), "payload says office='b' node='hub' but came on xa-an-phu/hub"),
    (b"42", "invalid cursor: (payload): Input should be an object"),
])
def test_decode_cursor_refuses_with_a_reason(payload, reason):
    with pytest.raises(ProtocolError, match=re.escape(reason)):
        decode_cursor(CURSOR, _raw(payload))


def test_cursor_on_another_channel_is_refused():
    with pytest.raises(ProtocolError, match=re.escape("expected a 'cursor' topic")):
        decode_cursor(STATE, json.dumps(cursor_payload()))
