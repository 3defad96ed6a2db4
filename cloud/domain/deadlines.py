"""Due dates of dossiers and their steps, and how a finished or open dossier stands against them.

A procedure's legal time limit (:class:`TimeLimit`) runs from the moment the
complete, valid dossier is received (:meth:`WorkingCalendar.counting_start`,
which applies the afternoon cut-off). The dossier's state of the clock is a
small immutable value, :class:`DossierClock`, that the workflow carries and
replaces on each event:

* ``due`` is the *legal* due moment. It moves only when the citizen is asked
  to supplement the dossier (the clock is theirs, not the office's);
* ``appointment`` is the date promised to the citizen: ``due``, or the new
  date of an apology letter. An apology never moves ``due``: a dossier
  finished after ``due`` is late even if it meets the new appointment
  (001: "Thời gian hẹn lần thứ hai tối đa bằng một nửa so với thời gian quy
  định"; DOMAIN.md: "the dossier still counts as late").

Supplement policy, per procedure (``docs/deadlines.md``):

* ``pause``: the clock stops when the supplement is requested and resumes,
  with the working time that was left, when the complete supplement is
  received (the time the office already spent still counts);
* ``restart``: the full time limit runs again from the receipt of the
  complete dossier (the procedure treats it as a new submission).

Pure: the calendar and every moment are passed in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from workdays import WorkingCalendar

NOMINAL_WORKING_DAY = timedelta(hours=8)
"""The working day the catalogue's budgets are written against: 8 hours (Labour
Code 2019 Art. 105; 40 hours a week in the public sector). Used only to compare
and proportion budgets written in days and in hours; real due dates use the
office's own periods."""

