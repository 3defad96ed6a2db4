"""``onestop`` commands as real child processes, stopped the way a user stops them.

Each child runs in a session of its own, so that "Ctrl-C in its terminal"
can be played exactly: SIGINT to its whole process group (the cloud's
ingest receiver and the demo's children included), while SIGTERM to the
process alone plays ``kill PID`` or a service manager. Its output goes to a
file (a pipe nobody reads would fill up and block it).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]


class Child:
    def __init__(self, args: list[str], log: Path, env: dict[str, str]) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "onestop_cli.main", *args], cwd=ROOT, env=env,
                                            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, text: str, timeout: float) -> None:
        def shown() -> bool:
            if text in self.output:
                return True
            if self.process.poll() is not None:
                raise AssertionError(f"exited with {self.process.returncode} before {text!r}:\n{self.output}")
            return False

        wait_until(shown, timeout, interval=0.1, what=f"{text!r} in the output")

    def ctrl_c(self) -> None:
        """What a terminal does on Ctrl-C: SIGINT to every process of the foreground group."""
        os.killpg(self.process.pid, signal.SIGINT)

    def stop_by(self, how: str, timeout: float) -> float:
        """Stop it ("ctrl-c" or "sigterm"), wait for its exit; the seconds that took."""
        started = time.monotonic()
        if how == "ctrl-c":
            self.ctrl_c()
        else:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running {timeout}s after {how}:\n{self.output}") from None
        return time.monotonic() - started

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def child_env(**extra: str) -> dict[str, str]:
    """The child runs this worktree's code, like the test itself."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return dict(os.environ, PYTHONPATH=path, **extra)
