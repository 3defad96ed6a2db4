"""What the citizen is told, and when: which workflow action makes which notification, with its text.

The one-stop rules make the office tell the citizen when it needs something
from them or when a promise changes (DOMAIN.md; seed 001: "liên hệ với tổ
chức cá nhân thông qua điện thoại hoặc nhắn tin"):

| action | notification | says |
| --- | --- | --- |
| ``request_supplement`` | ``supplement_requested`` | the missing items, where to bring them, what happens to the time limit |
| ``apologise`` | ``apology`` | the reason and the new appointment (form 04) |
| ``refuse`` | ``refused`` | the reasons and the handling officer's name (001) |
| ``deliver_result`` | ``result_ready`` | the result (or the refusal notice) is at the desk; bring the ID card |
| ``return_result`` by post | ``sent_by_post`` | tracking number, expected delivery, postage |

:func:`notice_for` looks the action up in :data:`NOTICES` (a table, not an
if-chain). The text is Vietnamese, ready for an SMS, Zalo or e-mail worker to
send as is; ``data`` carries the same facts structured, for a channel that
lays them out itself. Pure: the office's name, officers' names and the postal
quote are passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from cloud.domain.postal_return import PostalQuote
from cloud.domain.workflow import (
    Action,
    ApologyPayload,
    Dossier,
    RefusePayload,
    ReturnPayload,
    SupplementRequestPayload,
)
from workdays import VN_TZ


class NotificationKind(StrEnum):
    supplement_requested = "supplement_requested"
    apology = "apology"
    refused = "refused"
    result_ready = "result_ready"
    sent_by_post = "sent_by_post"


class Notice(BaseModel):
    """One message to the citizen about one dossier."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: NotificationKind
    dossier: str
    text: str
    data: dict[str, Any]

    def payload(self) -> dict[str, Any]:
        """As stored in the outbox: the text to send, then the facts."""
        return {"text": self.text, **self.data}


@dataclass(frozen=True)
class NoticeContext:
    office_name: str
    """Where the citizen goes: the receiving one-stop office."""
    officer_names: Mapping[str, str] = field(default_factory=dict)
    """Officer id → full name, for the names a citizen is told (001: the handling officer's)."""
    postal: PostalQuote | None = None


def when(moment: datetime) -> str:
    """A moment as a notice writes it: "16:00 ngày 16/10/2026" (Vietnam's time)."""
    local = moment.astimezone(VN_TZ)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def vnd(amount: int) -> str:
    """An amount as Vietnamese write it: "60.500 đồng"."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def _about(d: Dossier) -> str:
    return f"Hồ sơ {d.code} ({d.terms.name})"


def _supplement(d: Dossier, payload: Any, ctx: NoticeContext) -> Notice:
    p: SupplementRequestPayload = payload
    clock = ("Thời hạn giải quyết tạm dừng cho đến khi nhận đủ hồ sơ bổ sung." if d.terms.supplement_policy == "pause"
             else "Thời hạn giải quyết được tính lại từ khi nhận đủ hồ sơ bổ sung.")
    note = f" Ghi chú: {p.note.strip()}." if p.note and p.note.strip() else ""
    text = (f"{_about(d)} cần bổ sung: {'; '.join(p.missing_items)}. "
            f"Vui lòng nộp bổ sung tại {ctx.office_name}.{note} {clock}")
    return Notice(kind=NotificationKind.supplement_requested, dossier=d.code, text=text,
                  data={"missing_items": list(p.missing_items), "note": p.note, "office": ctx.office_name})


def _apology(d: Dossier, payload: Any, ctx: NoticeContext) -> Notice:
    p: ApologyPayload = payload
    new = d.clock.appointment
    text = (f"{ctx.office_name} xin lỗi ông/bà: {_about(d)} chưa giải quyết được đúng hẹn. "
            f"Lý do: {p.reason}. Ngày hẹn trả kết quả mới: {when(new)}.")
    return Notice(kind=NotificationKind.apology, dossier=d.code, text=text,
                  data={"reason": p.reason, "new_appointment": new.isoformat(), "office": ctx.office_name})


def _refused(d: Dossier, payload: Any, ctx: NoticeContext) -> Notice:
    p: RefusePayload = payload
    officer = d.assignee or d.decided_by
    officer_id = officer.officer if officer and officer.officer else None
    name = ctx.officer_names.get(officer_id, officer_id) if officer_id else None
    who = f" Cán bộ thụ lý: {name}." if name else ""
    text = (f"{_about(d)} không được giải quyết. Lý do: {'; '.join(p.reasons)}.{who} "
            f"Thông báo không giải quyết được trả tại {ctx.office_name}.")
    return Notice(kind=NotificationKind.refused, dossier=d.code, text=text,
                  data={"reasons": list(p.reasons), "officer": officer_id, "officer_name": name,
                        "office": ctx.office_name})


def _result_ready(d: Dossier, payload: Any, ctx: NoticeContext) -> Notice:
    if d.outcome == "refused":
        text = (f"{_about(d)} đã có thông báo không giải quyết. Mời ông/bà đến {ctx.office_name} "
                "nhận lại hồ sơ và thông báo, mang theo Căn cước công dân.")
    else:
        text = (f"{_about(d)} đã có kết quả. Mời ông/bà đến {ctx.office_name} nhận kết quả, "
                "mang theo Căn cước công dân.")
    return Notice(kind=NotificationKind.result_ready, dossier=d.code, text=text,
                  data={"outcome": d.outcome, "office": ctx.office_name})


def _sent_by_post(d: Dossier, payload: Any, ctx: NoticeContext) -> Notice | None:
    p: ReturnPayload = payload
    if p.channel != "post":
        return None
    tracking = f", mã bưu gửi {p.tracking}" if p.tracking else ""
    text = f"Kết quả hồ sơ {d.code} ({d.terms.name}) đã được gửi qua bưu điện{tracking}."
    data: dict[str, Any] = {"tracking": p.tracking}
    if ctx.postal is not None:
        text += f" Dự kiến nhận trước {when(ctx.postal.expected_delivery)}. Cước phí: {vnd(ctx.postal.fee_vnd)}."
        data |= {"expected_delivery": ctx.postal.expected_delivery.isoformat(), "postal_fee_vnd": ctx.postal.fee_vnd,
                 "zone": ctx.postal.zone}
    return Notice(kind=NotificationKind.sent_by_post, dossier=d.code, text=text, data=data)


NoticeBuilder = Callable[[Dossier, BaseModel, NoticeContext], Notice | None]

NOTICES: Mapping[Action, NoticeBuilder] = {
    Action.request_supplement: _supplement,
    Action.apologise: _apology,
    Action.refuse: _refused,
    Action.deliver_result: _result_ready,
    Action.return_result: _sent_by_post,
}
"""The actions the citizen hears about; every other action makes no notification."""


def notice_for(action: Action, dossier: Dossier, payload: BaseModel, context: NoticeContext) -> Notice | None:
    """The notification ``action`` (already applied: ``dossier`` is the new state) makes, if any."""
    build = NOTICES.get(action)
    return build(dossier, payload, context) if build is not None else None
