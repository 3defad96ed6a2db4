"""The dossier workflow: states, the table of allowed transitions, hand-overs and liên thông.

A dossier (hồ sơ) is received at a one-stop desk, assigned by the department
head to a handling officer, processed (possibly with verification by a commune
or another agency, or a request to the citizen to supplement it), submitted to
a leader who approves or refuses it, and its result goes back to the desk to
be returned in person, by post or online (DOMAIN.md, seeds 000 and 001).

One module per job, each readable alone:

* :mod:`~cloud.domain.workflow.states`: the states and actions (the vocabulary);
* :mod:`~cloud.domain.workflow.records`: the dossier, who holds it, its
  hand-overs and sub-tasks, and :class:`TransitionRefused`;
* :mod:`~cloud.domain.workflow.payloads`: the data each action requires;
* :mod:`~cloud.domain.workflow.guards`: who exactly may act (holder, handling
  department, receiving office, sub-task's unit), as named values;
* :mod:`~cloud.domain.workflow.effects`: what each action changes;
* :mod:`~cloud.domain.workflow.table`: :data:`TRANSITIONS`, the one table that
  binds them per action, and the Markdown it prints into ``docs/workflow.md``;
* :mod:`~cloud.domain.workflow.engine`: :func:`receive` and :func:`apply`;
* :mod:`~cloud.domain.workflow.fees`: the representative mechanism's split;
* :mod:`~cloud.domain.workflow.public`: what a citizen sees.

Importers use ``from cloud.domain.workflow import X``: every name is
re-exported here, so the layout inside the package may change without them.
"""

from cloud.domain.workflow.engine import apply, document_code, missing_documents, receive, received_documents
from cloud.domain.workflow.fees import FeeSplit, split_fees
from cloud.domain.workflow.guards import (
    GUARDS,
    HANDLING_UNIT,
    HANDLING_UNIT_OR_HOLDER,
    HOLDER,
    OFFICE,
    SUBTASK_UNIT_OR_HOLDER,
    Guard,
)
from cloud.domain.workflow.payloads import (
    AnswerPayload,
    ApologyPayload,
    ApprovePayload,
    AssignPayload,
    CommentPayload,
    DeliverPayload,
    FeeLine,
    FeesPayload,
    NoPayload,
    PostalReturnPayload,
    ReasonPayload,
    ReassignPayload,
    RefusePayload,
    RegisterPayload,
    ReturnPayload,
    SubmitPayload,
    SupplementReceivedPayload,
    SupplementRequestPayload,
    VerificationPayload,
    nul_paths,
)
from cloud.domain.workflow.public import PublicStatus, public_status
from cloud.domain.workflow.records import (
    Actor,
    Dossier,
    DossierIncomplete,
    FeePayment,
    HandOver,
    Holder,
    Name,
    PaidFee,
    PlannedStep,
    ProcedureTerms,
    QueueTicket,
    ReceivedDocument,
    ReceivedPaper,
    RefCode,
    ResultRegistration,
    SubTask,
    SupplementRecord,
    TransitionRefused,
    TransitionResult,
    UnknownDocuments,
    WorkflowEvent,
)
from cloud.domain.workflow.states import (
    ACTION_LABELS_VI,
    APPLICANT_UNIT,
    POST_UNIT,
    STATE_LABELS_VI,
    TERMINAL_STATES,
    Action,
    Channel,
    DossierState,
    ReturnChannel,
)
from cloud.domain.workflow.table import (
    MOVING_ACTIONS,
    TRANSITIONS,
    Transition,
    allowed_actions,
    guard_table_markdown,
    transition,
    transition_table_markdown,
)

__all__ = [
    "APPLICANT_UNIT",
    "GUARDS",
    "HANDLING_UNIT",
    "HANDLING_UNIT_OR_HOLDER",
    "HOLDER",
    "MOVING_ACTIONS",
    "OFFICE",
    "POST_UNIT",
    "ACTION_LABELS_VI",
    "STATE_LABELS_VI",
    "SUBTASK_UNIT_OR_HOLDER",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "Action",
    "Actor",
    "AnswerPayload",
    "ApologyPayload",
    "ApprovePayload",
    "AssignPayload",
    "Channel",
    "CommentPayload",
    "DeliverPayload",
    "Dossier",
    "DossierIncomplete",
    "DossierState",
    "FeeLine",
    "FeePayment",
    "FeeSplit",
    "FeesPayload",
    "Guard",
    "HandOver",
    "Holder",
    "Name",
    "NoPayload",
    "PaidFee",
    "PlannedStep",
    "PostalReturnPayload",
    "ProcedureTerms",
    "PublicStatus",
    "QueueTicket",
    "ReasonPayload",
    "ReassignPayload",
    "ReceivedDocument",
    "ReceivedPaper",
    "RefCode",
    "RefusePayload",
    "RegisterPayload",
    "ResultRegistration",
    "ReturnChannel",
    "ReturnPayload",
    "SubTask",
    "SubmitPayload",
    "SupplementReceivedPayload",
    "SupplementRecord",
    "SupplementRequestPayload",
    "Transition",
    "TransitionRefused",
    "TransitionResult",
    "UnknownDocuments",
    "VerificationPayload",
    "WorkflowEvent",
    "allowed_actions",
    "apply",
    "document_code",
    "guard_table_markdown",
    "missing_documents",
    "nul_paths",
    "public_status",
    "receive",
    "received_documents",
    "split_fees",
    "transition",
    "transition_table_markdown",
]
