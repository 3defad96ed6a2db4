"""Voice announcements in the reception hall ("Mời khách hàng số ... đến quầy số ...").

Phrasing. espeak-ng's Vietnamese voice reads a ticket number such as ``A012``
as "a không mười hai" (the digits after the first zero become a number), which
matches neither the paper nor the board. We spell the number the way staff
read a ticket aloud: the prefix letters by their Vietnamese names (A "a",
B "bê", C "xê", D "dê", ...) and then every digit on its own, leading zeros
included: ``A012`` -> "a không một hai". Digit by digit is what a citizen can
compare with the paper in hand, it is as long for 7 as for 107, and it avoids
the regional split in reading numbers (105 is "một trăm linh năm" in the north,
"một trăm lẻ năm" in the south). The counter number stays a numeral, which
espeak-ng reads as a number ("quầy số mười hai"). A comma after the ticket
number gives the listener a pause before the counter.

One worker thread synthesises each announcement to a WAV file with
``espeak-ng -w`` and, when a play command is configured (``aplay -q`` on the
Pi), plays it and waits for the player to exit before taking the next one, so
two counters calling at once are heard one after the other, never on top of
each other. Only the newest ``keep_files`` WAV files are kept: the hall
display may replay the latest ones, and the SD card must not fill up.

Nothing here raises into the caller: a missing espeak-ng, a failing player or
a stopped announcer marks the announcement failed (``error``), logs it, and
sets ``done``.
"""

from __future__ import annotations

import queue
import re
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from transport.private_files import private_dir

log = structlog.get_logger(__name__)

LETTER_NAMES = {
    "A": "a", "B": "bê", "C": "xê", "D": "dê", "Đ": "đê", "E": "e", "F": "ép", "G": "giê",
    "H": "hát", "I": "i", "J": "zi", "K": "ca", "L": "e-lờ", "M": "em-mờ", "N": "en-nờ",
    "O": "o", "P": "pê", "Q": "quy", "R": "e-rờ", "S": "ét-xì", "T": "tê", "U": "u", "V": "vê",
    "W": "vê kép", "X": "ích-xì", "Y": "i dài", "Z": "dét",
}
DIGIT_NAMES = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_SEPARATORS = frozenset(" -._/")
_FILE_PREFIX = "announcement-"


def speakable_number(number: str) -> str:
    """``"A012"`` -> ``"a không một hai"``: letters by name, digits one by one."""
    words: list[str] = []
    for char in number.strip().upper():
        if char in LETTER_NAMES:
            words.append(LETTER_NAMES[char])
        elif "0" <= char <= "9":
            words.append(DIGIT_NAMES[int(char)])
        elif char not in _SEPARATORS:
            words.append(char)
    return " ".join(words)


def announcement_text(number: str, counter: int) -> str:
    return f"Mời khách hàng số {speakable_number(number)}, đến quầy số {counter}"


@dataclass
class Announcement:
    """One call in the hall; ``done`` is set when it was spoken (or failed, see ``error``)."""

    id: str
    text: str
    wav_path: Path
    done: threading.Event = field(default_factory=threading.Event)
    error: str | None = None
    number: str = ""
    counter: int = 0


