"""The words of the workflow: the states a dossier passes through and the actions that move it.

Kept apart from everything else so that a reader (or the public status page)
learns the vocabulary without the rules, and so that every other module of
the package can import it without cycles.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Literal


class DossierState(StrEnum):
    received = "received"
    assigned = "assigned"
    in_process = "in_process"
    waiting_verification = "waiting_verification"
    supplement_requested = "supplement_requested"
    submitted_for_approval = "submitted_for_approval"
    approved = "approved"
    refused = "refused"
    result_at_desk = "result_at_desk"
    returned = "returned"
    withdrawn = "withdrawn"


STATE_LABELS_VI: Mapping[DossierState, str] = {
    DossierState.received: "Đã tiếp nhận",
    DossierState.assigned: "Đã phân công thụ lý",
    DossierState.in_process: "Đang thụ lý",
    DossierState.waiting_verification: "Chờ xác minh, lấy ý kiến",
    DossierState.supplement_requested: "Chờ bổ sung hồ sơ",
    DossierState.submitted_for_approval: "Chờ lãnh đạo phê duyệt",
    DossierState.approved: "Đã phê duyệt",
    DossierState.refused: "Hồ sơ không giải quyết",
    DossierState.result_at_desk: "Có kết quả, chờ trả",
    DossierState.returned: "Đã trả kết quả",
    DossierState.withdrawn: "Đã rút hồ sơ",
}
"""What the public status shows (the refusal wording is 001's "Hồ sơ không giải quyết")."""

TERMINAL_STATES = frozenset({DossierState.returned, DossierState.withdrawn})


class Action(StrEnum):
    receive = "receive"  # creates the dossier: see receive(); not in the table
    assign = "assign"
    reassign = "reassign"
    start = "start"
    request_verification = "request_verification"
    answer_verification = "answer_verification"
    request_supplement = "request_supplement"
    receive_supplement = "receive_supplement"
    submit = "submit"
    send_back = "send_back"
    approve = "approve"
    refuse = "refuse"
    register_result = "register_result"
    deliver_result = "deliver_result"
    return_result = "return_result"
    apologise = "apologise"
    collect_fees = "collect_fees"
    withdraw = "withdraw"


ACTION_LABELS_VI: Mapping[Action, str] = {
    Action.receive: "Tiếp nhận hồ sơ",
    Action.assign: "Phân công thụ lý",
    Action.reassign: "Phân công lại",
    Action.start: "Bắt đầu thụ lý",
    Action.request_verification: "Gửi xác minh, lấy ý kiến",
    Action.answer_verification: "Trả lời xác minh",
    Action.request_supplement: "Yêu cầu bổ sung hồ sơ",
    Action.receive_supplement: "Nhận hồ sơ bổ sung",
    Action.submit: "Trình phê duyệt",
    Action.send_back: "Trả lại để xử lý lại",
    Action.approve: "Phê duyệt",
    Action.refuse: "Từ chối giải quyết",
    Action.register_result: "Vào sổ, đóng dấu kết quả",
    Action.deliver_result: "Chuyển kết quả về bộ phận một cửa",
    Action.return_result: "Trả kết quả",
    Action.apologise: "Xin lỗi, hẹn lại ngày trả",
    Action.collect_fees: "Thu phí, lệ phí",
    Action.withdraw: "Rút hồ sơ",
}
"""What the process history shows for each action (the console's dossier page, the control sheet)."""

ReturnChannel = Literal["in_person", "post", "online"]
Channel = Literal["counter", "online", "post"]

APPLICANT_UNIT = "applicant"
"""The unit a hand-over goes to when the dossier leaves the administration (returned, withdrawn)."""
POST_UNIT = "post"
"""The unit a result goes to when it is returned by post."""
