"""The benchmarks still run: a few calls through each, on the real processes.

``bench/call_next.py`` and ``bench/ingest.py`` were broken for a while (the
first's account had no office in its scope, so every call was a 404; the
second published for made-up offices whose events the cloud refused) and
nothing noticed, because no test ran them. These runs are too short for figures; they check that a
benchmark reaches its report and that no request failed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bench(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, f"bench/{script}", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_call_next_reaches_its_report_without_failures() -> None:
    out = _bench("call_next.py", "--calls", "6")
    assert "issued 6 tickets" in out
    assert "6 calls:" in out and "failures: 0" in out, out


def test_dossiers_reaches_its_report_without_errors() -> None:
    out = _bench("dossiers.py", "--dossiers", "3", "--clients", "1", "--only", "sqlite")
    assert "SQLite: 3 dossiers × 7 requests = 21 requests" in out and "errors 0" in out, out


def test_ingest_stores_every_event_once() -> None:
    out = _bench("ingest.py", "--offices", "2", "--events", "50", "--mode", "live")
    assert "ingest: 100 events committed" in out and "lost 0, stored twice 0, dead letters 0" in out, out


def test_console_times_every_page_it_names() -> None:
    """A page the bench cannot find (404) would print "not in this build" instead of its figures."""
    out = _bench("console.py", "--dossiers", "200", "--seeds", "10", "--requests", "3", "--only", "sqlite")
    assert "SQLite: 200 dossiers" in out, out
    for page in ("specialist's inbox", "department head's team", "list, newest", "list, overdue", "one dossier"):
        line = next((row for row in out.splitlines() if row.strip().startswith(page)), "")
        assert "p95" in line, out
