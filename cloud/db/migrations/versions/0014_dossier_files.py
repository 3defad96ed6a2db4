"""A dossier's notes and attached files (issue 11).

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-02

Tables of ``cloud/db/dossier_files.py``: ``dossier_attachment`` (name, the
SHA-256 the bytes are stored under, size, media type read from the bytes,
who and when) and ``dossier_note`` (text, author, when). The files
themselves live under ``Settings.attachments_dir``, not in the database.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = sa.String(40)
DOSSIER_CODE = sa.String(80)
INSTANT = sa.DateTime(timezone=True)  # stored as UTC (cloud.db.types.UtcDateTime)


def upgrade() -> None:
    op.create_table(
        "dossier_attachment",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("dossier", DOSSIER_CODE, sa.ForeignKey("dossier.code"), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("uploaded_by", sa.String(200), nullable=False),
        sa.Column("uploaded_role", sa.String(32), nullable=False),
        sa.Column("uploaded_unit", CODE, nullable=False),
        sa.Column("at", INSTANT, nullable=False),
    )
    op.create_index("ix_dossier_attachment_dossier", "dossier_attachment", ["dossier", "id"])
    op.create_index("ix_dossier_attachment_sha256", "dossier_attachment", ["sha256"])
    op.create_table(
        "dossier_note",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("dossier", DOSSIER_CODE, sa.ForeignKey("dossier.code"), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("author_role", sa.String(32), nullable=False),
        sa.Column("author_unit", CODE, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", INSTANT, nullable=False),
    )
    op.create_index("ix_dossier_note_dossier", "dossier_note", ["dossier", "id"])


def downgrade() -> None:
    op.drop_index("ix_dossier_note_dossier", table_name="dossier_note")
    op.drop_table("dossier_note")
    op.drop_index("ix_dossier_attachment_sha256", table_name="dossier_attachment")
    op.drop_index("ix_dossier_attachment_dossier", table_name="dossier_attachment")
    op.drop_table("dossier_attachment")
