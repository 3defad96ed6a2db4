"""LED board frames (pure) and the bus driver talking to the twin over a real pty."""

from __future__ import annotations

import os
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edge.drivers.led_board import (
    Frame,
    LedBoardBus,
    LedBoardError,
    decode_frames,
    encode_frame,
)
from edge.drivers.led_frame import FrameError
from edge.simulation import LedBoardTwin

TIMEOUT = 5.0

addresses = st.integers(min_value=1, max_value=247)
texts = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=32)
frames = st.one_of(
    st.builds(Frame, address=addresses, command=st.sampled_from("SB"), text=texts),
    st.builds(Frame, address=addresses, command=st.just("C"), text=st.just("")),
)


def test_worked_example_from_the_docs() -> None:
    assert encode_frame(3, "S", "A012").hex(" ") == "02 03 53 04 41 30 31 32 26 03"


@given(frames)
def test_every_valid_frame_round_trips(frame: Frame) -> None:
    decoded, rest, errors = decode_frames(encode_frame(frame.address, frame.command, frame.text))
    assert (decoded, rest, errors) == ([frame], b"", [])


@given(st.lists(frames, max_size=6), st.data())
def test_a_stream_cut_anywhere_decodes_to_the_same_frames(sent: list[Frame], data: st.DataObject) -> None:
    stream = b"".join(encode_frame(f.address, f.command, f.text) for f in sent)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=5)))
    received: list[Frame] = []
    pending = b""
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=False):
        got, pending, errors = decode_frames(pending + stream[start:end])
        assert errors == []
        received += got
    assert received == sent and pending == b""


def test_garbage_and_corrupted_frames_are_rejected_and_the_next_frame_still_decodes() -> None:
    good = encode_frame(3, "S", "A012")
    bad_checksum = bytearray(encode_frame(2, "S", "B007"))
    bad_checksum[-2] ^= 0xFF
    wrong_length = bytearray(encode_frame(4, "S", "C001"))
    wrong_length[3] = 2  # header now points ETX/checksum at payload bytes
    stream = b"\xff\x00junk" + bytes(bad_checksum) + b"\x02\x09" + bytes(wrong_length) + good

    decoded, rest, errors = decode_frames(stream)

    assert decoded == [Frame(3, "S", "A012")]
    assert rest == b""
    assert any("garbage" in e for e in errors)
    assert any("checksum" in e for e in errors)
    assert any("address 9" in e or "unknown command" in e for e in errors)


def test_stx_and_etx_values_inside_a_frame_do_not_confuse_the_decoder() -> None:
    # Addresses 2 and 3 are STX and ETX; the length field, not ETX, delimits frames.
    stream = encode_frame(2, "B", "\x20") + encode_frame(3, "C")
    assert decode_frames(stream) == ([Frame(2, "B", " "), Frame(3, "C", "")], b"", [])


def test_incomplete_frame_is_kept_for_the_next_read() -> None:
    frame = encode_frame(7, "S", "D123")
    assert decode_frames(frame[:6]) == ([], frame[:6], [])


@pytest.mark.parametrize(
    ("address", "command", "text", "message"),
    [
        (0, "S", "A012", "outside 1..247"),
        (248, "S", "A012", "outside 1..247"),
        (3, "S", "A" * 33, "at most 32"),
        (3, "S", "Quầy 3", "printable ASCII"),
        (3, "X", "A012", "unknown"),
        (3, "C", "A012", "no text"),
    ],
)
def test_invalid_frames_are_refused_with_the_reason(address: int, command: str, text: str, message: str) -> None:
    with pytest.raises(FrameError, match=message):
        encode_frame(address, command, text)


def test_driver_shows_a012_on_board_3(led_twin: LedBoardTwin) -> None:
    seen: list[Frame] = []
    led_twin.on_frame = seen.append
    with LedBoardBus(led_twin.port) as bus:
        bus.show(3, "A012")
        led_twin.wait_for(lambda t: t.displays.get(3) == "A012", TIMEOUT)
        bus.show(1, "B007", blink=True)
        led_twin.wait_for(lambda t: 1 in t.blinking, TIMEOUT)
        bus.clear(3)
        led_twin.wait_for(lambda t: t.displays.get(3) == "", TIMEOUT)

    assert led_twin.displays == {3: "", 1: "B007"}
    assert led_twin.blinking == {1}
    assert seen == [Frame(3, "S", "A012"), Frame(1, "B", "B007"), Frame(3, "C", "")]
    assert led_twin.bad_frames == 0


def test_counters_writing_at_once_never_interleave_frames(led_twin: LedBoardTwin) -> None:
    boards = range(1, 9)
    rounds = 25
    with LedBoardBus(led_twin.port) as bus:
        go = threading.Barrier(len(boards))

        def counter(address: int) -> None:
            go.wait(TIMEOUT)
            for n in range(rounds):
                bus.show(address, f"A{n:03d}")

        threads = [threading.Thread(target=counter, args=(a,)) for a in boards]
        for t in threads:
            t.start()
        for t in threads:
            t.join(TIMEOUT)
        led_twin.wait_for(lambda t: len(t.frames) == len(boards) * rounds, TIMEOUT)

    assert led_twin.bad_frames == 0
    assert led_twin.displays == {a: f"A{rounds - 1:03d}" for a in boards}


def test_twin_counts_bad_frames_written_to_the_wire(led_twin: LedBoardTwin) -> None:
    corrupted = bytearray(encode_frame(5, "S", "X1"))
    corrupted[-2] ^= 0x01
    fd = os.open(led_twin.port, os.O_WRONLY | os.O_NOCTTY)
    try:
        os.write(fd, bytes(corrupted) + encode_frame(5, "S", "X2"))
    finally:
        os.close(fd)
    led_twin.wait_for(lambda t: t.displays.get(5) == "X2", TIMEOUT)
    assert led_twin.bad_frames >= 1
    assert led_twin.frames == [Frame(5, "S", "X2")]


def test_wait_for_times_out_with_the_current_state(led_twin: LedBoardTwin) -> None:
    with pytest.raises(TimeoutError, match="displays=\\{\\}"):
        led_twin.wait_for(lambda t: 3 in t.displays, 0.2)


def test_bus_refuses_bad_requests_before_touching_the_wire(led_twin: LedBoardTwin) -> None:
    with LedBoardBus(led_twin.port) as bus:
        with pytest.raises(LedBoardError, match="outside 1..247"):
            bus.show(0, "A012")
        with pytest.raises(LedBoardError, match="at most 32"):
            bus.show(3, "9" * 33)
        with pytest.raises(LedBoardError, match="printable ASCII"):
            bus.show(3, "Đ01")
        bus.show(4, "OK")
        led_twin.wait_for(lambda t: 4 in t.displays, TIMEOUT)
    assert led_twin.frames == [Frame(4, "S", "OK")]


def test_missing_port_raises_led_board_error(tmp_path: os.PathLike[str]) -> None:
    with pytest.raises(LedBoardError, match="ttyUSB7.*USB-RS-485"):
        LedBoardBus(f"{tmp_path}/ttyUSB7")


def test_bus_that_goes_away_raises_led_board_error() -> None:
    twin = LedBoardTwin().start()
    bus = LedBoardBus(twin.port)
    twin.stop()
    try:
        with pytest.raises(LedBoardError, match="board 3 not updated"):
            bus.show(3, "A012")
    finally:
        bus.close()
