"""The console's action forms: for each workflow action, the fields an officer fills and how they become its payload.

The rules stay in ``cloud.domain.workflow``: which actions a person may take
now is the transition table's answer (the dossier's state, the role, and the
row's guard, asked with :meth:`Guard.allows`), and the payload is validated
again by the engine. What this module adds is what only a form needs: the
field names, the choices offered by *name* (a specialist of the department,
a signing leader, a unit to ask), and a first check of what was typed, so an
empty reason or a date in the wrong format is answered in Vietnamese next to
the form instead of as a key path. One template per action renders the
fields (``templates/actions/<action>.html``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from cloud.domain.workflow import TRANSITIONS, Action, Actor, AnswerPayload, Dossier, NoPayload
from workdays import VN_TZ

Fields = Mapping[str, Sequence[str]]
"""The submitted form: each field's values (a multi-select or repeated field has several)."""


@dataclass(frozen=True)
class Choice:
    """An option of a select: the value sent, the words shown."""

    value: str
    label: str
    extra: Mapping[str, Any] = field(default_factory=dict)
    """What the payload needs besides the value (a leader's unit, a zone's quote)."""


@dataclass(frozen=True)
class Choices:
    """What the forms offer for one dossier, looked up by the page (names, not codes)."""

    specialists: Sequence[Choice] = ()
    leaders: Sequence[Choice] = ()
    units: Sequence[Choice] = ()
    subtasks: Sequence[Choice] = ()
    """The pending sub-tasks the signed-in person may answer."""
    postal: Sequence[Choice] = ()
    """Postal zones with the fee and delivery date of the rules (empty: the procedure does not return by post)."""
    latest_appointment: datetime | None = None
    """The latest new date an apology may give (half the legal time after the due date)."""


class FormError(ValueError):
    """What was typed cannot be the action's payload; ``message_vi`` tells the officer what to fix."""

    def __init__(self, message_vi: str) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi


Parser = Callable[[Fields, Choices], dict[str, Any]]


@dataclass(frozen=True)
class ActionForm:
    action: Action
    button: str
    """The submit button's words."""
    parse: Parser
    one_tap: bool = False
    """A big button with at most a short text (the leader's decisions on a tablet)."""
    tone: str = "primary"
    """The button's colour: ``primary``, ``good``, ``bad``, ``plain``."""

    @property
    def template(self) -> str:
        return f"actions/{self.action.value}.html"


# -- reading fields -------------------------------------------------------------------


def text(fields: Fields, name: str, label: str, *, required: bool = True, limit: int = 200) -> str | None:
    value = (fields.get(name) or [""])[0].strip()
    if "\x00" in value:
        raise FormError(f"{label}: có ký tự không hợp lệ.")
    if not value:
        if required:
            raise FormError(f"Vui lòng nhập {label[0].lower() + label[1:]}.")
        return None
    if len(value) > limit:
        raise FormError(f"{label} dài quá {limit} ký tự.")
    return value


def lines(fields: Fields, name: str, label: str) -> list[str]:
    """A textarea of one item per line (missing papers, reasons), blank lines ignored."""
    raw = "\n".join(fields.get(name) or [])
    if "\x00" in raw:
        raise FormError(f"{label}: có ký tự không hợp lệ.")
    items = [line.strip() for line in raw.splitlines() if line.strip()]
    if not items:
        raise FormError(f"Vui lòng ghi ít nhất một {label[0].lower() + label[1:]} (mỗi dòng một mục).")
    if too_long := [item for item in items if len(item) > 200]:
        raise FormError(f"Mục “{too_long[0][:40]}…” dài quá 200 ký tự.")
    if len(items) > 50:
        raise FormError(f"Tối đa 50 mục, đã ghi {len(items)}.")
    return items


def pick(fields: Fields, name: str, choices: Sequence[Choice], label: str) -> Choice:
    value = (fields.get(name) or [""])[0].strip()
    if not value:
        raise FormError(f"Vui lòng chọn {label[0].lower() + label[1:]}.")
    for choice in choices:
        if choice.value == value:
            return choice
    raise FormError(f"{label} được chọn không có trong danh sách; vui lòng chọn lại.")


def whole(fields: Fields, name: str, label: str, *, low: int, high: int) -> int:
    """A whole number as officers type it: ``50.000``, ``50 000`` and ``50000`` are the same."""
    raw = (fields.get(name) or [""])[0].strip().replace(".", "").replace(" ", "").replace(",", "")
    if not raw:
        raise FormError(f"Vui lòng nhập {label[0].lower() + label[1:]}.")
    if not raw.isdigit():
        raise FormError(f"{label} phải là số nguyên (ví dụ 50.000).")
    number = int(raw)
    if not low <= number <= high:
        raise FormError(f"{label} phải từ {low:,} đến {high:,}.".replace(",", "."))
    return number


