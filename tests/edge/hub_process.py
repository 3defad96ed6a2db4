"""The real hub agent in a child process that a test can kill at a chosen SQL statement.

    python -m tests.edge.hub_process DATA_DIR --mqtt-port P --mqtt-password PW --now ISO
        [--kill-at REGEX --report FILE]

A power cut is a SIGKILL: no ``finally``, no clean disconnect, nothing after
it runs. ``--kill-at`` delivers it from SQLite's trace callback, which fires
as a statement starts and before it runs, so the test chooses the exact point
between two writes without any hook in the production code. Before dying the
child writes what the devices had been told by then (``--report``), so the
test can also check that nothing was shown before the commit.

The clock is fixed (``--now``) so that tickets prepared by the test belong to
the hub's "today" and fall within the demo office's opening hours. SIGTERM
stops the agent cleanly.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
from datetime import datetime
from pathlib import Path

from edge.agent import HubAgent, HubOptions
from edge.config_file import load_office_config

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--mqtt-port", type=int, required=True)
    parser.add_argument("--mqtt-password", required=True)
    parser.add_argument("--now", type=datetime.fromisoformat, required=True)
    parser.add_argument("--kill-at", type=re.compile, help="SIGKILL this process when a matching statement starts")
    parser.add_argument("--report", type=Path, help="where to write what the devices showed before the kill")
    args = parser.parse_args()

    # SIGTERM is blocked in every thread (they inherit this mask) and taken by
    # sigwait below: a handler would run only when the signal happened to hit
    # the main thread, and could leave it waiting forever otherwise.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    now: datetime = args.now
    agent = HubAgent(load_office_config(ROOT / "firmware_configs/sai-gon.yaml"),
                     HubOptions(data_dir=args.data_dir, simulate=True, mqtt_port=args.mqtt_port,
                                mqtt_password=args.mqtt_password, display_port=0),
                     clock=lambda: now)
    if args.kill_at:
        def power_cut(statement: str) -> None:
            if args.kill_at.search(statement):
                args.report.write_text(json.dumps({"statement": statement, "last_called": agent.last_called,
                                                   "led_boards": dict(agent.sim.led_bus.displays)}))
                os.kill(os.getpid(), signal.SIGKILL)

        agent.store._conn.set_trace_callback(power_cut)

    agent.start()
    signal.sigwait({signal.SIGTERM})
    agent.stop()


if __name__ == "__main__":
    main()
