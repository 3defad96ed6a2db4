"""Announcements with the real espeak-ng; a tiny script stands in for aplay."""

from __future__ import annotations

import subprocess
import sys
import threading
import wave
from pathlib import Path

import pytest

from edge.drivers.announcer import Announcement, Announcer, announcement_text, speakable_number

TIMEOUT = 20.0

# The player: records when it ran. The sleep is the "playback" (it makes an
# overlap visible if the announcer ever started two players at once); the test
# itself never sleeps, it waits on the announcements' events.
PLAYER = """
import sys, time
log, wav = sys.argv[1], sys.argv[2]
start = time.monotonic()
time.sleep(0.15)
end = time.monotonic()
with open(log, "a") as f:
    f.write(f"{start} {end} {wav}\\n")
"""


def test_ticket_number_is_spelled_for_a_listener() -> None:
    assert announcement_text("A012", 3) == "Mời khách hàng số a không một hai, đến quầy số 3"
    assert speakable_number("B105") == "bê một không năm"
    assert speakable_number("dk-07") == "dê ca không bảy"


def test_espeak_reads_every_digit_of_the_number_on_its_own() -> None:
    """The point of spelling: espeak-ng would otherwise say "mười hai" (twelve) for "012"."""
    phonemes = subprocess.run(
        ["espeak-ng", "-v", "vi", "-q", "-x", announcement_text("A012", 3)],
        capture_output=True, text=True, check=True,
    ).stdout
    raw = subprocess.run(
        ["espeak-ng", "-v", "vi", "-q", "-x", "Mời khách hàng số A012 đến quầy số 3"],
        capture_output=True, text=True, check=True,
    ).stdout
    twelve = "m'y@2jh'a:I"  # "mười hai"
    assert twelve in raw
    assert twelve not in phonemes and "m'o6t" in phonemes  # "một" is read


def test_two_announcements_give_two_valid_wav_files(tmp_path: Path) -> None:
    announcer = Announcer(tmp_path / "wav").start()
    try:
        first = announcer.announce("A012", 3)
        second = announcer.announce("B007", 12)
        assert first.done.wait(TIMEOUT) and second.done.wait(TIMEOUT)
    finally:
        announcer.stop()

    assert (first.error, second.error) == (None, None)
    assert first.wav_path != second.wav_path
    for announcement in (first, second):
        with wave.open(str(announcement.wav_path), "rb") as wav:
            frames = wav.getnframes()
            assert frames > 0
            assert frames / wav.getframerate() > 0.5
        assert announcement.wav_path.read_bytes()[:4] == b"RIFF"


def test_announcements_play_one_at_a_time_in_order(tmp_path: Path) -> None:
    player = tmp_path / "player.py"
    player.write_text(PLAYER)
    log = tmp_path / "played.log"
    finished: list[str] = []
    announcer = Announcer(
        tmp_path / "wav",
        play_command=[sys.executable, str(player), str(log)],
        on_done=lambda a: finished.append(a.number),
    ).start()
    try:
        calls = [announcer.announce(number, counter) for number, counter in [("A001", 1), ("B002", 2), ("C003", 3)]]
        assert all(call.done.wait(TIMEOUT) for call in calls)
    finally:
        announcer.stop()

    assert [call.error for call in calls] == [None, None, None]
    played = [line.split() for line in log.read_text().splitlines()]
    assert [Path(wav) for _, _, wav in played] == [call.wav_path for call in calls]
    intervals = [(float(start), float(end)) for start, end, _ in played]
    for (_, end), (next_start, _) in zip(intervals, intervals[1:], strict=False):
        assert end <= next_start, f"playbacks overlap: {intervals}"
    assert finished == ["A001", "B002", "C003"]


def test_missing_espeak_marks_the_announcement_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    done = threading.Event()
    failed: list[Announcement] = []

    def on_done(a: Announcement) -> None:
        failed.append(a)
        done.set()

    announcer = Announcer(tmp_path / "wav", on_done=on_done).start()
    try:
        announcement = announcer.announce("A012", 3)  # must not raise
        assert done.wait(TIMEOUT)
    finally:
        announcer.stop()

    assert announcement.done.is_set()
    assert announcement.error is not None and "espeak-ng not found" in announcement.error
    assert failed == [announcement]
    assert not announcement.wav_path.exists()


def test_failing_player_is_reported_and_the_next_announcement_still_plays(tmp_path: Path) -> None:
    flaky = tmp_path / "flaky.py"
    flaky.write_text("import sys\nsys.exit('no sound card' if 'A001' in sys.argv[1] else 0)\n")
    announcer = Announcer(tmp_path / "wav", play_command=[sys.executable, str(flaky)]).start()
    try:
        first = announcer.announce("A001", 1)
        second = announcer.announce("A002", 1)
        assert first.done.wait(TIMEOUT) and second.done.wait(TIMEOUT)
    finally:
        announcer.stop()
    assert first.error is not None and "no sound card" in first.error
    assert second.error is None


def test_only_the_newest_wav_files_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "wav"
    announcer = Announcer(out, keep_files=2).start()
    try:
        calls = [announcer.announce(f"A{n:03d}", 1) for n in range(4)]
        assert all(call.done.wait(TIMEOUT) for call in calls)
    finally:
        announcer.stop()
    assert sorted(out.glob("*.wav")) == sorted(call.wav_path for call in calls[-2:])


def test_announcing_after_stop_fails_without_raising(tmp_path: Path) -> None:
    announcer = Announcer(tmp_path / "wav").start()
    announcer.stop()
    late = announcer.announce("A099", 2)
    assert late.done.is_set() and late.error == "the announcer is stopped"
