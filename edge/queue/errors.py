"""What the queue refuses, and how each refusal reads to a person.

``code`` goes into a command's ack (protocol/README.md lists them),
``message`` (English) into logs and the cloud API, ``message_vi`` onto the
officer's or the citizen's screen.
"""

from __future__ import annotations


class QueueError(Exception):
    """A request the queue refuses. ``code`` goes into acks, ``message_vi`` onto screens."""

    code = "queue_error"

    def __init__(self, message: str, message_vi: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_vi = message_vi


class OutsideOpeningHours(QueueError):
    code = "closed"


class ClosedOnDayOff(OutsideOpeningHours):
    """A public holiday or a local day off: the kiosk names it and says when the desk opens again."""

    code = "day_off"


class UnknownField(QueueError):
    code = "unknown_field"


class UnknownCounter(QueueError):
    code = "unknown_counter"


class QueueEmpty(QueueError):
    code = "queue_empty"


class NothingCalled(QueueError):
    code = "nothing_called"


class CounterPaused(QueueError):
    """The officer chose a break: nobody is called to a counter whose officer is away."""

    code = "counter_paused"


class SameCounter(QueueError):
    code = "same_counter"


class TargetCounterClosed(QueueError):
    """A ticket is not transferred to a counter nobody works at today: it would wait there for ever."""

    code = "counter_closed"
