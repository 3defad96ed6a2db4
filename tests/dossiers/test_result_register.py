"""The clerk's register in the database, over HTTP and under concurrent writers, on SQLite and PostgreSQL.

Numbers are the system's (per office and year: 1/2026, 2/2026…), given in
the action's transaction: concurrent registrations get distinct consecutive
numbers, a refused or losing one gives its number back, and the desk cannot
take a result before it is registered.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from cloud.db import audit
from cloud.db.result_register import result_register_sequence_table, result_register_table
from cloud.domain.workflow import Actor, TransitionRefused
from cloud.dossiers.store import DossierStore, NewDossier, StaleDossier, StoredDossier
from tests.dossiers.conftest import DEPT, OFFICE, REGISTER, clerk, desk, head, new_dossier
from tests.dossiers.flows import act, advance, events
from tests.dossiers.test_concurrency import all_at_once, writer_stores  # noqa: F401  (a fixture)

WRITERS = 8
RECEPTION = Actor(role="reception", unit=OFFICE, officer="tn.lan")
HEAD = Actor(role="department_head", unit=DEPT, officer="tp.hung")
SPECIALIST = Actor(role="specialist", unit=DEPT, officer="cv.an")
LEADER = Actor(role="leader", unit="tdm.ubnd", officer="pct.minh")
CLERK = Actor(role="clerk", unit=OFFICE, officer="vt.hoa")


def approved(store: DossierStore, n: int) -> list[str]:
    """``n`` dossiers signed by the leader, waiting for the clerk (straight through the store: fast)."""
    codes = []
    for i in range(n):
        code = store.create(NewDossier("KD.01", OFFICE, f"Công dân {i}"), RECEPTION).dossier.code
        store.act(code, "assign", HEAD, {"officer": "cv.an"})
        store.act(code, "start", SPECIALIST, {})
        store.act(code, "submit", SPECIALIST, {"officer": "pct.minh", "unit": "tdm.ubnd"})
        store.act(code, "approve", LEADER, {})
        codes.append(code)
    return codes


def register_lines(store: DossierStore) -> list[tuple[int, int, str]]:
    t = result_register_table
    with store.engine.connect() as conn:
        return [(r.year, r.number, r.dossier) for r in conn.execute(select(t).order_by(t.c.number))]


def last_number(store: DossierStore) -> list[int]:
    with store.engine.connect() as conn:
        return list(conn.execute(select(result_register_sequence_table.c.last_number)).scalars())


def test_the_desk_waits_for_the_register_and_the_register_numbers_each_result(
        client: TestClient, store: DossierStore) -> None:
    first, second = new_dossier(client)["code"], new_dossier(client)["code"]
    advance(client, first, "approved")
    advance(client, second, "approved")

    early = act(client, first, "deliver_result", desk)
    assert early.status_code == 409 and early.json()["code"] == "transition_refused"
    assert early.json()["message_vi"] == ("Kết quả chưa được văn thư vào sổ, đóng dấu; "
                                          "chưa thể chuyển về bộ phận trả kết quả.")
    typed = act(client, first, "register_result", clerk, {**REGISTER, "book_number": 7})
    assert typed.status_code == 422 and "issued by the system" in typed.json()["detail"]
    assert act(client, first, "register_result", clerk, {**REGISTER, "signer": " "}).status_code == 422
    assert act(client, first, "register_result", desk, REGISTER).status_code == 409  # the clerk's, not the desk's
    assert last_number(store) == []  # the refused attempts took no number

    one = act(client, second, "register_result", clerk, REGISTER)
    assert one.status_code == 200, one.text
    entry = one.json()["dossier"]["registration"]
    assert entry["book_number"] == 1 and entry["year"] == 2026 and entry["document_number"] == "1/GCN-UBND"
    assert entry["signer"] == "Phạm Quang Minh" and entry["stamped"] is True and entry["signed_on"] == "2026-10-12"
    two = act(client, first, "register_result", clerk,
              {**{k: v for k, v in REGISTER.items() if k != "document_symbol"}, "document_number": "45/GCN-UBND"})
    assert two.status_code == 200 and two.json()["dossier"]["registration"]["book_number"] == 2
    again = act(client, first, "register_result", clerk, REGISTER)
    assert again.status_code == 409 and again.json()["message_vi"] == "Kết quả đã được vào sổ số 2/2026 (45/GCN-UBND)."

    assert register_lines(store) == [(2026, 1, second), (2026, 2, first)] and last_number(store) == [2]
    assert events(client, first, "register_result")[0]["payload"]["register"] == "2/2026"
    with store.engine.connect() as conn:  # the audit entry of the same action, committed with it
        trail = audit.read_subject(conn, audit.subject_of("dossier", first))
    assert trail[-1].action == "register_result" and trail[-1].data["payload"]["register"] == "2/2026"

    delivered = act(client, first, "deliver_result", desk)
    assert delivered.status_code == 200 and delivered.json()["state"] == "result_at_desk"
    assert client.get(f"/api/v1/dossiers/{first}", headers=head).json()["dossier"]["holder"]["officer"] == "tkq.mai"


def test_concurrent_registrations_get_consecutive_distinct_numbers(
        store: DossierStore, writer_stores: Callable[[int], list[DossierStore]]) -> None:  # noqa: F811
    codes = approved(store, WRITERS)

    results = all_at_once(writer_stores(WRITERS), lambda i, s: s.act(codes[i], "register_result", CLERK, REGISTER))

    assert [r for r in results if isinstance(r, Exception)] == []
    numbers = sorted(r.dossier.registration.book_number for r in results
                     if isinstance(r, StoredDossier) and r.dossier.registration is not None)
    assert numbers == list(range(1, WRITERS + 1))
    lines = register_lines(store)
    assert [n for _, n, _ in lines] == list(range(1, WRITERS + 1)) and {c for *_, c in lines} == set(codes)
    assert last_number(store) == [WRITERS]


def test_two_clerks_on_one_result_one_number_is_used(
        store: DossierStore, writer_stores: Callable[[int], list[DossierStore]]) -> None:  # noqa: F811
    """The loser (stale, or refused as already registered) rolls its number back: the next result gets 2."""
    code, other = approved(store, 2)

    results = all_at_once(writer_stores(2), lambda i, s: s.act(code, "register_result", CLERK, REGISTER))

    winners = [r for r in results if isinstance(r, StoredDossier)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], StaleDossier | TransitionRefused), losers[0]
    assert [e.action for e in store.history(code)].count("register_result") == 1
    assert store.act(other, "register_result", CLERK, REGISTER).dossier.registration.book_number == 2  # type: ignore[union-attr]  # registration is Optional in the model; registering has just set it
    assert [n for _, n, _ in register_lines(store)] == [1, 2] and last_number(store) == [2]
