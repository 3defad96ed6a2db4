"""Read models: offices, presence and queues as the API and the console show them.

Presence combines two sources: the node's own ``state`` (birth certificate or
Last Will) and the office bridge's link notification. When the office's
internet link drops, the hub's last retained state on the cloud broker still
says online (its Last Will fires on the office broker, not here), so a hub
counts as reachable only while its office's link is not reported down.

Only the nodes an office's configuration declares (and its bridge) are the
office's nodes. The ingest refuses any other node's messages; rows it stored
before it did, or of a node since removed from the configuration, are never
shown as the office's devices.
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from cloud.api import schemas
from cloud.api.errors import ApiError
from cloud.db.office_configs import node_ids
from cloud.db.tables import Counter, CounterState, DeadLetter, Node, Office, Ticket
from protocol.topics import BRIDGE_NODE

#: Order of the queue: priority tickets first, then issue order (the ticket id
#: is the local date, time and daily sequence, so it sorts in issue order).
CALL_ORDER = (col(Ticket.priority).desc(), col(Ticket.ticket_id))


def hub_id(office: Office) -> str:
    return str(office.config.get("hub", {}).get("id", "hub"))


def today(office: Office, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(office.timezone)).date()


def _node_status(node: Node, link_up: bool | None) -> schemas.NodeStatus:
    state = node.state or {}
    reachable = node.online and (link_up is not False or node.node == BRIDGE_NODE)
    return schemas.NodeStatus(
        node=node.node, online=reachable, reported_online=node.online, last_seen=node.last_seen,
        role=state.get("role") if node.node != BRIDGE_NODE else "bridge",
        config_version=state.get("config_version"), versions=state.get("versions") or {},
    )


def _nodes_by_office(session: Session, offices: list[Office]) -> dict[str, list[Node]]:
    """Each office's declared nodes (``node_ids`` of its configuration, and its bridge) that reported."""
    declared = {o.id: node_ids(o.config) | {BRIDGE_NODE} for o in offices}
    query = select(Node).where(col(Node.office).in_(list(declared))).order_by(col(Node.office), col(Node.node))
    grouped: dict[str, list[Node]] = {}
    for node in session.exec(query):
        if node.node in declared[node.office]:
            grouped.setdefault(node.office, []).append(node)
    return grouped


def _link_up(nodes: list[Node]) -> bool | None:
    bridge = next((n for n in nodes if n.node == BRIDGE_NODE), None)
    return bridge.online if bridge else None


def _summary_fields(office: Office, nodes: list[Node]) -> dict[str, object]:
    link_up = _link_up(nodes)
    statuses = [_node_status(n, link_up) for n in nodes]
    hub = hub_id(office)
    return {
        "id": office.id, "name": office.name, "timezone": office.timezone, "hub": hub,
        "online": any(s.node == hub and s.online for s in statuses), "link_up": link_up, "nodes": statuses,
    }


def list_offices(session: Session, visible: frozenset[str] | None = None) -> list[schemas.OfficeSummary]:
    """Every configured office, or those of ``visible`` (a read scope's offices; None: all)."""
    query = select(Office).order_by(col(Office.id))
    if visible is not None:
        query = query.where(col(Office.id).in_(visible))
    offices = list(session.exec(query))
    nodes = _nodes_by_office(session, offices)
    return [schemas.OfficeSummary(**_summary_fields(o, nodes.get(o.id, []))) for o in offices]


def _counters(session: Session, office: Office) -> list[tuple[Counter, dict[str, Any]]]:
    """The office's counters with their state as the hub reported it (closed if it never did)."""
    states = {s.number: s for s in session.exec(select(CounterState).where(CounterState.office == office.id))}
    counters = session.exec(select(Counter).where(Counter.office == office.id).order_by(col(Counter.number)))
    found = []
    for c in counters:
        state = states.get(c.number)
        found.append((c, {} if state is None else {"status": state.status, "officer_id": state.officer_id,
                                                   "officer_name": state.officer_name, "since": state.since}))
    return found


def office_detail(session: Session, office: Office) -> schemas.OfficeDetail:
    nodes = _nodes_by_office(session, [office]).get(office.id, [])
    return schemas.OfficeDetail(
        **_summary_fields(office, nodes),
        config_version=office.config_version,
        fields=[schemas.FieldInfo(code=f["code"], name=f["name"], prefix=f["prefix"])
                for f in office.config.get("fields", [])],
        counters=[schemas.CounterInfo(number=c.number, fields=list(c.fields), **state)
                  for c, state in _counters(session, office)],
    )


