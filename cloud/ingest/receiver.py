"""The ingest's MQTT connection, in a process of its own.

Why a process: receiving a QoS 1 message through paho costs ~40 µs of Python
(several socket reads, the PUBACK, the callback), and storing it ~45 µs more.
In one process both share one interpreter lock, and their contention wasted
as much again: the whole service topped out below 9,000 events/s on two
cores. With paho in a child process the two halves run in parallel and the
writer keeps the database to itself (measured: 8,800 → 12,800 events/s
draining a backlog).

The child is a pump and nothing else: it holds the persistent session
(``clean_session=False``, stable client id), collects what paho delivers into
batches and sends them down a pipe; all decoding, storing and publishing
happens in the service process.

Nothing is acknowledged to the broker before it is committed. paho runs
with manual acks: the child keeps each batch's deliveries under the batch's
id, the parent's writer answers ``("ack", id)`` once the batch's transaction
(events, projections, cursors and dead letters alike) has committed, and only
then does the child send the PUBACKs. Whatever the cloud had received but not
committed when it died (kill -9, power cut, a crash of either process) is
still in flight in the broker's session, and the broker delivers it again
when the session resumes; the writer drops what it already has by id. A
batch that could not be committed at all (the database is unreachable, so
not even its dead letters could be written) is answered ``("restart",)``:
the child exits without acking, is started again, and the broker delivers
the batch again.

Backpressure runs the whole way. The broker sends at most
``max_inflight_messages`` (its config) unacknowledged messages to the
session, so the cloud holds no more than that between socket and commit; a
writer that falls behind stops reading the pipe, the child's sends block, its
acks stop, and the broker keeps the backlog in the session. ``max_pending``
bounds the child's buffer as well, for a broker configured without a limit.

Frames, child → parent: ``("batch", id, [(kind, topic, payload, received_ts), …])``,
``("connected",)``, ``("disconnected",)``, ``("stopped",)``; parent → child:
``("ack", id)``, ``("restart",)``, ``("stop",)``. On ``stop`` the child stops
taking messages (those it leaves are unacknowledged, so they stay with the
broker), hands over what it holds, waits up to ``stop_timeout`` for the acks
of what it handed over, then disconnects. A child that dies is started
again; a child whose parent died sees the pipe close and exits.

The child is a fresh interpreter (``python -m cloud.ingest.receiver``) on a
socket pair, not a ``multiprocessing`` process: forking a process that runs
threads is unsafe, and spawn/forkserver re-import the parent's main module,
which breaks any script that embeds the service without a main guard.
"""

from __future__ import annotations

import functools
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import structlog

from transport import MqttClient, MqttSettings
from transport.mqtt import Delivery

log = structlog.get_logger(__name__)

#: (kind, topic, payload, received_at as a UNIX timestamp)
Message = tuple[str, str, bytes, float]
#: ``settle(committed)``: the parent's answer for one batch, after its transaction.
Settle = Callable[[bool], None]
RESTART_DELAY_S = 1.0


@dataclass(frozen=True)
class ReceiverConfig:
    client_id: str
    mqtt: MqttSettings
    subscriptions: dict[str, str]  # kind → topic filter (QoS 1)
    batch_size: int = 500
    max_delay: float = 0.02
    max_pending: int = 10_000
    #: How long a stopping child waits for the acks of what it handed over before it disconnects.
    stop_timeout: float = 5.0


# -- the child process ----------------------------------------------------------------------


