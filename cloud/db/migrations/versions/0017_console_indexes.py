"""Indexes for the console's pages at 100,000 dossiers (issue 11, bench/console.py).

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-02

The dossier list is read newest first (``received_at``, ``code``), a
specialist's inbox by holder soonest due first, its count from the index
alone (``holder_officer``, ``due_at``, ``holder_unit``, ``state``), a department's incoming and load by handling unit and state
(``handling_unit``, ``state``, ``due_at``): each from an index in its order
instead of sorting every row. ``assignee_officer`` copies the dossier's
assignee out of its JSON (``data.assignee.officer``, rewritten on every
change like the other copied columns), so a department's load is counted by
the database without parsing every open dossier's data.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dossier") as batch:
        batch.add_column(sa.Column("assignee_officer", sa.String(200), nullable=True))
    dossier = sa.table("dossier", sa.column("data", sa.JSON), sa.column("assignee_officer", sa.String(200)))
    op.execute(dossier.update().values(assignee_officer=dossier.c.data[("assignee", "officer")].as_string()))
    op.create_index("ix_dossier_received_at", "dossier", ["received_at", "code"])
    op.create_index("ix_dossier_holder_due", "dossier", ["holder_officer", "due_at", "holder_unit", "state"])
    op.create_index("ix_dossier_unit_state_due", "dossier", ["handling_unit", "state", "due_at"])
    op.create_index("ix_dossier_unit_state_assignee", "dossier", ["handling_unit", "state", "assignee_officer", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_dossier_unit_state_assignee", table_name="dossier")
    op.drop_index("ix_dossier_unit_state_due", table_name="dossier")
    op.drop_index("ix_dossier_holder_due", table_name="dossier")
    op.drop_index("ix_dossier_received_at", table_name="dossier")
    with op.batch_alter_table("dossier") as batch:
        batch.drop_column("assignee_officer")
