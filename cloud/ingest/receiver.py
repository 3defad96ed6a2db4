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
happens in the service process. Backpressure runs the whole way: a writer
that falls behind stops reading the pipe, the child's buffer fills, paho's
thread blocks in our handler and stops reading the socket, and the broker
keeps the backlog in the session.

Frames, child → parent: ``("batch", [(kind, topic, payload, received_ts), …])``,
``("connected",)``, ``("disconnected",)``, ``("stopped",)``; parent → child:
``("stop",)``. A child that dies is started again; a child whose parent died
sees the pipe close and exits.

The child is a fresh interpreter (``python -m cloud.ingest.receiver``) on a
socket pair, not a ``multiprocessing`` process: forking a process that runs
threads is unsafe, and spawn/forkserver re-import the parent's main module,
which breaks any script that embeds the service without a main guard.
"""

from __future__ import annotations

import os
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

log = structlog.get_logger(__name__)

#: (kind, topic, payload, received_at as a UNIX timestamp)
Message = tuple[str, str, bytes, float]
RESTART_DELAY_S = 1.0


@dataclass(frozen=True)
class ReceiverConfig:
    client_id: str
    mqtt: MqttSettings
    subscriptions: dict[str, str]  # kind → topic filter (QoS 1)
    batch_size: int = 500
    max_delay: float = 0.02
    max_pending: int = 10_000


# -- the child process ----------------------------------------------------------------------


def serve(config: ReceiverConfig, conn: Connection) -> None:
    """Entry point of the child: pump messages from the broker into ``conn`` until told to stop."""
    pending: list[Message] = []
    ready = threading.Condition()
    stopping = threading.Event()
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

    def handler(kind: str) -> Callable[[str, bytes], None]:
        def enqueue(topic: str, payload: bytes) -> None:
            with ready:
                while len(pending) >= config.max_pending and not stopping.is_set():
                    ready.wait(0.5)  # the parent is behind: hold paho, the broker keeps the rest
                pending.append((kind, topic, payload, time.time()))
                if len(pending) == 1 or len(pending) >= config.batch_size:
                    ready.notify_all()  # the first of a batch starts the clock; a full one goes at once

        return enqueue

    def control() -> None:
        try:
            while conn.recv() != ("stop",):
                pass
        except (EOFError, OSError):
            pass  # the parent is gone
        stopping.set()
        with ready:
            ready.notify_all()

    client = MqttClient(config.client_id, config.mqtt, clean_session=False,
                        on_connect=lambda: notify(("connected",)), on_disconnect=lambda: notify(("disconnected",)))
    for kind, pattern in config.subscriptions.items():
        client.subscribe(pattern, handler(kind), qos=1)
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
                send(("batch", batch))
    except (BrokenPipeError, EOFError, OSError):
        return  # the parent is gone; what was acknowledged is re-sent by the edge (cursor not advanced)
    client.stop()
    with ready:
        batch = pending[:]
    try:
        if batch:
            send(("batch", batch))
        send(("stopped",))
    except OSError:
        pass


# -- the service process ----------------------------------------------------------------------


class Receiver:
    """Runs and supervises the child; hands its batches and connection changes to callbacks
    (called on the receiver's reader thread)."""

    def __init__(self, config: ReceiverConfig, on_batch: Callable[[list[Message]], None],
                 on_connection: Callable[[bool], None]) -> None:
        self.config = config
        self.on_batch = on_batch
        self.on_connection = on_connection
        self.connected = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._supervise, name="ingest-receiver", daemon=True)
        self._frames: dict[str, Callable[[tuple[Any, ...]], None]] = {
            "batch": lambda frame: self.on_batch(frame[1]),
            "connected": lambda _f: self._set_connected(True),
            "disconnected": lambda _f: self._set_connected(False),
            "stopped": lambda _f: self._stopped.set(),
        }

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the child to disconnect and hand over what it holds; wait for the last batch."""
        self._stopping.set()
        if self._conn is not None:
            try:
                self._conn.send(("stop",))
            except OSError:
                pass
        self._thread.join(timeout)
        if self.process is not None:
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                log.warning("ingest.receiver_kill", pid=self.process.pid)
                self.process.kill()
                self.process.wait(timeout=2)

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
            assert self._conn is not None
            try:
                while not self._stopped.is_set():
                    frame = self._conn.recv()
                    self._frames[frame[0]](frame)
            except (EOFError, OSError):
                pass
            self._set_connected(False)
            self._conn.close()
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
    """``python -m cloud.ingest.receiver FD``: FD is our end of the socket pair; the config comes first."""
    conn = Connection(int(sys.argv[1]))
    config = conn.recv()
    serve(config, conn)


if __name__ == "__main__":
    main()
