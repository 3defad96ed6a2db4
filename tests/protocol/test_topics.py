"""Topic names: built and parsed in one place, every malformed topic refused with its reason."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol import ProtocolError, decode_ack, decode_event, topics
from protocol.messages import COMMANDS, EVENTS
from protocol.topics import Channel, Topic, TopicError

valid_ids = st.from_regex(r"[a-z0-9][a-z0-9-]{0,62}", fullmatch=True)
type_names = st.from_regex(r"[a-z][a-z0-9_]{0,8}(\.[a-z][a-z0-9_]{0,8}){1,2}", fullmatch=True)

BUILDERS = {
    Channel.ACK: topics.ack,
    Channel.STATE: topics.state,
    Channel.CONFIG: topics.config,
    Channel.TELEMETRY: topics.telemetry,
    Channel.CURSOR: topics.cursor,
}


@given(office=valid_ids, node=valid_ids, name=st.one_of(st.sampled_from(sorted(EVENTS)), type_names))
def test_event_topic_round_trip(office, node, name):
    topic = topics.evt(office, node, name)
    assert topic == f"onestop/v1/{office}/{node}/evt/{name}"
    assert topics.parse(topic) == Topic(office, node, Channel.EVT, name)
    assert str(topics.parse(topic)) == topic


@given(office=valid_ids, node=valid_ids, name=st.one_of(st.sampled_from(sorted(COMMANDS)), type_names))
def test_command_topic_round_trip(office, node, name):
    topic = topics.cmd(office, node, name)
    assert topic == f"onestop/v1/{office}/{node}/cmd/{name}"
    assert topics.parse(topic) == Topic(office, node, Channel.CMD, name)


@given(office=valid_ids, node=valid_ids, channel=st.sampled_from(sorted(BUILDERS)))
def test_unnamed_topic_round_trip(office, node, channel):
    topic = BUILDERS[channel](office, node)
    assert topic == f"onestop/v1/{office}/{node}/{channel.value}"
    parsed = topics.parse(topic)
    assert parsed == Topic(office, node, channel) and parsed.name is None
    assert str(parsed) == topic


def test_every_channel_is_covered():
    assert set(BUILDERS) | topics.NAMED_CHANNELS == set(Channel)
    assert topics.NAMED_CHANNELS == {Channel.EVT, Channel.CMD}


def test_subscriptions():
    assert topics.subscription(Channel.EVT) == "onestop/v1/+/+/evt/#"
    assert topics.subscription(Channel.CMD, "a", "hub") == "onestop/v1/a/hub/cmd/#"
    assert topics.subscription(Channel.ACK) == "onestop/v1/+/+/ack"
    assert topics.subscription(Channel.CURSOR, "a", "hub") == "onestop/v1/a/hub/cursor"


@pytest.mark.parametrize("topic, reason", [
    # wrong root
    ("other/v1/a/hub/ack", "does not start with onestop/v1/"),
    ("onestop/v2/a/hub/ack", "does not start with onestop/v1/"),
    ("onestop", "does not start with onestop/v1/"),
    ("/onestop/v1/a/hub/ack", "does not start with onestop/v1/"),
    ("", "does not start with onestop/v1/"),
    # too few levels
    ("onestop/v1", "has too few levels; expected onestop/v1/office/node/channel"),
    ("onestop/v1/a", "has too few levels"),
    ("onestop/v1/a/hub", "has too few levels"),
    # unknown channel
    ("onestop/v1/a/hub/gossip", "has unknown channel 'gossip'"),
    ("onestop/v1/a/hub/EVT/ticket.issued", "has unknown channel 'EVT'"),
    ("onestop/v1/a/bridge/link", "has unknown channel 'link'"),
    ("onestop/v1/a/hub/", "has unknown channel ''"),
    # named channel without its name
    ("onestop/v1/a/hub/evt", "channel 'evt' needs exactly one name level"),
    ("onestop/v1/a/hub/cmd", "channel 'cmd' needs exactly one name level"),
    ("onestop/v1/a/hub/evt/", "channel 'evt' needs exactly one name level"),
    # extra levels
    ("onestop/v1/a/hub/evt/ticket.issued/x", "channel 'evt' needs exactly one name level"),
    ("onestop/v1/a/hub/cmd/queue.recall/", "channel 'cmd' needs exactly one name level"),
    ("onestop/v1/a/hub/ack/extra", "channel 'ack' takes no further levels"),
    ("onestop/v1/a/hub/state/x", "channel 'state' takes no further levels"),
    ("onestop/v1/a/hub/cursor/", "channel 'cursor' takes no further levels"),
    # wildcards, uppercase and other bad ids
    ("onestop/v1/+/hub/ack", "office id '+' is invalid"),
    ("onestop/v1/#/hub/ack", "office id '#' is invalid"),
    ("onestop/v1/a/+/ack", "node id '+' is invalid"),
    ("onestop/v1/a/#/ack", "node id '#' is invalid"),
    ("onestop/v1/A/hub/ack", "office id 'A' is invalid"),
    ("onestop/v1/a/Hub/ack", "node id 'Hub' is invalid"),
    ("onestop/v1//hub/ack", "office id '' is invalid"),
    ("onestop/v1/a//ack", "node id '' is invalid"),
    ("onestop/v1/-a/hub/ack", "office id '-a' is invalid"),
    ("onestop/v1/a b/hub/ack", "office id 'a b' is invalid"),
    ("onestop/v1/a_b/hub/ack", "office id 'a_b' is invalid"),
    (f"onestop/v1/{'a' * 64}/hub/ack", "is invalid: use 1-63 lowercase letters, digits or '-'"),
])
def test_bad_topics_say_what_is_wrong(topic, reason):
    with pytest.raises(TopicError, match=re.escape(reason)):
        topics.parse(topic)


def test_ids_are_checked_before_the_channel():
    with pytest.raises(TopicError, match="office id 'A' is invalid"):
        topics.parse("onestop/v1/A/hub/gossip")


@pytest.mark.parametrize("bad", ["", "A", "Hub", "-a", "a b", "a/b", "+", "#", "a+", "a#b", "a_b", "a.b", "ä", "x" * 64])
def test_builders_refuse_bad_ids(bad):
    for build in (lambda o, n: topics.evt(o, n, "ticket.issued"), lambda o, n: topics.cmd(o, n, "queue.recall"),
                  *BUILDERS.values()):
        with pytest.raises(TopicError, match="office id .* is invalid"):
            build(bad, "hub")
        with pytest.raises(TopicError, match="node id .* is invalid"):
            build("a", bad)


def test_longest_valid_id_is_63_characters():
    assert topics.check_id("office", "a" * 63) == "a" * 63
    assert topics.check_id("node", "0-9") == "0-9"


def test_topic_error_is_a_value_error():
    assert issubclass(TopicError, ValueError)


def test_decoders_turn_topic_errors_into_protocol_errors():
    with pytest.raises(ProtocolError, match=re.escape("has unknown channel 'gossip'")):
        decode_event("onestop/v1/a/hub/gossip", b"{}")
    with pytest.raises(ProtocolError, match=re.escape("expected a 'evt' topic, got 'onestop/v1/a/hub/ack'")):
        decode_event("onestop/v1/a/hub/ack", b"{}")
    with pytest.raises(ProtocolError, match=re.escape("expected a 'ack' topic")):
        decode_ack("onestop/v1/a/hub/evt/ticket.issued", b"{}")


def test_every_channel_flows_exactly_one_way() -> None:
    """The brokers' ACLs and the bridge are derived from this table: a channel in neither would be unusable,
    in both would let a node write what only the cloud may say."""
    assert set(topics.UPSTREAM) | set(topics.DOWNSTREAM) == set(Channel)
    assert not set(topics.UPSTREAM) & set(topics.DOWNSTREAM)
    assert set(topics.DOWNSTREAM) == {Channel.CMD, Channel.CONFIG, Channel.CURSOR}
