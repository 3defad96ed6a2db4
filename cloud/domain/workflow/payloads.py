"""The data each action requires: one model per row of the transition table.

The table names its row's model (``Transition.payload``); the engine
validates the caller's JSON against it before anything else looks at the
payload, so an effect reads typed, checked fields and a bad payload is
refused with the key path of every problem (``refuse needs reasons (at least
one): reasons: …``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, model_validator

from cloud.domain.deadlines import TimeLimit
from cloud.domain.postal import PostalZone
from cloud.domain.workflow.records import Frozen, Name, RefCode
from cloud.domain.workflow.states import ReturnChannel


def nul_paths(value: object, path: str = "") -> list[str]:
    """Where a JSON-like input holds a NUL (U+0000) character: PostgreSQL cannot store one in text.

    Checked once on the raw payload of an action (cloud.dossiers.store), so
    it is refused as bad input (422), not by the database (a 500), without a
    validator on every field of every model (profiling showed one cost 6 %
    of a request).
    """
    if isinstance(value, str):
        return [path or "payload"] if "\x00" in value else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in nul_paths(v, f"{path}.{k}" if path else str(k))
                ] + ([f"{path or 'payload'} (a key)"] if any("\x00" in str(k) for k in value) else [])
    if isinstance(value, list | tuple):
        return [p for i, v in enumerate(value) for p in nul_paths(v, f"{path}.{i}" if path else str(i))]
    return []


class NoPayload(Frozen):
    pass


class AssignPayload(Frozen):
    officer: Name
    unit: Name | None = None
    """Defaults to the handling department."""


class ReassignPayload(AssignPayload):
    reason: Name


class VerificationPayload(Frozen):
    unit: Name
    officer: Name | None = None
    subject: Name
    time_limit: TimeLimit | None = None
    due: datetime | None = None

    @model_validator(mode="after")
    def _one_deadline(self) -> VerificationPayload:
        if (self.time_limit is None) == (self.due is None):
            raise ValueError("give the sub-task either a time_limit or a due date")
        return self


class AnswerPayload(Frozen):
    subtask: Annotated[int, Field(ge=1)]
    answer: Name
    confirmed: bool


class SupplementRequestPayload(Frozen):
    missing_items: Annotated[tuple[Name, ...], Field(min_length=1)]
    note: str | None = None


class SupplementReceivedPayload(Frozen):
    items: tuple[Name, ...] = ()
    note: str | None = None


class SubmitPayload(Frozen):
    officer: Name
    unit: RefCode
    summary: str | None = None


class CommentPayload(Frozen):
    comment: Name


class ApprovePayload(Frozen):
    result_ref: str | None = None


class RefusePayload(Frozen):
    reasons: Annotated[tuple[Name, ...], Field(min_length=1)]


DOCUMENT_SYMBOL = r"^[0-9A-Za-zÀ-ỹĐđ.\-/ ]+$"
"""Letters (with Vietnamese ones), digits, ``.``, ``-``, ``/`` and spaces: ``QĐ-UBND``, ``125/QĐ-UBND``."""


class RegisterPayload(Frozen):
    """What the clerk reads off the signed result: its number and symbol, the signing date, the signer, the seal.

    ``document_number`` is the full "số, ký hiệu" when the paper already
    carries one (``125/QĐ-UBND``); otherwise ``document_symbol``
    (``QĐ-UBND``) and the number is the register's: ``<book number>/QĐ-UBND``.
    ``book_number`` is the system's (cloud.dossiers.store fills it in the
    action's transaction); a caller never sends it.
    """

    document_number: Annotated[str, Field(min_length=1, max_length=60, pattern=DOCUMENT_SYMBOL)] | None = None
    document_symbol: Annotated[str, Field(min_length=1, max_length=40, pattern=DOCUMENT_SYMBOL)] | None = None
    signed_on: date
    signer: Name
    stamped: bool
    book_number: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _a_number_or_a_symbol(self) -> RegisterPayload:
        if (self.document_number is None) == (self.document_symbol is None):
            raise ValueError("give either document_number (125/QĐ-UBND) or document_symbol (QĐ-UBND)")
        return self


class DeliverPayload(Frozen):
    note: str | None = None


class PostalReturnPayload(Frozen):
    """Where a result returned by post goes (seed 001, table 2.1): priced by ``cloud.domain.postal``."""

    zone: PostalZone
    items: Annotated[int, Field(ge=1, le=100)] = 1
    fee_collected_between_trips: bool = False


class ReturnPayload(Frozen):
    channel: ReturnChannel
    id_checked: bool = False
    recipient: str | None = None
    tracking: str | None = None
    postal: PostalReturnPayload | None = None

    @model_validator(mode="after")
    def _postal_only_by_post(self) -> ReturnPayload:
        if self.channel == "post" and self.postal is None:
            raise ValueError("a return by post needs postal: {zone, items, fee_collected_between_trips}")
        if self.channel != "post" and self.postal is not None:
            raise ValueError(f"postal is only for a return by post, not {self.channel}")
        return self


class ApologyPayload(Frozen):
    reason: Name
    new_appointment: datetime


class FeeLine(Frozen):
    """A fee of the procedure's card (by its name) paid in this payment."""

    fee: Name
    quantity: Annotated[int, Field(ge=1, le=10_000)] = 1
    amount_vnd: Annotated[int, Field(ge=0, le=1_000_000_000)] | None = None
    """For an amount set by a notice (the tax office's); default: the card's amount × quantity, capped."""


class FeesPayload(Frozen):
    amount_vnd: Annotated[int, Field(gt=0, le=1_000_000_000)]
    note: str | None = None
    lines: Annotated[tuple[FeeLine, ...], Field(max_length=50)] = ()


class ReasonPayload(Frozen):
    reason: Name
