"""A cloud service killed mid-burst loses nothing, without any help from the hub.

The ingest acknowledges a message to the broker only after its commit
(``cloud.ingest.receiver``), so what the service had received but not stored
when it died is still in flight in its persistent session, and the broker
delivers it again to the restarted service. Here the publisher is
``mosquitto_pub`` with the office's login, which publishes each event once
and never re-sends: an event the cloud lost would stay lost, and the cursor
would stop in front of it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from broker.process import free_port
from broker.stack import CloudBroker
from cloud.settings import Settings
from protocol import dumps, make_event, topics
from protocol.messages import TicketIssued
from tests.cloud.fakes import TZ, OfficeEdge
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
#: Big enough that the service is still ingesting when it is killed, on a loaded machine too.
BURST = 20_000
NODE = "hub"


def _write_burst(path: Path) -> None:
    """One event envelope per line, seq 1..BURST, for ``mosquitto_pub -l``."""
    ts = datetime.now(UTC)
    with path.open("wb") as out:
        for seq in range(1, BURST + 1):
            data = TicketIssued(ticket_id=f"{ts:%Y%m%d}-{seq // 10000:06d}-{seq % 10000:04d}",
                                number=f"A{seq % 1000:03d}", field="ho-tich", day=ts.date(), waiting_ahead=0)
            out.write(dumps(make_event("sai-gon", NODE, seq, ts, data)) + b"\n")


class CloudProcess:
    """``onestop cloud`` as its own process group (the service and its receiver child), always
    with the same data directory and MQTT client id, so a restart resumes the same session."""

    def __init__(self, tmp_path: Path, broker: CloudBroker, firmware_configs: Path) -> None:
        self.data_dir = tmp_path / "cloud"
        self.log = tmp_path / "cloud.log"
        self.env = dict(
            os.environ, ONESTOP_DATA_DIR=str(self.data_dir), ONESTOP_MQTT_HOST=broker.host,
            ONESTOP_MQTT_PORT=str(broker.port), ONESTOP_MQTT_USERNAME=broker.service_username,
            ONESTOP_MQTT_PASSWORD=broker.service_password, ONESTOP_FIRMWARE_CONFIGS=str(firmware_configs),
            ONESTOP_MQTT_CLIENT_ID=f"cloud-{tmp_path.name}"[:60],
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        """Where the running service listens (a new free port each start)."""

    def start(self) -> None:
        port = self.port = free_port()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "onestop_cli.main", "--log-level", "warning", "cloud"],
                env=dict(self.env, ONESTOP_HTTP_PORT=str(port)), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(lambda: self._connected(port), timeout=60, interval=0.1,
                   what=f"the cloud service to connect to the broker (log: {self.log})")

    def _connected(self, port: int) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"the cloud service exited with {self.process.returncode}: {self.log.read_text()}")
        try:
            return bool(httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).json()["mqtt_connected"])
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        """SIGKILL to the service and its receiver at once, as a power cut or the OOM killer would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(f"file:{self.data_dir / 'cloud.db'}?mode=ro", uri=True, timeout=10)) as db:
            return db.execute(sql).fetchall()

    def stored(self) -> int:
        return int(self.query("SELECT COUNT(*) FROM event WHERE office = 'sai-gon'")[0][0])


def test_a_cloud_killed_mid_burst_stores_every_event_exactly_once_after_its_restart(
    tmp_path: Path, cloud_broker: CloudBroker, demo_login: tuple[str, str], firmware_configs: Path, edge: OfficeEdge,
) -> None:
    burst = tmp_path / "burst.jsonl"
    _write_burst(burst)
    cloud = CloudProcess(tmp_path, cloud_broker, firmware_configs)
    cloud.start()
    publisher = None
    try:
        username, password = demo_login
        with burst.open("rb") as lines:
            publisher = subprocess.Popen(
                ["mosquitto_pub", "-h", cloud_broker.host, "-p", str(cloud_broker.port), "-u", username,
                 "-P", password, "-q", "1", "-M", "1000", "-i", f"pub-{tmp_path.name}"[:23],
                 "-t", topics.evt("sai-gon", NODE, "ticket.issued"), "-l"],
                stdin=lines, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_until(lambda: cloud.stored() >= BURST // 20, timeout=120, interval=0.01,
                   what="the cloud to be storing the burst")
        cloud.kill()
        at_kill = cloud.stored()
        assert 0 < at_kill < BURST, f"the kill did not land mid-burst: {at_kill} of {BURST} stored"

        output, _ = publisher.communicate(timeout=120)
        assert publisher.returncode == 0, output  # every event handed to the broker, once; it never re-sends

        cloud.start()
        try:
            wait_until(lambda: cloud.stored() >= BURST, timeout=120, interval=0.1, what="the whole burst stored")
        except AssertionError:
            raise AssertionError(f"{BURST - cloud.stored()} of {BURST} events lost: {at_kill} were stored at the "
                                 f"kill; cursor {cloud.query('SELECT seq FROM node_cursor')}") from None
        edge.expect_cursor(BURST, timeout=30)
        # The service is still running: nothing may arrive twice behind the cursor either.
        count, distinct, low, high = cloud.query(
            "SELECT COUNT(*), COUNT(DISTINCT id), MIN(seq), MAX(seq) FROM event WHERE office = 'sai-gon'")[0]
        assert (count, distinct, low, high) == (BURST, BURST, 1, BURST)
        seqs = {row[0] for row in cloud.query("SELECT DISTINCT seq FROM event WHERE office = 'sai-gon'")}
        assert seqs == set(range(1, BURST + 1))
        assert cloud.query(f"SELECT seq FROM node_cursor WHERE office = 'sai-gon' AND node = '{NODE}'") == [(BURST,)]
        assert cloud.query("SELECT COUNT(*) FROM dead_letter") == [(0,)]
    finally:
        if publisher is not None and publisher.poll() is None:
            publisher.kill()
            publisher.wait()
        cloud.stop()


def test_a_batch_the_database_refused_is_delivered_again_by_the_broker(
    start_cloud: Any, edge: OfficeEdge, settings: Settings,
) -> None:
    """Not even its dead letters could be written: the receiver restarts without acking, and the broker
    hands the event over again once the database takes writes."""
    cloud = start_cloud()
    receiver = cloud.app.state.ingest.receiver
    first = receiver.process
    blocker = sqlite3.connect(settings.data_dir / "cloud.db", timeout=10, isolation_level=None)
    try:
        blocker.execute("BEGIN EXCLUSIVE")  # another connection holds the write lock past the busy timeout
        edge.publish_event(1, TicketIssued(ticket_id=f"{datetime.now(TZ):%Y%m%d}-090000-0001", number="A001",
                                           field="ho-tich", day=datetime.now(TZ).date(), waiting_ahead=0))
        wait_until(lambda: receiver.process is not first, timeout=60, what="the receiver restarted for redelivery")
    finally:
        blocker.rollback()
        blocker.close()
    edge.expect_cursor(1, timeout=30)  # published once, by a publisher that never re-sends
    with closing(sqlite3.connect(f"file:{settings.data_dir / 'cloud.db'}?mode=ro", uri=True)) as db:
        assert db.execute("SELECT seq FROM event").fetchall() == [(1,)]
        assert db.execute("SELECT COUNT(*) FROM dead_letter").fetchall() == [(0,)]
