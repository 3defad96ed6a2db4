"""Column types that behave the same on SQLite and PostgreSQL.

SQLite has no time zones: SQLAlchemy writes an aware datetime's wall-clock
digits and drops the offset, so 09:00+07:00 would read back as 09:00 UTC.
Every instant is therefore stored as UTC and read back aware, whatever the
database.

The other differences that bite are PostgreSQL's: its INTEGER has 32 bits
where SQLite's has 64, and its text cannot hold NUL (U+0000).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, Table, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel


class UtcDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the cloud stores instants in UTC, pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value
        return stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored.astimezone(UTC)


BigInt = BigInteger().with_variant(Integer(), "sqlite")
"""A signed 64-bit integer (``protocol.envelope.MAX_SEQ``): BIGINT on PostgreSQL, whose INTEGER stops at
2**31 - 1. SQLite's INTEGER already holds 64 bits, so there it stays INTEGER and old tables need no rebuild."""


class ReadableText(TypeDecorator[str]):
    """Text kept for a person to read and never parsed back (a dead letter's payload and reason).

    PostgreSQL refuses NUL in text: one such payload failed its whole batch,
    and then the batch's dead letters too, so nothing of it was kept. On
    PostgreSQL NUL therefore becomes
    U+FFFD, the same mark ``bytes.decode(errors="replace")`` leaves for bytes
    that are not UTF-8. The exact bytes are kept beside it (``payload_raw``).
    SQLite stores the text as it is.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or dialect.name != "postgresql":
            return value
        return value.replace("\x00", "\ufffd")


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a ``table=True`` model, for statements built without the ORM.

    SQLModel sets ``__table__`` when it creates a table class, but its stubs do
    not declare it; reading it here, once and typed, spares every table module
    an ignore comment per table.
    """
    table = model.__dict__.get("__table__")
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model (declare it with table=True)")
    return table
