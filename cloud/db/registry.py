"""Tables of the registry of offices (``cloud.registry``): who is assigned to which office's counters.

The office itself is ``office`` (its unit, its configuration as JSON, its
version) and its counters ``counter``, in ``cloud.db.tables``. Every change
here needs a migration (``migrations/versions/0011_registry.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from cloud.db.types import UtcDateTime, table_of
from cloud.db.users import USERNAME


class OfficerAssignment(SQLModel, table=True):
    """An officer who may sit at counters of an office; ``counters`` empty: any of them."""

    __tablename__ = "officer_assignment"
    __table_args__ = (Index("ix_officer_assignment_username", "username"),)

    office: str = Field(primary_key=True, foreign_key="office.id", max_length=63)
    username: str = Field(primary_key=True, foreign_key="user_account.username", max_length=USERNAME)
    counters: list[int] = Field(sa_type=JSON, description="Counter numbers the officer may sit at; [] for any.")
    assigned_at: datetime = Field(sa_type=UtcDateTime)


officer_assignment_table = table_of(OfficerAssignment)
