"""Dossier API throughput: create + 6 transitions per dossier over HTTP, on SQLite and on PostgreSQL.

Starts the real cloud service (``onestop cloud``, its own process, no MQTT
broker: dossiers do not need one) on a fresh SQLite file, then on a fresh
PostgreSQL database (a throwaway server from Debian's packages, as the tests
start it), signs in five officers, and has ``--clients`` threads each walk
dossiers through: receive (reception) → assign (department head) → start →
submit (specialist) → approve (leader) → register_result (clerk) →
deliver_result (results desk).
Every request is timed; prints requests/s and p50/p90/p99 per database.

    .venv/bin/python bench/dossiers.py [--dossiers 500] [--clients 8] [--only sqlite|postgresql]

Target (issue #4): ≥ 1,000 requests/s and p99 < 50 ms on a 2-core machine.
The load generator shares those 2 cores with the service; its own CPU
time is printed so the figure can be read with that in mind.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stack import ROOT, START_TIMEOUT_S, percentile, staff_headers, stop  # noqa: E402
from broker.process import free_port  # noqa: E402
from workdays import VN_TZ  # noqa: E402

OFFICE = "sai-gon"  # Phường Sài Gòn (cloud/data/province.yaml); its desk officers have it as their unit
DEPT = "hcm.sai_gon.kt"  # Phòng Kinh tế, Hạ tầng và Đô thị: handles KD.01
PROCEDURE = "KD.01"
PAPERS = [{"code": "KD.01-1"}]
"""What the desk ticks for KD.01: its required paper (the second is only for a family household)."""
OFFICERS = {  # username: (role, unit)
    "b.tiepnhan": ("reception", OFFICE),
    "b.truongphong": ("department_head", DEPT),
    "b.chuyenvien": ("specialist", DEPT),
    "b.lanhdao": ("leader", "hcm.sai_gon"),
    "b.vanthu": ("clerk", OFFICE),
    "b.trakq": ("results_desk", OFFICE),
}


def start_cloud(data_dir: Path, db_url: str) -> tuple[subprocess.Popen[bytes], str]:
    from onestop_cli.demo import wait_http

    http_port = free_port()
    firmware_configs = data_dir / "firmware_configs"
    firmware_configs.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "onestop_cli.main", "--log-level", "warning", "cloud"],
        env=dict(os.environ, ONESTOP_DATA_DIR=str(data_dir), ONESTOP_DATABASE_URL=db_url,
                 ONESTOP_HTTP_PORT=str(http_port), ONESTOP_MQTT_PORT=str(free_port()),
                 ONESTOP_STARTUP_CONNECT_TIMEOUT_S="0", ONESTOP_FIRMWARE_CONFIGS=str(firmware_configs)),
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{http_port}"
    wait_http(f"{url}/api/v1/health", process, "cloud service", START_TIMEOUT_S)
    return process, url


def walk(client: httpx.Client, url: str, headers: dict[str, dict[str, str]], timings: list[float],
         errors: list[str]) -> None:
    """One dossier from reception to the results desk: 7 requests."""

    def call(method: str, path: str, who: str, body: object) -> dict | None:
        started = time.perf_counter()
        response = client.request(method, f"{url}/api/v1{path}", headers=headers[who], json=body)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code >= 300:
            errors.append(f"{method} {path}: {response.status_code} {response.text[:160]}")
            return None
        return response.json()  # type: ignore[no-any-return]  # the JSON body is Any

    created = call("POST", "/dossiers", "b.tiepnhan",
                   {"procedure": PROCEDURE, "office": OFFICE, "applicant_name": "Nguyễn Văn Thử", "documents": PAPERS})
    if created is None:
        return
    code = created["code"]
    steps: list[tuple[str, str, object]] = [
        ("assign", "b.truongphong", {"officer": "b.chuyenvien"}),
        ("start", "b.chuyenvien", {}),
        ("submit", "b.chuyenvien", {"officer": "b.lanhdao", "unit": "hcm.sai_gon"}),
        ("approve", "b.lanhdao", {}),
        ("register_result", "b.vanthu", {"document_symbol": "QĐ-UBND", "signer": "Phạm Quang Minh", "stamped": True,
                                         "signed_on": datetime.now(VN_TZ).date().isoformat()}),
        ("deliver_result", "b.trakq", {}),
    ]
    for action, who, body in steps:
        if call("POST", f"/dossiers/{code}/actions/{action}", who, body) is None:
            return


def run(name: str, db_url: str, data_dir: Path, dossiers: int, clients: int) -> None:
    process, url = start_cloud(data_dir, db_url)
    try:
        headers = {}
        for username, (role, unit) in OFFICERS.items():
            headers[username] = staff_headers(data_dir, (role,), username=username, unit=unit, db_url=db_url)
        # warm-up: connections, caches, the first day's sequence row
        with httpx.Client(timeout=30) as client:
            for _ in range(5):
                walk(client, url, headers, [], [])
        timings: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        per_client = [dossiers // clients + (1 if i < dossiers % clients else 0) for i in range(clients)]

        def worker(count: int) -> None:
            local: list[float] = []
            local_errors: list[str] = []
            with httpx.Client(timeout=30) as client:
                for _ in range(count):
                    walk(client, url, headers, local, local_errors)
            with lock:
                timings.extend(local)
                errors.extend(local_errors)

        threads = [threading.Thread(target=worker, args=(n,)) for n in per_client]
        server_cpu0 = _cpu_seconds(process.pid)
        cpu0 = time.process_time()
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - cpu0
        server_cpu = _cpu_seconds(process.pid) - server_cpu0
    finally:
        stop(process)
    rate = len(timings) / elapsed
    print(f"{name}: {dossiers} dossiers × 7 requests = {len(timings)} requests in {elapsed:.1f} s "
          f"with {clients} clients")
    print(f"  {rate:,.0f} requests/s   p50 {percentile(timings, 50):.1f} ms   p90 {percentile(timings, 90):.1f} ms   "
          f"p99 {percentile(timings, 99):.1f} ms   max {max(timings):.1f} ms   errors {len(errors)}")
    print(f"  service CPU {server_cpu:.1f} s ({server_cpu / len(timings) * 1000:.2f} ms per request), "
          f"load generator CPU {client_cpu:.1f} s, of {elapsed:.1f} s wall")
    for line in errors[:3]:
        print(f"  error: {line}")
    verdict = "met" if rate >= 1000 and percentile(timings, 99) < 50 else "NOT met"
    print(f"  target ≥ 1,000 requests/s and p99 < 50 ms: {verdict}")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), to tell service cost from wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=500)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    for name, db_url, tmp in each_database(args.only, "bench-dossiers-"):
        run(name, db_url, tmp, args.dossiers, args.clients)


def each_database(only: str | None, prefix: str) -> Iterator[tuple[str, str, Path]]:
    """(name, URL, a fresh directory) for SQLite then PostgreSQL (a throwaway server), or only the one asked."""
    backends: list[tuple[str, Callable[[Path], tuple[str, Callable[[], None]]]]] = []
    if only in (None, "sqlite"):
        backends.append(("SQLite", lambda d: (f"sqlite:///{d / 'cloud.db'}", lambda: None)))
    if only in (None, "postgresql"):
        backends.append(("PostgreSQL", _postgres))
    for name, make in backends:
        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            db_url, cleanup = make(Path(tmp))
            try:
                yield name, db_url, Path(tmp)
            finally:
                cleanup()


def _postgres(_tmp: Path) -> tuple[str, Callable[[], None]]:
    """A throwaway server (tests/postgres.py starts the tests' one the same way) and an empty database."""
    import shutil

    from tests.postgres import start_postgres

    server = start_postgres()
    database = server.create_database()

    def cleanup() -> None:
        server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)

    return server.url(database), cleanup


if __name__ == "__main__":
    main()
