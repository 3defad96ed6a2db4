"""The notification feed for the channel workers (SMS modem, Zalo, e-mail) (issue #4).

Actions the citizen must hear about (``cloud.domain.notifications``) write a
``notification`` row in their own transaction (an outbox). A worker polls
``GET /notifications?after=<last id seen>&limit=`` (ordered by id; ids
commit in increasing order, ``cloud.dossiers.records``, so ``after`` is a
cursor that never skips one), sends ``payload.text``, then
``POST /notifications/{id}/delivered`` (``{"via": "sms"}``); saying it again
keeps the first delivery (a retrying worker does no harm). ``undelivered=true``
lists only those no worker has confirmed. Workers run with an IT account:
``notifications.consume`` (roles it and admin).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query

from cloud.api.deps import DossiersDep, allow
from cloud.api.dossier_schemas import NotificationDelivered
from cloud.api.errors import ApiError, responses
from cloud.domain.access import Permission as P
from cloud.dossiers import records

router = APIRouter(tags=["notifications"], dependencies=[allow(P.notifications_consume)])


@router.get("/notifications", response_model=list[records.Notification], responses=responses(401, 403))
def notification_feed(
    store: DossiersDep,
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="The last id you have; 0 for the beginning")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    undelivered: Annotated[bool, Query(description="true: only those not confirmed delivered")] = False,
) -> list[records.Notification]:
    """Notifications with an id above ``after``, oldest first."""
    return records.notifications_after(store.engine, after, limit, undelivered=undelivered)


@router.post("/notifications/{id}/delivered", response_model=records.Notification,
             responses=responses(401, 403, 404, 422))
def notification_delivered(
    store: DossiersDep,
    id: Annotated[int, Path(ge=1, le=2**31 - 1, description="The notification's id")],  # noqa: A002
    body: Annotated[NotificationDelivered | None, Body()] = None,
) -> records.Notification:
    """Record that a worker sent the notification (again: no change)."""
    try:
        return records.mark_delivered(store.engine, id, body.via if body else None, store.clock())
    except records.NotificationNotFound:
        raise ApiError(404, "notification_not_found", f"no notification {id}", "Không tìm thấy thông báo.") from None
