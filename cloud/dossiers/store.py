"""Dossiers in the database: create (code + pure ``receive``) and transition (pure ``apply``).

Each operation is one transaction:

* **create** takes the next number of the office's agency for the local day
  with one ``INSERT … ON CONFLICT DO UPDATE SET last_seq = last_seq + 1
  RETURNING last_seq`` on ``dossier_sequence``, calls the pure ``receive``,
  and inserts the dossier and its first event. Two writers never get the same
  number: the upsert locks the sequence row (PostgreSQL) or the database
  (SQLite's ``BEGIN IMMEDIATE``) until the transaction ends, and a refused
  receipt rolls the number back with everything else.
* **act** loads the dossier, calls the pure ``apply``, and writes the new state
  with ``UPDATE … WHERE version = <the version read>``: if another writer got
  there first nothing is updated and :class:`StaleDossier` is raised (HTTP
  409); otherwise the version goes up by one and a ``dossier_event`` row is
  appended. What else the action leaves — a numbered fee receipt, the
  sub-task index, a postal quote, a notification to the citizen — is written
  in the same transaction by :func:`cloud.dossiers.records.after_action`.

The rules' refusals (:class:`~cloud.domain.workflow.TransitionRefused`) pass
through unchanged; they leave the database as it was.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, and_, bindparam, or_, select, update

from cloud.db import audit, upsert
from cloud.db.dossiers import (
    admin_unit_table,
    dossier_event_table,
    dossier_sequence_table,
    dossier_table,
    procedure_table,
)
from cloud.db.engine import write_transaction
from cloud.db.tables import office_table
from cloud.domain.catalogue import Procedure
from cloud.domain.codes import CodeFormat
from cloud.domain.postal import PostalTariff
from cloud.domain.receipts import ReceiptNumberFormat
from cloud.domain.scope import AdminUnit, Scope
from cloud.domain.workflow import (
    APPLICANT_UNIT,
    POST_UNIT,
    Action,
    Actor,
    Channel,
    Dossier,
    DossierState,
    ReceivedPaper,
    RegisterPayload,
    TransitionRefused,
    TransitionResult,
    WorkflowEvent,
    apply,
    nul_paths,
    receive,
    received_documents,
    transition,
)
from cloud.dossiers import records, register
from cloud.dossiers.tickets import TicketNotAttachable, TicketNotFound, add_dossier_to_ticket, attachable_ticket
from protocol.errors import key_path, validation_lines
from workdays import CalendarOverrides, OfficeHours, WorkingCalendar

S = DossierState
CLOCK_RUNNING = (S.received, S.assigned, S.in_process, S.waiting_verification, S.submitted_for_approval,
                 S.approved, S.refused)
"""States in which an unresolved dossier can be overdue (supplement_requested: the clock is paused)."""


class DossierNotFound(LookupError):
    pass


class ProcedureNotFound(LookupError):
    pass


class OfficeNotFound(LookupError):
    pass


class NoHandlingUnit(ValueError):
    """No department of the office's unit handles the procedure's field, and none was named."""


class UnknownAction(ValueError):
    pass




class BadPayload(ValueError):
    def __init__(self, action: str, requires: str, problems: Sequence[str]) -> None:
        super().__init__(f"{action} needs {requires}: " + "; ".join(problems))
        self.problems = list(problems)


class StaleDossier(Exception):
    """Another writer changed the dossier between our read and our write (or the client's If-Match is old)."""


@dataclass(frozen=True)
class NewDossier:
    procedure: str
    office: str
    applicant_name: str
    channel: Channel = "counter"
    handling_unit: str | None = None
    applicant_phone: str | None = None
    """Already in E.164 (cloud.domain.contact.normalise_phone)."""
    applicant_email: str | None = None
    documents: tuple[ReceivedPaper, ...] | None = None
    """The papers the desk ticked, by code; None only for the service's own callers (not checked)."""
    ticket: str | None = None
    """The queue ticket of the citizen's turn (its ``ticket_id``) at ``office``."""


@dataclass(frozen=True)
class EventRecord:
    id: int
    action: str
    from_state: str | None
    to_state: str
    actor_role: str
    actor_unit: str
    actor_officer: str
    at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True)