TimeUnit = Literal["working_days", "working_hours", "same_day"]
SupplementPolicy = Literal["pause", "restart"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimeLimit(_Frozen):
    """A legal time limit or a step's time budget.

    Written in data files as ``{working_days: 3}``, ``{working_hours: 4}`` or
    ``same_day`` ("trong ngày": by the end of the working day of receipt, or of
    the next working day when received after the cut-off). A budget may be a
    fraction (``{working_days: 0.5}``); a dossier's legal limit in days must be
    whole (checked by the catalogue).
    """

    unit: TimeUnit
    amount: float = 0

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.strip() in ("same_day", "trong ngày"):
                return {"unit": "same_day", "amount": 0}
            raise ValueError(f"time limit {value!r}: write same_day, {{working_days: N}} or {{working_hours: N}}")
        if isinstance(value, dict) and "unit" not in value:
            if len(value) != 1:
                raise ValueError("time limit: write exactly one of same_day, {working_days: N}, {working_hours: N}")
            ((unit, amount),) = value.items()
            if unit not in ("working_days", "working_hours"):
                raise ValueError(f"time limit: unknown unit {unit!r}; use working_days or working_hours")
            return {"unit": unit, "amount": amount}
        return value

    @model_validator(mode="after")
    def _amount(self) -> TimeLimit:
        if self.unit == "same_day":
            if self.amount != 0:
                raise ValueError("same_day takes no amount")
        elif not (self.amount > 0 and math.isfinite(self.amount)):
            raise ValueError(f"{self.unit} must be a positive number, got {self.amount}")
        return self

    @classmethod
    def days(cls, n: float) -> TimeLimit:
        return cls(unit="working_days", amount=n)

    @classmethod
    def hours(cls, n: float) -> TimeLimit:
        return cls(unit="working_hours", amount=n)

    @classmethod
    def same_day(cls) -> TimeLimit:
        return cls(unit="same_day")

    def working_time(self, day_length: timedelta = NOMINAL_WORKING_DAY) -> timedelta:
        """This limit as working time; a day (and ``same_day``) is ``day_length``."""
        if self.unit == "working_hours":
            return timedelta(hours=self.amount)
        if self.unit == "same_day":
            return day_length
        return day_length * self.amount

    def __str__(self) -> str:
        if self.unit == "same_day":
            return "same day"
        amount = int(self.amount) if self.amount == int(self.amount) else self.amount
        return f"{amount} {self.unit.replace('_', ' ')}"

    @property
    def label_vi(self) -> str:
        """The wording of a receipt slip: "03 ngày làm việc", "04 giờ làm việc", "Trong ngày"."""
        if self.unit == "same_day":
            return "Trong ngày"
        amount = f"{int(self.amount):02d}" if self.amount == int(self.amount) else f"{self.amount:g}".replace(".", ",")
        return f"{amount} {'ngày' if self.unit == 'working_days' else 'giờ'} làm việc"


class Timing(StrEnum):
    """How a completion or a hand-over stands against its due moment (report categories)."""

    early = "early"  # trước hạn: finished on a day before the due day
    on_time = "on_time"  # đúng hạn: on the due day, by the due moment
    late = "late"  # trễ hạn: after the due moment


class OpenStatus(StrEnum):
    """Where an open dossier stands at a given moment."""

    in_time = "in_time"  # trong hạn
    due_soon = "due_soon"  # sắp đến hạn
    overdue = "overdue"  # quá hạn
    waiting_citizen = "waiting_citizen"  # clock stopped: waiting for the citizen's supplement


class Apology(_Frozen):
    """An apology letter with a new appointment (form 04 of Circular 01/2018/TT-VPCP)."""

    reason: Annotated[str, Field(min_length=1)]
    issued_at: datetime
    previous_appointment: datetime
    new_appointment: datetime

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("an apology needs a reason")
        return value.strip()

    @property
    def issued_before_due(self) -> bool:
        """Whether the letter went out before the appointment it replaces expired."""
        return self.issued_at <= self.previous_appointment


class DeadlineError(ValueError):
    """A deadline rule refused the request; the message says why, in English, for the API.

    ``reason_vi``: the same in Vietnamese, for the officer's screen."""

    def __init__(self, reason: str, reason_vi: str | None = None) -> None:
        super().__init__(reason)
        self.reason_vi = reason_vi


class DossierClock(_Frozen):
    """The time-limit state of one dossier. Immutable: every change returns a new clock."""

    limit: TimeLimit
    policy: SupplementPolicy = "pause"
    received_at: datetime
    counting_from: datetime
    due: datetime
    appointment: datetime
    paused_at: datetime | None = None
    remaining: timedelta | None = None
    apologies: tuple[Apology, ...] = ()

    @property
    def paused(self) -> bool:
        return self.paused_at is not None


def _vi(calendar: WorkingCalendar, moment: datetime) -> str:
    """A moment as an officer reads it: ``17:00 15/10/2026``, the office's time."""
    return calendar.local(moment).strftime("%H:%M %d/%m/%Y")


def due_date(calendar: WorkingCalendar, limit: TimeLimit, received_at: datetime) -> datetime:
    """The legal due moment of a dossier received at ``received_at``.

    * ``same_day``: end of the working day of the counting start;
    * ``working_days`` n: end of the n-th working day after the counting start's day;
    * ``working_hours`` h: h working hours after the counting start.

    Received Monday 10:00, 3 working days → Thursday 17:00; received Monday
    15:30 (after the cut-off) → counts from Tuesday → Friday 17:00.
    """
    start = calendar.counting_start(received_at)
    return _due_from(calendar, limit, start)


def _due_from(calendar: WorkingCalendar, limit: TimeLimit, start: datetime) -> datetime:
    if limit.unit == "same_day":
        return calendar.end_of_working_day(start.date())
    if limit.unit == "working_hours":
        return calendar.add_working_hours(start, limit.amount)
    if limit.amount != int(limit.amount):
        raise DeadlineError(f"a dossier's time limit in working days must be whole, got {limit.amount}")
    return calendar.add_working_days(start, int(limit.amount))


def start_clock(
    calendar: WorkingCalendar, limit: TimeLimit, received_at: datetime, policy: SupplementPolicy = "pause"
) -> DossierClock:
    """The clock of a dossier just received complete and valid."""
    start = calendar.counting_start(received_at)
    due = _due_from(calendar, limit, start)
    return DossierClock(
        limit=limit, policy=policy, received_at=received_at, counting_from=start, due=due, appointment=due
    )


def max_new_appointment(calendar: WorkingCalendar, clock: DossierClock) -> datetime:
    """The latest new appointment an apology may give: the legal due plus half the regulated time.

    Half of the time limit as working time of this office (3 working days →
    1.5 days = 11 h 15 min with 7 h 30 min days), added from the legal due
    moment. The cap is cumulative: a second apology cannot push further.
    """
    half = clock.limit.working_time(calendar.day_length) / 2
    return calendar.add_working_hours(clock.due, half)


def apologise(
    calendar: WorkingCalendar, clock: DossierClock, *, reason: str, new_appointment: datetime, issued_at: datetime
) -> DossierClock:
    """Record an apology letter and its new appointment; ``due`` does not move.

    Refused (``DeadlineError``) when the reason is blank, the new date is not
    after the legal due moment or the time of issue, it is not on a working
    day, it exceeds :func:`max_new_appointment`, or the clock is paused.
    """
    if not reason or not reason.strip():
        raise DeadlineError("an apology letter needs a reason for the delay", "Thư xin lỗi cần nêu lý do chậm.")
    if clock.paused:
        raise DeadlineError("the clock is stopped while waiting for the citizen's supplement; no apology is due",
                            "Hồ sơ đang dừng tính thời hạn chờ công dân bổ sung; chưa cần thư xin lỗi.")
    if new_appointment <= clock.due:
        raise DeadlineError(f"the new appointment must be after the legal due date {clock.due.isoformat()}",
                            f"Ngày hẹn mới phải sau hạn giải quyết {_vi(calendar, clock.due)}.")
    if new_appointment <= issued_at:
        raise DeadlineError("the new appointment must be after the letter is issued",
                            "Ngày hẹn mới phải sau ngày ra thư xin lỗi.")
    if not calendar.is_working_day(calendar.local(new_appointment).date()):
        raise DeadlineError(f"the new appointment {new_appointment.isoformat()} is not on a working day",
                            f"Ngày hẹn mới {_vi(calendar, new_appointment)} không phải ngày làm việc.")
    latest = max_new_appointment(calendar, clock)
    if new_appointment > latest:
        raise DeadlineError(
            f"the new appointment may extend the legal time by at most half ({clock.limit} → latest {latest.isoformat()})",
            f"Ngày hẹn mới chỉ được kéo dài tối đa một nửa thời hạn giải quyết ({clock.limit.label_vi}): "
            f"muộn nhất {_vi(calendar, latest)}.",
        )
    apology = Apology(
        reason=reason, issued_at=issued_at, previous_appointment=clock.appointment, new_appointment=new_appointment
    )
    return clock.model_copy(update={"appointment": new_appointment, "apologies": (*clock.apologies, apology)})


def pause_for_supplement(calendar: WorkingCalendar, clock: DossierClock, at: datetime) -> DossierClock:
    """Stop the clock: the citizen has been asked to supplement the dossier.

    The working time left until ``due`` is kept (never negative: a dossier
    already overdue stays overdue). Under ``restart`` it is kept too, for the
    record, but not used.
    """
    if clock.paused:
        raise DeadlineError("the clock is already stopped for a supplement")
    left = max(calendar.working_time_between(at, clock.due), timedelta(0))
    return clock.model_copy(update={"paused_at": at, "remaining": left})


def resume_after_supplement(calendar: WorkingCalendar, clock: DossierClock, at: datetime) -> DossierClock:
    """Restart the clock: the complete supplement was received at ``at``.

    ``pause``: the time left runs from the counting start of ``at``; for a
    limit in days (or same-day) the result is rounded up to the end of that
    working day, since day-based limits end at the end of a day. If nothing
    was left (already overdue when paused), ``due`` stays where it was.
    ``restart``: the full limit runs again from ``at``.
    The appointment becomes the new due date (a new receipt slip is issued).
    """
    if not clock.paused:
        raise DeadlineError("the clock is not stopped for a supplement")
    start = calendar.counting_start(at)
    if clock.policy == "restart":
        due = _due_from(calendar, clock.limit, start)
        counting_from = start
    else:
        counting_from = clock.counting_from
        left = clock.remaining or timedelta(0)
        if left <= timedelta(0):
            due = clock.due
        else:
            due = calendar.add_working_hours(start, left)
            if clock.limit.unit != "working_hours":
                due = calendar.end_of_working_day(due.date())
    return clock.model_copy(
        update={"due": due, "appointment": due, "paused_at": None, "remaining": None, "counting_from": counting_from}
    )


def timing(calendar: WorkingCalendar, due: datetime, at: datetime) -> Timing:
    """Early (a day before the due day), on time (on the due day, by the due moment) or late."""
    if at > due:
        return Timing.late
    local_at, local_due = calendar.local(at), calendar.local(due)
    return Timing.early if local_at.date() < local_due.date() else Timing.on_time


def classify_completion(calendar: WorkingCalendar, clock: DossierClock, completed_at: datetime) -> Timing:
    """The report category of a finished dossier, against the legal due (never the apology's date)."""
    return timing(calendar, clock.due, completed_at)


def open_status(
    calendar: WorkingCalendar, clock: DossierClock, now: datetime, due_soon_within: timedelta | None = None
) -> OpenStatus:
    """Where an open dossier stands at ``now``.

    ``due_soon_within`` is working time before ``due`` (default: one working
    day of this office). A dossier past its legal due is overdue even with an
    apology's new appointment. A paused dossier is ``waiting_citizen``.
    """
    if clock.paused:
        return OpenStatus.waiting_citizen
    if now > clock.due:
        return OpenStatus.overdue
    threshold = calendar.day_length if due_soon_within is None else due_soon_within
    if calendar.working_time_between(now, clock.due) <= threshold:
        return OpenStatus.due_soon
    return OpenStatus.in_time


def step_due_dates(
    calendar: WorkingCalendar, clock: DossierClock, budgets: Sequence[TimeLimit]
) -> tuple[datetime, ...]:
    """Due moments of a procedure's processing steps, in order.

    Budgets are written against the legal limit (e.g. 0.5 + 2 + 0.5 days of a
    3-day limit), but a real dossier's window depends on when it arrived. Each
    step therefore gets its share of the real window from the counting start to
    the due moment: step k is due when the cumulative budget's fraction of the
    limit has elapsed (rounded down to the minute). A step is never due after
    the dossier.
    """
    total = clock.limit.working_time(NOMINAL_WORKING_DAY)
    window = calendar.working_time_between(clock.counting_from, clock.due)
    out: list[datetime] = []
    elapsed = timedelta(0)
    for budget in budgets:
        elapsed += budget.working_time(NOMINAL_WORKING_DAY)
        fraction = min(elapsed / total, 1.0) if total > timedelta(0) else 1.0
        moment = calendar.add_working_hours(clock.counting_from, window * fraction)
        out.append(min(moment.replace(second=0, microsecond=0), clock.due))
    return tuple(out)
