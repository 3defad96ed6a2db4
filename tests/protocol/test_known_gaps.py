"""Gaps found in the contract: fixed ones are plain regression tests, open ones strict expected failures.

Each test states what the contract *should* do. When the protocol code is
fixed, the test starts passing, ``strict=True`` turns that into a failure,
and the marker must be removed, so the fix gets its regression test for
free. The reasons say what to change.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from protocol import ProtocolError, decode_ack, decode_event, topics
from protocol.office_config import ConfigError, parse_office_config
from tests.protocol.samples import EVENT_DATA, NODE, OFFICE, ack_payload, event_payload

ISSUED = topics.evt(OFFICE, NODE, "ticket.issued")
DEMO = yaml.safe_load((Path(__file__).resolve().parents[2] / "firmware_configs" / "sai-gon.yaml").read_text(encoding="utf-8"))


def gap(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=reason)


def test_an_id_with_a_trailing_newline_is_refused():
    with pytest.raises(topics.TopicError):
        topics.check_id("office", "a\n")


@pytest.mark.parametrize("topic", ["onestop/v1/a/hub/evt/#", "onestop/v1/a/hub/evt/+", "onestop/v1/a/hub/cmd/Queue Next"])
def test_a_wildcard_or_malformed_name_level_is_refused(topic):
    with pytest.raises(topics.TopicError):
        topics.parse(topic)


def test_a_name_with_a_slash_cannot_be_built():
    with pytest.raises(topics.TopicError):
        topics.evt("a", "hub", "ticket/issued")


@pytest.mark.parametrize("ts", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_time_at_the_edge_of_the_calendar_is_a_protocol_error(ts):
    with pytest.raises(ProtocolError):
        decode_event(ISSUED, json.dumps(event_payload(ts=ts)))
    with pytest.raises(ProtocolError):
        decode_ack(topics.ack(OFFICE, NODE), json.dumps(ack_payload(ts=ts)))


def test_a_seq_beyond_64_bits_is_refused():
    with pytest.raises(ProtocolError, match="seq"):
        decode_event(ISSUED, json.dumps(event_payload(seq=2**63)))


def test_a_ticket_id_with_an_impossible_date_is_refused():
    data = {**EVENT_DATA["ticket.issued"], "ticket_id": "20261399-256199-0001"}
    with pytest.raises(ProtocolError, match="ticket_id"):
        decode_event(ISSUED, json.dumps(event_payload(data=data)))


@gap("pydantic's lax mode accepts \"5\", true and 1.0 where schema.json says integer, so the Python decoder accepts "
     "what a JSON Schema validator refuses; set strict=True in Message.model_config")
@pytest.mark.parametrize("seq", ["5", True, 1.0])
def test_seq_must_be_a_json_integer(seq):
    with pytest.raises(ProtocolError, match="seq"):
        decode_event(ISSUED, json.dumps(event_payload(seq=seq)))


@pytest.mark.parametrize("changes", [
    {"ok": True, "error": {"code": "queue_empty", "message": "m"}},
    {"ok": False, "result": None, "error": None},
])
def test_an_ack_is_either_a_result_or_an_error(changes):
    with pytest.raises(ProtocolError):
        decode_ack(topics.ack(OFFICE, NODE), json.dumps(ack_payload(**changes)))


def _config_error(change: Callable[[dict[str, Any]], object]) -> str:
    data = copy.deepcopy(DEMO)
    change(data)
    with pytest.raises(ConfigError) as err:
        parse_office_config(data, "sai-gon.yaml")
    return str(err.value)


def test_a_bad_period_names_its_place():
    """Closed by the one schedule: ``hours`` is the calendar's OfficeHours, whose periods are models of their own."""
    assert "hours.periods.1" in _config_error(lambda d: d["hours"].update(periods=["07:30-11:30", "7h-11h"]))


@gap("_unique reports duplicates at '(top level)' with the list name only; report the path of the second use, "
     "e.g. 'hub.kiosk.1.pin: pin 17 is already used by hub.kiosk.0.pin'")
def test_a_duplicate_pin_names_both_places():
    message = _config_error(lambda d: d["hub"]["kiosk"][1].update(pin=17))
    assert "hub.kiosk.1.pin" in message and "hub.kiosk.0.pin" in message


def test_a_keypad_pin_outside_the_header_is_refused():
    assert "counters.0.keypad.next" in _config_error(lambda d: d["counters"][0]["keypad"].update(next=99))