def serve(config: ReceiverConfig, conn: Connection) -> None:
    """Entry point of the child: pump messages from the broker into ``conn`` until told to stop."""
    pending: list[tuple[Message, Delivery]] = []
    #: batch id → its deliveries, until the parent has committed the batch
    unacked: dict[int, list[Delivery]] = {}
    batch_ids = itertools.count(1)
    ready = threading.Condition()
    stopping = threading.Event()
    leaving = threading.Event()  # the parent is gone or asked for a restart: exit, ack nothing more
    send_lock = threading.Lock()

    def send(frame: tuple[Any, ...]) -> None:
        with send_lock:
            conn.send(frame)

    def notify(frame: tuple[Any, ...]) -> None:
        """From paho's callbacks, which must not raise."""
        try:
            send(frame)
        except OSError:
            stopping.set()

    def handler(kind: str) -> Callable[[str, bytes, Delivery], None]:
        def enqueue(topic: str, payload: bytes, delivery: Delivery) -> None:
            with ready:
                while len(pending) >= config.max_pending and not stopping.is_set():
                    ready.wait(0.5)  # the parent is behind: hold paho, the broker keeps the rest
                if stopping.is_set():
                    return  # never handed over, never acked: the broker delivers it again
                pending.append(((kind, topic, payload, time.time()), delivery))
                if len(pending) == 1 or len(pending) >= config.batch_size:
                    ready.notify_all()  # the first of a batch starts the clock; a full one goes at once

        return enqueue

    def hand_over(batch: list[tuple[Message, Delivery]]) -> None:
        batch_id = next(batch_ids)
        with ready:
            unacked[batch_id] = [delivery for _message, delivery in batch]  # before the parent can answer
        send(("batch", batch_id, [message for message, _delivery in batch]))

    def settle(batch_id: int) -> None:
        with ready:
            deliveries = unacked.pop(batch_id, [])
            ready.notify_all()  # a stopping child waits for the last of these
        for delivery in deliveries:
            client.ack(delivery)  # False after a reconnect: the broker re-sent it, that copy gets acked

    def stop(*, leave: bool = False) -> None:
        if leave:
            leaving.set()
        stopping.set()
        with ready:
            ready.notify_all()

    frames: dict[str, Callable[[tuple[Any, ...]], None]] = {
        "ack": lambda frame: settle(frame[1]),
        "stop": lambda _f: stop(),
        "restart": lambda _f: stop(leave=True),
    }

    def control() -> None:
        try:
            while True:
                frame = conn.recv()
                frames[frame[0]](frame)
                if leaving.is_set():
                    break
        except (EOFError, OSError):
            stop(leave=True)  # the parent is gone

    client = MqttClient(config.client_id, config.mqtt, clean_session=False, manual_ack=True,
                        on_connect=lambda: notify(("connected",)), on_disconnect=lambda: notify(("disconnected",)))
    for kind, pattern in config.subscriptions.items():
        client.subscribe_acked(pattern, handler(kind), qos=1)
    threading.Thread(target=control, name="receiver-control", daemon=True).start()
    client.start()
    try:
        while not stopping.is_set():
            with ready:
                while not pending and not stopping.is_set():
                    ready.wait()  # idle until the first message
                if len(pending) < config.batch_size and not stopping.is_set():
                    ready.wait(config.max_delay)  # let the batch fill, for max_delay at most
                batch = pending[:]
                pending.clear()
                ready.notify_all()
            if batch:
                hand_over(batch)
        if leaving.is_set():
            return  # nothing more is acked: the broker delivers it all again to the next session
        with ready:
            batch = pending[:]
            pending.clear()
        if batch:
            hand_over(batch)
        with ready:
            ready.wait_for(lambda: not unacked or leaving.is_set(), timeout=config.stop_timeout)
            left = sum(len(d) for d in unacked.values())
        if left:
            log.warning("ingest.receiver_stopped_unacked", messages=left)  # delivered again next time
        client.stop()
        send(("stopped",))
    except (BrokenPipeError, EOFError, OSError):
        return  # the parent is gone; nothing it did not commit was acked, the broker keeps it


# -- the service process ----------------------------------------------------------------------