class Announcer:
    """Speaks announcements one at a time, in the order they were requested.

    ``announce`` may be called before ``start``; the queue is worked off once the
    worker runs. ``on_done`` runs on the worker thread for every announcement,
    spoken or failed, before its ``done`` event is set.
    """

    def __init__(
        self,
        out_dir: Path,
        voice: str = "vi",
        speed: int = 150,
        play_command: list[str] | None = None,
        on_done: Callable[[Announcement], None] | None = None,
        espeak_command: str = "espeak-ng",
        keep_files: int = 50,
        timeout: float = 60.0,
    ) -> None:
        self._out_dir = Path(out_dir)
        self._voice = voice
        self._speed = speed
        self._play_command = list(play_command) if play_command else None
        self._on_done = on_done
        self._espeak = espeak_command
        self._keep_files = keep_files
        self._timeout = timeout
        self._queue: queue.Queue[Announcement | None] = queue.Queue()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._process_lock = threading.Lock()

    def start(self) -> Announcer:
        if self._thread is not None:
            raise RuntimeError("announcer already started")
        private_dir(self._out_dir)  # beside hub.db in the hub's data directory, and as private
        self._stopping.clear()
        self._thread = threading.Thread(target=self._work, name="announcer", daemon=True)
        self._thread.start()
        log.info("announcer_started", out_dir=str(self._out_dir), voice=self._voice, play=self._play_command)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Cut the current playback short and fail what is still queued."""
        thread = self._thread
        if thread is None:
            return
        self._stopping.set()
        self._queue.put(None)
        with self._process_lock:
            if self._process is not None:
                self._process.terminate()
        thread.join(timeout)
        self._thread = None
        log.info("announcer_stopped")

    def announce(self, number: str, counter: int) -> Announcement:
        announcement_id = uuid.uuid4().hex
        safe_number = re.sub(r"[^A-Za-z0-9]", "_", number)[:16]
        announcement = Announcement(
            id=announcement_id,
            text=announcement_text(number, counter),
            wav_path=self._out_dir / f"{_FILE_PREFIX}{time.time_ns()}-{safe_number}-{announcement_id[:8]}.wav",
            number=number,
            counter=counter,
        )
        if self._stopping.is_set():
            self._finish(announcement, "the announcer is stopped")
        else:
            self._queue.put(announcement)
        return announcement

    # -- worker ----------------------------------------------------------------

    def _work(self) -> None:
        while True:
            announcement = self._queue.get()
            if announcement is None:
                return
            if self._stopping.is_set():
                self._finish(announcement, "the announcer stopped before speaking it")
                continue
            try:
                self._speak(announcement)
            except Exception as exc:  # the worker must outlive any single announcement
                log.exception("announcement_crashed", id=announcement.id)
                self._finish(announcement, f"internal error: {exc}")

    def _speak(self, announcement: Announcement) -> None:
        started = time.monotonic()
        synthesise = [self._espeak, "-v", self._voice, "-s", str(self._speed), "-w", str(announcement.wav_path)]
        error = self._run([*synthesise, announcement.text], what="espeak-ng")
        if error is None and not _looks_like_wav(announcement.wav_path):
            error = f"espeak-ng wrote no usable WAV file to {announcement.wav_path}"
        if error is None and self._play_command is not None:
            error = self._run([*self._play_command, str(announcement.wav_path)], what="player")
        self._prune()
        self._finish(announcement, error, seconds=round(time.monotonic() - started, 3))

    def _run(self, command: Sequence[str], what: str) -> str | None:
        """Run one external program to completion; the error text, or None if it succeeded."""
        try:
            with self._process_lock:
                if self._stopping.is_set():
                    return f"the announcer stopped before running {what}"
                process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                self._process = process
        except FileNotFoundError:
            hint = " (install Debian's espeak-ng package)" if what == "espeak-ng" else ""
            return f"{what} not found: {command[0]!r}{hint}"
        except OSError as exc:
            return f"cannot start {what} {command[0]!r}: {exc}"
        try:
            _, stderr = process.communicate(timeout=self._timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return f"{what} did not finish within {self._timeout}s"
        finally:
            with self._process_lock:
                self._process = None
        if process.returncode != 0:
            detail = stderr.decode("utf-8", errors="replace").strip()
            return f"{what} exited with status {process.returncode}: {detail or 'no message'}"
        return None

    def _finish(self, announcement: Announcement, error: str | None, **details: object) -> None:
        """Record the outcome, run ``on_done``, then set ``done``: a waiter sees the callback's effects."""
        announcement.error = error
        context = {"id": announcement.id, "number": announcement.number, "counter": announcement.counter}
        if error is None:
            log.info("announcement_spoken", **context, **details)
        else:
            log.error("announcement_failed", **context, error=error)
        if self._on_done is not None:
            try:
                self._on_done(announcement)
            except Exception:
                log.exception("announcement_callback_failed", id=announcement.id)
        announcement.done.set()

    def _prune(self) -> None:
        """Delete all but the newest ``keep_files`` of our WAV files (names sort by creation time)."""
        files = sorted(self._out_dir.glob(f"{_FILE_PREFIX}*.wav"))
        for old in files[: max(0, len(files) - self._keep_files)]:
            try:
                old.unlink()
            except OSError as exc:
                log.warning("announcement_prune_failed", path=str(old), error=str(exc))


def _looks_like_wav(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            header = f.read(12)
    except OSError:
        return False
    return len(header) == 12 and header[:4] == b"RIFF" and header[8:12] == b"WAVE"
