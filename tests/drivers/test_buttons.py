"""Kiosk buttons and counter keypads on gpiozero's MockFactory pins."""

from __future__ import annotations

import pytest
from gpiozero import Button
from gpiozero.exc import GPIOPinInUse
from gpiozero.pins.mock import MockFactory

from edge.drivers.buttons import CounterKeypad, KioskButtons
from edge.simulation import press

KIOSK = [(17, "ho-tich", False), (27, "dat-dai", False), (24, "ho-tich", True)]
KEYPAD = {"next": 5, "recall": 6, "done": 13, "no_show": 19}


@pytest.mark.parametrize(("pin", "field", "priority"), KIOSK)
def test_kiosk_button_asks_for_its_field(pin_factory: MockFactory, pin: int, field: str, priority: bool) -> None:
    presses: list[tuple[str, bool]] = []
    kiosk = KioskButtons(KIOSK, lambda f, p: presses.append((f, p)), pin_factory=pin_factory)
    try:
        press(pin_factory, pin)  # synchronous on MockFactory: the callback has run
    finally:
        kiosk.close()
    assert presses == [(field, priority)]


def test_each_keypad_key_reports_its_action(pin_factory: MockFactory) -> None:
    keys: list[tuple[int, str]] = []
    keypad = CounterKeypad(2, KEYPAD, lambda c, k: keys.append((c, k)), pin_factory=pin_factory)
    try:
        for key in CounterKeypad.KEYS:
            press(pin_factory, KEYPAD[key])
    finally:
        keypad.close()
    assert keys == [(2, "next"), (2, "recall"), (2, "done"), (2, "no_show")]


def test_a_failing_callback_does_not_stop_later_presses(pin_factory: MockFactory) -> None:
    calls: list[str] = []

    def on_key(counter: int, key: str) -> None:
        calls.append(key)
        if len(calls) == 1:
            raise RuntimeError("queue engine hiccup")

    keypad = CounterKeypad(1, KEYPAD, on_key, pin_factory=pin_factory)
    kiosk = KioskButtons([(17, "ho-tich", False)], lambda f, p: 1 / 0, pin_factory=pin_factory)
    try:
        press(pin_factory, KEYPAD["next"])  # raises inside the callback; must not escape
        press(pin_factory, 17)  # so does this one
        press(pin_factory, KEYPAD["next"])
        press(pin_factory, KEYPAD["done"])
    finally:
        keypad.close()
        kiosk.close()
    assert calls == ["next", "next", "done"]


def test_rapid_presses_are_all_delivered_in_simulation(pin_factory: MockFactory) -> None:
    presses: list[str] = []
    kiosk = KioskButtons(KIOSK, lambda f, p: presses.append(f), pin_factory=pin_factory)
    try:
        for _ in range(5):
            press(pin_factory, 27)
    finally:
        kiosk.close()
    assert presses == ["dat-dai"] * 5


def test_buttons_use_pull_up_and_debounce_only_on_real_pins(pin_factory: MockFactory) -> None:
    kiosk = KioskButtons([(17, "ho-tich", False)], lambda f, p: None, pin_factory=pin_factory)
    try:
        assert pin_factory.pin(17).pull == "up"
        assert pin_factory.pin(17).bounce is None
    finally:
        kiosk.close()


def test_close_releases_the_pins(pin_factory: MockFactory) -> None:
    keypad = CounterKeypad(1, KEYPAD, lambda c, k: None, pin_factory=pin_factory)
    with pytest.raises(GPIOPinInUse):
        Button(5, pin_factory=pin_factory)
    keypad.close()
    again = Button(5, pin_factory=pin_factory)
    again.close()


def test_a_pin_already_taken_leaves_no_half_built_keypad(pin_factory: MockFactory) -> None:
    taken = Button(13, pin_factory=pin_factory)
    try:
        with pytest.raises(GPIOPinInUse):
            CounterKeypad(1, KEYPAD, lambda c, k: None, pin_factory=pin_factory)
        Button(5, pin_factory=pin_factory).close()  # the keypad's first pin was released
    finally:
        taken.close()


def test_unknown_keypad_key_is_refused(pin_factory: MockFactory) -> None:
    with pytest.raises(ValueError, match="unknown keypad key.*'call'"):
        CounterKeypad(1, {"call": 5}, lambda c, k: None, pin_factory=pin_factory)


def test_press_refuses_a_real_pin_factory() -> None:
    with pytest.raises(TypeError, match="MockFactory"):
        press(object(), 17)  # type: ignore[arg-type]  # a wrong pin factory on purpose: the test checks it is refused
