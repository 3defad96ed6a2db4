"""The storage epoch on events and cursors: optional, 0 by default, never negative, left off the wire when 0."""

from __future__ import annotations

import json

import pytest

from protocol import Cursor, ProtocolError, decode_cursor, decode_event, dumps, make_event, topics
from protocol.envelope import MAX_SEQ
from protocol.messages import EVENTS
from protocol.schema import json_schema
from tests.protocol.samples import EVENT_DATA, NODE, OFFICE, TS, cursor_payload, event_payload, without

ISSUED = topics.evt(OFFICE, NODE, "ticket.issued")
CURSOR = topics.cursor(OFFICE, NODE)
EPOCH = 1795396499000  # a database created at 2026-11-23T01:14:59Z


def _closed(epoch: int = 0, seq: int = 1) -> bytes:
    data = EVENTS["counter.closed"].model_validate(EVENT_DATA["counter.closed"])
    return dumps(make_event(OFFICE, NODE, seq, TS, data, epoch=epoch))


def test_an_event_without_epoch_is_epoch_0():
    payload = without(event_payload(), "epoch")
    assert decode_event(ISSUED, json.dumps(payload)).envelope.epoch == 0


def test_epoch_round_trips_and_sits_before_seq():
    raw = _closed(EPOCH, seq=3)
    assert list(json.loads(raw))[3:6] == ["node", "epoch", "seq"]
    envelope = decode_event(topics.evt(OFFICE, NODE, "counter.closed"), raw).envelope
    assert (envelope.epoch, envelope.seq) == (EPOCH, 3)


def test_epoch_0_is_left_out_so_nodes_and_clouds_from_before_epochs_read_it():
    """Their decoders forbid unknown keys: an "epoch": 0 would be refused by every deployed hub's cursor decoder."""
    assert "epoch" not in json.loads(_closed(0))
    assert "epoch" not in json.loads(dumps(Cursor(office=OFFICE, node=NODE, seq=4, ts=TS)))
    assert json.loads(dumps(Cursor(office=OFFICE, node=NODE, epoch=EPOCH, seq=4, ts=TS)))["epoch"] == EPOCH


def test_an_explicit_epoch_0_is_accepted():
    assert decode_event(ISSUED, json.dumps(event_payload(epoch=0))).envelope.epoch == 0
    assert decode_cursor(CURSOR, json.dumps(cursor_payload(epoch=0))).epoch == 0


@pytest.mark.parametrize(("epoch", "reason"), [
    (-1, "invalid event envelope: epoch: Input should be greater than or equal to 0"),
    (MAX_SEQ + 1, "invalid event envelope: epoch: Input should be less than or equal to 9223372036854775807"),
    ("soon", "invalid event envelope: epoch: Input should be a valid integer"),
    (None, "invalid event envelope: epoch: Input should be a valid integer"),
])
def test_a_bad_event_epoch_is_refused_with_a_reason(epoch, reason):
    with pytest.raises(ProtocolError) as err:
        decode_event(ISSUED, json.dumps(event_payload(epoch=epoch)))
    assert str(err.value).startswith(reason), str(err.value)


def test_a_new_epoch_starts_again_at_seq_1():
    assert decode_event(topics.evt(OFFICE, NODE, "counter.closed"), _closed(EPOCH + 1, seq=1)).envelope.seq == 1


def test_cursor_epoch_defaults_to_0_and_round_trips():
    assert decode_cursor(CURSOR, json.dumps(without(cursor_payload(), "epoch"))).epoch == 0
    cursor = Cursor(office=OFFICE, node=NODE, epoch=EPOCH, seq=0, ts=TS)
    assert decode_cursor(CURSOR, dumps(cursor)) == cursor


def test_a_negative_cursor_epoch_is_refused():
    with pytest.raises(ProtocolError, match="invalid cursor: epoch: Input should be greater than or equal to 0"):
        decode_cursor(CURSOR, json.dumps(cursor_payload(epoch=-1)))


def test_the_schema_says_epoch_is_optional_not_negative_and_0_by_default():
    defs = json_schema()["$defs"]
    for model in ("EventEnvelope", "Cursor"):
        epoch = defs[model]["properties"]["epoch"]
        assert "epoch" not in defs[model]["required"]
        assert (epoch["type"], epoch["minimum"], epoch["default"]) == ("integer", 0, 0)
