"""Counter actions, carried out by the office's hub: cloud → broker → hub → ack.

The hub owns the queue (it keeps working when the link is down), so the cloud
cannot pick the next ticket itself; it asks the hub and answers with what the
hub did. Timeouts are safe to report as "will not run later" because the
command carries an expiry the hub enforces.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import ValidationError
from sqlmodel import Session

from cloud.api import queries, schemas
from cloud.api.deps import CommandBusDep, OfficeDep, SessionDep, SettingsDep, allow
from cloud.api.errors import ApiError, responses
from cloud.commands.bus import CommandBus
from cloud.commands.errors import BrokerUnavailable, CommandTimeout
from cloud.db.tables import Counter, Office
from cloud.domain.access import Permission as P
from protocol.envelope import Message
from protocol.errors import validation_text
from protocol.messages import QueueCallNext, QueueRecall

router = APIRouter(prefix="/offices/{office}/counters", tags=["counters"], dependencies=[allow(P.queue_operate)])

CounterNumber = Annotated[int, Path(ge=1, le=999, description="Counter (quầy) number")]
ERRORS = responses(404, 409, 502, 503, 504)


@router.post("/{counter}/call-next", response_model=schemas.CalledTicket, responses=ERRORS)
async def call_next(office: OfficeDep, counter: CounterNumber, session: SessionDep, bus: CommandBusDep,
                    settings: SettingsDep) -> schemas.CalledTicket:
    """Call the next waiting ticket of this counter's fields (priority first)."""
    return await _command(office, counter, session, bus, settings.command_timeout_s, QueueCallNext(counter=counter))


@router.post("/{counter}/recall", response_model=schemas.CalledTicket, responses=ERRORS)
async def recall(office: OfficeDep, counter: CounterNumber, session: SessionDep, bus: CommandBusDep,
                 settings: SettingsDep) -> schemas.CalledTicket:
    """Announce this counter's current ticket again."""
    return await _command(office, counter, session, bus, settings.command_timeout_s, QueueRecall(counter=counter))


async def _command(office: Office, counter: int, session: Session, bus: CommandBus, timeout: float,
                   data: Message) -> schemas.CalledTicket:
    if session.get(Counter, (office.id, counter)) is None:
        known = ", ".join(str(c.number) for c in queries.office_detail(session, office).counters)
        raise ApiError(404, "counter_not_found", f"office {office.id!r} has no counter {counter}; its counters are {known}",
                       f"Bộ phận này không có quầy {counter}.")
    session.close()  # do not hold a connection while waiting for the hub
    hub = queries.hub_id(office)
    try:
        ack = await bus.send(office.id, hub, data, timeout)
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
    try:
        return schemas.CalledTicket(command_id=ack.command_id, **(ack.result or {}))
    except (ValidationError, TypeError) as exc:
        reason = validation_text(exc) if isinstance(exc, ValidationError) else str(exc)
        raise ApiError(502, "bad_hub_result", f"the hub answered with an unexpected result: {reason}",
                       "Máy chủ tại bộ phận một cửa trả lời không hợp lệ.") from None
