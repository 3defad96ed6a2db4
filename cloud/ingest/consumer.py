"""The ingest: a receiver process that holds the MQTT session, and the writer thread.

The session is persistent (``clean_session=False`` under a stable client id),
so while the cloud service is down or restarting the broker keeps every QoS 1
event for it and delivers the backlog on reconnect. A message is acknowledged
to the broker only after the writer has committed it (the receiver's manual
acks), so one the service received but had not stored when it died is still
in the session and comes again. The edge outbox is the second line: whatever
is neither in the broker's session nor committed here (a broker that lost its
session) is re-sent because the cursor does not pass it.

Cursors are published through the service's outgoing client (``publish``),
which also carries the commands: the receiver process only receives.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import Engine

from cloud.ingest.inbox import Inbound, Kind
from cloud.ingest.receiver import Message, Receiver, ReceiverConfig, Settle
from cloud.ingest.writer import IngestWriter, Publish
from cloud.settings import Settings
from protocol import topics
from protocol.topics import BRIDGE_NODE

log = structlog.get_logger(__name__)

#: What the ingest subscribes to, per kind of message (QoS 1 each).
SUBSCRIPTIONS: dict[Kind, str] = {
    Kind.EVENT: topics.subscription(topics.Channel.EVT),
    Kind.STATE: topics.subscription(topics.Channel.STATE),
    Kind.LINK: f"{topics.ROOT}/+/{BRIDGE_NODE}/link",
}


class IngestConsumer:
    def __init__(self, engine: Engine, settings: Settings, publish: Publish) -> None:
        self.writer = IngestWriter(engine, publish, batch_size=settings.ingest_batch_size,
                                   dead_letter_retention=timedelta(days=settings.dead_letter_retention_days),
                                   dead_letter_max_rows=settings.dead_letter_max_rows)
        self.receiver = Receiver(
            ReceiverConfig(
                client_id=f"{settings.mqtt_client_id}-ingest",
                mqtt=settings.mqtt_settings(),
                subscriptions={kind.value: pattern for kind, pattern in SUBSCRIPTIONS.items()},
                batch_size=settings.ingest_batch_size,
                max_delay=settings.ingest_max_delay_ms / 1000,
            ),
            on_batch=self._on_batch,
            on_connection=self._on_connection,
        )

    def start(self) -> None:
        self.writer.start()
        self.receiver.start()

    def stop(self) -> None:
        # The receiver first: it stops taking messages and hands over what it holds, which the
        # writer stores meanwhile; once that is acked the receiver disconnects.
        self.receiver.stop()
        self.writer.stop()

    @property
    def connected(self) -> bool:
        return self.receiver.connected.is_set()

    def _on_batch(self, batch: list[Message], settle: Settle) -> None:
        self.writer.put_batch([Inbound(Kind(kind), topic, payload, datetime.fromtimestamp(received, UTC))
                               for kind, topic, payload, received in batch], settle)

    def _on_connection(self, connected: bool) -> None:
        log.info("ingest.receiver_connected" if connected else "ingest.receiver_disconnected")
