"""A power cut while a cloud command runs: after the broker redelivers it, it has run exactly once.

The hub is a real child process (``tests/edge/hub_process.py``) with a
persistent MQTT session on a real office broker. It is SIGKILLed at the moment
it starts writing the command's ack record, after the queue change: the
worst place, because a queue change committed on its own would make the
redelivered command call a second citizen and skip one. The broker got no
PUBACK, so it redelivers the command to the restarted hub's session.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from edge.config_file import load_office_config
from edge.queue.engine import QueueEngine
from edge.store import Store
from protocol import NodeState, decode_ack, dumps, make_command, topics
from protocol.messages import CounterStatusSet, OfficerRef, QueueCallNext

ROOT = Path(__file__).resolve().parents[2]
CONFIG = load_office_config(ROOT / "firmware_configs/sai-gon.yaml")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hồ Chí Minh City: open
ACK = topics.ack("sai-gon", "hub")
STATE = topics.state("sai-gon", "hub")


def _start_hub(data_dir: Path, office, log: Path, *kill: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.edge.hub_process", str(data_dir), f"--mqtt-port={office.port}",
             # one argument: a generated password may begin with "-"
             f"--mqtt-password={office.hub_password}", f"--now={NOW.isoformat()}", *kill],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )


def _online(probe) -> None:
    """The hub published its birth certificate, so its subscriptions (sent before it) are in place."""
    probe.expect(lambda m: m.topic == STATE and NodeState.model_validate_json(m.payload).online, timeout=60)


def _tickets(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT number, status FROM tickets ORDER BY number").fetchall())


def _called_events(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM outbox WHERE type = 'ticket.called'").fetchone()[0])


def test_a_command_killed_before_its_ack_record_runs_once_after_redelivery(tmp_path, office_broker, mqtt_probe):
    office = office_broker("sai-gon", bridged=False)
    data_dir, log, report = tmp_path / "edge", tmp_path / "hub.log", tmp_path / "killed.json"
    db = data_dir / "hub.db"
    store = Store(db)
    engine = QueueEngine(store, CONFIG, "hub", lambda: NOW)
    engine.issue("ho-tich")
    engine.issue("ho-tich")
    store.close()

    acks = mqtt_probe(*office.cloud_login())  # plays the cloud: only it may send commands
    acks.subscribe(ACK)
    states = mqtt_probe(*office.cloud_login())
    states.subscribe(STATE)
    command = make_command("sai-gon", "hub", NOW, NOW + timedelta(days=1), QueueCallNext(counter=1))
    payload = dumps(command)

    hub = _start_hub(data_dir, office, log, "--kill-at", r"INSERT\b.*\bINTO commands\b", "--report", str(report))
    try:
        _online(states)
        acks.publish(topics.cmd("sai-gon", "hub", command.name), payload, qos=1)
        assert hub.wait(timeout=30) == -signal.SIGKILL, log.read_text()
    finally:
        if hub.poll() is None:
            hub.kill()
            hub.wait()

    # The kill came as the ack record was being written; nothing of the command survived it
    # and no device had shown the call (the start-up cleared the boards: nobody was being served).
    killed = json.loads(report.read_text())
    assert "INTO commands" in killed["statement"]
    assert (killed["last_called"], killed["led_boards"]) == ([], {"1": "", "2": "", "3": ""})
    assert _tickets(db) == {"A001": "waiting", "A002": "waiting"}
    assert _called_events(db) == 0

    hub = _start_hub(data_dir, office, log)
    try:
        _online(states)
        # The broker redelivers the un-acknowledged command to the persistent session.
        first = acks.expect(ACK, timeout=30)
        ack = decode_ack(ACK, first.payload)
        assert (ack.ok, ack.command_id, ack.result["number"]) == (True, command.id, "A001")

        acks.publish(topics.cmd("sai-gon", "hub", command.name), payload, qos=1)
        again = acks.expect(ACK, timeout=30)
        assert again.payload == first.payload

        assert _tickets(db) == {"A001": "called", "A002": "waiting"}
        assert _called_events(db) == 1
        with sqlite3.connect(db) as conn:
            stored = conn.execute("SELECT ack FROM commands WHERE id = ?", (command.id,)).fetchone()[0]
        assert bytes(stored) == first.payload
    finally:
        hub.terminate()
        hub.wait(timeout=30)


def test_a_counter_status_killed_before_its_ack_record_is_kept_and_reported_once(tmp_path, office_broker, mqtt_probe):
    """The officer's sign-in, its counter.status event and its ack record commit together, or not at all."""
    office = office_broker("sai-gon", bridged=False)
    data_dir, log, report = tmp_path / "edge", tmp_path / "hub.log", tmp_path / "killed.json"
    db = data_dir / "hub.db"
    acks = mqtt_probe(*office.cloud_login())
    acks.subscribe(ACK)
    states = mqtt_probe(*office.cloud_login())
    states.subscribe(STATE)
    command = make_command("sai-gon", "hub", NOW, NOW + timedelta(days=1), CounterStatusSet(
        counter=1, status="open", officer=OfficerRef(id="tiepnhan", name="Nguyễn Thị Lan")))

    def kept() -> tuple[list[tuple[str, str]], int]:
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT status, officer_name FROM counter_status").fetchall()
            events = conn.execute("SELECT COUNT(*) FROM outbox WHERE type = 'counter.status'").fetchone()[0]
        return rows, events

    hub = _start_hub(data_dir, office, log, "--kill-at", r"INSERT\b.*\bINTO commands\b", "--report", str(report))
    try:
        _online(states)
        acks.publish(topics.cmd("sai-gon", "hub", command.name), dumps(command), qos=1)
        assert hub.wait(timeout=30) == -signal.SIGKILL, log.read_text()
    finally:
        if hub.poll() is None:
            hub.kill()
            hub.wait()
    assert kept() == ([], 0)  # the status written just before the kill was rolled back with it

    hub = _start_hub(data_dir, office, log)
    try:
        _online(states)
        ack = decode_ack(ACK, acks.expect(ACK, timeout=30).payload)  # redelivered by the broker
        assert (ack.ok, ack.command_id, ack.result) == (True, command.id, {"counter": 1, "status": "open"})
        assert kept() == ([("open", "Nguyễn Thị Lan")], 1)
    finally:
        hub.terminate()
        hub.wait(timeout=30)
