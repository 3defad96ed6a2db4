"""The office hub broker's bridge to the cloud broker, with real brokers.

Every wait is on a condition with a deadline (a message arriving, the bridge
carrying a ping); nothing sleeps to let things settle.
"""

from __future__ import annotations

from collections.abc import Callable

from broker import configs
from broker.probe import MqttProbe
from broker.stack import CloudBroker, OfficeBroker, wait_bridge_ready
from transport import MqttClient

Probe = Callable[..., MqttProbe]
StartOffice = Callable[..., OfficeBroker]

EVT = "onestop/v1/a/hub/evt/ticket.issued"
CMD = "onestop/v1/a/hub/cmd/call_next"


def test_events_reach_the_cloud_and_commands_reach_the_office(
    cloud_broker: CloudBroker, office_broker: StartOffice, mqtt_probe: Probe
) -> None:
    office = office_broker("a")
    cloud = mqtt_probe(cloud_broker)
    cloud.subscribe("onestop/v1/+/+/evt/#")
    hub = mqtt_probe(office)
    hub.subscribe("onestop/v1/a/hub/cmd/#")

    assert hub.publish(EVT, b"ticket-1", qos=1).value == 0  # type: ignore[union-attr]  # publish() returns None only at QoS 0; this is QoS 1
    got = cloud.expect(EVT, timeout=5)
    assert got.payload == b"ticket-1" and got.qos == 1

    cloud.publish(CMD, b"cmd-1", qos=1)
    assert hub.expect(CMD, timeout=5).payload == b"cmd-1"


def test_only_contract_topics_cross_the_bridge(
    cloud_broker: CloudBroker, office_broker: StartOffice, mqtt_probe: Probe
) -> None:
    office = office_broker("a")
    cloud = mqtt_probe(cloud_broker)
    cloud.subscribe("onestop/v1/#")
    hub = mqtt_probe(office)
    # Local-only traffic (not a bridged channel) and another office's topic
    # (refused by the hub's own ACL) must not reach the cloud.
    hub.publish("onestop/v1/a/hub/local/debug", b"stay-here", qos=1)
    assert hub.publish("onestop/v1/b/hub/evt/ticket.issued", b"forged", qos=1).value == 0x87  # type: ignore[union-attr]  # publish() returns None only at QoS 0; this is QoS 1
    hub.publish("onestop/v1/a/hub/telemetry", b"t", qos=0)
    hub.publish("onestop/v1/a/hub/ack", b"ack-1", qos=1)
    # Same publisher, one bridge connection: order is kept, so anything that
    # leaked would arrive before the ack.
    topics = [cloud.expect(lambda m: m.topic != configs.link_topic("a"), timeout=5).topic for _ in range(2)]
    assert topics == ["onestop/v1/a/hub/telemetry", "onestop/v1/a/hub/ack"]


def test_retained_config_and_state_cross_as_retained(
    cloud_broker: CloudBroker, office_broker: StartOffice, mqtt_probe: Probe
) -> None:
    cloud = mqtt_probe(cloud_broker)
    cloud.publish("onestop/v1/a/hub/config", b'{"version": 7}', qos=1, retain=True)
    cloud.subscribe("onestop/v1/a/hub/state")
    office = office_broker("a")
    hub = mqtt_probe(office)
    hub.subscribe("onestop/v1/a/hub/config")
    hub.publish("onestop/v1/a/hub/state", b'{"online": true}', qos=1, retain=True)
    # Wait until each has crossed (retained or live, whichever came first) ...
    assert hub.expect("onestop/v1/a/hub/config", timeout=5).payload == b'{"version": 7}'
    assert cloud.expect("onestop/v1/a/hub/state", timeout=5).payload == b'{"online": true}'

    # ... then a node that (re)starts later on the office LAN finds the desired
    # config retained locally, even if the WAN is down by then,
    late_node = mqtt_probe(office)
    late_node.subscribe("onestop/v1/a/hub/config")
    config = late_node.expect("onestop/v1/a/hub/config", timeout=5)
    assert config.retain and config.payload == b'{"version": 7}'

    # and a cloud consumer that starts later finds the node's state retained.
    late_consumer = mqtt_probe(cloud_broker)
    late_consumer.subscribe("onestop/v1/a/hub/state")
    state = late_consumer.expect("onestop/v1/a/hub/state", timeout=5)
    assert state.retain and state.payload == b'{"online": true}'


