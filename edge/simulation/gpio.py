"""Pressing the simulated buttons: gpiozero's ``MockFactory`` pins, driven as a finger would.

The drivers (``edge.drivers.buttons``) are the same as on the Pi; only the pin
factory differs. With a ``MockFactory`` nothing is threaded: ``drive_low()``
runs the button's handlers in the caller's thread, so when ``press`` returns
the callback has already run.
"""

from __future__ import annotations

from gpiozero.pins.mock import MockFactory

__all__ = ["press"]


def press(pin_factory: MockFactory, pin: int) -> None:
    """Simulate one press and release of the button on BCM ``pin``.

    Synchronous: the button's callback has run when this returns (MockPin
    delivers edges in the calling thread).
    """
    if not isinstance(pin_factory, MockFactory):
        raise TypeError("press() drives simulated pins of a gpiozero MockFactory; real buttons are pressed by hand")
    mock_pin = pin_factory.pin(pin)
    mock_pin.drive_low()
    mock_pin.drive_high()
