"""The storage epoch of every event, and one cursor per (office, node, epoch).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

A hub whose database is lost counts from seq 1 again, under a new epoch
(``protocol.envelope``): seqs are contiguous only within an epoch, so the
cursor is kept per epoch and the walk over stored seqs runs on an index that
leads with (office, node, epoch). Every row stored so far came from a node
without epochs, which is epoch 0.

``event`` gets its column in place (a constant default: SQLite's ADD COLUMN
and PostgreSQL 11+ rewrite nothing), then its index is rebuilt with the
epoch. ``node_cursor`` (one row per node) changes its primary key, which
SQLite can only do by copying the table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(63)
BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # cloud.db.types.BigInt


def _epoch() -> sa.Column[int]:
    return sa.Column("epoch", BIGINT, nullable=False, server_default="0")


def _node_cursor(key: list[str]) -> sa.Table:
    """``node_cursor`` as SQLite copies it: the columns ``key`` names (epoch or not), that primary key."""
    columns: list[sa.schema.SchemaItem] = [sa.Column("office", ID), sa.Column("node", ID), *([_epoch()] if "epoch" in key else []),
               sa.Column("seq", BIGINT, nullable=False), sa.Column("max_seq", BIGINT, nullable=False)]
    return sa.Table("node_cursor", sa.MetaData(), *columns, sa.PrimaryKeyConstraint(*key))


def _cursor_key(key: list[str]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("node_cursor", copy_from=_node_cursor(key), recreate="always"):
            pass  # the copy has the new key
    else:
        op.drop_constraint("node_cursor_pkey", "node_cursor", type_="primary")
        op.create_primary_key("node_cursor_pkey", "node_cursor", key)


def upgrade() -> None:
    op.add_column("event", _epoch())
    op.drop_index("ix_event_office_node_seq", table_name="event")
    op.create_index("ix_event_office_node_epoch_seq", "event", ["office", "node", "epoch", "seq"])
    op.add_column("node_cursor", _epoch())
    _cursor_key(["office", "node", "epoch"])


def downgrade() -> None:
    # Before epochs a node had one cursor: keep its newest epoch's.
    op.execute(
        "DELETE FROM node_cursor WHERE epoch < (SELECT MAX(c.epoch) FROM node_cursor c "
        "WHERE c.office = node_cursor.office AND c.node = node_cursor.node)"
    )
    _cursor_key(["office", "node"])
    if op.get_bind().dialect.name != "sqlite":  # SQLite's copy already left it out
        op.drop_column("node_cursor", "epoch")
    op.drop_index("ix_event_office_node_epoch_seq", table_name="event")
    with op.batch_alter_table("event") as batch:
        batch.drop_column("epoch")
    op.create_index("ix_event_office_node_seq", "event", ["office", "node", "seq"])
