"""The audit log in the database (cloud.db.audit) on SQLite and PostgreSQL: append in the caller's
transaction, concurrent appends that cannot fork the chain, streaming reads from one snapshot."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, delete, func, select

from cloud.db import audit
from cloud.db.engine import make_engine, write_transaction
from cloud.domain.audit import EMPTY_HEAD, AuditHead, verify
from tests.audit.conftest import T0, record

WRITERS = 8
APPENDS_EACH = 10
BARRIER_TIMEOUT_S = 30  # only reached if a writer died before the barrier: the test fails, it does not hang


def entries_and_head(engine: Engine) -> tuple[int, AuditHead | None]:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(audit.entry_table)).scalar_one(), audit.read_head(conn)


def test_a_new_database_has_the_empty_head_and_appends_chain_from_it(engine: Engine) -> None:
    assert entries_and_head(engine) == (0, EMPTY_HEAD)
    first, second = record(engine, 1), record(engine, 2)
    assert (first.seq, second.seq) == (1, 2) and second.prev_hash == first.hash
    with audit.snapshot(engine) as conn:
        stored = list(audit.read_all(conn))
        head = audit.read_head(conn)
    assert stored == [first, second]  # every field reads back exactly, so the hashes still match
    assert head == AuditHead(2, second.hash)
    assert verify(stored, head).ok


def test_an_entry_rolls_back_with_the_transaction_that_made_it(engine: Engine) -> None:
    record(engine, 1)
    before = entries_and_head(engine)
    with pytest.raises(RuntimeError, match="the change failed"):
        with write_transaction(engine) as conn:
            audit.append(conn, at=T0, actor_role="admin", actor_unit="u", actor_officer="x",
                         action="change_user", subject="user:x", data={})
            raise RuntimeError("the change failed after its audit entry")
    assert entries_and_head(engine) == before
    assert record(engine, 2).seq == 2  # the number was not used up


def test_a_missing_head_row_fails_the_append_instead_of_restarting_the_chain(engine: Engine) -> None:
    record(engine, 1)
    with engine.begin() as conn:
        conn.execute(delete(audit.head_table))
    with pytest.raises(audit.AuditHeadMissing, match="onestop audit verify"):
        record(engine, 2)
    assert entries_and_head(engine) == (1, None)


def test_concurrent_appends_make_one_unbroken_chain(engine: Engine, database_url: str) -> None:
    """Writers on their own connections, released together: on PostgreSQL they queue on the head row's
    FOR UPDATE lock, on SQLite on BEGIN IMMEDIATE. A fork would be a duplicate seq or a broken link."""
    engines = [make_engine(database_url) for _ in range(WRITERS)]
    for e in engines:
        with e.connect():
            pass  # connected before the barrier, so the transactions really overlap
    barrier = threading.Barrier(WRITERS, timeout=BARRIER_TIMEOUT_S)

    def write(i: int) -> list[int]:
        barrier.wait()
        return [record(engines[i], i * 100 + k, subject=f"user:writer{i}").seq for k in range(APPENDS_EACH)]

    try:
        with ThreadPoolExecutor(WRITERS) as pool:
            seqs = [s for got in pool.map(write, range(WRITERS)) for s in got]
    finally:
        for e in engines:
            e.dispose()
    total = WRITERS * APPENDS_EACH
    assert sorted(seqs) == list(range(1, total + 1))
    with audit.snapshot(engine) as conn:
        report = verify(audit.read_all(conn), audit.read_head(conn))
    assert report.ok, report.problem
    assert report.checked == total


def test_the_log_streams_in_seq_order_in_batches(engine: Engine) -> None:
    written = [record(engine, n, subject=f"user:u{n % 3}") for n in range(1, 11)]
    batches: list[int] = []
    with audit.snapshot(engine) as conn:
        assert list(audit.read_all(conn, batch_size=3, on_batch=batches.append)) == written
        assert list(audit.read_all(conn, after_seq=8)) == written[8:]
        assert [e.seq for e in audit.read_subject(conn, "user:u1")] == [1, 4, 7, 10]
    assert batches == [3, 3, 3, 1]


def test_a_verification_sees_one_moment_while_appends_go_on(engine: Engine) -> None:
    """An entry committed after verify read the head must not look like an entry added behind its back."""
    for n in range(1, 4):
        record(engine, n)
    with audit.snapshot(engine) as conn:
        head = audit.read_head(conn)
        record(engine, 4)  # another connection commits meanwhile
        report = verify(audit.read_all(conn), head)
    assert report.ok, report.problem
    assert report.checked == 3
    assert entries_and_head(engine)[0] == 4
