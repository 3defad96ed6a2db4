"""Receipts, fee numbering, the sub-task index, notification events (issue #4).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

Tables of ``cloud/db/dossier_extras.py``: ``receipt_sequence`` and
``fee_receipt`` (numbered receipts per office and year), ``dossier_subtask``
(liên thông sub-tasks, for partner agencies' inboxes) and ``notification``
(the outbox of messages to citizens). A return by post keeps its postage,
zone and expected delivery in its ``dossier_event`` payload: no table.

Plain SQLAlchemy types, as in 0002, so the migration keeps its meaning when
the models change.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = sa.String(40)
DOSSIER_CODE = sa.String(80)
INSTANT = sa.DateTime(timezone=True)  # stored as UTC (cloud.db.types.UtcDateTime)


def upgrade() -> None:
    op.create_table(
        "receipt_sequence",
        sa.Column("office", CODE, primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
    )
    op.create_table(
        "fee_receipt",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(80), nullable=False, unique=True),
        sa.Column("dossier", DOSSIER_CODE, sa.ForeignKey("dossier.code"), nullable=False),
        sa.Column("office", CODE, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("lead_vnd", sa.BigInteger(), nullable=False),
        sa.Column("owed_vnd", sa.JSON(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("collected_by_role", sa.String(32), nullable=False),
        sa.Column("collected_by_unit", CODE, nullable=False),
        sa.Column("collected_by_officer", sa.String(200), nullable=False),
        sa.Column("at", INSTANT, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_fee_receipt_dossier", "fee_receipt", ["dossier"])
    op.create_table(
        "dossier_subtask",
        sa.Column("dossier", DOSSIER_CODE, sa.ForeignKey("dossier.code"), primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("unit", CODE, nullable=False),
        sa.Column("officer", sa.String(200), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("sent_at", INSTANT, nullable=False),
        sa.Column("due", INSTANT, nullable=False),
        sa.Column("answered_at", INSTANT, nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=True),
    )
    op.create_index("ix_dossier_subtask_unit", "dossier_subtask", ["unit", "answered_at"])
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("dossier", DOSSIER_CODE, sa.ForeignKey("dossier.code"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("delivered_at", INSTANT, nullable=True),
        sa.Column("delivered_via", sa.String(32), nullable=True),
    )
    op.create_index("ix_notification_dossier", "notification", ["dossier"])


def downgrade() -> None:
    for table in ("notification", "dossier_subtask", "fee_receipt", "receipt_sequence"):
        op.drop_table(table)
