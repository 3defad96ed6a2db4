"""The registry of offices: each office's administrative unit, and the officers assigned to its counters (issue 10).

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-02

``office.unit`` is the administrative unit (``admin_unit.id``) whose one-stop
office this is; offices loaded from firmware files before the registry have
none until the next start imports them again (``cloud.db.office_configs``).
``officer_assignment`` lists who may sit at which counters of an office; an
empty ``counters`` list means any counter of it. Plain SQLAlchemy types, as
in 0001, so the migration keeps its meaning when the models change.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSTANT = sa.DateTime(timezone=True)  # stored as UTC (cloud.db.types.UtcDateTime)


def upgrade() -> None:
    op.add_column("office", sa.Column("unit", sa.String(40), nullable=True))
    op.create_table(
        "officer_assignment",
        sa.Column("office", sa.String(63), sa.ForeignKey("office.id"), primary_key=True),
        sa.Column("username", sa.String(64), sa.ForeignKey("user_account.username"), primary_key=True),
        sa.Column("counters", sa.JSON(), nullable=False),
        sa.Column("assigned_at", INSTANT, nullable=False),
    )
    op.create_index("ix_officer_assignment_username", "officer_assignment", ["username"])


def downgrade() -> None:
    op.drop_index("ix_officer_assignment_username", table_name="officer_assignment")
    op.drop_table("officer_assignment")
    # Not a batch (SQLite's copy-and-move): dropping the old office table would break counter's foreign key.
    # SQLite has had DROP COLUMN since 3.35.
    op.execute("ALTER TABLE office DROP COLUMN unit")
