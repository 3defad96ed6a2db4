"""A real mosquitto with the generated configs refuses a message above the size limit and passes normal traffic.

Events are JSON of a few hundred bytes; a client that sends megabytes is not
one of ours, and must not fill the per-client queues (bounded in bytes too,
see test_broker_configs) nor reach a consumer.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from broker.configs import DEFAULT_MESSAGE_SIZE_LIMIT
from broker.probe import MqttProbe
from broker.stack import CloudBroker, OfficeBroker

Probe = Callable[..., MqttProbe]
EVT = "onestop/v1/a/hub/evt/ticket.issued"


@pytest.mark.parametrize("where", ["cloud", "office"])
def test_an_over_size_publish_is_refused_and_normal_traffic_passes(
    where: str, cloud_broker: CloudBroker, office_broker: Callable[..., OfficeBroker], mqtt_probe: Probe
) -> None:
    if where == "cloud":
        creds = cloud_broker.add_office("a")
        sender = mqtt_probe(cloud_broker.host, cloud_broker.port, creds.username, creds.password)
        receiver = mqtt_probe(cloud_broker)
    else:
        office = office_broker("a", bridged=False)
        sender = mqtt_probe(office)
        receiver = mqtt_probe(*office.cloud_login())
    receiver.subscribe("onestop/v1/a/+/evt/#")

    # QoS 0: mosquitto 2.0.11 answers a QoS 1 one with PUBACK 0x95, which paho 2 takes for a
    # protocol error and drops the connection; either way nothing is routed.
    sender.publish(EVT, b"x" * (DEFAULT_MESSAGE_SIZE_LIMIT + 1), qos=0)
    normal = sender.publish(EVT, b"y" * 4096, qos=1)  # a generous event, after it on the same connection

    assert normal is not None and normal.value == 0
    first = receiver.next_message(timeout=5)  # in order: the big one would have come first
    assert first.payload == b"y" * 4096
    assert sender.publish(EVT, b"z" * DEFAULT_MESSAGE_SIZE_LIMIT, qos=1).value == 0  # type: ignore[union-attr]  # at the limit
    assert len(receiver.next_message(timeout=5).payload) == DEFAULT_MESSAGE_SIZE_LIMIT