def _ticket(t: Ticket) -> schemas.TicketView:
    return schemas.TicketView(ticket_id=t.ticket_id, number=t.number, field=t.field, priority=t.priority,
                              status=t.status, counter=t.counter, issued_at=t.issued_at, called_at=t.called_at,
                              officer_name=t.officer_name, dossiers=list(t.dossiers or []))


def queue_view(session: Session, office: Office, now: datetime | None = None) -> schemas.QueueView:
    day = today(office, now)
    of_today = (Ticket.office == office.id, Ticket.day == day)
    waiting = session.exec(select(Ticket).where(*of_today, Ticket.status == "waiting").order_by(*CALL_ORDER)).all()
    called = session.exec(
        select(Ticket).where(*of_today, Ticket.status == "called").order_by(col(Ticket.called_at))
    ).all()
    current: dict[int, Ticket] = {t.counter: t for t in called if t.counter is not None}  # latest call wins
    counts = schemas.DayCounts()
    for status, count in session.exec(
        select(Ticket.status, func.count()).where(*of_today).group_by(col(Ticket.status))
    ):
        setattr(counts, status, count)
        counts.issued += count
    detail_nodes = _nodes_by_office(session, [office]).get(office.id, [])
    summary = _summary_fields(office, detail_nodes)
    return schemas.QueueView(
        office=office.id,
        day=day,
        hub_online=bool(summary["online"]),
        fields=[
            schemas.FieldQueue(code=f["code"], name=f["name"], prefix=f["prefix"],
                               waiting=[_ticket(t) for t in waiting if t.field == f["code"]])
            for f in office.config.get("fields", [])
        ],
        counters=[
            schemas.CounterQueue(number=c.number, fields=list(c.fields), **state,
                                 current=_ticket(current[c.number]) if c.number in current else None)
            for c, state in _counters(session, office)
        ],
        counts=counts,
    )


def list_nodes(session: Session) -> list[schemas.NodeView]:
    views = []
    for _office, nodes in _nodes_by_office(session, list(session.exec(select(Office)))).items():
        link_up = _link_up(nodes)
        for n in nodes:
            views.append(schemas.NodeView(office=n.office, state=n.state, **_node_status(n, link_up).model_dump()))
    return views


#: The most dead letters one page holds, whatever the request asks.
MAX_DEAD_LETTER_PAGE = 200


def _page_token(letter: DeadLetter) -> str:
    return base64.urlsafe_b64encode(f"{letter.last_seen.isoformat()}|{letter.id}".encode()).decode()


def _read_page_token(token: str) -> tuple[datetime, int]:
    try:
        at, _, row_id = base64.urlsafe_b64decode(token.encode()).decode().partition("|")
        when = datetime.fromisoformat(at)
        if when.tzinfo is None:
            raise ValueError("naive instant")
        return when, int(row_id)
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise ApiError(400, "bad_page_token", "the 'after' token is not one this API gave out; "
                       "start again without it") from None


def dead_letter_page(session: Session, limit: int, after: str | None = None) -> schemas.DeadLetterPage:
    """Keyset paging on (last_seen, id), newest first: a page costs one index range, however deep.

    A letter seen again while someone pages moves to the front and may be
    missed by that walk; the next walk from the top shows it.
    """
    limit = min(limit, MAX_DEAD_LETTER_PAGE)
    seen, row_id = col(DeadLetter.last_seen), col(DeadLetter.id)
    query = select(DeadLetter).order_by(seen.desc(), row_id.desc()).limit(limit + 1)
    if after is not None:
        at, last_id = _read_page_token(after)
        query = query.where(or_(seen < at, and_(seen == at, row_id < last_id)))
    rows = list(session.exec(query))
    page = rows[:limit]
    return schemas.DeadLetterPage(
        items=[schemas.DeadLetterView(
            id=d.id or 0, topic=d.topic, payload=d.payload, payload_base64=base64.b64encode(d.payload_raw).decode(),
            payload_size=d.payload_size, payload_sha256=d.payload_sha256, truncated=len(d.payload_raw) < d.payload_size,
            reason=d.reason, count=d.count, first_seen=d.first_seen, last_seen=d.last_seen) for d in page],
        limit=limit,
        next=_page_token(page[-1]) if len(rows) > limit else None,
    )
