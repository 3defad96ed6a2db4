"""Users, password hashes, API tokens and web sessions (issue #4).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

Placeholder: filled in by the work that owns it; until then it changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