class StoredDossier:
    dossier: Dossier
    applicant_name: str
    version: int
    due_at: datetime
    history: tuple[EventRecord, ...] | None = None
    """Set by create and act: the history as of this write, read in its transaction."""
    applicant_phone: str | None = None
    applicant_email: str | None = None


@dataclass(frozen=True)
class DossierSummary:
    """What a list row shows, read from the dossier's own columns and one field of its JSON (the procedure's
    name as received) instead of parsing its whole data: 100 rows of a list page were most of its time."""

    code: str
    procedure: str
    procedure_name: str
    applicant_name: str
    state: DossierState
    office: str
    holder_unit: str
    holder_officer: str | None
    assignee_officer: str | None
    due_at: datetime
    version: int
    appointment: datetime | None = None
    """Only on the summary of a whole dossier (:func:`summary_of`); lists do not show it."""


SUMMARY_COLUMNS = (
    dossier_table.c.code, dossier_table.c.procedure,
    dossier_table.c.data[("terms", "name")].as_string().label("procedure_name"),
    dossier_table.c.applicant_name, dossier_table.c.state, dossier_table.c.office, dossier_table.c.holder_unit,
    dossier_table.c.holder_officer, dossier_table.c.assignee_officer, dossier_table.c.due_at, dossier_table.c.version,
)


def summary_row(row: Any) -> DossierSummary:
    """A row of :data:`SUMMARY_COLUMNS` as a summary."""
    return DossierSummary(row.code, row.procedure, row.procedure_name, row.applicant_name, DossierState(row.state),
                          row.office, row.holder_unit, row.holder_officer, row.assignee_officer, row.due_at,
                          row.version)


def summary_of(stored: StoredDossier) -> DossierSummary:
    """The summary of a dossier already read whole (its own page)."""
    d = stored.dossier
    return DossierSummary(d.code, d.terms.code, d.terms.name, stored.applicant_name, d.state, d.office, d.holder.unit,
                          d.holder.officer, d.assignee.officer if d.assignee else None, d.clock.due, stored.version,
                          d.clock.appointment)


def _stored(row: Any) -> StoredDossier:
    return StoredDossier(Dossier.model_validate(row.data), row.applicant_name, row.version, row.due_at,
                         applicant_phone=row.applicant_phone, applicant_email=row.applicant_email)


