"""A dossier received at a queue ticket's turn: which tickets can be attached, and the ticket's list of dossiers.

The ticket rows are the ingest's projection of the hub's events
(``cloud.ingest.tickets``); the intake only reads them and appends the
dossier's code to ``ticket.dossiers``, in the dossier's own transaction
(``cloud.dossiers.store.DossierStore.create``). One turn may file several
dossiers (a citizen with two requests, or a representative filing for
several people), so a ticket keeps a list and several dossiers may name it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from cloud.db.tables import ticket_table
from cloud.db.users import user_table
from cloud.domain.workflow import Actor, QueueTicket


class TicketNotFound(LookupError):
    """No ticket of that id at the dossier's office, as far as the hub's events have told the cloud."""


class TicketNotAttachable(Exception):
    """The ticket exists but is not a turn being served now: still waiting, absent, or of another day."""

    def __init__(self, reason: str, reason_vi: str) -> None:
        super().__init__(reason)
        self.reason_vi = reason_vi


ATTACHABLE_TICKETS = ("called", "served")
"""A dossier is attached to the ticket of the turn it was received at: one the counter called (being served,
or already closed as served when the officer called the next citizen before filing the dossier)."""


def attachable_ticket(conn: Connection, office: str, ticket_id: str, day: Any, actor: Actor) -> QueueTicket:
    """The ticket ``ticket_id`` of ``office`` as the dossier records it, or why it cannot be attached.

    Locked for the transaction (PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` holds
    the whole file), so two dossiers attached at once both land in its list.
    """
    t = ticket_table.c
    row = conn.execute(select(ticket_table).where(t.office == office, t.ticket_id == ticket_id)
                       .with_for_update()).first()
    if row is None:
        raise TicketNotFound(ticket_id)
    if row.status not in ATTACHABLE_TICKETS:
        said = {"waiting": "still waiting: call it to a counter first", "no_show": "marked absent (no_show)"}
        said_vi = {"waiting": "vẫn đang chờ, chưa được gọi tới quầy", "no_show": "đã bị đánh dấu vắng mặt"}
        raise TicketNotAttachable(
            f"ticket {ticket_id} ({row.number or '?'}) is {said.get(row.status, row.status)}; only a called or "
            "served ticket can be attached to a dossier",
            f"Số {row.number or ticket_id} {said_vi.get(row.status, row.status)}; chỉ gắn hồ sơ với số đã được gọi.")
    if row.day != day:
        raise TicketNotAttachable(f"ticket {ticket_id} is of {row.day.isoformat()}, not of today ({day.isoformat()})",
                                  f"Số {row.number or ticket_id} là của ngày {row.day:%d/%m/%Y}, không phải hôm nay.")
    officer, name = row.officer_id, row.officer_name
    if officer is None or name is None:  # the hub named nobody at the counter: the receiving officer
        officer = actor.officer
        name = conn.execute(select(user_table.c.full_name).where(user_table.c.username == officer)).scalar() or officer
    return QueueTicket(id=row.ticket_id, number=row.number, counter=row.counter, officer=officer, officer_name=name)


def add_dossier_to_ticket(conn: Connection, office: str, ticket_id: str, code: str) -> None:
    t = ticket_table.c
    known = conn.execute(select(t.dossiers).where(t.office == office, t.ticket_id == ticket_id)).scalar()
    conn.execute(update(ticket_table).where(t.office == office, t.ticket_id == ticket_id)
                 .values(dossiers=[*(known or []), code]))
