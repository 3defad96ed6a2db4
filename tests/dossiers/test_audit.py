"""Every dossier change is in the hash-chained audit log, in the same transaction (issue #4, docs/audit.md).

Runs on the real app and its store, on SQLite and on PostgreSQL (the
fixtures of tests/dossiers/conftest.py). Only the dossier's own subject is
counted, so entries other code may add (user management) do not matter.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from cloud.db import audit
from cloud.db.dossiers import dossier_event_table, dossier_table
from cloud.domain.audit import AuditEntry, AuditHead, verify
from cloud.domain.workflow import Actor
from cloud.dossiers.store import DossierStore, NewDossier
from tests.dossiers.conftest import DEPT, OFFICE, head, new_dossier, specialist

RECEPTION = Actor(role="reception", unit=OFFICE, officer="tn.lan")


def trail(store: DossierStore, code: str) -> list[AuditEntry]:
    with audit.snapshot(store.engine) as conn:
        return audit.read_subject(conn, f"dossier:{code}")


def state_of_the_log(store: DossierStore) -> tuple[int, int, int, AuditHead | None]:
    """Dossiers, dossier events, audit entries and the audit head: what a rolled-back change must not move."""
    with store.engine.connect() as conn:
        count = lambda table: conn.execute(select(func.count()).select_from(table)).scalar_one()  # noqa: E731
        return (count(dossier_table), count(dossier_event_table), count(audit.entry_table), audit.read_head(conn))


def test_receiving_and_assigning_a_dossier_are_audited_with_who_did_what(client: TestClient,
                                                                        store: DossierStore) -> None:
    code = new_dossier(client)["code"]
    assigned = client.post(f"/api/v1/dossiers/{code}/actions/assign", headers=head, json={"officer": "cv.an"})
    assert assigned.status_code == 200, assigned.text

    entries = trail(store, code)
    assert [e.action for e in entries] == ["receive", "assign"]
    received, assign = entries
    assert (received.actor.role, received.actor.unit, received.actor.officer) == ("reception", OFFICE, "tn.lan")
    assert (assign.actor.role, assign.actor.unit, assign.actor.officer) == ("department_head", DEPT, "tp.hung")
    assert received.data["to_state"] == "received" and received.data["payload"]["procedure"] == "KD.01"
    assert assign.data["from_state"] == "received" and assign.data["to_state"] == "assigned"
    assert assign.data["payload"]["officer"] == "cv.an"
    events = {e.id: e for e in store.history(code)}
    assert events[assign.data["event"]].action == "assign"  # each entry names its dossier_event row
    assert events[received.data["event"]].at == received.at
    with audit.snapshot(store.engine) as conn:
        report = verify(audit.read_all(conn), audit.read_head(conn))
    assert report.ok, report.problem


def test_a_refused_transition_writes_no_audit_entry(client: TestClient, store: DossierStore) -> None:
    code = new_dossier(client)["code"]
    before = state_of_the_log(store)
    refused = client.post(f"/api/v1/dossiers/{code}/actions/start", headers=specialist, json={})
    assert refused.status_code == 409, refused.text
    assert state_of_the_log(store) == before
    assert [e.action for e in trail(store, code)] == ["receive"]


def test_the_audit_entry_commits_or_rolls_back_with_the_dossier(client: TestClient, store: DossierStore,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure after the append (same connection) undoes the dossier, its code, its event and its entry."""
    new_dossier(client)
    before = state_of_the_log(store)
    real_append = audit.append

    def append_then_fail(conn: Any, **kwargs: Any) -> AuditEntry:
        real_append(conn, **kwargs)
        raise RuntimeError("the disk filled up right after the audit entry")

    monkeypatch.setattr(audit, "append", append_then_fail)
    with pytest.raises(RuntimeError, match="disk filled up"):
        store.create(NewDossier(procedure="KD.01", office=OFFICE, applicant_name="Lê Văn Cường"), RECEPTION)
    assert state_of_the_log(store) == before
    monkeypatch.undo()
    again = store.create(NewDossier(procedure="KD.01", office=OFFICE, applicant_name="Lê Văn Cường"), RECEPTION)
    assert again.dossier.code.endswith("-0002")  # the rolled-back code was not used up
    assert before[3] is not None
    assert [e.seq for e in trail(store, again.dossier.code)] == [before[3].last_seq + 1]


def test_without_the_audit_head_a_change_is_refused_rather_than_left_unaudited(client: TestClient,
                                                                             store: DossierStore) -> None:
    new_dossier(client)
    with store.engine.begin() as conn:
        conn.execute(delete(audit.head_table))
    before = state_of_the_log(store)
    with pytest.raises(audit.AuditHeadMissing):
        store.create(NewDossier(procedure="KD.01", office=OFFICE, applicant_name="Lê Văn Cường"), RECEPTION)
    assert state_of_the_log(store) == before
