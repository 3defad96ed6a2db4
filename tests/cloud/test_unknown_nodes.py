"""Only the nodes an office's configuration declares are its nodes.

The probe published 200 ``state`` messages for made-up node ids with an
office's own login and the office then listed 202 nodes. Now such messages
are dead letters with the reason, create no ``node`` row and no cursor, and
the office still shows its real hub.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select

from broker.probe import MqttProbe
from cloud.db.tables import cursor_table, dead_letter_table, event_table, node_table
from protocol import dumps, make_event, topics
from protocol.envelope import NodeState
from protocol.messages import CounterOpened
from tests.cloud.fakes import OfficeEdge
from tests.staff import AS_IT
from tests.waiting import wait_until

PHANTOMS = 200


def count(db: Engine, table: Any, *where: Any) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar() or 0)


def test_state_of_made_up_nodes_is_refused_and_the_real_hub_still_appears(
    api: httpx.Client, edge: OfficeEdge, db: Engine
) -> None:
    for i in range(PHANTOMS):  # with the office's own login, as the probe did
        state = NodeState(office="sai-gon", node=f"ghost-{i}", ts=datetime.now(UTC), online=True, config_version=1)
        edge.probe.publish(topics.state("sai-gon", f"ghost-{i}"), dumps(state), qos=1, retain=True)
    edge.publish_state(online=True)  # the real hub

    wait_until(lambda: count(db, dead_letter_table) == PHANTOMS, timeout=30, what="200 dead letters")
    wait_until(lambda: count(db, node_table) == 1, what="the hub's state stored")
    assert count(db, node_table, node_table.c.node != "hub") == 0
    with db.connect() as conn:
        reasons = set(conn.execute(select(dead_letter_table.c.reason)).scalars())
    assert reasons == {f"unknown node 'ghost-{i}' of office 'sai-gon': its configuration declares hub only"
                       for i in range(PHANTOMS)}

    nodes = api.get("/api/v1/nodes", headers=AS_IT).json()
    assert [(n["office"], n["node"], n["online"]) for n in nodes] == [("sai-gon", "hub", True)]
    office = api.get("/api/v1/offices/sai-gon").json()
    assert [n["node"] for n in office["nodes"]] == ["hub"] and office["online"] is True


@pytest.mark.usefixtures("cloud")
def test_events_of_a_made_up_node_are_refused_without_a_cursor(edge: OfficeEdge, service_probe: MqttProbe,
                                                               db: Engine) -> None:
    ghost = make_event("sai-gon", "ghost", 1, datetime.now(UTC), CounterOpened(counter=1, fields=["ho-tich"]))
    edge.probe.publish(topics.evt("sai-gon", "ghost", ghost.type), dumps(ghost), qos=1)
    edge.publish_event(1, CounterOpened(counter=1, fields=["ho-tich"]))  # the hub's, after it
    edge.expect_cursor(1)

    wait_until(lambda: count(db, dead_letter_table) == 1, what="the ghost's event dead-lettered")
    with db.connect() as conn:
        assert conn.execute(select(dead_letter_table.c.reason)).scalar() == (
            "unknown node 'ghost' of office 'sai-gon': its configuration declares hub only")
    assert count(db, event_table, event_table.c.node == "ghost") == 0
    assert count(db, cursor_table, cursor_table.c.node == "ghost") == 0
    # Retained cursors come on subscribing, in order: a ghost's would come before the hub's.
    service_probe.subscribe(topics.cursor("sai-gon", "ghost"))
    service_probe.subscribe(topics.cursor("sai-gon", "hub"))
    assert service_probe.next_message().topic == topics.cursor("sai-gon", "hub")