def test_the_bridge_reconnects_after_the_cloud_broker_crashes(
    cloud_broker: CloudBroker, office_broker: StartOffice, mqtt_probe: Probe
) -> None:
    office = office_broker("a")
    hub = mqtt_probe(office)
    hub.subscribe("onestop/v1/a/hub/cmd/#")

    cloud_broker.process.kill()
    cloud_broker.process.start()
    wait_bridge_ready(cloud_broker, office, timeout=15)  # cloud -> office works again

    cloud = mqtt_probe(cloud_broker)
    cloud.subscribe("onestop/v1/a/+/evt/#")
    hub.publish(EVT, b"after-crash", qos=1)
    assert cloud.expect(EVT, timeout=5).payload == b"after-crash"
    cloud.publish(CMD, b"cmd-after-crash", qos=1)
    assert hub.expect(CMD, timeout=5).payload == b"cmd-after-crash"


def test_link_notification_is_1_while_connected_and_0_when_the_hub_dies(
    cloud_broker: CloudBroker, office_broker: StartOffice, mqtt_probe: Probe
) -> None:
    office = office_broker("a")
    link = configs.link_topic("a")
    watcher = mqtt_probe(cloud_broker)
    watcher.subscribe(link)
    up = watcher.expect(link, timeout=5)
    assert up.payload == b"1" and up.retain  # retained: a consumer starting later learns it too

    office.process.kill()  # power cut at the office: no DISCONNECT, the Last Will fires
    down = watcher.expect(link, timeout=15)
    assert down.payload == b"0"

    late = mqtt_probe(cloud_broker)
    late.subscribe(link)
    stored = late.expect(link, timeout=5)
    assert stored.retain and stored.payload == b"0"


def test_events_queued_during_a_cloud_outage_all_arrive(
    cloud_broker: CloudBroker, office_broker: StartOffice, mqtt_probe: Probe
) -> None:
    """More than mosquitto's default queue of 1000 must survive an outage."""
    office = office_broker("a")
    # A persistent session on the cloud, saved by a graceful stop, so the
    # consumer is subscribed again the moment the cloud broker is back.
    consumer = mqtt_probe(cloud_broker, client_id="ingest-test", clean_start=False, session_expiry=3600)
    consumer.subscribe("onestop/v1/a/+/evt/#")
    consumer.close()
    cloud_broker.process.stop()

    hub = mqtt_probe(office)
    count = 1500
    for i in range(count):
        assert hub.publish(EVT, str(i).encode(), qos=1).value == 0  # type: ignore[union-attr]  # publish() returns None only at QoS 0; this is QoS 1

    cloud_broker.process.start()
    consumer = mqtt_probe(cloud_broker, client_id="ingest-test", clean_start=False, session_expiry=3600)
    received = [int(consumer.expect(EVT, timeout=15).payload) for _ in range(count)]
    assert sorted(received) == list(range(count))


def test_commands_sent_while_the_office_is_offline_are_not_delivered_late(
    cloud_broker: CloudBroker, office_broker: StartOffice, mqtt_probe: Probe
) -> None:
    """Commands cross the bridge at QoS 0 (see broker.configs.bridge_topics):
    one sent while the office is away must not run when it comes back hours
    later; the clerk who sent it was told it timed out."""
    office = office_broker("a")
    office.process.stop()  # the hub is switched off for the night
    cloud = mqtt_probe(cloud_broker)
    for i in range(50):
        cloud.publish(CMD, f"stale-{i}".encode(), qos=1)

    office.process.start()
    wait_bridge_ready(cloud_broker, office)
    node = mqtt_probe(office, client_id="hub-agent")
    node.subscribe("onestop/v1/a/hub/cmd/#")
    cloud.publish(CMD, b"fresh", qos=1)
    assert node.expect(CMD, timeout=10).payload == b"fresh"


def test_the_application_client_works_with_the_stack_settings(
    cloud_broker: CloudBroker, office_broker: StartOffice, mqtt_probe: Probe
) -> None:
    """transport.MqttClient (MQTT 3.1.1, what edge and cloud use) through the bridge."""
    office = office_broker("a")
    consumer = mqtt_probe(cloud_broker)
    consumer.subscribe("onestop/v1/a/+/evt/#")
    agent = MqttClient("hub-agent-a", office.mqtt_settings())
    agent.start()
    try:
        assert agent.wait_connected(5)
        assert agent.publish(EVT, b"from-transport", qos=1)
        assert consumer.expect(EVT, timeout=5).payload == b"from-transport"
    finally:
        agent.stop()
