"""Initial schema: offices and counters, node presence, events and their cursor,
the ticket projection, commands, dead letters.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Written with plain SQLAlchemy types (no imports from the application), so the
migration keeps meaning the same thing when the models change later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(63)
INSTANT = sa.DateTime(timezone=True)  # stored as UTC (cloud.db.types.UtcDateTime)


def upgrade() -> None:
    op.create_table(
        "office",
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("config_version", sa.Integer(), nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
    )
    op.create_table(
        "counter",
        sa.Column("office", ID, sa.ForeignKey("office.id"), primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("fields", sa.JSON(), nullable=False),
    )
    op.create_table(
        "node",
        sa.Column("office", ID, primary_key=True),
        sa.Column("node", ID, primary_key=True),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=True),
        sa.Column("last_seen", INSTANT, nullable=True),
    )
    op.create_table(
        "event",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("office", ID, nullable=False),
        sa.Column("node", ID, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("ts", INSTANT, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("received_at", INSTANT, nullable=False),
    )
    op.create_index("ix_event_office_node_seq", "event", ["office", "node", "seq"])
    op.create_table(
        "node_cursor",
        sa.Column("office", ID, primary_key=True),
        sa.Column("node", ID, primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("max_seq", sa.Integer(), nullable=False),
    )
    op.create_table(
        "ticket",
        sa.Column("office", ID, primary_key=True),
        sa.Column("ticket_id", sa.String(32), primary_key=True),
        sa.Column("number", sa.String(8), nullable=True),
        sa.Column("field", ID, nullable=True),
        sa.Column("priority", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("issued_at", INSTANT, nullable=True),
        sa.Column("called_at", INSTANT, nullable=True),
        sa.Column("finished_at", INSTANT, nullable=True),
    )
    op.create_index("ix_ticket_office_day_status", "ticket", ["office", "day", "status"])
    op.create_table(
        "command",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("office", ID, nullable=False),
        sa.Column("node", ID, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("expires_at", INSTANT, nullable=False),
        sa.Column("acked_at", INSTANT, nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
    )
    op.create_index("ix_command_office_created", "command", ["office", "created_at"])
    op.create_table(
        "dead_letter",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("topic", sa.String(1024), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("payload_raw", sa.LargeBinary(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("received_at", INSTANT, nullable=False),
    )


def downgrade() -> None:
    for table in ("dead_letter", "command", "ticket", "node_cursor", "event", "node", "counter", "office"):
        op.drop_table(table)