class DossierStore:
    def __init__(
        self,
        engine: Engine,
        overrides: CalendarOverrides | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        code_format: CodeFormat | None = None,
        receipt_format: ReceiptNumberFormat | None = None,
        tariff: PostalTariff | None = None,
    ) -> None:
        self.engine = engine
        self.overrides = overrides or CalendarOverrides()
        self.clock = clock
        self.code_format = code_format or CodeFormat()
        self.receipt_format = receipt_format or ReceiptNumberFormat()
        self.tariff = tariff or records.load_postal_tariff(records.SHIPPED_DATA)
        self._calendars: dict[str, WorkingCalendar] = {}
        self._units: dict[str, Any] | None = None
        self._admin_units: dict[str, AdminUnit] | None = None
        self._office_hours: dict[str, Any] = {}
        self._office_days_off: dict[str, dict[date, str]] = {}

    # -- reading -------------------------------------------------------------

    def get(self, code: str) -> StoredDossier:
        with self.engine.connect() as conn:
            row = conn.execute(select(dossier_table).where(dossier_table.c.code == code)).first()
        if row is None:
            raise DossierNotFound(code)
        return _stored(row)

    def history(self, code: str) -> list[EventRecord]:
        with self.engine.connect() as conn:
            return list(_history(conn, code))

    def list(self, *, office: str | None = None, state: DossierState | None = None, overdue: bool | None = None,
             field: str | None = None, officer: str | None = None, due_from: datetime | None = None,
             due_to: datetime | None = None, subtask_unit: str | None = None, scope: Scope | None = None,
             received_from: datetime | None = None, received_before: datetime | None = None,
             limit: int = 100, offset: int = 0) -> list[StoredDossier]:
        """Dossiers, newest first. ``officer``: holding it or assigned to it; ``due_from``/``due_to``: legal due
        within the bounds (inclusive); ``subtask_unit``: a sub-task was sent to that unit;
        ``received_from``/``received_before``: received at or after / strictly before (the register's period)."""
        query = self._filtered(select(dossier_table), office=office, state=state, overdue=overdue, field=field,
                               officer=officer, due_from=due_from, due_to=due_to, subtask_unit=subtask_unit,
                               scope=scope, received_from=received_from, received_before=received_before,
                               limit=limit, offset=offset)
        with self.engine.connect() as conn:
            return [_stored(r) for r in conn.execute(query).all()]

    def summaries(self, **filters: Any) -> builtins.list[DossierSummary]:  # `list` is the method above
        """The rows :meth:`list` would return (same filters and order), as summaries for a list page."""
        with self.engine.connect() as conn:
            return [summary_row(r) for r in conn.execute(self._filtered(select(*SUMMARY_COLUMNS), **filters))]

    def _filtered(self, query: Any, *, office: str | None = None, state: DossierState | None = None,
                  overdue: bool | None = None, field: str | None = None, officer: str | None = None,
                  due_from: datetime | None = None, due_to: datetime | None = None, subtask_unit: str | None = None,
                  scope: Scope | None = None, received_from: datetime | None = None,
                  received_before: datetime | None = None, limit: int = 100, offset: int = 0) -> Any:
        t = dossier_table
        if office is not None:
            query = query.where(t.c.office == office)
        if state is not None:
            query = query.where(t.c.state == state.value)
        if field is not None:
            query = query.where(t.c.procedure.in_(select(procedure_table.c.code).where(procedure_table.c.field == field)))
        if officer is not None:
            query = query.where(or_(t.c.holder_officer == officer, t.c.assignee_officer == officer))
        if due_from is not None:
            query = query.where(t.c.due_at >= due_from)
        if due_to is not None:
            query = query.where(t.c.due_at <= due_to)
        if subtask_unit is not None:
            query = query.where(records.subtask_dossiers(subtask_unit))
        if received_from is not None:
            query = query.where(t.c.received_at >= received_from)
        if received_before is not None:
            query = query.where(t.c.received_at < received_before)
        if scope is not None and scope.offices is not None:  # the same rule as Scope.sees, in SQL
            query = query.where(or_(t.c.office.in_(scope.offices), t.c.handling_unit == scope.unit,
                                    t.c.holder_unit == scope.unit, records.subtask_dossiers(scope.unit)))
        if overdue is not None:
            late = and_(t.c.due_at < self.clock(), t.c.state.in_([s.value for s in CLOCK_RUNNING]))
            query = query.where(late if overdue else ~late)
        return query.order_by(t.c.received_at.desc(), t.c.code.desc()).limit(limit).offset(offset)

    # -- writing -------------------------------------------------------------

    def create(self, new: NewDossier, actor: Actor) -> StoredDossier:
        """Receive a dossier at ``new.office``: allocate its code and persist it, atomically."""
        now = self.clock()
        with write_transaction(self.engine) as conn:
            proc = conn.execute(select(procedure_table.c.data).where(procedure_table.c.code == new.procedure)).first()
            if proc is None:
                raise ProcedureNotFound(new.procedure)
            unit = self._unit(conn, new.office)
            if unit is None:
                raise OfficeNotFound(new.office)
            procedure = Procedure.model_validate(proc.data)
            documents = received_documents(procedure, new.documents) if new.documents is not None else None
            handling_unit = new.handling_unit or _handling_unit(unit, procedure)
            calendar = self._calendar(unit)
            day = calendar.local(now).date()
            ticket = attachable_ticket(conn, new.office, new.ticket, day, actor) if new.ticket else None
            seq = self._next_seq(conn, unit.agency_id, day)
            code = self.code_format.format(unit.agency_id, day, seq)
            result = receive(code=code, procedure=procedure, office=new.office, handling_unit=handling_unit,
                             actor=actor, now=now, calendar=calendar, channel=new.channel, documents=documents,
                             ticket=ticket)
            d = result.dossier
            conn.execute(_INSERT_DOSSIER, dict(
                code=code, procedure=procedure.code, office=d.office, handling_unit=d.handling_unit,
                applicant_name=new.applicant_name, applicant_phone=new.applicant_phone,
                applicant_email=new.applicant_email, channel=d.channel, received_at=d.created_at, version=1,
                ticket_id=ticket.id if ticket else None, counter=ticket.counter if ticket else None,
                **_columns(d),
            ))
            payload: dict[str, Any] = {"procedure": procedure.code, "channel": d.channel, "handling_unit": handling_unit}
            if ticket is not None:
                add_dossier_to_ticket(conn, new.office, ticket.id, code)
                payload["ticket"] = ticket.model_dump(mode="json")
            self._append_event(conn, result.event, actor, payload)
            history = _history(conn, code)
        return StoredDossier(d, new.applicant_name, 1, d.clock.due, history, new.applicant_phone,
                             new.applicant_email)

    def act(self, code: str, action: str, actor: Actor, payload: Mapping[str, Any] | None,
            expected_version: int | None = None, via: str | None = None, scope: Scope | None = None) -> StoredDossier:
        """Take ``action`` on dossier ``code`` as ``actor``; raises the errors above or TransitionRefused.

        ``via``: how the action came in when not typed (``"scan"``), recorded in its event.
        ``scope``: the caller's read scope (None: unscoped, for the service's own callers). A dossier
        outside it is :class:`DossierNotFound`, checked first, on the row this transaction reads: every
        later check (version, action, payload, the workflow's refusal and its reason) would tell the
        caller that the code exists and something of its state (docs/access.md).
        """
        now = self.clock()
        with write_transaction(self.engine) as conn:
            row = conn.execute(select(dossier_table).where(dossier_table.c.code == code)).first()
            if row is None:
                raise DossierNotFound(code)
            dossier = Dossier.model_validate(row.data)
            if scope is not None and not scope.sees(dossier):
                raise DossierNotFound(code)
            if expected_version is not None and expected_version != row.version:
                raise StaleDossier(f"dossier {code} is at version {row.version}, not {expected_version}")
            try:
                step = transition(action)
            except TransitionRefused as exc:
                raise UnknownAction(exc.reason) from None
            if nuls := nul_paths(dict(payload or {})):
                raise BadPayload(step.action.value, step.requires,
                                 [f"{where}: must not contain NUL (U+0000) characters" for where in nuls])
            try:
                parsed = step.payload.model_validate(dict(payload or {}))
            except ValidationError as exc:
                problems = validation_lines(exc, root="payload", path=key_path, plain=True)
                raise BadPayload(step.action.value, step.requires, problems) from None
            unit = self._unit(conn, dossier.office)
            calendar = self._calendar(unit) if unit is not None else WorkingCalendar(overrides=self.overrides)
            if isinstance(parsed, RegisterPayload):  # the register's number: the system's, in this transaction
                if register.SYSTEM_FIELD in (payload or {}):
                    raise BadPayload(step.action.value, step.requires,
                                     [f"payload.{register.SYSTEM_FIELD}: issued by the system, not given"])
                parsed = register.numbered(conn, dossier.office, calendar.local(now).year, parsed)
            result: TransitionResult = apply(dossier, step.action, actor, parsed, now, calendar=calendar)
            d = result.dossier
            changed = conn.execute(_UPDATE_DOSSIER, dict(
                where_code=code, where_version=row.version, version=row.version + 1, **_columns(d)))
            if changed.rowcount != 1:
                raise StaleDossier(f"dossier {code} was changed by someone else; reload it and try again")
            recorded = records.after_action(records.ActionContext(
                conn=conn, result=result, actor=actor, payload=parsed, calendar=calendar, now=now, tariff=self.tariff,
                receipt_format=self.receipt_format, office_name=unit.office_name if unit is not None else d.office,
                agency=unit.agency_id if unit is not None else self.code_format.find(d.code).agency,
            ))
            self._append_event(conn, result.event, actor, {**parsed.model_dump(mode="json", exclude_none=True),
                                                           **recorded, **({"via": via} if via else {})})
            history = _history(conn, code)
        return StoredDossier(d, row.applicant_name, row.version + 1, d.clock.due, history, row.applicant_phone,
                             row.applicant_email)

    def calendar_of(self, office: str) -> WorkingCalendar:
        """The working calendar of one-stop office ``office`` (the default week if it is unknown)."""
        with self.engine.connect() as conn:
            unit = self._unit(conn, office)
        return self._calendar(unit) if unit is not None else WorkingCalendar(overrides=self.overrides)

    # -- helpers -------------------------------------------------------------

    def admin_units(self) -> dict[str, AdminUnit]:
        """Administrative unit code → its office and parent (for read scopes)."""
        self._load_units()
        assert self._admin_units is not None
        return self._admin_units

    def unit_names(self) -> dict[str, str]:
        """Every unit's name by its code: administrative units, their offices and their departments.

        For what people read (the public lookup): the applicant and the post
        as the citizen knows them, not as codes.
        """
        names = {APPLICANT_UNIT: "Người nộp hồ sơ", POST_UNIT: "Bưu điện"}
        for row in self._load_units().values():
            names[row.id] = str(row.name)
            names[row.office] = str(row.office_name)
            for dept in row.data.get("departments", []):
                names[str(dept["code"])] = str(dept["name"])
        return names

    def _unit(self, conn: Connection, office: str) -> Any:
        """The administrative unit of one-stop office ``office`` (None if unknown)."""
        return self._load_units(conn).get(office)

    def _load_units(self, conn: Connection | None = None) -> dict[str, Any]:
        """Every administrative unit, read once per process, by office; :meth:`admin_units` is derived from it.

        Units come from province.yaml through the seed, which runs before the
        service starts; a query per action for a row that does not change was
        a tenth of an action's database time. Restart after re-seeding.
        """
        if self._units is None:
            if conn is None:
                with self.engine.connect() as own:
                    rows = own.execute(select(admin_unit_table)).all()
                    offices = own.execute(select(office_table.c.id, office_table.c.config)).all()
            else:
                rows = conn.execute(select(admin_unit_table)).all()
                offices = conn.execute(select(office_table.c.id, office_table.c.config)).all()
            # The registry's hours are the office's one schedule; the province data's only stand in for a unit
            # whose office is not registered (cloud.registry).
            self._office_hours = {o.id: o.config["hours"] for o in offices if "hours" in (o.config or {})}
            self._office_days_off = {o.id: {date.fromisoformat(d["date"]): d["name"] for d in o.config["days_off"]}
                                     for o in offices if (o.config or {}).get("days_off")}
            self._units = {r.office: r for r in rows}
            self._admin_units = {r.id: AdminUnit(r.office, r.parent) for r in rows}
        return self._units

    def offices_changed(self) -> None:
        """Read units and the registry's office hours and local days off again (the registry changed them)."""
        self._units = self._admin_units = None
        self._calendars = {}

    def _calendar(self, unit: Any) -> WorkingCalendar:
        found = self._calendars.get(unit.office)
        if found is None:
            hours = OfficeHours.model_validate(
                self._office_hours.get(unit.office) or unit.data["office"].get("hours") or {})
            found = self._calendars[unit.office] = WorkingCalendar(
                hours=hours, overrides=self.overrides, local_days_off=self._office_days_off.get(unit.office, {}))
        return found

    @staticmethod
    def _next_seq(conn: Connection, agency: str, day: Any) -> int:
        t = dossier_sequence_table
        stmt = upsert.insert(conn.dialect.name, t).values(agency=agency, day=day, last_seq=1)
        stmt = stmt.on_conflict_do_update(index_elements=[t.c.agency, t.c.day], set_={"last_seq": t.c.last_seq + 1})
        return int(conn.execute(stmt.returning(t.c.last_seq)).scalar_one())

    @staticmethod
    def _append_event(conn: Connection, event: WorkflowEvent, actor: Actor, payload: dict[str, Any]) -> None:
        """The dossier's own history row, then the hash-chained audit entry (docs/audit.md) in the same
        transaction: last, because on PostgreSQL it holds the audit head's lock until the commit."""
        from_state = event.from_state.value if event.from_state else None
        event_id = conn.execute(_INSERT_EVENT, dict(
            dossier=event.dossier, action=event.action.value,
            from_state=from_state, to_state=event.to_state.value,
            actor_role=actor.role.value, actor_unit=actor.unit, actor_officer=actor.officer, at=event.at,
            payload=payload,
        )).inserted_primary_key[0]  # type: ignore[index]  # an INSERT always has it; the stub says Optional
        audit.append(conn, at=event.at, actor_role=actor.role.value, actor_unit=actor.unit,
                     actor_officer=actor.officer, action=event.action.value,
                     subject=audit.subject_of("dossier", event.dossier),
                     data={"event": event_id, "from_state": from_state, "to_state": event.to_state.value,
                           "payload": payload})


