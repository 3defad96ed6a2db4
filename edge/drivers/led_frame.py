"""The framed protocol of the counter LED number boards on the RS-485 bus.

All boards of a reception room hang on one RS-485 pair (9600 8N1, half duplex,
the hub Pi the only sender); each board has an address set by DIP switches and
acts only on frames addressed to it. Boards never answer, so the bus needs no
turn-around timing and one USB-RS-485 adapter with automatic direction control
is enough.

Frame (all fields one byte unless noted)::

    STX 0x02 | ADDRESS 1..247 | COMMAND | LENGTH 0..32 | PAYLOAD (LENGTH bytes) | CHECKSUM | ETX 0x03

COMMAND
    ``S`` (0x53) show PAYLOAD steadily; ``B`` (0x42) show PAYLOAD blinking (a
    number being called); ``C`` (0x43) clear the board, LENGTH must be 0.
PAYLOAD
    printable ASCII, 0x20..0x7E: the boards' fonts have no Vietnamese letters
    and the boards show ticket numbers such as ``A012``.
CHECKSUM
    XOR of ADDRESS, COMMAND, LENGTH and every PAYLOAD byte (an LRC, as in NMEA:
    a technician can check it by hand from a bus sniffer's hex dump).

Worked example, show ``A012`` on board 3::

    02 03 53 04 41 30 31 32 26 03
    (03 ^ 53 ^ 04 ^ 41 ^ 30 ^ 31 ^ 32 = 26)

The header is validated before the body (address in range, known command,
LENGTH <= 32), so a board's firmware knows at the fourth byte whether to keep
reading. STX and ETX bytes may occur inside a frame (address 2 or 3, a checksum
of 0x02): frames are delimited by LENGTH, not by scanning for ETX. After any
fault a receiver drops the STX it started on and resynchronises on the next
0x02, so one corrupted frame costs exactly that frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

STX = 0x02
ETX = 0x03
SHOW = "S"
BLINK = "B"
CLEAR = "C"
COMMANDS = frozenset({SHOW, BLINK, CLEAR})
MIN_ADDRESS = 1
MAX_ADDRESS = 247
MAX_TEXT = 32
_HEADER = 4  # STX ADDRESS COMMAND LENGTH
_TRAILER = 2  # CHECKSUM ETX


@dataclass(frozen=True)
class Frame:
    address: int
    command: str
    text: str = ""


class FrameError(ValueError):
    """A frame that cannot be encoded: the message names the offending field."""


def checksum(body: bytes) -> int:
    """XOR of ADDRESS..PAYLOAD."""
    return reduce(lambda acc, b: acc ^ b, body, 0)


def validate(address: int, command: str, text: str) -> bytes:
    """The payload bytes of a valid frame, or ``FrameError`` saying what is wrong."""
    if not MIN_ADDRESS <= address <= MAX_ADDRESS:
        raise FrameError(f"LED board address {address} is outside {MIN_ADDRESS}..{MAX_ADDRESS}")
    if command not in COMMANDS:
        raise FrameError(f"unknown LED board command {command!r}; use one of {sorted(COMMANDS)}")
    if command == CLEAR and text:
        raise FrameError("the clear command carries no text")
    if len(text) > MAX_TEXT:
        raise FrameError(f"LED board text {text!r} is {len(text)} characters; the boards show at most {MAX_TEXT}")
    if not all(" " <= c <= "~" for c in text):
        raise FrameError(
            f"LED board text {text!r} must be printable ASCII: the boards' font has no accented letters"
        )
    return text.encode("ascii")


def encode_frame(address: int, command: str, text: str = "") -> bytes:
    payload = validate(address, command, text)
    body = bytes([address, ord(command), len(payload)]) + payload
    return bytes([STX]) + body + bytes([checksum(body), ETX])


def decode_frames(buffer: bytes) -> tuple[list[Frame], bytes, list[str]]:
    """Split a received byte stream into frames.

    Returns the frames, the bytes of a frame still incomplete at the end (feed
    them back with the next read) and one message per fault: garbage skipped
    before an STX, or a frame rejected (bad header, missing ETX, bad checksum).
    """
    frames: list[Frame] = []
    errors: list[str] = []
    i = 0
    n = len(buffer)
    while i < n:
        start = buffer.find(STX, i)
        if start < 0:
            errors.append(f"{n - i} byte(s) of garbage without STX skipped")
            return frames, b"", errors
        if start > i:
            errors.append(f"{start - i} byte(s) of garbage before STX skipped")
        i = start
        if n - i < _HEADER:
            return frames, buffer[i:], errors
        address, command, length = buffer[i + 1], chr(buffer[i + 2]), buffer[i + 3]
        fault = _header_fault(address, command, length)
        if fault is None:
            end = i + _HEADER + length + _TRAILER
            if end > n:
                return frames, buffer[i:], errors
            body = buffer[i + 1 : i + _HEADER + length]
            payload = buffer[i + _HEADER : i + _HEADER + length]
            fault = _body_fault(body, payload, buffer[end - 2], buffer[end - 1])
            if fault is None:
                frames.append(Frame(address=address, command=command, text=payload.decode("ascii")))
                i = end
                continue
        errors.append(f"frame at byte {i} rejected: {fault}")
        i += 1  # resynchronise on the next STX
    return frames, b"", errors


def _header_fault(address: int, command: str, length: int) -> str | None:
    if not MIN_ADDRESS <= address <= MAX_ADDRESS:
        return f"address {address} out of range"
    if command not in COMMANDS:
        return f"unknown command 0x{ord(command):02x}"
    if length > MAX_TEXT or (command == CLEAR and length):
        return f"length {length} invalid for command {command!r}"
    return None


def _body_fault(body: bytes, payload: bytes, received_checksum: int, etx: int) -> str | None:
    if etx != ETX:
        return f"expected ETX, got 0x{etx:02x}"
    expected = checksum(body)
    if received_checksum != expected:
        return f"checksum 0x{received_checksum:02x}, expected 0x{expected:02x}"
    if not all(0x20 <= b <= 0x7E for b in payload):
        return "payload is not printable ASCII"
    return None
