"""How a second terminal talks to a running ``onestop demo``: one request, one answer, over a Unix socket.

``onestop demo cloud stop`` (and the other control commands) connect to
``control.sock`` in the demo's data directory, send one JSON line
(``{"command": ["cloud", "stop"]}``) and read one JSON line back
(``{"ok": true, "message": "…"}``). A Unix socket rather than signals,
because a request needs an answer (what was done, or why not); rather than
a TCP port, because the data directory is owner-only (0700): only the user
who started the demo can reach it, with no password to hand around.

The demo's supervisor is single-threaded: it puts :meth:`ControlSocket.fileno`
into its selector beside the stop signals and serves a request when one
comes, so a request never runs beside the supervisor's own work.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

SOCKET_NAME = "control.sock"
#: How long a client waits for the answer: starting the cloud again runs its migrations and waits for it.
ANSWER_TIMEOUT_S = 180.0
#: How long the supervisor waits for a connected client's request line.
REQUEST_TIMEOUT_S = 5.0


class ControlError(RuntimeError):
    """No demo answers at that data directory, or its answer could not be read; the message says what to do."""


Handler = Callable[[list[str]], tuple[bool, str]]


class ControlSocket:
    """The supervisor's end: listens on ``DATA_DIR/control.sock`` while entered."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / SOCKET_NAME
        self._server: socket.socket | None = None

    def __enter__(self) -> ControlSocket:
        if self.path.exists():
            if _answers(self.path):
                raise ControlError(f"another demo is running with the data directory {self.path.parent}; "
                                   "stop it first, or give this one another --data-dir")
            self.path.unlink()  # left by a demo that was killed
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(str(self.path))
        except OSError as exc:
            server.close()
            raise ControlError(f"cannot listen on {self.path} ({exc}); choose a shorter --data-dir") from None
        os.chmod(self.path, 0o600)
        server.listen()
        server.setblocking(False)
        self._server = server
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._server is not None:
            self._server.close()
            self.path.unlink(missing_ok=True)
            self._server = None

    def fileno(self) -> int:
        assert self._server is not None
        return self._server.fileno()

    def serve_one(self, handle: Handler) -> None:
        """Accept a waiting client, run its request through ``handle`` and send the answer."""
        assert self._server is not None
        try:
            conn, _ = self._server.accept()
        except BlockingIOError:
            return
        with conn:
            conn.settimeout(REQUEST_TIMEOUT_S)
            try:
                with conn.makefile("r", encoding="utf-8") as lines:
                    request = json.loads(lines.readline())
                words = request["command"]
                if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                    raise ValueError("command must be a list of words")
            except (OSError, ValueError, KeyError, TypeError) as exc:
                ok, message = False, f"bad request: {exc}"
            else:
                ok, message = handle(words)
            try:
                conn.sendall(json.dumps({"ok": ok, "message": message}, ensure_ascii=False).encode() + b"\n")
            except OSError:
                pass  # the client gave up waiting; what was done is done, and the demo's terminal says so


def send(data_dir: Path, words: list[str], timeout: float = ANSWER_TIMEOUT_S) -> tuple[bool, str]:
    """Ask the demo running with ``data_dir`` to do ``words``; its answer (done?, what it says)."""
    path = data_dir / SOCKET_NAME
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(timeout)
        try:
            client.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise ControlError(f"no demo is running with the data directory {data_dir} (no one listens on {path}). "
                               "Start it with `onestop demo`, or pass the --data-dir it was started with.") from None
        try:
            client.sendall(json.dumps({"command": words}).encode() + b"\n")
            with client.makefile("r", encoding="utf-8") as lines:
                answer = json.loads(lines.readline())
        except (OSError, ValueError) as exc:
            raise ControlError(f"the demo did not answer ({exc}); see its terminal") from None
    return bool(answer["ok"]), str(answer["message"])


def _answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True
