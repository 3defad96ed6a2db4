"""Run a real mosquitto as a child process: tests, benchmarks and the demo.

The project never replaces the broker with a fake (ARCHITECTURE.md, "Real
parts"), so starting one must be as dependable as importing a module:

* readiness is a TCP connect that succeeds while *our* process is alive,
  polled against a deadline — never a fixed sleep, which is either too short
  on a loaded CI machine or wastes seconds on a fast one;
* mosquitto runs in its own session/process group, so a signal meant for it
  never reaches the test runner, and stop/kill reach everything it started;
* every exit is reaped (``wait``), so no zombies pile up over a test session;
* mosquitto binds with SO_REUSEADDR, so a broker killed with -9 can be started
  again on the same port at once (clients keep that port in their config);
* when it does not come up, the error carries the tail of its own output —
  mosquitto explains config mistakes there, and an IT person needs that text,
  not "timeout".

Reloading (SIGHUP: re-read passwd and ACL) lives here too, for both kinds of
broker: one this process started (:meth:`Mosquitto.reload`) and one started
elsewhere from a broker directory, found by its pid file (:func:`running_pid`,
:func:`reload_running`, which ``onestop broker add-office`` uses).
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import threading
import weakref
from pathlib import Path
from types import TracebackType

import structlog

from broker.settings import DEFAULT_MOSQUITTO, BrokerSettings, find_executable
from transport.waiting import WaitTimeout, wait_until

log = structlog.get_logger(__name__)


class BrokerError(RuntimeError):
    """mosquitto could not be started or stopped; the message says what to do."""


def mosquitto_binary(settings: BrokerSettings | None = None) -> str:
    """Locate the mosquitto executable or explain how to install it."""
    found = find_executable((settings or BrokerSettings()).mosquitto, DEFAULT_MOSQUITTO, "mosquitto")
    if found:
        return found
    raise BrokerError(
        "mosquitto is not installed (looked for $MOSQUITTO, /usr/sbin/mosquitto and PATH). "
        "Install it with: apt-get install mosquitto mosquitto-clients  (or run scripts/bootstrap.sh)"
    )


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now on ``host``.

    The kernel picks it (bind to port 0), which avoids the collisions of
    random guessing; there is an unavoidable window before mosquitto binds it,
    which :meth:`Mosquitto.start` detects and reports.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_accepts(host: str, port: int, timeout: float = 0.2) -> bool:
    """True when something accepts a TCP connection on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def send_reload(pid: int, **context: object) -> None:
    """SIGHUP ``pid``: mosquitto re-reads its password and ACL files.

    mosquitto applies it asynchronously, on its next loop turn; callers that
    need the new state wait for it (e.g. a login with new credentials).
    """
    os.kill(pid, signal.SIGHUP)
    log.info("broker.reloaded", pid=pid, **context)


def running_pid(pid_file: Path, conf_path: Path) -> int | None:
    """pid of the mosquitto running ``conf_path`` according to ``pid_file``, if any.

    Checked against /proc (the executable is a mosquitto and its command line
    names this config) so that a stale pid file after a crash never makes us
    signal an unrelated process that reused the pid.
    """
    try:
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return None
    if any(b"mosquitto" in part for part in cmdline[:1]) and str(conf_path).encode() in cmdline:
        return pid
    return None


def reload_running(pid_file: Path, conf_path: Path) -> int | None:
    """Reload the broker running ``conf_path``; its pid, or None when none runs."""
    pid = running_pid(pid_file, conf_path)
    if pid is not None:
        send_reload(pid, conf=str(conf_path))
    return pid


# Brokers still running when the interpreter exits (a test run interrupted by
# Ctrl-C, a demo that crashed) are killed, because their own session keeps them
# out of the terminal's process group and they would otherwise outlive us.
_live: weakref.WeakSet[Mosquitto] = weakref.WeakSet()


@atexit.register
def _kill_leftovers() -> None:
    for broker in list(_live):
        try:
            broker.kill()
        except Exception:  # best effort on the way out
            pass