# Statements built once, their values passed as parameters: building ``insert().values(...)`` anew
# with a dozen columns made SQLAlchemy coerce each value and key its cache every time, a third of an
# action's CPU time in cProfile.
_INSERT_DOSSIER = dossier_table.insert()
_INSERT_EVENT = dossier_event_table.insert()
_HISTORY = select(dossier_event_table).where(dossier_event_table.c.dossier == bindparam("code")).order_by(
    dossier_event_table.c.id)
_UPDATE_DOSSIER = update(dossier_table).where(dossier_table.c.code == bindparam("where_code"),
                                              dossier_table.c.version == bindparam("where_version"))


def _history(conn: Connection, code: str) -> tuple[EventRecord, ...]:
    return tuple(EventRecord(r.id, r.action, r.from_state, r.to_state, r.actor_role, r.actor_unit, r.actor_officer,
                             r.at, r.payload) for r in conn.execute(_HISTORY, {"code": code}))


def _columns(d: Dossier) -> dict[str, Any]:
    """The columns copied from the pure dossier, rewritten on every change."""
    return {
        "state": d.state.value, "holder_unit": d.holder.unit, "holder_officer": d.holder.officer,
        "assignee_officer": d.assignee.officer if d.assignee else None,
        "due_at": d.clock.due, "updated_at": d.updated_at, "data": d.model_dump(mode="json"),
    }


def _handling_unit(unit: Any, procedure: Procedure) -> str:
    for dept in unit.data.get("departments", []):
        if procedure.field in dept.get("fields", []) and not dept.get("agency"):
            return str(dept["code"])
    raise NoHandlingUnit(
        f"no department of {unit.name} ({unit.id}) handles field {procedure.field!r} of procedure {procedure.code}; "
        "name the handling_unit"
    )


__all__ = [
    "Action", "BadPayload", "DossierNotFound", "DossierSummary", "DossierStore", "EventRecord", "NewDossier", "NoHandlingUnit",
    "OfficeNotFound", "ProcedureNotFound", "StaleDossier", "StoredDossier", "TicketNotAttachable", "TicketNotFound",
    "UnknownAction",
]
