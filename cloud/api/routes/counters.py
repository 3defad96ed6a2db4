"""Counter actions, carried out by the office's hub: cloud → broker → hub → ack.

The hub owns the queue (it keeps working when the link is down), so the cloud
cannot pick the next ticket itself; it asks the hub and answers with what the
hub did. Timeouts are safe to report as "will not run later" because the
command carries an expiry the hub enforces.

Officers sign in at a counter here (the console's "Nhận quầy"; there is no
keypad login): ``sign-in``, ``pause``, ``resume`` and ``sign-out`` send the
hub ``counter.set_status``, and the sitting is recorded in the transaction
that stores the hub's ack (``cloud.db.counter_sessions``). An officer sits
at one counter at a time: signing in elsewhere is refused (409
``signed_in_elsewhere``) until they leave the other counter, rather than
leaving it for them, because that counter may be at an office whose hub is
offline, and the officer should know they left it open. A counter another
officer holds is refused too (409 ``counter_taken``); pausing and resuming
are for the officer sitting there, signing out is for anyone who operates
the office's queue (closing a counter a colleague left open).

Done (``done``, Xong), no-show (``no-show``, Vắng mặt) and transfer
(``transfer``, Chuyển quầy) close or move the counter's current ticket, as the
keypad's keys do; a transferred ticket waits at the head of the other
counter's queue, and that counter's next call announces it there.

Only offices of the caller's administration can be operated (``OfficeDep``:
404 for any other, as for an unknown office).
"""

from __future__ import annotations

from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Connection
from sqlmodel import Session

from cloud.api import queries, schemas
from cloud.api.deps import CommandBusDep, OfficeDep, Principal, PrincipalDep, SessionDep, SettingsDep, allow
from cloud.api.errors import ApiError, responses
from cloud.commands.bus import CommandBus
from cloud.commands.errors import BrokerUnavailable, CommandTimeout
from cloud.commands.records import AckEffect
from cloud.db.counter_sessions import Sitting, SittingChange, apply_sitting, open_sittings
from cloud.db.tables import Counter, Office
from cloud.domain.access import Permission as P
from protocol import Ack
from protocol.envelope import Message
from protocol.errors import validation_text
from protocol.messages import (
    CounterStatus,
    CounterStatusSet,
    FinishOutcome,
    OfficerRef,
    QueueCallNext,
    QueueFinish,
    QueueRecall,
    QueueTransfer,
)

router = APIRouter(prefix="/offices/{office}/counters", tags=["counters"], dependencies=[allow(P.queue_operate)])

CounterNumber = Annotated[int, Path(ge=1, le=999, description="Counter (quầy) number")]
ERRORS = responses(404, 409, 502, 503, 504)
Result = TypeVar("Result", bound=BaseModel)


class FinishedTicket(schemas.CalledTicket):
    """What the hub answered to done / no-show: the ticket the counter was serving, now finished."""

    outcome: FinishOutcome


class TransferRequest(BaseModel):
    to_counter: int = Field(ge=1, le=999, description="The counter that serves the citizen next.")


class TransferredTicket(BaseModel):
    """What the hub answered to a transfer: the ticket now waits at the head of ``to_counter``'s queue."""

    ticket_id: str
    number: str
    field: str
    from_counter: int
    to_counter: int
    command_id: str


@router.post("/{counter}/call-next", response_model=schemas.CalledTicket, responses=ERRORS)
async def call_next(office: OfficeDep, counter: CounterNumber, session: SessionDep, bus: CommandBusDep,
                    settings: SettingsDep) -> schemas.CalledTicket:
    """Call the next waiting ticket of this counter's fields (priority first)."""
    return await _command(office, counter, session, bus, settings.command_timeout_s, QueueCallNext(counter=counter),
                          schemas.CalledTicket)


@router.post("/{counter}/recall", response_model=schemas.CalledTicket, responses=ERRORS)
async def recall(office: OfficeDep, counter: CounterNumber, session: SessionDep, bus: CommandBusDep,
                 settings: SettingsDep) -> schemas.CalledTicket:
    """Announce this counter's current ticket again."""
    return await _command(office, counter, session, bus, settings.command_timeout_s, QueueRecall(counter=counter),
                          schemas.CalledTicket)


@router.post("/{counter}/done", response_model=FinishedTicket, responses=ERRORS)
async def done(office: OfficeDep, counter: CounterNumber, session: SessionDep, bus: CommandBusDep,
               settings: SettingsDep) -> FinishedTicket:
    """Finish this counter's current ticket as served (Xong)."""
    return await _finish(office, counter, session, bus, settings.command_timeout_s, "served")


