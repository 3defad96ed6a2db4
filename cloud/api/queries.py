"""Read models: offices, presence and queues as the API and the console show them.

Presence combines two sources: the node's own ``state`` (birth certificate or
Last Will) and the office bridge's link notification. When the office's
internet link drops, the hub's last retained state on the cloud broker still
says online (its Last Will fires on the office broker, not here), so a hub
counts as reachable only while its office's link is not reported down.
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from cloud.api import schemas
from cloud.db.tables import Counter, DeadLetter, Node, Office, Ticket
from cloud.ingest.writer import BRIDGE_NODE

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


def _nodes_by_office(session: Session, office_id: str | None = None) -> dict[str, list[Node]]:
    query = select(Node).order_by(col(Node.office), col(Node.node))
    if office_id is not None:
        query = query.where(Node.office == office_id)
    grouped: dict[str, list[Node]] = {}
    for node in session.exec(query):
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


def list_offices(session: Session) -> list[schemas.OfficeSummary]:
    nodes = _nodes_by_office(session)
    return [schemas.OfficeSummary(**_summary_fields(o, nodes.get(o.id, [])))
            for o in session.exec(select(Office).order_by(col(Office.id)))]


def office_detail(session: Session, office: Office) -> schemas.OfficeDetail:
    nodes = _nodes_by_office(session, office.id).get(office.id, [])
    counters = session.exec(select(Counter).where(Counter.office == office.id).order_by(col(Counter.number)))
    return schemas.OfficeDetail(
        **_summary_fields(office, nodes),
        config_version=office.config_version,
        fields=[schemas.FieldInfo(code=f["code"], name=f["name"], prefix=f["prefix"])
                for f in office.config.get("fields", [])],
        counters=[schemas.CounterInfo(number=c.number, fields=list(c.fields)) for c in counters],
    )


def _ticket(t: Ticket) -> schemas.TicketView:
    return schemas.TicketView(ticket_id=t.ticket_id, number=t.number, field=t.field, priority=t.priority,
                              status=t.status, counter=t.counter, issued_at=t.issued_at, called_at=t.called_at)


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
    counters = session.exec(select(Counter).where(Counter.office == office.id).order_by(col(Counter.number)))
    detail_nodes = _nodes_by_office(session, office.id).get(office.id, [])
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
            schemas.CounterQueue(number=c.number, fields=list(c.fields),
                                 current=_ticket(current[c.number]) if c.number in current else None)
            for c in counters
        ],
        counts=counts,
    )


def list_nodes(session: Session) -> list[schemas.NodeView]:
    views = []
    for _office, nodes in _nodes_by_office(session).items():
        link_up = _link_up(nodes)
        for n in nodes:
            views.append(schemas.NodeView(office=n.office, state=n.state, **_node_status(n, link_up).model_dump()))
    return views


def latest_dead_letters(session: Session, limit: int) -> list[schemas.DeadLetterView]:
    rows = session.exec(select(DeadLetter).order_by(col(DeadLetter.id).desc()).limit(limit))
    return [
        schemas.DeadLetterView(id=d.id or 0, topic=d.topic, payload=d.payload, reason=d.reason,
                               payload_base64=base64.b64encode(d.payload_raw).decode(), received_at=d.received_at)
        for d in rows
    ]
