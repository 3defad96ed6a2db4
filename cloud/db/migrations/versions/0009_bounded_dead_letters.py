"""Dead letters in bounded space: a payload prefix with the full size and hash, one row per repeat.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

Until now a dead letter kept the whole payload twice (bytes and text), one
row per delivery: ten 4 MB junk messages grew the database by 113 MB, and a
retained one was stored again at every restart. From here a row keeps the
first 4096 bytes (``cloud.ingest.dead_letters.PREFIX_BYTES``), the full size
and SHA-256, and counts repeats of the same topic and payload, seen from
``first_seen`` to ``last_seen`` (``received_at`` is gone).

Existing rows still hold their whole payload, so their size and hash are
computed from it, one row at a time (a row may be megabytes), before it is
cut to the prefix; rows of the same topic and payload are then merged into
the oldest, with their count, the first and last time and the latest
reason. The downgrade keeps the prefix: the cut bytes are gone.
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREFIX_BYTES = 4096  # cloud.ingest.dead_letters.PREFIX_BYTES when this was written
BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # cloud.db.types.BigInt
INSTANT = sa.DateTime(timezone=True)  # stored as UTC (cloud.db.types.UtcDateTime)
NEW_COLUMNS = ("payload_size", "payload_sha256", "count", "first_seen", "last_seen")

dead_letter = sa.table(
    "dead_letter",
    sa.column("id", sa.Integer()), sa.column("topic", sa.String()), sa.column("payload", sa.Text()),
    sa.column("payload_raw", sa.LargeBinary()), sa.column("payload_size", BIGINT),
    sa.column("payload_sha256", sa.String()), sa.column("reason", sa.Text()), sa.column("count", BIGINT),
    sa.column("first_seen", INSTANT), sa.column("last_seen", INSTANT), sa.column("received_at", INSTANT),
)


def _readable(payload: bytes, postgresql: bool) -> str:
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(
        payload[:PREFIX_BYTES], final=len(payload) <= PREFIX_BYTES)
    return text.replace("\x00", "\ufffd") if postgresql else text  # PostgreSQL's text cannot hold NUL


def _cut_every_row(conn: sa.Connection) -> None:
    d = dead_letter.c
    postgresql = conn.dialect.name == "postgresql"
    for row_id in list(conn.execute(sa.select(d.id).order_by(d.id)).scalars()):
        raw = bytes(conn.execute(sa.select(d.payload_raw).where(d.id == row_id)).scalar_one())
        conn.execute(sa.update(dead_letter).where(d.id == row_id).values(
            payload_raw=raw[:PREFIX_BYTES], payload=_readable(raw, postgresql), payload_size=len(raw),
            payload_sha256=hashlib.sha256(raw).hexdigest()))


def _merge_repeats(conn: sa.Connection) -> None:
    d = dead_letter.c
    repeated = conn.execute(sa.select(d.topic, d.payload_sha256).group_by(d.topic, d.payload_sha256)
                            .having(sa.func.count() > 1)).all()
    for topic, sha in repeated:
        rows = conn.execute(sa.select(d.id, d.reason, d.first_seen, d.last_seen)
                            .where(d.topic == topic, d.payload_sha256 == sha).order_by(d.id)).all()
        keep, latest = rows[0], max(rows, key=lambda r: (r.last_seen, r.id))
        conn.execute(sa.update(dead_letter).where(d.id == keep.id).values(
            count=len(rows), reason=latest.reason, first_seen=min(r.first_seen for r in rows),
            last_seen=latest.last_seen))
        conn.execute(sa.delete(dead_letter).where(d.id.in_([r.id for r in rows[1:]])))


def upgrade() -> None:
    op.add_column("dead_letter", sa.Column("payload_size", BIGINT, nullable=True))
    op.add_column("dead_letter", sa.Column("payload_sha256", sa.String(64), nullable=True))
    op.add_column("dead_letter", sa.Column("count", BIGINT, nullable=True))
    op.add_column("dead_letter", sa.Column("first_seen", INSTANT, nullable=True))
    op.add_column("dead_letter", sa.Column("last_seen", INSTANT, nullable=True))
    conn = op.get_bind()
    conn.execute(sa.update(dead_letter).values(count=1, first_seen=dead_letter.c.received_at,
                                               last_seen=dead_letter.c.received_at))
    _cut_every_row(conn)
    _merge_repeats(conn)
    with op.batch_alter_table("dead_letter") as batch:
        batch.alter_column("payload_size", existing_type=BIGINT, nullable=False)
        batch.alter_column("payload_sha256", existing_type=sa.String(64), nullable=False)
        batch.alter_column("count", existing_type=BIGINT, nullable=False)
        batch.alter_column("first_seen", existing_type=INSTANT, nullable=False)
        batch.alter_column("last_seen", existing_type=INSTANT, nullable=False)
        batch.drop_column("received_at")
        batch.create_index("ux_dead_letter_topic_sha256", ["topic", "payload_sha256"], unique=True)
        batch.create_index("ix_dead_letter_last_seen_id", ["last_seen", "id"])


def downgrade() -> None:
    op.add_column("dead_letter", sa.Column("received_at", INSTANT, nullable=True))
    op.get_bind().execute(sa.update(dead_letter).values(received_at=dead_letter.c.last_seen))
    with op.batch_alter_table("dead_letter") as batch:
        batch.drop_index("ix_dead_letter_last_seen_id")
        batch.drop_index("ux_dead_letter_topic_sha256")
        for column in NEW_COLUMNS:
            batch.drop_column(column)
        batch.alter_column("received_at", existing_type=INSTANT, nullable=False)