class Receiver:
    """Runs and supervises the child; hands its batches and connection changes to callbacks
    (called on the receiver's reader thread).

    ``on_batch(messages, settle)``: whoever stores the batch calls
    ``settle(True)`` after its commit (the child then acks it to the broker)
    or ``settle(False)`` when nothing of it could be committed (the child is
    restarted and the broker delivers the batch again).
    """

    def __init__(self, config: ReceiverConfig, on_batch: Callable[[list[Message], Settle], None],
                 on_connection: Callable[[bool], None]) -> None:
        self.config = config
        self.on_batch = on_batch
        self.on_connection = on_connection
        self.connected = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._send_lock = threading.Lock()
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._supervise, name="ingest-receiver", daemon=True)
        self._frames: dict[str, Callable[[Connection, tuple[Any, ...]], None]] = {
            "batch": lambda conn, frame: self.on_batch(frame[2], functools.partial(self._settle, conn, frame[1])),
            "connected": lambda _c, _f: self._set_connected(True),
            "disconnected": lambda _c, _f: self._set_connected(False),
            "stopped": lambda _c, _f: self._stopped.set(),
        }

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the child to stop taking messages, hand over what it holds and disconnect once
        that is committed and acked; wait for it (the writer keeps committing meanwhile)."""
        self._stopping.set()
        if self._conn is not None:
            self._send(self._conn, ("stop",))
        self._thread.join(timeout)
        if self.process is not None:
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                log.warning("ingest.receiver_kill", pid=self.process.pid)
                self.process.kill()
                self.process.wait(timeout=2)
            log.info("ingest.receiver_stopped", pid=self.process.pid, exitcode=self.process.returncode)

    def _settle(self, conn: Connection, batch_id: int, committed: bool) -> None:
        """From the writer's thread, after the batch's transaction. ``conn`` is the child that
        received the batch: if it has died since, its successor got the batch again from the broker."""
        if committed:
            self._send(conn, ("ack", batch_id))
        elif conn is self._conn and not self._stopping.is_set():
            log.warning("ingest.receiver_restart_for_redelivery", batch=batch_id)
            self._send(conn, ("restart",))

    def _send(self, conn: Connection, frame: tuple[Any, ...]) -> None:
        try:
            with self._send_lock:
                conn.send(frame)
        except OSError:
            pass  # that child is gone: what it did not ack stays with the broker

    def _spawn(self) -> None:
        ours, theirs = socket.socketpair()
        package_root = str(Path(__file__).resolve().parents[2])  # so the child imports this very code
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p))
        process = subprocess.Popen(
            [sys.executable, "-m", "cloud.ingest.receiver", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL,
        )
        theirs.close()
        conn = Connection(ours.detach())
        conn.send(self.config)
        self.process, self._conn = process, conn
        log.info("ingest.receiver_started", pid=process.pid, client_id=self.config.client_id)

    def _supervise(self) -> None:
        while True:
            conn = self._conn
            assert conn is not None
            try:
                while not self._stopped.is_set():
                    frame = conn.recv()
                    self._frames[frame[0]](conn, frame)
            except (EOFError, OSError):
                pass
            self._set_connected(False)
            conn.close()
            if self._stopping.is_set() or self._stopped.is_set():
                return
            log.error("ingest.receiver_died", pid=self.process.pid if self.process else None,
                      exitcode=self.process.poll() if self.process else None)
            if self._stopping.wait(RESTART_DELAY_S):
                return
            self._spawn()

    def _set_connected(self, connected: bool) -> None:
        if connected == self.connected.is_set():
            return
        if connected:
            self.connected.set()
        else:
            self.connected.clear()
        self.on_connection(connected)


def main() -> None:
    """``python -m cloud.ingest.receiver FD``: FD is our end of the socket pair; the config comes first.

    The child ignores SIGINT and SIGTERM: its parent decides when it stops. A Ctrl-C in the terminal
    (or a service manager's SIGTERM to the whole group) reaches the parent as well, which then stops
    the child in order (hand over, commit, ack, disconnect); dying on the signal instead would print a
    ``KeyboardInterrupt`` traceback and look like a crash (``ingest.receiver_died``). A parent that
    dies without stopping it closes the pipe, and the child leaves then.
    """
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    conn = Connection(int(sys.argv[1]))
    config = conn.recv()
    serve(config, conn)


if __name__ == "__main__":
    main()
