"""Liên thông: a unit's inbox of sub-tasks sent to it (issue #4).

A commune verifying a site, the tax sub-department setting a household's tax
code: each receives sub-tasks through ``request_verification`` and answers
through ``POST /dossiers/{code}/actions/answer_verification``
(``{"subtask": n, "answer": …, "confirmed": …}``). ``GET /subtasks`` lists
them for one unit (default: the caller's), soonest due first, with an
``overdue`` flag (still pending after its due moment). ``dossier.read``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cloud.api.deps import ActorDep, DossiersDep, ScopeDep, allow
from cloud.api.errors import ApiError, responses
from cloud.domain.access import Permission as P
from cloud.domain.scope import home_unit
from cloud.dossiers import records

router = APIRouter(tags=["dossiers"])


@router.get("/subtasks", response_model=list[records.SubtaskEntry], responses=responses(401, 403),
            dependencies=[allow(P.dossier_read)])
def subtask_inbox(
    actor: ActorDep, store: DossiersDep, scope: ScopeDep,
    unit: Annotated[str | None, Query(max_length=40, description="Unit the sub-tasks were sent to; default: yours")] = None,
    pending: Annotated[bool | None, Query(description="true: not answered yet; false: answered; absent: all")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[records.SubtaskEntry]:
    """Sub-tasks sent to a unit (a partner agency or a commune), soonest due first.

    Your own unit's, or those of a unit of an administration you read (a district officer looking at a
    commune's inbox); another's is 403 ``outside_scope``.
    """
    wanted = (unit or actor.unit).strip()
    if wanted != scope.unit and scope.offices is not None:
        units = store.admin_units()
        home = home_unit(wanted, units)
        if home is None or units[home].office not in scope.offices:
            raise ApiError(403, "outside_scope", f"{wanted!r} is not a unit of an administration you read",
                           "Đơn vị này không thuộc phạm vi được xem.")
    return records.subtask_inbox(store.engine, wanted, pending=pending, now=store.clock(), limit=limit, offset=offset)