@router.post("/{counter}/no-show", response_model=FinishedTicket, responses=ERRORS)
async def no_show(office: OfficeDep, counter: CounterNumber, session: SessionDep, bus: CommandBusDep,
                  settings: SettingsDep) -> FinishedTicket:
    """Finish this counter's current ticket as a no-show: the citizen did not come (Vắng mặt)."""
    return await _finish(office, counter, session, bus, settings.command_timeout_s, "no_show")


@router.post("/{counter}/transfer", response_model=TransferredTicket, responses=responses(404, 409, 422, 502, 503, 504))
async def transfer(office: OfficeDep, counter: CounterNumber, body: TransferRequest, session: SessionDep,
                   bus: CommandBusDep, settings: SettingsDep) -> TransferredTicket:
    """Send this counter's current ticket to another counter (Chuyển quầy), ahead of that counter's queue.

    The other counter must be open today (its officer signed in, or its keypad in use): the hub refuses
    with 409 ``counter_closed`` otherwise.
    """
    if body.to_counter == counter:
        raise ApiError(422, "same_counter", f"to_counter must be another counter than {counter}",
                       "Hãy chọn một quầy khác để chuyển số.")
    _check_counter(session, office, body.to_counter, status=422)
    return await _command(office, counter, session, bus, settings.command_timeout_s,
                          QueueTransfer(counter=counter, to_counter=body.to_counter), TransferredTicket)


async def _finish(office: Office, counter: int, session: Session, bus: CommandBus, timeout: float,
                  outcome: FinishOutcome) -> FinishedTicket:
    return await _command(office, counter, session, bus, timeout, QueueFinish(counter=counter, outcome=outcome),
                          FinishedTicket)


# -- who sits at the counter ----------------------------------------------------------------------------


@router.post("/{counter}/sign-in", response_model=schemas.CounterSitting, responses=ERRORS)
async def sign_in(office: OfficeDep, counter: CounterNumber, session: SessionDep, bus: CommandBusDep,
                  settings: SettingsDep, principal: PrincipalDep) -> schemas.CounterSitting:
    """Sit at this counter (Nhận quầy): the hub opens it and stamps the caller on its ticket events."""
    return await _set_status(office, counter, session, bus, settings.command_timeout_s, principal, "open", "sign_in")


@router.post("/{counter}/pause", response_model=schemas.CounterSitting, responses=ERRORS)
async def pause(office: OfficeDep, counter: CounterNumber, session: SessionDep, bus: CommandBusDep,
                settings: SettingsDep, principal: PrincipalDep) -> schemas.CounterSitting:
    """Take a break (Tạm nghỉ): the counter shows it is paused and calls no one; for the officer sitting there."""
    return await _set_status(office, counter, session, bus, settings.command_timeout_s, principal, "paused", "pause")


@router.post("/{counter}/resume", response_model=schemas.CounterSitting, responses=ERRORS)
async def resume(office: OfficeDep, counter: CounterNumber, session: SessionDep, bus: CommandBusDep,
                 settings: SettingsDep, principal: PrincipalDep) -> schemas.CounterSitting:
    """Back from the break (Tiếp tục); for the officer sitting there."""
    return await _set_status(office, counter, session, bus, settings.command_timeout_s, principal, "open", "resume")


@router.post("/{counter}/sign-out", response_model=schemas.CounterSitting, responses=ERRORS)
async def sign_out(office: OfficeDep, counter: CounterNumber, session: SessionDep, bus: CommandBusDep,
                   settings: SettingsDep, principal: PrincipalDep) -> schemas.CounterSitting:
    """Leave the counter (Rời quầy): the hub closes it. Anyone operating the office's queue may close it."""
    return await _set_status(office, counter, session, bus, settings.command_timeout_s, principal, "closed",
                             "sign_out")


def _clock(office: Office, sitting: Sitting) -> str:
    return f"{sitting.started_at.astimezone(ZoneInfo(office.timezone)):%H:%M %d/%m}"


def _refusal(office: Office, counter: int, login: str, step: str, mine: Sitting | None,
             here: Sitting | None) -> ApiError | None:
    """Why the caller may not take ``step`` at this counter now, or None."""
    if step == "sign_in":
        if mine is not None and (mine.office, mine.counter) != (office.id, counter):
            return ApiError(409, "signed_in_elsewhere",
                            f"{login} is signed in at counter {mine.counter} of office {mine.office} since "
                            f"{mine.started_at.isoformat()}; sign out there first",
                            f"Bạn đang nhận quầy {mine.counter} (bộ phận “{mine.office}”) từ {_clock(office, mine)}. "
                            "Hãy rời quầy đó trước khi nhận quầy khác.")
        if here is not None and here.officer_id != login:
            return ApiError(409, "counter_taken",
                            f"counter {counter} is held by {here.officer_name} ({here.officer_id}) since "
                            f"{here.started_at.isoformat()}; they (or a colleague) must sign out of it first",
                            f"Quầy {counter} đang do {here.officer_name} phụ trách từ {_clock(office, here)}. "
                            "Cần rời quầy này trước khi người khác nhận.")
        return None
    if step in ("pause", "resume") and (here is None or here.officer_id != login):
        who = f"it is held by {here.officer_name}" if here else "nobody is signed in there"
        who_vi = f"quầy đang do {here.officer_name} phụ trách" if here else "chưa có ai nhận quầy"
        return ApiError(409, "not_at_counter", f"only the officer sitting at counter {counter} may {step} it; {who}",
                        f"Chỉ cán bộ đang ngồi quầy {counter} mới được {'tạm nghỉ' if step == 'pause' else 'tiếp tục'}"
                        f" ({who_vi}).")
    return None


