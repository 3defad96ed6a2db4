"""Console pages with 100,000 dossiers in the database: inbox, team, filtered list, one dossier, on SQLite and PostgreSQL.

Starts the real cloud service (its own process) on a fresh database, walks a few dozen dossiers
through the real API to every stage an officer's pages show (received, assigned, in process,
submitted, approved, at the results desk), then multiplies them into ``--dossiers`` rows by copying
those rows and their history with new codes and dates spread over the last ``--days`` days (a bulk
insert: creating 100,000 dossiers one by one over HTTP would take the benchmark an hour and measure
the wrong thing). Then each page is requested ``--requests`` times by the officer who reads it, and
the server's time to the full page is printed (p50, p95, max).

    .venv/bin/python bench/console.py [--dossiers 100000] [--requests 200] [--only sqlite|postgresql]

Target (issue 11): every page p95 < 100 ms on a 2-core machine. Pages that the running code does
not have yet (404) are reported as such, not timed.
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.dossiers import DEPT, OFFICE, PAPERS, PROCEDURE, each_database, start_cloud  # noqa: E402
from bench.stack import percentile, staff_headers, stop  # noqa: E402

SPECIALISTS = [f"b.chuyenvien{i}" for i in range(1, 6)]
OFFICERS: dict[str, tuple[str, str]] = {  # username: (role, unit)
    "b.tiepnhan": ("reception", OFFICE),
    "b.truongphong": ("department_head", DEPT),
    **{name: ("specialist", DEPT) for name in SPECIALISTS},
    "b.lanhdao": ("leader", "hcm.sai_gon"),
    "b.trakq": ("results_desk", OFFICE),
}
STAGES: list[list[tuple[str, str, dict[str, Any]]]] = [
    [],  # received
    [("assign", "b.truongphong", {"officer": "{specialist}"})],
    [("assign", "b.truongphong", {"officer": "{specialist}"}), ("start", "{specialist}", {})],
    [("assign", "b.truongphong", {"officer": "{specialist}"}), ("start", "{specialist}", {}),
     ("submit", "{specialist}", {"officer": "b.lanhdao", "unit": "hcm.sai_gon"})],
    [("assign", "b.truongphong", {"officer": "{specialist}"}), ("start", "{specialist}", {}),
     ("submit", "{specialist}", {"officer": "b.lanhdao", "unit": "hcm.sai_gon"}), ("approve", "b.lanhdao", {})],
]
"""How far each seed dossier goes; most real dossiers are in process, so stage 2 is seeded most."""
STAGE_WEIGHTS = [2, 2, 6, 2, 1]


def seed(url: str, headers: dict[str, dict[str, str]], count: int) -> None:
    """``count`` dossiers through the real API, spread over the stages and the specialists."""
    rng = random.Random(11)
    with httpx.Client(timeout=30) as client:
        for i in range(count):
            specialist = SPECIALISTS[i % len(SPECIALISTS)]
            created = client.post(f"{url}/api/v1/dossiers", headers=headers["b.tiepnhan"], json={
                "procedure": PROCEDURE, "office": OFFICE, "applicant_name": f"Nguyễn Văn Thử {i}",
                "documents": PAPERS})
            created.raise_for_status()
            code = created.json()["code"]
            for action, who, body in rng.choices(STAGES, STAGE_WEIGHTS)[0]:
                who = who.format(specialist=specialist)
                filled = {k: v.format(specialist=specialist) if isinstance(v, str) else v for k, v in body.items()}
                done = client.post(f"{url}/api/v1/dossiers/{code}/actions/{action}", headers=headers[who], json=filled)
                if done.status_code >= 300:
                    raise SystemExit(f"seeding {code} {action}: {done.status_code} {done.text[:200]}")


def multiply(db_url: str, total: int, days: int) -> float:
    """Copy the seeded dossiers (rows and history) into ``total`` dossiers; returns the seconds it took."""
    from sqlalchemy import insert, select

    from cloud.db.dossiers import dossier_event_table, dossier_table
    from cloud.db.engine import make_engine

    started = time.perf_counter()
    engine = make_engine(db_url)
    rng = random.Random(100_000)
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            seeds = [dict(r._mapping) for r in conn.execute(select(dossier_table))]
            events: dict[str, list[dict[str, Any]]] = {}
            for r in conn.execute(select(dossier_event_table).order_by(dossier_event_table.c.id)):
                row = dict(r._mapping)
                row.pop("id")
                events.setdefault(row["dossier"], []).append(row)
        batch: list[dict[str, Any]] = []
        batch_events: list[dict[str, Any]] = []
        for n in range(total - len(seeds)):
            template = seeds[n % len(seeds)]
            shift = timedelta(days=rng.uniform(0, days))
            code = f"{template['code']}-{n:06d}"
            row = dict(template, code=code, received_at=template["received_at"] - shift,
                       due_at=template["due_at"] - shift, updated_at=now - shift)
            data = copy.deepcopy(template["data"])
            data["code"] = code
            row["data"] = data
            batch.append(row)
            for event in events.get(template["code"], []):
                batch_events.append(dict(event, dossier=code, at=event["at"] - shift))
            if len(batch) >= 5000:
                _flush(engine, insert, dossier_table, dossier_event_table, batch, batch_events)
        _flush(engine, insert, dossier_table, dossier_event_table, batch, batch_events)
    finally:
        engine.dispose()
    return time.perf_counter() - started


def _flush(engine: Any, insert: Any, table: Any, event_table: Any, rows: list[dict[str, Any]],
           events: list[dict[str, Any]]) -> None:
    if rows:
        with engine.begin() as conn:
            conn.execute(insert(table), rows)
            if events:
                conn.execute(insert(event_table), events)
    rows.clear()
    events.clear()


def pages(codes: list[str]) -> list[tuple[str, str, Callable[[int], str]]]:
    """(what, who reads it, path of the i-th request)."""
    return [
        ("specialist's inbox", SPECIALISTS[0], lambda i: "/console/inbox"),
        ("department head's team", "b.truongphong", lambda i: "/console/team"),
        ("list, newest", "b.tiepnhan", lambda i: "/console/dossiers"),
        ("list, state=in_process", "b.tiepnhan", lambda i: "/console/dossiers?state=in_process"),
        ("list, overdue", "b.tiepnhan", lambda i: "/console/dossiers?overdue=true"),
        ("one dossier", "b.tiepnhan", lambda i: f"/console/dossiers/{codes[i % len(codes)]}"),
    ]


def measure(url: str, headers: dict[str, dict[str, str]], codes: list[str], requests: int) -> list[str]:
    lines = []
    met = True
    with httpx.Client(timeout=60) as client:
        for what, who, path in pages(codes):
            first = client.get(f"{url}{path(0)}", headers=headers[who])
            if first.status_code == 404:
                lines.append(f"  {what:28} not in this build (404)")
                continue
            if first.status_code != 200:
                raise SystemExit(f"{what}: {first.status_code} {first.text[:200]}")
            for i in range(5):  # warm-up
                client.get(f"{url}{path(i)}", headers=headers[who])
            timings = []
            for i in range(requests):
                started = time.perf_counter()
                response = client.get(f"{url}{path(i)}", headers=headers[who])
                timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{what} {path(i)}: {response.status_code}")
            p95 = percentile(timings, 95)
            met = met and p95 < 100
            lines.append(f"  {what:28} p50 {percentile(timings, 50):6.1f} ms   p95 {p95:6.1f} ms   "
                         f"max {max(timings):6.1f} ms   ({len(first.content) // 1024} KB)")
    lines.append(f"  target p95 < 100 ms on every page: {'met' if met else 'NOT met'}")
    return lines


def run(name: str, db_url: str, data_dir: Path, total: int, days: int, requests: int, seeds: int) -> None:
    process, url = start_cloud(data_dir, db_url)
    try:
        headers = {username: staff_headers(data_dir, (role,), username=username, unit=unit, db_url=db_url)
                   for username, (role, unit) in OFFICERS.items()}
        started = time.perf_counter()
        seed(url, headers, seeds)
        seeded = time.perf_counter() - started
        copied = multiply(db_url, total, days)
        from sqlalchemy import func, select

        from cloud.db.dossiers import dossier_table
        from cloud.db.engine import make_engine

        engine = make_engine(db_url)
        with engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(dossier_table)).scalar_one()
            codes = list(conn.execute(select(dossier_table.c.code).order_by(func.random()).limit(500)).scalars())
        engine.dispose()
        print(f"{name}: {count:,} dossiers ({seeds} through the API in {seeded:.1f} s, "
              f"the rest copied in {copied:.1f} s); {requests} requests per page")
        for line in measure(url, headers, codes, requests):
            print(line)
    finally:
        stop(process)  # type: ignore[arg-type]  # start_cloud returns the Popen typed as object


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--days", type=int, default=365, help="received dates spread over this many days")
    parser.add_argument("--seeds", type=int, default=40, help="dossiers walked through the API before copying")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    for name, db_url, tmp in each_database(args.only, "bench-console-"):
        run(name, db_url, tmp, args.dossiers, args.days, args.requests, args.seeds)

if __name__ == "__main__":
    main()
