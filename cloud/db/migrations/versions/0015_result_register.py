"""The clerk's register of results: numbered per office and year (issue 11, văn thư).

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-02

Tables of ``cloud/db/result_register.py``: ``result_register_sequence``
(the last number per office and year) and ``result_register`` (one line per
registered result; unique per (office, year, number) and per dossier).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = sa.String(40)
DOSSIER_CODE = sa.String(80)
INSTANT = sa.DateTime(timezone=True)  # stored as UTC (cloud.db.types.UtcDateTime)


def upgrade() -> None:
    op.create_table(
        "result_register_sequence",
        sa.Column("office", CODE, primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last_number", sa.Integer(), nullable=False),
    )
    op.create_table(
        "result_register",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("office", CODE, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("dossier", DOSSIER_CODE, sa.ForeignKey("dossier.code"), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("document_number", sa.String(60), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("signer", sa.String(200), nullable=False),
        sa.Column("stamped", sa.Boolean(), nullable=False),
        sa.Column("registered_at", INSTANT, nullable=False),
        sa.Column("registered_by_unit", CODE, nullable=False),
        sa.Column("registered_by_officer", sa.String(200), nullable=False),
    )
    op.create_index("ux_result_register_office_year_number", "result_register", ["office", "year", "number"],
                    unique=True)
    op.create_index("ux_result_register_dossier", "result_register", ["dossier"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_result_register_dossier", table_name="result_register")
    op.drop_index("ux_result_register_office_year_number", table_name="result_register")
    op.drop_table("result_register")
    op.drop_table("result_register_sequence")
