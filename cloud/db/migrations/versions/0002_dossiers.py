"""Dossiers (issue #4): procedure catalogue, administrative units, dossiers,
their event log and the daily code sequences.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Plain SQLAlchemy types, as in 0001, so the migration keeps its meaning when
the models change.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = sa.String(40)
DOSSIER_CODE = sa.String(80)
STATE = sa.String(32)
INSTANT = sa.DateTime(timezone=True)  # stored as UTC (cloud.db.types.UtcDateTime)


def upgrade() -> None:
    op.create_table(
        "procedure",
        sa.Column("code", CODE, primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("field", CODE, nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("time_limit", sa.JSON(), nullable=False),
        sa.Column("fees", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
    )
    op.create_index("ix_procedure_field", "procedure", ["field"])
    op.create_table(
        "admin_unit",
        sa.Column("id", CODE, primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("parent", CODE, sa.ForeignKey("admin_unit.id"), nullable=True),
        sa.Column("office", CODE, nullable=False, unique=True),
        sa.Column("office_name", sa.Text(), nullable=False),
        sa.Column("agency_id", CODE, nullable=False, unique=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
    )
    op.create_table(
        "dossier",
        sa.Column("code", DOSSIER_CODE, primary_key=True),
        sa.Column("procedure", CODE, sa.ForeignKey("procedure.code"), nullable=False),
        sa.Column("office", CODE, nullable=False),
        sa.Column("handling_unit", CODE, nullable=False),
        sa.Column("state", STATE, nullable=False),
        sa.Column("holder_unit", CODE, nullable=False),
        sa.Column("holder_officer", sa.String(200), nullable=True),
        sa.Column("applicant_name", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("received_at", INSTANT, nullable=False),
        sa.Column("due_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_dossier_office_state", "dossier", ["office", "state"])
    op.create_index("ix_dossier_due_at", "dossier", ["due_at"])
    op.create_table(
        "dossier_event",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("dossier", DOSSIER_CODE, sa.ForeignKey("dossier.code"), nullable=False),
        sa.Column("action", STATE, nullable=False),
        sa.Column("from_state", STATE, nullable=True),
        sa.Column("to_state", STATE, nullable=False),
        sa.Column("actor_role", STATE, nullable=False),
        sa.Column("actor_unit", CODE, nullable=False),
        sa.Column("actor_officer", sa.String(200), nullable=False),
        sa.Column("at", INSTANT, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
    )
    op.create_index("ix_dossier_event_dossier", "dossier_event", ["dossier", "id"])
    op.create_table(
        "dossier_sequence",
        sa.Column("agency", CODE, primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    for table in ("dossier_sequence", "dossier_event", "dossier", "admin_unit", "procedure"):
        op.drop_table(table)
