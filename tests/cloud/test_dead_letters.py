"""Dead letters stay small and few: a prefix of each payload, one row per repeat, a retention, pages.

An outside probe grew the database from 18 to 131 MB with ten 4 MB junk
messages, got a 94 MB answer from ``GET /dead-letters?limit=1000``, and saw
retained junk stored again at every restart. These tests publish the junk
through the real broker to the real service and look at what it stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from alembic.command import downgrade
from sqlalchemy import Engine, func, select, text

from broker.probe import MqttProbe
from cloud.app import CloudServer
from cloud.db import migrate
from cloud.db.engine import make_engine, write_transaction
from cloud.db.tables import dead_letter_table
from cloud.ingest import dead_letters
from cloud.ingest.dead_letters import PREFIX_BYTES, dead_letter, insert_dead_letters
from cloud.settings import Settings
from protocol import topics
from tests.staff import AS_IT
from tests.waiting import wait_until

MB = 1024 * 1024
#: The largest junk the cloud broker still delivers (its message_size_limit is 256 KiB): what reaches the ingest.
LARGE = 250 * 1024
JUNK_TOPIC = topics.evt("sai-gon", "hub", "ticket.issued")


def rows(db: Engine) -> list[dict[str, Any]]:
    with db.connect() as conn:
        return [dict(r) for r in conn.execute(select(dead_letter_table).order_by(dead_letter_table.c.id)).mappings()]


def page(api: httpx.Client, **params: Any) -> dict[str, Any]:
    response = api.get("/api/v1/dead-letters", headers=AS_IT, params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]  # the JSON body is Any


def junk(n: int, size: int = MB) -> bytes:
    return bytes([n]) * size


def store(db: Engine, letters: list[dict[str, Any]]) -> None:
    with write_transaction(db) as conn:
        insert_dead_letters(conn, letters)


def test_ten_large_junk_payloads_keep_a_prefix_with_their_size_and_hash(
    api: httpx.Client, service_probe: MqttProbe, db: Engine
) -> None:
    for n in range(10):
        service_probe.publish(JUNK_TOPIC, junk(n, LARGE), qos=1)
    wait_until(lambda: len(rows(db)) == 10, timeout=30, what="ten dead letters")
    stored = rows(db)
    assert all(len(r["payload_raw"]) <= PREFIX_BYTES and len(r["payload"].encode()) <= PREFIX_BYTES for r in stored)
    assert sorted((r["payload_size"], r["payload_sha256"]) for r in stored) == sorted(
        (LARGE, hashlib.sha256(junk(n, LARGE)).hexdigest()) for n in range(10))
    assert all(r["payload_raw"] == junk(n, PREFIX_BYTES) for n, r in enumerate(stored))
    assert all(r["reason"].startswith("invalid event envelope") and r["count"] == 1 for r in stored)

    response = api.get("/api/v1/dead-letters", headers=AS_IT, params={"limit": 1000})
    assert response.status_code == 200
    # At most 6 characters a kept byte as escaped JSON text (these are control bytes), 4/3 in base64:
    # about 300 KB, where it was over 5 MB (every payload whole, twice).
    assert len(response.content) < 10 * 8 * PREFIX_BYTES
    body = response.json()
    assert body["limit"] == 200 and body["next"] is None and len(body["items"]) == 10
    assert all(i["truncated"] and i["payload_size"] == LARGE for i in body["items"])


def test_the_same_junk_five_times_is_one_row_counted_five_times(
    api: httpx.Client, service_probe: MqttProbe, db: Engine
) -> None:
    for _ in range(5):
        service_probe.publish(JUNK_TOPIC, junk(7, 10_000), qos=1)
    wait_until(lambda: [r["count"] for r in rows(db)] == [5], timeout=20, what="one row counted five times")
    (letter,) = page(api)["items"]
    assert letter["count"] == 5 and letter["first_seen"] <= letter["last_seen"]
    assert letter["payload_sha256"] == hashlib.sha256(junk(7, 10_000)).hexdigest()


def test_retained_junk_is_counted_again_at_each_restart_not_stored_again(
    start_cloud: Callable[..., CloudServer], service_probe: MqttProbe, db: Engine
) -> None:
    state_topic = topics.state("sai-gon", "hub")
    service_probe.publish(state_topic, b"{retained junk" * 1000, qos=1, retain=True)
    cloud = start_cloud()
    wait_until(lambda: [r["count"] for r in rows(db)] == [1], what="the retained junk dead-lettered")
    cloud.stop()
    start_cloud()  # the broker hands the retained message to the new subscription again
    wait_until(lambda: [r["count"] for r in rows(db)] == [2], what="the same row counted twice")
    (letter,) = rows(db)
    assert letter["topic"] == state_topic and len(letter["payload_raw"]) == PREFIX_BYTES


def test_letters_past_the_retention_are_pruned_by_the_ingest(
    make_settings: Callable[..., Settings], start_cloud: Callable[..., CloudServer], service_probe: MqttProbe,
) -> None:
    settings = make_settings(dead_letter_retention_days=30)
    db = make_engine(settings.db_url)
    migrate.upgrade(db)
    now = datetime.now(UTC)
    store(db, [dead_letter("onestop/v1/sai-gon/hub/state", b"old", "refused long ago", now - timedelta(days=31)),
               dead_letter("onestop/v1/sai-gon/hub/state", b"recent", "refused yesterday", now - timedelta(days=1))])
    start_cloud(settings)
    service_probe.publish(JUNK_TOPIC, b"new junk", qos=1)
    wait_until(lambda: sorted(r["payload"] for r in rows(db)) == ["new junk", "recent"], what="the old letter pruned")
    db.dispose()


def test_the_endpoint_pages_with_a_capped_limit_and_a_next_token(api: httpx.Client, db: Engine) -> None:
    now = datetime.now(UTC)
    store(db, [dead_letter(f"onestop/v1/sai-gon/n{i}/state", b"x", "bad", now - timedelta(seconds=i)) for i in range(250)])

    first = page(api, limit=100)
    second = page(api, limit=100, after=first["next"])
    third = page(api, limit=100, after=second["next"])
    walked = [i["topic"] for p in (first, second, third) for i in p["items"]]
    assert walked == [f"onestop/v1/sai-gon/n{i}/state" for i in range(250)]  # newest first, each once
    assert third["next"] is None and len(third["items"]) == 50

    capped = page(api, limit=1000)
    assert capped["limit"] == 200 and len(capped["items"]) == 200 and capped["next"] is not None

    bad = api.get("/api/v1/dead-letters", headers=AS_IT, params={"after": "not-a-token"})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_page_token"


# -- the store on its own -----------------------------------------------------------------


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def test_a_prune_deletes_a_bounded_chunk_and_keeps_at_most_max_rows(engine: Engine) -> None:
    now = datetime.now(UTC)
    store(engine, [dead_letter(f"t/{i}", b"x", "bad", now - timedelta(days=40, seconds=i)) for i in range(1500)])
    store(engine, [dead_letter(f"fresh/{i}", b"x", "bad", now - timedelta(seconds=i)) for i in range(30)])
    with write_transaction(engine) as conn:
        assert dead_letters.prune(conn, now, timedelta(days=30), max_rows=10_000) == dead_letters.PRUNE_CHUNK
    with write_transaction(engine) as conn:
        assert dead_letters.prune(conn, now, timedelta(days=30), max_rows=10_000) == 500
    with write_transaction(engine) as conn:
        assert dead_letters.prune(conn, now, timedelta(days=30), max_rows=20) == 10  # the cap: the oldest go
    assert sorted(r["topic"] for r in rows(engine)) == sorted(f"fresh/{i}" for i in range(20))


def test_a_cut_multibyte_character_is_left_out_and_repeats_in_one_batch_merge(engine: Engine) -> None:
    text = "Hộ tịch " * 1000  # Vietnamese: many characters of two and three bytes
    letter = dead_letter("t", text.encode(), "bad")
    assert text.startswith(letter["payload"]) and "\ufffd" not in letter["payload"]
    assert letter["payload_size"] == len(text.encode()) and len(letter["payload_raw"]) == PREFIX_BYTES
    store(engine, [letter, dead_letter("t", text.encode(), "bad again"), dead_letter("u", b"x", "bad")])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(dead_letter_table)).scalar() == 2
    by_topic = {r["topic"]: r for r in rows(engine)}
    assert (by_topic["t"]["count"], by_topic["t"]["reason"], by_topic["u"]["count"]) == (2, "bad again", 1)


def test_existing_rows_migrate_cut_hashed_and_merged(database_url: str) -> None:
    """Rows stored whole before 0009 keep a prefix with the size and hash of what they held; repeats merge."""
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    downgrade(migrate.alembic_config(engine), "0008")
    big, old, new = junk(3), datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    insert = text("INSERT INTO dead_letter (topic, payload, payload_raw, reason, received_at) VALUES (:t, :p, :r, :why, :at)")
    with engine.begin() as conn:
        for topic, payload, reason, at in [("a", big, "first", old), ("a", big, "second", new), ("b", b"ok", "b", old)]:
            conn.execute(insert, {"t": topic, "p": payload.decode(), "r": payload, "why": reason,
                                  "at": at if engine.dialect.name != "sqlite" else at.replace(tzinfo=None)})
    migrate.upgrade(engine)
    by_topic = {r["topic"]: r for r in rows(engine)}
    engine.dispose()
    a, b = by_topic["a"], by_topic["b"]
    assert (a["payload_size"], a["payload_sha256"]) == (MB, hashlib.sha256(big).hexdigest())
    assert a["payload_raw"] == big[:PREFIX_BYTES] and len(a["payload"]) == PREFIX_BYTES
    assert (a["count"], a["reason"], a["first_seen"], a["last_seen"]) == (2, "second", old, new)
    assert (b["payload_raw"], b["count"], b["payload_size"]) == (b"ok", 1, 2)
