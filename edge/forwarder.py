"""Forwards the outbox to the broker until the cloud's cursor confirms it.

Sending is at least once: on every (re)connect everything unconfirmed is sent
again, and so is everything still unconfirmed after ``resend_interval`` with
no progress of the cursor (a broker that restarted without persistence lost
it). The cloud ignores ids it already has, so a re-send costs bandwidth only.

Only a cursor of the outbox's own epoch confirms anything (``edge.outbox``).
Right after a storage loss the retained cursor is still the lost database's:
it is logged and ignored, and everything of the new epoch is sent from seq 1
until the cloud answers with a cursor of the new epoch.

A cursor of our epoch above the highest seq we have issued cannot come from
the cloud's count; it is refused (``edge.outbox.CursorAhead``): nothing is
pruned or marked confirmed, so every event goes on being sent, and one
``node.alert`` (code ``cursor_ahead``) per distinct cursor tells the cloud.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import structlog

from edge.outbox import CursorAhead, Outbox
from protocol import Cursor, ProtocolError, decode_cursor, topics
from protocol.messages import NodeAlert
from transport import MqttClient

log = structlog.get_logger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Forwarder:
    def __init__(self, client: MqttClient, outbox: Outbox, office: str, node: str, resend_interval: float = 10.0,
                 clock: Callable[[], datetime] = _utc_now) -> None:
        self.client = client
        self.clock = clock
        self.outbox = outbox
        self.office = office
        self.node = node
        self.resend_interval = resend_interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._sent_upto = 0
        #: The last valid cursor received, whatever its epoch (for health and tests).
        self.last_cursor: Cursor | None = None
        #: The cursor last refused as ahead of us: a retained one comes again on every reconnect,
        #: and raises no second alert.
        self._refused: Cursor | None = None
        self._thread = threading.Thread(target=self._run, name="outbox-forwarder", daemon=True)
        client.subscribe(topics.cursor(office, node), self._on_cursor)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)

    def notify(self) -> None:
        """New events were committed: send them now rather than at the next tick."""
        self._wake.set()

    def on_connect(self) -> None:
        """Send again everything of our epoch above what the cloud confirmed of it (0 if nothing yet)."""
        self._sent_upto = self.outbox.confirmed()
        self._wake.set()

    def _on_cursor(self, topic: str, payload: bytes) -> None:
        try:
            cursor = decode_cursor(topic, payload)
        except ProtocolError as exc:
            log.warning("cursor.invalid", reason=str(exc))
            return
        self.last_cursor = cursor
        if cursor.epoch != self.outbox.epoch:
            self._other_epoch(cursor)
            return
        if cursor == self._refused:  # the retained one again (a reconnect): its alert is already out
            self._log_refused(cursor, self.outbox.last_seq())
            return
        try:
            pruned = self.outbox.confirm(cursor.seq, cursor.epoch)
        except CursorAhead as exc:
            self._cursor_ahead(cursor, exc)
            return
        log.debug("cursor.received", epoch=cursor.epoch, seq=cursor.seq, pruned=pruned)

    def _other_epoch(self, cursor: Cursor) -> None:
        """A cursor counting another database's seqs: it must prune nothing here."""
        fields = {"office": self.office, "node": self.node, "cursor_epoch": cursor.epoch,
                  "cursor_seq": cursor.seq, "epoch": self.outbox.epoch}
        if cursor.epoch < self.outbox.epoch:
            # The cloud has nothing of this database yet (e.g. it was just created after a storage loss).
            log.info("cursor.older_epoch_ignored", **fields)
        else:
            # The cloud has a later epoch of this node: the clock was behind when this database was
            # created, or two nodes share one id. Nothing is lost, but nothing is pruned either.
            log.warning("cursor.newer_epoch_ignored", **fields)

    def _cursor_ahead(self, cursor: Cursor, refused: CursorAhead) -> None:
        """Keep every event, and tell the operator through the outbox itself (the alert is an event).

        The refused cursor is remembered, so that its re-delivery is refused
        without a second alert even once the alert's own seq has reached it.
        """
        self._log_refused(cursor, refused.last_seq)
        self._refused = cursor
        alert = NodeAlert(
            code="cursor_ahead",
            message=f"refused a cursor of seq {cursor.seq}: this node has issued only {refused.last_seq} "
                    "events in this epoch; it was forged or comes from a restored backup, nothing was pruned",
            details={"epoch": cursor.epoch, "cursor_seq": cursor.seq, "last_seq": refused.last_seq,
                     "cursor_ts": cursor.ts.isoformat()},
        )
        envelope = self.outbox.append(self.office, self.node, self.clock(), alert)
        log.warning("node.alert", office=self.office, node=self.node, code=alert.code, seq=envelope.seq)
        self.notify()

    def _log_refused(self, cursor: Cursor, last_seq: int) -> None:
        log.error("cursor.ahead_refused", office=self.office, node=self.node, epoch=cursor.epoch,
                  cursor_seq=cursor.seq, last_seq=last_seq, cursor_ts=cursor.ts.isoformat())

    def _run(self) -> None:
        last_confirmed = -1
        last_progress = time.monotonic()
        while not self._stop.is_set():
            self._wake.wait(min(1.0, self.resend_interval))
            self._wake.clear()
            if self._stop.is_set():
                return
            if not self.client.connected.is_set():
                continue
            confirmed = self.outbox.confirmed()
            now = time.monotonic()
            if confirmed != last_confirmed:
                last_confirmed, last_progress = confirmed, now
            elif self._sent_upto > confirmed and now - last_progress >= self.resend_interval:
                # Sent but not confirmed for a whole interval: assume it was lost.
                log.info("outbox.resend", from_seq=confirmed + 1, upto=self._sent_upto)
                self._sent_upto = confirmed
                last_progress = now
            self._send_pending()

    def _send_pending(self) -> None:
        while not self._stop.is_set():
            batch = self.outbox.pending(after_seq=max(self._sent_upto, self.outbox.confirmed()))
            if not batch:
                return
            for event in batch:
                if not self.client.publish(topics.evt(self.office, self.node, event.type), event.payload, qos=1):
                    return  # disconnected: on_connect will start over from the cursor
                self._sent_upto = event.seq
