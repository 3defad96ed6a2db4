"""Phone numbers and e-mail addresses as officers type them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloud.domain.contact import check_email, display_phone, normalise_phone


@pytest.mark.parametrize("typed", ["0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678",
                                   "84912345678", "091-234-5678", "(091) 234 5678"])
def test_a_number_is_stored_in_one_form(typed: str) -> None:
    assert normalise_phone(typed) == "+84912345678"


def test_landlines_are_numbers_too() -> None:
    assert normalise_phone("0274 3822 111") == "+842743822111"


def test_a_stored_number_is_printed_as_people_write_it() -> None:
    assert display_phone("+84912345678") == "0912 345 678"
    assert display_phone("+842743822111") == "0274 3822 111"
    assert display_phone("not a number") == "not a number"


@given(st.from_regex(r"0[35789][0-9]{8}|02[0-9]{9}", fullmatch=True))
def test_printing_a_stored_number_gives_back_what_was_typed(number: str) -> None:
    assert display_phone(normalise_phone(number)).replace(" ", "") == number


@pytest.mark.parametrize("bad", ["", "12345", "091234567", "09123456789", "0112345678", "+1 415 555 0100",
                                 "09l2345678", "\x00"])
def test_what_no_sms_could_reach_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not a Vietnamese phone number"):
        normalise_phone(bad)


@given(st.from_regex(r"0[35789][0-9]{8}", fullmatch=True))
def test_every_mobile_number_round_trips(number: str) -> None:
    stored = normalise_phone(number)
    assert stored == "+84" + number[1:] and normalise_phone(stored) == stored


def test_e_mail_has_the_shape_of_one() -> None:
    assert check_email("  lan.tran@example.vn ") == "lan.tran@example.vn"
    for bad in ("lan", "lan@", "@x.vn", "a b@x.vn", "a@x", "x" * 250 + "@x.vn"):
        with pytest.raises(ValueError):
            check_email(bad)
