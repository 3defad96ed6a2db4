"""How a citizen can be reached: the phone number and e-mail given at the desk.

Notifications (a supplement asked for, a result ready, an apology with a new
date) go to these through the SMS modem, Zalo or e-mail, so a number must be
one those channels accept: stored in one form, E.164 (``+84912345678``),
whatever way the officer typed it (``0912 345 678``, ``0912.345.678``,
``+84 912 345 678``).
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()]")
_VN_NUMBER = re.compile(r"(?:\+84|84|0)(2\d{9}|[35789]\d{8})")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def normalise_phone(text: str) -> str:
    """A Vietnamese mobile or landline number in E.164; ValueError with the reason otherwise.

    A mobile is 0 and nine digits (03/05/07/08/09…); a landline since 2017
    is 02, the rest of its area code and the number: eleven digits (Bình
    Dương: 0274 3822 111). The same without the 0 after +84. Foreign numbers
    are refused: the SMS modem sends within Vietnam only.
    """
    digits = _SEPARATORS.sub("", text.strip())
    match = _VN_NUMBER.fullmatch(digits)
    if match is None:
        raise ValueError(f"{text!r} is not a Vietnamese phone number "
                         "(a mobile: 0 and 9 digits; a landline: 02 and 9 digits; or +84 instead of the 0)")
    return "+84" + match.group(1)


def display_phone(number: str) -> str:
    """How a person writes a stored number: ``+84912345678`` → ``0912 345 678``, a landline
    ``+842743822111`` → ``0274 3822 111``; anything else as stored."""
    match = _VN_NUMBER.fullmatch(number)
    if match is None or not number.startswith("+84"):
        return number
    rest = match.group(1)
    if len(rest) == 9:  # a mobile: 0xxx xxx xxx
        return f"0{rest[:3]} {rest[3:6]} {rest[6:]}"
    return f"0{rest[:3]} {rest[3:7]} {rest[7:]}"  # a landline: area code (02x), then 4 and 3 digits


def check_email(text: str) -> str:
    """The address, trimmed, if it has the shape of one (delivery is what proves it); ValueError otherwise."""
    value = text.strip()
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise ValueError(f"{text!r} is not an e-mail address")
    return value
