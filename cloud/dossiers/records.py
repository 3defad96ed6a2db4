"""What a dossier action leaves besides the dossier row and its event — written
in the action's own transaction — and the queries that read it back.

:func:`after_action` is called by :meth:`DossierStore.act` after the new state
is written and before its event is appended; it returns what to add to the
event's payload. It looks the action up in :data:`RECORDERS` (a table, not an
if-chain) and then asks :mod:`cloud.domain.notifications` whether the citizen
must be told:

| action | records | event payload gets |
| --- | --- | --- |
| ``collect_fees`` | a ``fee_receipt`` numbered from ``receipt_sequence`` | ``receipt``: its number |
| ``register_result`` | a ``result_register`` line (cloud.dossiers.register) | ``register``: ``125/2026`` |
| ``request_verification``, ``answer_verification`` | the dossier's rows of ``dossier_subtask`` | – |
| ``return_result`` by post | – | ``postal``: the quote (zone, items, fee, expected delivery) |
| those of ``cloud.domain.notifications.NOTICES`` | a ``notification`` row (outbox) | ``notification``: its id |

Because everything is in the action's transaction, a refused or conflicting
action leaves no receipt number used, no notification, no sub-task row: the
receipt numbers have no gaps and the outbox holds exactly the actions that
happened (the transactional-outbox pattern).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from sqlalchemy import Connection, Engine, and_, select, text, update

from cloud.db import upsert
from cloud.db.dossier_extras import (
    dossier_subtask_table,
    fee_receipt_table,
    notification_table,
    receipt_sequence_table,
)
from cloud.db.dossiers import admin_unit_table, dossier_table, procedure_table
from cloud.db.users import user_table
from cloud.domain.datafile import DataError
from cloud.domain.notifications import NOTICES, NoticeContext, notice_for
from cloud.domain.postal import PostalTariff, parse_postal_tariff
from cloud.domain.postal_return import PostalQuote, quote
from cloud.domain.receipts import FeeReceipt, ReceiptNumberFormat, receipt_for
from cloud.domain.workflow import Action, Actor, Dossier, PaidFee, ReturnPayload, TransitionResult
from cloud.dossiers import register
from workdays import WorkingCalendar

POSTAL_FEES_FILE = "postal_fees.yaml"
SHIPPED_DATA = Path(__file__).resolve().parents[1] / "data"


def load_postal_tariff(directory: Path) -> PostalTariff:
    """``postal_fees.yaml`` of ``directory``, or the shipped one (seed 001's table 2.1) when it has none."""
    path = directory / POSTAL_FEES_FILE
    if not path.exists():
        path = SHIPPED_DATA / POSTAL_FEES_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(str(path), [f"{path}: cannot read: {exc.strerror or exc}"]) from None
    except yaml.YAMLError as exc:
        raise DataError(str(path), [f"{path}: not valid YAML: {exc}"]) from None
    return parse_postal_tariff(data, str(path))


# -- writing, inside an action's transaction -----------------------------------------


@dataclass
class ActionContext:
    conn: Connection
    result: TransitionResult
    actor: Actor
    payload: BaseModel
    office_name: str
    """The dossier's one-stop office, as the citizen knows it."""
    agency: str
    """The office's electronic identifier: starts its receipt numbers."""
    calendar: WorkingCalendar
    now: datetime
    tariff: PostalTariff
    receipt_format: ReceiptNumberFormat
    postal: PostalQuote | None = field(default=None)

    @property
    def dossier(self) -> Dossier:
        return self.result.dossier


def _issue_receipt(ctx: ActionContext) -> dict[str, Any]:
    d = ctx.dossier
    payment = d.payments[-1]
    year = ctx.calendar.local(ctx.now).year
    t = receipt_sequence_table
    stmt = upsert.insert(ctx.conn.dialect.name, t).values(office=d.office, year=year, last_seq=1)
    stmt = stmt.on_conflict_do_update(index_elements=[t.c.office, t.c.year], set_={"last_seq": t.c.last_seq + 1})
    seq = int(ctx.conn.execute(stmt.returning(t.c.last_seq)).scalar_one())
    number = ctx.receipt_format.format(ctx.agency, year, seq)
    receipt = receipt_for(number, d, payment)
    ctx.conn.execute(fee_receipt_table.insert().values(
        number=number, dossier=d.code, office=d.office, year=year, seq=seq, amount_vnd=receipt.amount_vnd,
        lead_vnd=receipt.lead_vnd, owed_vnd=receipt.owed_vnd, lines=[line.model_dump() for line in receipt.lines],
        collected_by_role=ctx.actor.role.value, collected_by_unit=ctx.actor.unit,
        collected_by_officer=ctx.actor.officer, at=payment.at, note=payment.note,
    ))
    return {"receipt": number}


def _index_subtasks(ctx: ActionContext) -> dict[str, Any]:
    d = ctx.dossier
    t = dossier_subtask_table
    for task in d.subtasks:
        row = {
            "dossier": d.code, "number": task.number, "unit": task.unit, "officer": task.officer,
            "subject": task.subject, "sent_at": task.sent_at, "due": task.due,
            "answered_at": task.answered_at, "answer": task.answer, "confirmed": task.confirmed,
        }
        stmt = upsert.insert(ctx.conn.dialect.name, t).values(**row)
        stmt = stmt.on_conflict_do_update(index_elements=[t.c.dossier, t.c.number],
                                          set_={k: stmt.excluded[k] for k in row if k not in ("dossier", "number")})
        ctx.conn.execute(stmt)
    return {}


def _postal_return(ctx: ActionContext) -> dict[str, Any]:
    p = ctx.payload
    assert isinstance(p, ReturnPayload)
    if p.channel != "post" or p.postal is None:
        return {}
    ctx.postal = quote(ctx.dossier.terms, ctx.tariff, ctx.calendar, p.postal.zone, sent_at=ctx.now,
                       items=p.postal.items, fee_collected_between_trips=p.postal.fee_collected_between_trips)
    return {"postal": ctx.postal.model_dump(mode="json")}


RECORDERS: Mapping[Action, Callable[[ActionContext], dict[str, Any]]] = {
    Action.collect_fees: _issue_receipt,
    Action.request_verification: _index_subtasks,
    Action.answer_verification: _index_subtasks,
    Action.return_result: _postal_return,
    Action.register_result: register.record_entry,
}


def officer_names(engine: Engine, logins: Iterable[str | None]) -> dict[str, str]:
    """Login → full name of the accounts among ``logins`` (people read names, not logins)."""
    wanted = {login for login in logins if login}
    if not wanted:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(select(user_table.c.username, user_table.c.full_name)
                            .where(user_table.c.username.in_(wanted)))
        return {r.username: r.full_name for r in rows}


def _officer_names(conn: Connection, d: Dossier) -> dict[str, str]:
    ids = {h.officer for h in (d.assignee, d.decided_by) if h is not None and h.officer}
    if not ids:
        return {}
    rows = conn.execute(select(user_table.c.username, user_table.c.full_name).where(user_table.c.username.in_(ids)))
    return {r.username: r.full_name for r in rows}


NOTIFICATION_LOCK = 0x6E6F7469  # "noti": PostgreSQL advisory lock key of the outbox


def _outbox_in_commit_order(conn: Connection) -> None:
    """Make notification ids commit in increasing order, so a worker's ``after=<last id>`` never skips one.

    Two PostgreSQL transactions could take ids 5 and 6 and commit 6 first; a
    worker reading then would move past 5 before it is visible. Holding a
    transaction-scoped advisory lock from the insert to the commit orders
    them (only transactions that notify wait, for the end of another's).
    SQLite already runs one writer at a time (``BEGIN IMMEDIATE``).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": NOTIFICATION_LOCK})


def after_action(ctx: ActionContext) -> dict[str, Any]:
    """Write what the action leaves besides the dossier; return the additions to its event's payload."""
    action = ctx.result.event.action
    added: dict[str, Any] = {}
    recorder = RECORDERS.get(action)
    if recorder is not None:
        added |= recorder(ctx)
    d = ctx.dossier
    if action not in NOTICES:  # most actions notify nobody: no query for names
        return added
    context = NoticeContext(office_name=ctx.office_name, officer_names=_officer_names(ctx.conn, d),
                            postal=ctx.postal)
    notice = notice_for(action, d, ctx.payload, context)
    if notice is not None:
        _outbox_in_commit_order(ctx.conn)
        row_id = ctx.conn.execute(notification_table.insert().values(
            dossier=d.code, kind=notice.kind.value, created_at=ctx.now, payload=notice.payload(),
        ).returning(notification_table.c.id)).scalar_one()
        added["notification"] = int(row_id)
    return added


# -- reading --------------------------------------------------------------------------


def receipts_of(engine: Engine, code: str) -> list[FeeReceipt]:
    t = fee_receipt_table
    with engine.connect() as conn:
        rows = conn.execute(select(t).where(t.c.dossier == code).order_by(t.c.id)).all()
    return [FeeReceipt(number=r.number, dossier=r.dossier, office=r.office, amount_vnd=r.amount_vnd,
                       lines=tuple(PaidFee.model_validate(line) for line in r.lines), lead_vnd=r.lead_vnd,
                       owed_vnd=dict(r.owed_vnd), collected_by_unit=r.collected_by_unit,
                       collected_by_officer=r.collected_by_officer, at=r.at, note=r.note) for r in rows]


def office_unit(engine: Engine, office: str) -> Any:
    """The ``admin_unit`` row of one-stop office ``office`` (its unit's name, the office's name), or None."""
    with engine.connect() as conn:
        return conn.execute(select(admin_unit_table).where(admin_unit_table.c.office == office)).first()


@dataclass(frozen=True)
class SubtaskEntry:
    """A line of a unit's liên thông inbox."""

    dossier: str
    procedure: str
    procedure_name: str
    dossier_state: str
    number: int
    unit: str
    officer: str | None
    subject: str
    sent_at: datetime
    due: datetime
    answered_at: datetime | None
    answer: str | None
    confirmed: bool | None
    overdue: bool


def subtask_inbox(engine: Engine, unit: str, *, pending: bool | None, now: datetime, limit: int,
                  offset: int) -> list[SubtaskEntry]:
    """Sub-tasks sent to ``unit``, soonest due first; ``overdue``: still pending after its due moment."""
    s, d, p = dossier_subtask_table, dossier_table, procedure_table
    query = (select(s, d.c.procedure, d.c.state, p.c.name.label("procedure_name"))
             .join(d, d.c.code == s.c.dossier).join(p, p.c.code == d.c.procedure)
             .where(s.c.unit == unit))
    if pending is not None:
        query = query.where(s.c.answered_at.is_(None) if pending else s.c.answered_at.is_not(None))
    query = query.order_by(s.c.due, s.c.dossier, s.c.number).limit(limit).offset(offset)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [SubtaskEntry(dossier=r.dossier, procedure=r.procedure, procedure_name=r.procedure_name,
                         dossier_state=r.state, number=r.number, unit=r.unit, officer=r.officer, subject=r.subject,
                         sent_at=r.sent_at, due=r.due, answered_at=r.answered_at, answer=r.answer,
                         confirmed=r.confirmed, overdue=r.answered_at is None and r.due < now) for r in rows]


def subtask_dossiers(unit: str) -> Any:
    """A condition on ``dossier``: it has a sub-task sent to ``unit`` (for the dossier list's filter)."""
    s = dossier_subtask_table
    return select(s.c.dossier).where(and_(s.c.unit == unit, s.c.dossier == dossier_table.c.code)).exists()


@dataclass(frozen=True)
class Recipient:
    """Whom a worker sends a notification to: the dossier's applicant as the desk recorded them (personal data)."""

    name: str
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class Notification:
    id: int
    dossier: str
    kind: str
    created_at: datetime
    payload: dict[str, Any]
    delivered_at: datetime | None
    delivered_via: str | None
    recipient: Recipient | None = None
    """Read from the dossier when the feed is served, so a corrected phone number is used at once."""


def _notification(r: Any) -> Notification:
    recipient = Recipient(r.applicant_name, r.applicant_phone, r.applicant_email) if r.applicant_name else None
    return Notification(r.id, r.dossier, r.kind, r.created_at, r.payload, r.delivered_at, r.delivered_via, recipient)


def _with_recipient(t: Any) -> Any:
    d = dossier_table
    return (select(t, d.c.applicant_name, d.c.applicant_phone, d.c.applicant_email)
            .join(d, d.c.code == t.c.dossier, isouter=True))


def notifications_after(engine: Engine, after: int, limit: int, *, undelivered: bool = False) -> list[Notification]:
    t = notification_table
    query = _with_recipient(t).where(t.c.id > after)
    if undelivered:
        query = query.where(t.c.delivered_at.is_(None))
    with engine.connect() as conn:
        return [_notification(r) for r in conn.execute(query.order_by(t.c.id).limit(limit)).all()]


class NotificationNotFound(LookupError):
    pass


def mark_delivered(engine: Engine, notification_id: int, via: str | None, now: datetime) -> Notification:
    """Record that a worker sent notification ``notification_id``; again is harmless (the first time is kept)."""
    t = notification_table
    with engine.begin() as conn:
        conn.execute(update(t).where(t.c.id == notification_id, t.c.delivered_at.is_(None))
                     .values(delivered_at=now, delivered_via=via))
        row = conn.execute(_with_recipient(t).where(t.c.id == notification_id)).first()
    if row is None:
        raise NotificationNotFound(notification_id)
    return _notification(row)