def day_and_time(fields: Fields, name: str, label: str) -> datetime:
    """A date field (``2026-10-20`` from the picker, or ``20/10/2026``) and an optional ``<name>_time``."""
    raw = (fields.get(name) or [""])[0].strip()
    if not raw:
        raise FormError(f"Vui lòng chọn {label[0].lower() + label[1:]}.")
    try:
        day = (datetime.strptime(raw, "%d/%m/%Y") if "/" in raw else datetime.strptime(raw, "%Y-%m-%d")).date()
    except ValueError:
        raise FormError(f"{label} không hợp lệ (ví dụ 20/10/2026).") from None
    clock = (fields.get(f"{name}_time") or [""])[0].strip() or "17:00"
    try:
        at = time.fromisoformat(clock)
    except ValueError:
        raise FormError(f"Giờ của {label[0].lower() + label[1:]} không hợp lệ (ví dụ 17:00).") from None
    return datetime.combine(day, at, tzinfo=VN_TZ)


# -- one parser per action ------------------------------------------------------------------


def _assign(fields: Fields, choices: Choices) -> dict[str, Any]:
    return {"officer": pick(fields, "officer", choices.specialists, "Chuyên viên thụ lý").value}


def _reassign(fields: Fields, choices: Choices) -> dict[str, Any]:
    return {**_assign(fields, choices), "reason": text(fields, "reason", "Lý do phân công lại")}


def _nothing(fields: Fields, choices: Choices) -> dict[str, Any]:
    return {}


def _request_verification(fields: Fields, choices: Choices) -> dict[str, Any]:
    unit = pick(fields, "unit", choices.units, "Đơn vị được hỏi")
    subject = text(fields, "subject", "Nội dung cần xác minh")
    days = whole(fields, "days", "Thời hạn trả lời (ngày làm việc)", low=1, high=60)
    return {"unit": unit.value, "subject": subject, "time_limit": {"working_days": days}}


def _answer_verification(fields: Fields, choices: Choices) -> dict[str, Any]:
    task = pick(fields, "subtask", choices.subtasks, "Yêu cầu xác minh")
    answer = text(fields, "answer", "Nội dung trả lời", limit=200)
    verdict = (fields.get("confirmed") or [""])[0]
    if verdict not in ("yes", "no"):
        raise FormError("Vui lòng chọn kết quả xác minh: xác nhận đúng hoặc không xác nhận.")
    return {"subtask": int(task.value), "answer": answer, "confirmed": verdict == "yes"}


def _request_supplement(fields: Fields, choices: Choices) -> dict[str, Any]:
    payload: dict[str, Any] = {"missing_items": lines(fields, "missing_items", "Thành phần cần bổ sung")}
    if note := text(fields, "note", "Ghi chú", required=False, limit=500):
        payload["note"] = note
    return payload


def _receive_supplement(fields: Fields, choices: Choices) -> dict[str, Any]:
    raw = "\n".join(fields.get("items") or [])
    items = [line.strip()[:200] for line in raw.splitlines() if line.strip()][:50]
    payload: dict[str, Any] = {"items": items} if items else {}
    if note := text(fields, "note", "Ghi chú", required=False, limit=500):
        payload["note"] = note
    return payload


def _submit(fields: Fields, choices: Choices) -> dict[str, Any]:
    leader = pick(fields, "leader", choices.leaders, "Lãnh đạo phê duyệt")
    payload: dict[str, Any] = {"officer": leader.value, "unit": leader.extra["unit"]}
    if summary := text(fields, "summary", "Tóm tắt dự thảo kết quả", required=False, limit=1000):
        payload["summary"] = summary
    return payload


def _send_back(fields: Fields, choices: Choices) -> dict[str, Any]:
    return {"comment": text(fields, "comment", "Ý kiến trả lại")}


def _refuse(fields: Fields, choices: Choices) -> dict[str, Any]:
    return {"reasons": lines(fields, "reasons", "Lý do từ chối")}


def _deliver(fields: Fields, choices: Choices) -> dict[str, Any]:
    note = text(fields, "note", "Ghi chú", required=False, limit=500)
    return {"note": note} if note else {}


def _collect_fees(fields: Fields, choices: Choices) -> dict[str, Any]:
    payload: dict[str, Any] = {"amount_vnd": whole(fields, "amount", "Số tiền thu (đồng)", low=1, high=1_000_000_000)}
    if note := text(fields, "note", "Ghi chú", required=False, limit=500):
        payload["note"] = note
    return payload


