"""Kiosk field buttons and counter keypads on the Pi's GPIO pins, via gpiozero.

Wiring: every button is a normally-open switch between its BCM pin and GND,
read with the Pi's internal pull-up (``pull_up=True``), so a press is a falling
edge. gpiozero's 50 ms software debounce absorbs contact bounce.

Where callbacks run. On a Pi (lgpio or RPi.GPIO factory) gpiozero calls
``when_pressed`` on the GPIO library's own event thread, shared by all pins:
a slow callback delays every other button, and an exception escaping it would
end up in that thread. So each callback here is wrapped: an exception is
logged with the pin and what it meant, and the next press is handled normally.
Callbacks should hand work off quickly (e.g. put it on a queue).

Simulation. With ``gpiozero.pins.mock.MockFactory`` nothing is threaded:
``MockPin.drive_low()`` calls the handlers synchronously, so when
``edge.simulation.press()`` returns the callback has already run. ``MockPin`` stores ``bounce`` but does not
implement it in gpiozero 2.0 (a bare "XXX Need to implement this"); we pass
``bounce_time=None`` to buttons on a MockFactory anyway, so a virtual office
that presses twice in a millisecond gets two presses on any gpiozero version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import structlog
from gpiozero import Button
from gpiozero.pins import Factory
from gpiozero.pins.mock import MockFactory

log = structlog.get_logger(__name__)

DEFAULT_BOUNCE_TIME = 0.05


def _bounce_time(pin_factory: Factory | None, bounce_time: float | None) -> float | None:
    return None if isinstance(pin_factory, MockFactory) else bounce_time


def _guarded(callback: Callable[[], None], **context: object) -> Callable[[], None]:
    """A zero-argument handler that logs instead of letting an exception reach gpiozero's thread."""

    def handler() -> None:
        try:
            callback()
        except Exception:
            log.exception("button_callback_failed", **context)

    return handler


def _make_buttons(
    pins: Iterable[tuple[int, Callable[[], None]]], pin_factory: Factory | None, bounce_time: float | None
) -> list[Button]:
    """Create one Button per pin; if one fails (pin taken, bad number) release those already made."""
    buttons: list[Button] = []
    try:
        for pin, handler in pins:
            button = Button(
                pin, pull_up=True, bounce_time=_bounce_time(pin_factory, bounce_time), pin_factory=pin_factory
            )
            button.when_pressed = handler
            buttons.append(button)
    except Exception:
        for button in buttons:
            button.close()
        raise
    return buttons


class KioskButtons:
    """The field buttons of the ticket kiosk: each press asks for a ticket in one field."""

    def __init__(
        self,
        buttons: list[tuple[int, str, bool]],
        on_press: Callable[[str, bool], None],
        pin_factory: Factory | None = None,
        bounce_time: float | None = DEFAULT_BOUNCE_TIME,
    ) -> None:
        handlers = []
        for pin, field_code, priority in buttons:

            def pressed(field_code: str = field_code, priority: bool = priority) -> None:
                log.info("kiosk_button_pressed", field=field_code, priority=priority)
                on_press(field_code, priority)

            handlers.append((pin, _guarded(pressed, pin=pin, field=field_code, priority=priority)))
        self._buttons = _make_buttons(handlers, pin_factory, bounce_time)

    def close(self) -> None:
        for button in self._buttons:
            button.close()
        self._buttons = []


class CounterKeypad:
    """The four keys on a counter's desk; each press reports (counter, key)."""

    KEYS = ("next", "recall", "done", "no_show")

    def __init__(
        self,
        counter: int,
        pins: Mapping[str, int],
        on_key: Callable[[int, str], None],
        pin_factory: Factory | None = None,
        bounce_time: float | None = DEFAULT_BOUNCE_TIME,
    ) -> None:
        unknown = sorted(set(pins) - set(self.KEYS))
        if unknown:
            raise ValueError(f"counter {counter}: unknown keypad key(s) {unknown}; keys are {', '.join(self.KEYS)}")
        self.counter = counter
        handlers = []
        for key, pin in pins.items():

            def pressed(key: str = key) -> None:
                log.info("counter_key_pressed", counter=counter, key=key)
                on_key(counter, key)

            handlers.append((pin, _guarded(pressed, pin=pin, counter=counter, key=key)))
        self._buttons = _make_buttons(handlers, pin_factory, bounce_time)

    def close(self) -> None:
        for button in self._buttons:
            button.close()
        self._buttons = []
