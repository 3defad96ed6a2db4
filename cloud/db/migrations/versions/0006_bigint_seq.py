"""Event sequence numbers as 64-bit integers on PostgreSQL.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

The protocol allows ``seq`` up to 2**63 - 1 (``protocol.envelope.MAX_SEQ``),
but 0001 made ``event.seq`` and ``node_cursor.seq``/``max_seq`` INTEGER,
which PostgreSQL stores in 32 bits: a node past seq 2**31 - 1 failed every
batch its events were in. SQLite's INTEGER already holds 64 bits, so there
nothing changes (and the event table is not rebuilt). On PostgreSQL the
ALTER rewrites both tables once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("event", "seq"), ("node_cursor", "seq"), ("node_cursor", "max_seq"))


def _alter(from_type: sa.types.TypeEngine[int], to_type: sa.types.TypeEngine[int]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=to_type, existing_type=from_type, existing_nullable=False)


def upgrade() -> None:
    _alter(sa.Integer(), sa.BigInteger())


def downgrade() -> None:
    _alter(sa.BigInteger(), sa.Integer())
