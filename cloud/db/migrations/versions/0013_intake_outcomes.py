"""Intake outcomes without a dossier: supplement asked for, refusal, redirect (cloud.db.intake_outcomes).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

* ``intake_outcome``: one row per outcome, its reference (BS-/TC-/CQ-yymmdd-nnnn)
  unique, the office, counter and ticket of the turn, the receiving officer,
  the applicant, the procedure, the missing items or reasons and the agency.
* ``intake_outcome_sequence``: the last number per kind and local day.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSTANT = sa.DateTime(timezone=True)  # stored as UTC (cloud.db.types.UtcDateTime)


def upgrade() -> None:
    op.create_table(
        "intake_outcome",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(32), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("office", sa.String(63), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.String(32), nullable=True),
        sa.Column("ticket_number", sa.String(16), nullable=True),
        sa.Column("officer", sa.String(64), nullable=False),
        sa.Column("officer_name", sa.String(120), nullable=False),
        sa.Column("applicant_name", sa.String(200), nullable=False),
        sa.Column("applicant_id_number", sa.String(12), nullable=False),
        sa.Column("applicant_address", sa.String(300), nullable=False),
        sa.Column("applicant_phone", sa.String(16), nullable=True),
        sa.Column("procedure", sa.String(40), nullable=False),
        sa.Column("procedure_name", sa.String(300), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("agency", sa.String(200), nullable=True),
        sa.Column("at", INSTANT, nullable=False),
    )
    op.create_index("ix_intake_outcome_office_at", "intake_outcome", ["office", "at"])
    op.create_table(
        "intake_outcome_sequence",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("intake_outcome_sequence")
    op.drop_index("ix_intake_outcome_office_at", table_name="intake_outcome")
    op.drop_table("intake_outcome")
