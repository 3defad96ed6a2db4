"""Who sits at a counter, who served a ticket, and which dossiers a ticket became.

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-02

* ``ticket``: ``officer_id``/``officer_name`` of the officer signed in at the
  counter that called, served or marked the ticket absent (from the hub's
  events), and ``dossiers``: the codes of the dossiers received at that turn.
* ``dossier``: ``ticket_id`` and ``counter`` of the queue ticket it was
  received from (the rest, the number and the officer's name, is in ``data``).
* ``counter_state``: each counter's status (open, paused, closed) and officer
  as the hub reported or acknowledged it; a table of its own because the
  ``counter`` rows are replaced whenever the office's configuration is loaded.
* ``counter_session``: one row per sitting of an officer at a counter, from
  signing in at the console to signing out; at most one open sitting per
  officer and per counter (partial unique indexes, SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSTANT = sa.DateTime(timezone=True)  # stored as UTC (cloud.db.types.UtcDateTime)
OPEN_SITTING = sa.text("ended_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.add_column(sa.Column("officer_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("officer_name", sa.String(120), nullable=True))
        batch.add_column(sa.Column("dossiers", sa.JSON(), nullable=True))
    with op.batch_alter_table("dossier") as batch:
        batch.add_column(sa.Column("ticket_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("counter", sa.Integer(), nullable=True))
        batch.create_index("ix_dossier_office_ticket", ["office", "ticket_id"])
    op.create_table(
        "counter_state",
        sa.Column("office", sa.String(63), primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("officer_id", sa.String(64), nullable=True),
        sa.Column("officer_name", sa.String(120), nullable=True),
        sa.Column("since", INSTANT, nullable=False),
    )
    op.create_table(
        "counter_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("office", sa.String(63), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.String(64), nullable=False),
        sa.Column("officer_name", sa.String(120), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", INSTANT, nullable=False),
        sa.Column("status_at", INSTANT, nullable=False),
        sa.Column("ended_at", INSTANT, nullable=True),
        sa.Column("ended_by", sa.String(64), nullable=True),
    )
    op.create_index("ux_counter_session_officer_open", "counter_session", ["officer_id"], unique=True,
                    sqlite_where=OPEN_SITTING, postgresql_where=OPEN_SITTING)
    op.create_index("ux_counter_session_counter_open", "counter_session", ["office", "counter"], unique=True,
                    sqlite_where=OPEN_SITTING, postgresql_where=OPEN_SITTING)


def downgrade() -> None:
    op.drop_index("ux_counter_session_counter_open", table_name="counter_session")
    op.drop_index("ux_counter_session_officer_open", table_name="counter_session")
    op.drop_table("counter_session")
    op.drop_table("counter_state")
    with op.batch_alter_table("dossier") as batch:
        batch.drop_index("ix_dossier_office_ticket")
        batch.drop_column("counter")
        batch.drop_column("ticket_id")
    with op.batch_alter_table("ticket") as batch:
        batch.drop_column("dossiers")
        batch.drop_column("officer_name")
        batch.drop_column("officer_id")