def _return_result(fields: Fields, choices: Choices) -> dict[str, Any]:
    channel = (fields.get("channel") or [""])[0]
    if channel == "in_person":
        if (fields.get("id_checked") or [""])[0] != "yes":
            raise FormError("Phải kiểm tra căn cước của người nhận trước khi trả kết quả trực tiếp.")
        payload: dict[str, Any] = {"channel": "in_person", "id_checked": True}
        if recipient := text(fields, "recipient", "Người nhận", required=False):
            payload["recipient"] = recipient
        return payload
    if channel == "post":
        if not choices.postal:
            raise FormError("Thủ tục này không trả kết quả qua bưu điện.")
        zone = pick(fields, "zone", choices.postal, "Nơi nhận qua bưu điện")
        payload = {"channel": "post", "postal": {"zone": zone.value}}
        if tracking := text(fields, "tracking", "Số hiệu bưu gửi", required=False, limit=60):
            payload["tracking"] = tracking
        if recipient := text(fields, "recipient", "Người nhận", required=False):
            payload["recipient"] = recipient
        return payload
    raise FormError("Vui lòng chọn cách trả kết quả: trực tiếp hoặc qua bưu điện.")


def _apologise(fields: Fields, choices: Choices) -> dict[str, Any]:
    reason = text(fields, "reason", "Lý do chậm")
    new = day_and_time(fields, "new_appointment", "Ngày hẹn mới")
    return {"reason": reason, "new_appointment": new.isoformat()}


def _register_result(fields: Fields, choices: Choices) -> dict[str, Any]:
    """The clerk's form, on the dossier page too: the same checks as the register page (cloud/web/register_pages.py)."""
    from cloud.web.register_pages import check_form  # that module's page imports the console's shared parts

    def first(name: str) -> str:
        return (fields.get(name) or [""])[0]

    payload, problems = check_form("", first("document_number"), first("signed_on"), first("signer"),
                                   first("stamped") or None)
    if problems:
        raise FormError(" ".join(problems))
    return payload


def _withdraw(fields: Fields, choices: Choices) -> dict[str, Any]:
    return {"reason": text(fields, "reason", "Lý do rút hồ sơ")}


A = Action
FORMS: Mapping[Action, ActionForm] = {f.action: f for f in (
    ActionForm(A.assign, "Phân công", _assign),
    ActionForm(A.reassign, "Phân công lại", _reassign, tone="plain"),
    ActionForm(A.start, "Bắt đầu thụ lý", _nothing, one_tap=True),
    ActionForm(A.request_verification, "Gửi xác minh", _request_verification, tone="plain"),
    ActionForm(A.answer_verification, "Ghi nhận trả lời", _answer_verification),
    ActionForm(A.request_supplement, "Yêu cầu bổ sung", _request_supplement, tone="plain"),
    ActionForm(A.receive_supplement, "Nhận hồ sơ bổ sung", _receive_supplement),
    ActionForm(A.submit, "Trình phê duyệt", _submit),
    ActionForm(A.approve, "Phê duyệt", _nothing, one_tap=True, tone="good"),
    ActionForm(A.refuse, "Từ chối giải quyết", _refuse, one_tap=True, tone="bad"),
    ActionForm(A.send_back, "Trả lại để xử lý lại", _send_back, one_tap=True, tone="plain"),
    ActionForm(A.deliver_result, "Nhận kết quả về bộ phận một cửa", _deliver),
    ActionForm(A.collect_fees, "Ghi nhận thu phí", _collect_fees, tone="plain"),
    ActionForm(A.return_result, "Trả kết quả", _return_result),
    ActionForm(A.apologise, "Lập thư xin lỗi, hẹn lại", _apologise, tone="plain"),
    ActionForm(A.withdraw, "Rút hồ sơ", _withdraw, tone="bad"),
    ActionForm(A.register_result, "Vào sổ kết quả", _register_result),
)}
assert set(FORMS) == {t.action for t in TRANSITIONS}, "every action of the table has a form"


def answerable_subtasks(dossier: Dossier, actor: Actor) -> list[int]:
    """The pending sub-tasks ``actor`` may answer (the sub-task guard, asked for each of them)."""
    row = next(t for t in TRANSITIONS if t.action is Action.answer_verification)
    return [task.number for task in dossier.subtasks if task.pending and row.guard.allows(
        dossier, actor, AnswerPayload(subtask=task.number, answer="?", confirmed=True), row.action)]


def available(dossier: Dossier, actor: Actor) -> list[ActionForm]:
    """The forms ``actor`` may use on ``dossier`` now: the table's state and role, then the row's guard.

    Only the sub-task guard reads the payload; it is asked once per pending
    sub-task. The effect's own rules (a second supplement request, an apology
    too late) are not foreseen here: the engine refuses them with their reason.
    """
    found = []
    rows = {t.action: t for t in TRANSITIONS}
    for action in FORMS:  # the forms' order: the leader's decisions approve, refuse, send back
        row = rows[action]
        if dossier.state not in row.sources or actor.role not in row.roles:
            continue
        if row.action is Action.answer_verification:
            allowed = bool(answerable_subtasks(dossier, actor))
        else:
            allowed = row.guard.allows(dossier, actor, NoPayload(), row.action)
        if allowed:
            found.append(FORMS[row.action])
    return found


def form_of(action: str) -> ActionForm | None:
    try:
        return FORMS.get(Action(action))
    except ValueError:
        return None