class Mosquitto:
    """One mosquitto process for one config file.

    ``port`` must be the port of the config's listener (the one readiness is
    checked on); ``log_path`` receives mosquitto's stdout and stderr, which is
    where start-up errors go even when the config logs elsewhere.
    """

    def __init__(
        self,
        conf_path: Path | str,
        port: int,
        log_path: Path | str | None = None,
        *,
        host: str = "127.0.0.1",
        name: str = "mosquitto",
    ) -> None:
        self.conf_path = Path(conf_path)
        self.port = port
        self.host = host
        self.name = name
        self.log_path = Path(log_path) if log_path else self.conf_path.with_suffix(".log")
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.RLock()
        self._log_offset = 0

    # -- state ------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_text(self, since_start: bool = True) -> str:
        """mosquitto's output, by default only what this run wrote."""
        try:
            with self.log_path.open("rb") as fh:
                if since_start:
                    fh.seek(self._log_offset)
                return fh.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 25) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    # -- lifecycle ----------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> Mosquitto:
        """Start mosquitto and return once its listener accepts connections.

        Raises :class:`BrokerError` with mosquitto's own explanation when the
        process exits early (bad config, unreadable password file, port taken)
        or does not listen within ``timeout`` seconds.
        """
        with self._lock:
            if self.is_running():
                return self
            if not self.conf_path.is_file():
                raise BrokerError(f"{self.name}: config file {self.conf_path} does not exist; create it first")
            if port_accepts(self.host, self.port):
                raise BrokerError(
                    f"{self.name}: port {self.port} on {self.host} is already in use by another program; "
                    "stop that program or choose another port"
                )
            binary = mosquitto_binary()
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with self.log_path.open("ab") as out:
                self._log_offset = out.tell()
                self._proc = subprocess.Popen(
                    [binary, "-c", str(self.conf_path)],
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # own process group: our signals only
                    close_fds=True,
                )
            _live.add(self)
            proc = self._proc

            def listening() -> bool:
                code = proc.poll()
                if code is not None:
                    self._proc = None
                    raise BrokerError(
                        f"{self.name}: mosquitto exited with code {code} while starting "
                        f"(config {self.conf_path}). Its output:\n{self.log_tail() or '(nothing)'}"
                    )
                # A connect that succeeds while our process is still alive, and
                # it was free before we started, means mosquitto is listening.
                return port_accepts(self.host, self.port) and proc.poll() is None

            try:
                wait_until(listening, timeout, interval=0.005, max_interval=0.05, what=f"{self.name} to listen")
            except WaitTimeout:
                self._terminate(signal.SIGKILL, 5.0)
                raise BrokerError(
                    f"{self.name}: mosquitto did not listen on {self.host}:{self.port} within "
                    f"{timeout:.1f}s (config {self.conf_path}); is that the port of its listener? "
                    f"Its output:\n{self.log_tail() or '(nothing)'}"
                ) from None
            log.info("broker.started", name=self.name, port=self.port, pid=proc.pid, conf=str(self.conf_path))
            return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop gracefully (SIGTERM): mosquitto saves its persistence file."""
        with self._lock:
            code = self._terminate(signal.SIGTERM, timeout)
            if code is not None:
                log.info("broker.stopped", name=self.name, port=self.port, code=code)

    def kill(self) -> None:
        """Kill -9: a crash or power cut, nothing saved since the last autosave."""
        with self._lock:
            code = self._terminate(signal.SIGKILL, 5.0)
            if code is not None:
                log.info("broker.killed", name=self.name, port=self.port)

    def restart(self, timeout: float = 10.0) -> Mosquitto:
        self.stop()
        return self.start(timeout)

    def reload(self) -> None:
        """SIGHUP: re-read password and ACL files (after add-office); see :func:`send_reload`."""
        with self._lock:
            if not self.is_running() or self._proc is None:
                raise BrokerError(f"{self.name}: cannot reload, mosquitto is not running")
            # is_running() has just polled under the lock, so the pid is still ours
            send_reload(self._proc.pid, name=self.name, port=self.port)

    def _terminate(self, sig: signal.Signals, timeout: float) -> int | None:
        """Signal the process group, wait, escalate to SIGKILL; returns the exit code."""
        proc = self._proc
        if proc is None:
            return None
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("broker.stop_timeout", name=self.name, port=self.port, signal=sig.name)
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(5.0)
        self._proc = None
        _live.discard(self)
        return proc.returncode

    # -- context manager ------------------------------------------------------------

    def __enter__(self) -> Mosquitto:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"pid={self.pid}" if self.is_running() else "stopped"
        return f"<Mosquitto {self.name} {self.host}:{self.port} {state}>"
