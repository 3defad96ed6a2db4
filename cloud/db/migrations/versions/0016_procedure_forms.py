"""Downloadable forms of the catalogue's procedures (issue 11, Quản trị → Danh mục thủ tục).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02

Table of ``cloud/db/procedure_forms.py``: ``procedure_form`` (procedure,
title, the SHA-256 the bytes are stored under, size, media type read from
the bytes, who and when). The files live under ``Settings.attachments_dir``
(``forms/``), not in the database.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = sa.String(40)
INSTANT = sa.DateTime(timezone=True)  # stored as UTC (cloud.db.types.UtcDateTime)


def upgrade() -> None:
    op.create_table(
        "procedure_form",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("procedure", CODE, sa.ForeignKey("procedure.code"), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("uploaded_by", sa.String(200), nullable=False),
        sa.Column("uploaded_role", sa.String(32), nullable=False),
        sa.Column("uploaded_unit", CODE, nullable=False),
        sa.Column("at", INSTANT, nullable=False),
    )
    op.create_index("ix_procedure_form_procedure", "procedure_form", ["procedure", "id"])
    op.create_index("ix_procedure_form_sha256", "procedure_form", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_procedure_form_sha256", table_name="procedure_form")
    op.drop_index("ix_procedure_form_procedure", table_name="procedure_form")
    op.drop_table("procedure_form")