async def _set_status(office: Office, counter: int, session: Session, bus: CommandBus, timeout: float,
                      principal: Principal, status: CounterStatus, step: str) -> schemas.CounterSitting:
    user = principal.user
    assert user is not None  # queue.operate is for signed-in roles only
    _check_counter(session, office, counter)
    mine, here = open_sittings(session.connection(), officer=user.username, office=office.id, counter=counter)
    refusal = _refusal(office, counter, user.username, step, mine, here)
    if refusal is not None:
        raise refusal
    officer = None if status == "closed" else OfficerRef(id=user.username, name=user.full_name)
    change = SittingChange(office=office.id, counter=counter, status=status, officer_id=officer.id if officer else None,
                           officer_name=officer.name if officer else None, by=user.username)

    def record(conn: Connection, ack: Ack) -> None:
        apply_sitting(conn, change, ack.ts)

    ack = await _send(office, session, bus, timeout, CounterStatusSet(counter=counter, status=status, officer=officer),
                      record)
    started = here.started_at if here is not None and status != "closed" and here.officer_id == user.username else ack.ts
    return schemas.CounterSitting(office=office.id, counter=counter, status=status, officer_id=change.officer_id,
                                  officer_name=change.officer_name, since=started, command_id=ack.command_id)


# -- the hub's answer ------------------------------------------------------------------------------------


def _check_counter(session: Session, office: Office, counter: int, status: int = 404) -> None:
    """404 for the path's counter; 422 for a counter named in the body (a transfer's ``to_counter``)."""
    if session.get(Counter, (office.id, counter)) is None:
        known = ", ".join(str(c.number) for c in queries.office_detail(session, office).counters)
        raise ApiError(status, "counter_not_found", f"office {office.id!r} has no counter {counter}; its counters are {known}",
                       f"Bộ phận này không có quầy {counter}.")


async def _command(office: Office, counter: int, session: Session, bus: CommandBus, timeout: float,
                   data: Message, result: type[Result]) -> Result:
    """Send ``data`` to the hub and answer with what it did (its ack's ``result``), as ``result``."""
    _check_counter(session, office, counter)
    ack = await _send(office, session, bus, timeout, data)
    try:
        return result.model_validate({**(ack.result or {}), "command_id": ack.command_id})
    except (ValidationError, TypeError) as exc:
        reason = validation_text(exc) if isinstance(exc, ValidationError) else str(exc)
        raise ApiError(502, "bad_hub_result", f"the hub answered with an unexpected result: {reason}",
                       "Máy chủ tại bộ phận một cửa trả lời không hợp lệ.") from None


async def _send(office: Office, session: Session, bus: CommandBus, timeout: float, data: Message,
                effect: AckEffect | None = None) -> Ack:
    """Send ``data`` to the office's hub and return its ok ack; the hub's refusal or silence as ApiError."""
    session.close()  # do not hold a connection while waiting for the hub
    hub = queries.hub_id(office)
    try:
        ack = await bus.send(office.id, hub, data, timeout, effect)
    except BrokerUnavailable as exc:
        raise ApiError(503, "broker_unavailable", f"{exc}; try again in a moment",
                       "Hệ thống trung tâm đang mất kết nối với máy chủ tin nhắn. Vui lòng thử lại sau ít phút.") from None
    except CommandTimeout:
        raise ApiError(
            504, "hub_timeout",
            f"the office hub did not answer within {timeout:g} s (it may be offline); "
            "the command expires and will not run later",
            f"Máy chủ tại bộ phận một cửa không phản hồi trong {timeout:g} giây (có thể đang mất kết nối). "
            "Lệnh đã hết hạn và sẽ không được thực hiện sau. Vui lòng thử lại.",
        ) from None
    if not ack.ok:
        error = ack.error
        code = error.code if error else "hub_error"
        raise ApiError(409, code, error.message if error else "the hub refused the command",
                       error.message_vi if error else None)
    return ack
