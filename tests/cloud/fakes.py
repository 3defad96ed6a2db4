"""Stand-ins for an office's hub, talking real MQTT to the real cloud broker.

``OfficeEdge`` publishes events as the hub would (through the bridge, with the
office's own login) and reads the cursors the cloud sends back. ``FakeHub``
answers commands through ``transport.MqttClient``, with whatever ack a test
wants (or none at all).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from broker.probe import MqttProbe
from protocol import Ack, AckError, Command, EventEnvelope, decode_command, decode_cursor, dumps, make_event, topics
from protocol.envelope import Message, NodeState
from transport import MqttClient, MqttSettings

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def ticket_id(n: int, hhmmss: str = "090000") -> str:
    """A ticket id of today's service day in the demo office's time zone."""
    return f"{datetime.now(TZ):%Y%m%d}-{hhmmss}-{n:04d}"


class OfficeEdge:
    def __init__(self, probe: MqttProbe, office: str, node: str) -> None:
        self.probe = probe
        self.office = office
        self.node = node
        self.cursor_topic = topics.cursor(office, node)
        probe.subscribe(self.cursor_topic)

    def event(self, seq: int, data: Message, id: str | None = None) -> EventEnvelope:
        return make_event(self.office, self.node, seq, datetime.now(UTC), data, id=id)

    def publish(self, envelope: EventEnvelope) -> EventEnvelope:
        self.probe.publish(topics.evt(self.office, self.node, envelope.type), dumps(envelope), qos=1)
        return envelope

    def publish_event(self, seq: int, data: Message, id: str | None = None) -> EventEnvelope:
        return self.publish(self.event(seq, data, id))

    def publish_state(self, online: bool) -> None:
        state = NodeState(office=self.office, node=self.node, ts=datetime.now(UTC), online=online,
                          versions={"onestop": "test"}, config_version=1)
        self.probe.publish(topics.state(self.office, self.node), dumps(state), qos=1, retain=True)

    def expect_cursor(self, seq: int, timeout: float = 5.0) -> int:
        """Wait for a cursor message with exactly ``seq`` (earlier ones are skipped)."""
        message = self.probe.expect(
            lambda m: m.topic == self.cursor_topic and decode_cursor(m.topic, m.payload).seq == seq, timeout=timeout)
        return decode_cursor(message.topic, message.payload).seq


Answer = Callable[[Command], Ack | None]


def called(number: str, field: str, n: int) -> Answer:
    """An answer that calls ticket ``number`` to the command's counter."""
    def answer(command: Command) -> Ack:
        return ack_ok(command, {"ticket_id": ticket_id(n), "number": number, "field": field,
                                "counter": command.data.counter})  # type: ignore[attr-defined]  # data is the Message base; the topic fixes the subclass
    return answer


def sets_status(command: Command) -> Ack:
    """What a hub answers to ``counter.set_status``: it applied the status (and reports it as ``counter.status``)."""
    return ack_ok(command, command.envelope.data)


def like_a_hub(calls: Answer | None = None) -> Answer:
    """Answers ``counter.set_status`` as a hub does, and the queue's commands with ``calls`` (none: no answer)."""
    def answer(command: Command) -> Ack | None:
        if command.envelope.name == "counter.set_status":
            return sets_status(command)
        return calls(command) if calls else None
    return answer


def ack_ok(command: Command, result: dict[str, object]) -> Ack:
    env = command.envelope
    return Ack(command_id=env.id, office=env.office, node=env.node, ts=datetime.now(UTC), ok=True, result=result)


def ack_error(command: Command, code: str, message: str, message_vi: str) -> Ack:
    env = command.envelope
    return Ack(command_id=env.id, office=env.office, node=env.node, ts=datetime.now(UTC), ok=False,
               error=AckError(code=code, message=message, message_vi=message_vi))


class FakeHub:
    def __init__(self, host: str, port: int, username: str, password: str, *, answer: Answer | None,
                 cloud: MqttProbe, office: str = "sai-gon", node: str = "hub") -> None:
        #: Logged in as a cloud service: only the cloud may write a command, so it sends the readiness marker.
        self.cloud = cloud
        self.office = office
        self.node = node
        self.answer = answer
        self.commands: list[Command] = []
        self.received = threading.Event()
        self._ready = threading.Event()
        self.client = MqttClient(f"fake-{office}-{node}", MqttSettings(host=host, port=port, username=username,
                                                                        password=password))
        self.client.subscribe(topics.subscription(topics.Channel.CMD, office, node), self._on_command)

    def start(self) -> FakeHub:
        self.client.start()
        if not self.client.wait_connected(5):
            raise RuntimeError("fake hub could not connect to the cloud broker")
        # Connected is not subscribed: have the cloud send a marker until it comes back.
        ready_topic = topics.cmd(self.office, self.node, "fake.ready")
        for _ in range(50):
            self.cloud.publish(ready_topic, b"ready", qos=1)
            if self._ready.wait(0.1):
                return self
        raise RuntimeError("fake hub's command subscription never became active")

    def stop(self) -> None:
        self.client.stop()

    def send_ack(self, ack: Ack) -> None:
        self.client.publish(topics.ack(self.office, self.node), dumps(ack), qos=1)

    def _on_command(self, topic: str, payload: bytes) -> None:
        if topic.endswith("/fake.ready"):
            self._ready.set()
            return
        command = decode_command(topic, payload)
        self.commands.append(command)
        self.received.set()
        ack = self.answer(command) if self.answer else None
        if ack is not None:
            self.send_ack(ack)
