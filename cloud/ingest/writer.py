"""The one thread that turns received messages into rows.

A single writer drains the inbox in batches (the receiver's batches, which
hold up to ``batch_size`` messages or what came within its max delay, merged
while more are waiting), so a burst of thousands of events costs a handful of
transactions instead of thousands, and SQLite never sees two ingest writers
fighting for its lock. For each batch:

1. decode every message (``protocol``) and encode its rows, before the
   transaction takes the write lock; what breaks the contract, or claims an
   office no configuration defines or a node its configuration does not
   declare, becomes a dead letter with the reason (so no ``node`` row and no
   cursor is ever made for a made-up node);
2. in one transaction, drop event ids already stored (one ``SELECT ... IN``) or repeated inside
   the batch: delivery is at least once, storage is once;
3. insert the new events and apply the ticket projection and the counters'
   states (one upsert statement each, order-independent), each one driver ``executemany``
   (``cloud.db.bulk``);
4. advance each node's cursor to its highest contiguous seq, per storage epoch
   (``cloud.ingest.cursors``).

Only after the commit is each touched node's cursor published (retained): the
one of the node's highest epoch, even when it did not move: an edge that re-sent duplicates, e.g. after a broker
restart lost the retained cursor, still needs the answer to prune its outbox.
If anything in a batch fails, the batch is rolled back and every message in
it becomes a dead letter with the error; the writer carries on, and the edge
re-sends those events because the cursor did not pass them.

Each queued batch may carry a ``settle(committed)`` callback: it is called
after the transaction that stored the batch (or its dead letters), and only
then does the receiver acknowledge those messages to the broker; ``False``
means not even the dead letters could be committed, so the broker must
deliver the batch again (``cloud.ingest.receiver``).

After settling, the writer prunes the dead letters past their retention or
row cap, at most once every ``prune_interval_s`` (sooner while a prune still
finds a full chunk to delete), each prune a bounded delete in its own
transaction (``cloud.ingest.dead_letters.prune``).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Connection, Engine, case, func, select

from cloud.db.bulk import BulkStatement
from cloud.db.engine import write_transaction
from cloud.db.office_configs import office_nodes
from cloud.db.tables import event_table, node_table
from cloud.db.upsert import insert
from cloud.ingest import cursors, dead_letters
from cloud.ingest.dead_letters import dead_letter, insert_dead_letters
from cloud.ingest.inbox import Inbound, Kind
from cloud.ingest.tickets import Fact, counter_facts, counter_upsert_statement, ticket_facts, upsert_statement
from protocol import Cursor, ProtocolError, decode_event, decode_state, dumps, topics
from protocol.topics import BRIDGE_NODE

log = structlog.get_logger(__name__)

#: ``publish(topic, payload, qos, retain) -> handed to the connection?``
Publish = Callable[[str, bytes, int, bool], bool]
#: ``settle(committed)``: called once the batch's transaction has committed (True) or could not (False).
Settle = Callable[[bool], None]

_IN_CHUNK = 500  # ids per SELECT ... IN (far below every database's parameter limit)


@dataclass
class IngestStats:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    batches: int = 0
    failed_batches: int = 0
    last_batch_at: datetime | None = None


@dataclass
class _Batch:
    """What handlers found in one batch."""

    dead: list[dict[str, Any]] = field(default_factory=list)
    #: (office, node, epoch) that sent events (known offices only) → seqs newly stored
    touched: dict[cursors.EpochKey, set[int]] = field(default_factory=dict)
    stored: int = 0
    duplicates: int = 0
    #: Offices whose tickets, counters or nodes this batch changed (for ``on_change``).
    offices: set[str] = field(default_factory=set)


#: A handler decodes its messages (no lock held) and returns what to write once the
#: batch's transaction holds the database's write lock.
Write = Callable[[Connection], None]
Handler = Callable[[list[Inbound], _Batch], Write]


class IngestWriter:
    def __init__(self, engine: Engine, publish: Publish, *, batch_size: int = 500, queued_batches: int = 20,
                 dead_letter_retention: timedelta = timedelta(days=30), dead_letter_max_rows: int = 100_000,
                 prune_interval_s: float = 60.0) -> None:
        self.engine = engine
        self.publish = publish
        self.batch_size = batch_size
        self.stats = IngestStats()
        #: Configured office → the node ids its configuration declares (``reload_offices``).
        self.nodes: dict[str, frozenset[str]] = {}
        self.dead_letter_retention = dead_letter_retention
        self.dead_letter_max_rows = dead_letter_max_rows
        self.prune_interval_s = prune_interval_s
        self._next_prune = 0.0  # time.monotonic() of the next prune: the first batch prunes
        #: Called after each commit with the offices it changed (the console's live streams, cloud.web.live).
        self.on_change: Callable[[set[str]], None] | None = None
        #: Batches as the receiver made them; bounded, so a writer that falls behind holds the receiver back.
        self._inbox: queue.Queue[tuple[list[Inbound], Settle | None] | None] = queue.Queue(maxsize=queued_batches)
        self._queued = 0
        self._stop = threading.Event()
        self._republish = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ingest-writer", daemon=True)
        self._event_insert = BulkStatement(event_table.insert(), engine.dialect)
        self._ticket_upsert = BulkStatement(upsert_statement(engine.dialect.name), engine.dialect)
        self._counter_upsert = BulkStatement(counter_upsert_statement(engine.dialect.name), engine.dialect)
        self._node_upsert = self._node_statement()
        #: One handler per kind of message; a new channel is one more row here.
        self._handlers: dict[Kind, Handler] = {
            Kind.EVENT: self._events,
            Kind.STATE: self._states,
            Kind.LINK: self._links,
        }

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        self.reload_offices()
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish what is queued, then stop (what is settled after the receiver stopped is delivered again)."""
        self._stop.set()
        self._wake()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("ingest.stop_timeout", queued=self._inbox.qsize())

    def reload_offices(self) -> None:
        self.nodes = office_nodes(self.engine)

    @property
    def offices(self) -> frozenset[str]:
        return frozenset(self.nodes)

    # -- called from the receiver's thread ----------------------------------------------

    def put_batch(self, items: list[Inbound], settle: Settle | None = None) -> None:
        """Queue messages for storing; blocks while the writer is ``queued_batches`` behind.
        ``settle`` is called after their transaction (see the module's docstring)."""
        self.stats.received += len(items)
        self._queued += len(items)
        self._inbox.put((items, settle))

    def put(self, item: Inbound) -> None:
        self.put_batch([item])

    def republish_cursors(self) -> None:
        """Ask the writer to publish every cursor again (we just (re)connected)."""
        self._republish.set()
        self._wake()

    @property
    def queued(self) -> int:
        """Messages received and not yet taken into a batch (approximate: for health only)."""
        return max(0, self._queued)

    def _wake(self) -> None:
        try:
            self._inbox.put_nowait(None)
        except queue.Full:
            pass  # busy: it checks the flags after the batch at hand

    # -- the writer thread ------------------------------------------------------------

    def _run(self) -> None:
        log.info("ingest.writer_started", batch_size=self.batch_size, offices=sorted(self.offices))
        while True:
            if self._republish.is_set():
                self._republish.clear()
                self._publish_all_cursors()
            batch, settles = self._next_batch()
            if batch:
                committed = self._process(batch)
                for settle in settles:
                    settle(committed)
                if time.monotonic() >= self._next_prune:
                    self.prune_dead_letters()
            elif self._stop.is_set():
                return

    def _next_batch(self) -> tuple[list[Inbound], list[Settle]]:
        """Wait for a batch, then merge what else is already waiting, up to about ``batch_size``.

        No waiting for more: the receiver already waited up to its max delay,
        and a writer that is behind finds full batches queued anyway.
        """
        try:
            first = self._inbox.get(timeout=None if not self._stop.is_set() else 0)
        except queue.Empty:
            return [], []
        batch, settles = [], []
        if first is not None:
            batch.extend(first[0])
            settles.extend([first[1]] if first[1] else [])
        while batch and len(batch) < self.batch_size:
            try:
                more = self._inbox.get_nowait()
            except queue.Empty:
                break
            if more is None:
                if self._republish.is_set() or self._stop.is_set():
                    break
                continue
            batch.extend(more[0])
            settles.extend([more[1]] if more[1] else [])
        self._queued -= len(batch)
        return batch, settles

    def _process(self, items: list[Inbound]) -> bool:
        """Store one batch; True once it, or its dead letters, are committed."""
        found = _Batch()
        groups: dict[Kind, list[Inbound]] = {}
        for item in items:
            groups.setdefault(item.kind, []).append(item)
        try:
            writes = [self._handlers[kind](group, found) for kind, group in groups.items()]
            with write_transaction(self.engine) as conn:
                for write in writes:
                    write(conn)
                published = cursors.advance(conn, found.touched)
                insert_dead_letters(conn, found.dead)
        except Exception as exc:  # the consumer must never die; the edge re-sends what is not confirmed
            self.stats.failed_batches += 1
            log.exception("ingest.batch_failed", size=len(items))
            return self._dead_letter_all(items, f"ingest failed: {type(exc).__name__}: {exc}")
        self.stats.batches += 1
        self.stats.stored += found.stored
        self.stats.duplicates += found.duplicates
        self.stats.dead_letters += len(found.dead)
        self.stats.last_batch_at = datetime.now(UTC)
        log.debug("ingest.batch", size=len(items), stored=found.stored, duplicates=found.duplicates,
                  dead=len(found.dead))
        for (office, node), (epoch, seq) in published.items():
            self._publish_cursor(office, node, epoch, seq)
        if found.offices and self.on_change is not None:
            try:
                self.on_change(found.offices)
            except Exception:  # a viewer's wake-up must never stop the ingest
                log.exception("ingest.on_change_failed")
        return True

    def _dead_letter_all(self, items: list[Inbound], reason: str) -> bool:
        try:
            with write_transaction(self.engine) as conn:
                insert_dead_letters(conn, [dead_letter(i.topic, i.payload, reason, i.received_at) for i in items])
        except Exception:
            log.exception("ingest.dead_letters_failed", size=len(items))
            return False
        self.stats.dead_letters += len(items)
        return True

    def prune_dead_letters(self) -> int:
        """Delete one bounded chunk of expired dead letters; schedules the next prune (soon if more remain)."""
        try:
            with write_transaction(self.engine) as conn:
                deleted = dead_letters.prune(conn, datetime.now(UTC), self.dead_letter_retention,
                                             self.dead_letter_max_rows)
        except Exception:  # pruning is housekeeping: it must never stop the ingest
            log.exception("ingest.dead_letters_prune_failed")
            deleted = 0
        more = deleted >= dead_letters.PRUNE_CHUNK
        self._next_prune = time.monotonic() + (0 if more else self.prune_interval_s)
        return deleted

    # -- handlers -----------------------------------------------------------------------

    def _known(self, office: str, item: Inbound, found: _Batch, node: str | None = None) -> bool:
        """The office is configured and, when given, the node is one its configuration declares."""
        declared = self.nodes.get(office)
        if declared is None:
            reason = f"unknown office {office!r}: no firmware_configs file defines it"
        elif node is not None and node not in declared:
            reason = (f"unknown node {node!r} of office {office!r}: its configuration declares "
                      f"{', '.join(sorted(declared))} only")
        else:
            return True
        found.dead.append(dead_letter(item.topic, item.payload, reason, item.received_at))
        return False

    def _events(self, items: list[Inbound], found: _Batch) -> Write:
        ids: list[str] = []
        keys: list[cursors.EpochKey] = []
        seqs: list[int] = []
        rows: list[dict[str, Any]] = []
        facts: list[list[Fact]] = []
        counters: list[list[Fact]] = []
        for item in items:
            try:
                event = decode_event(item.topic, item.payload)
            except ProtocolError as exc:
                found.dead.append(dead_letter(item.topic, item.payload, str(exc), item.received_at))
                continue
            env = event.envelope
            if not self._known(env.office, item, found, env.node):
                continue
            key = (env.office, env.node, env.epoch)
            found.touched.setdefault(key, set())
            ids.append(env.id)
            keys.append(key)
            seqs.append(env.seq)
            rows.append({"id": env.id, "office": env.office, "node": env.node, "epoch": env.epoch, "seq": env.seq,
                         "type": env.type, "ts": env.ts, "data": env.data, "received_at": item.received_at})
            facts.append(ticket_facts([event]))
            counters.append(counter_facts([event]))
        encoded_rows = self._event_insert.encode(rows)
        encoded_facts = [self._ticket_upsert.encode(f) for f in facts]
        encoded_counters = [self._counter_upsert.encode(f) for f in counters]

        def write(conn: Connection) -> None:
            stored = self._existing_ids(conn, ids)
            new = []
            for i, event_id in enumerate(ids):
                if event_id in stored:
                    found.duplicates += 1
                else:
                    stored.add(event_id)  # a repeat later in this batch is a duplicate too
                    new.append(i)
            if not new:
                return
            self._event_insert.execute_encoded(conn, [encoded_rows[i] for i in new])
            self._ticket_upsert.execute_encoded(conn, [p for i in new for p in encoded_facts[i]])
            self._counter_upsert.execute_encoded(conn, [p for i in new for p in encoded_counters[i]])
            for i in new:
                found.touched[keys[i]].add(seqs[i])
                found.offices.add(keys[i][0])
            found.stored += len(new)

        return write

    def _existing_ids(self, conn: Connection, ids: Iterable[str]) -> set[str]:
        wanted = list(ids)
        existing: set[str] = set()
        for start in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[start:start + _IN_CHUNK]
            existing.update(conn.execute(select(event_table.c.id).where(event_table.c.id.in_(chunk))).scalars())
        return existing

    def _states(self, items: list[Inbound], found: _Batch) -> Write:
        rows = []
        for item in items:
            try:
                state = decode_state(item.topic, item.payload)
            except ProtocolError as exc:
                found.dead.append(dead_letter(item.topic, item.payload, str(exc), item.received_at))
                continue
            if not self._known(state.office, item, found, state.node):
                continue
            rows.append({"office": state.office, "node": state.node, "online": state.online,
                         "state": state.model_dump(mode="json"),
                         # A Last Will was composed when the node connected: its ts is not
                         # when it vanished, so an offline message keeps the last sighting.
                         "last_seen": item.received_at if state.online else state.ts})
            log.info("node.state", office=state.office, node=state.node, online=state.online)
        return self._write_nodes(rows, found)

    def _links(self, items: list[Inbound], found: _Batch) -> Write:
        rows = []
        for item in items:
            parts = item.topic.split("/")  # onestop/v1/{office}/bridge/link
            office = parts[2] if len(parts) == 5 else ""
            if item.payload not in (b"0", b"1"):
                found.dead.append(dead_letter(item.topic, item.payload, "bridge link payload must be '1' or '0'",
                                              item.received_at))
                continue
            if not self._known(office, item, found):
                continue
            online = item.payload == b"1"
            rows.append({"office": office, "node": BRIDGE_NODE, "online": online,
                         "state": {"link": item.payload.decode()}, "last_seen": item.received_at})
            log.info("office.link", office=office, online=online)
        return self._write_nodes(rows, found)

    def _write_nodes(self, rows: list[dict[str, Any]], found: _Batch) -> Write:
        def write(conn: Connection) -> None:
            if rows:
                conn.execute(self._node_upsert, rows)
                found.offices.update(row["office"] for row in rows)

        return write

    def _node_statement(self) -> Any:
        n = node_table.c
        stmt = insert(self.engine.dialect.name, node_table)
        new = stmt.excluded
        return stmt.on_conflict_do_update(
            index_elements=[n.office, n.node],
            set_={
                "online": new.online,
                "state": new.state,
                "last_seen": case((new.online, new.last_seen), else_=func.coalesce(n.last_seen, new.last_seen)),
            },
        )

    # -- cursors ------------------------------------------------------------------------

    def _publish_cursor(self, office: str, node: str, epoch: int, seq: int) -> None:
        cursor = Cursor(office=office, node=node, epoch=epoch, seq=seq, ts=datetime.now(UTC))
        if not self.publish(topics.cursor(office, node), dumps(cursor), 1, True):
            log.info("cursor.not_sent", office=office, node=node, epoch=epoch, seq=seq)  # re-published on reconnect

    def _publish_all_cursors(self) -> None:
        try:
            with self.engine.connect() as conn:
                every = cursors.all_cursors(conn)
        except Exception:
            log.exception("cursor.republish_failed")
            return
        for (office, node), (epoch, seq) in every.items():
            self._publish_cursor(office, node, epoch, seq)
        log.info("cursor.republished", nodes=len(every))
