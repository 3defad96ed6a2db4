"""Executing one statement for many rows at ingest speed.

``Connection.execute(stmt, rows)`` re-derives every row's parameters through
SQLAlchemy's compiler machinery, about 10 µs a row for the ticket upsert:
a tenth of a core at ten thousand events a second. A ``BulkStatement`` is
compiled once for the engine's dialect and encodes rows with the columns' own
bind processors (so values are stored exactly as SQLAlchemy stores them,
UTC instants and JSON included), then hands them to the driver's
``executemany`` in one call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

_Processor = Callable[[Any], Any] | None


class BulkStatement:
    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        # SQLCompiler, not the Compiled its stubs return: positional/positiontup/binds are its attributes.
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql = compiled.string
        self.positional = bool(compiled.positional)
        names: Sequence[str] = (compiled.positiontup or []) if compiled.positional else list(compiled.binds)
        self._names = list(names)
        #: Binds with a value are the statement's own literals (e.g. 'waiting' in a CASE):
        #: encoded once here. The others are filled from each row.
        self._template: list[Any] = []
        self._from_row: list[tuple[int, str, _Processor]] = []
        for index, name in enumerate(self._names):
            bind = compiled.binds[name]
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.value is None and bind.callable is None:
                self._template.append(None)
                self._from_row.append((index, name, processor))
            else:
                value = bind.effective_value
                self._template.append(processor(value) if processor is not None else value)

    def _encode(self, row: Mapping[str, Any]) -> list[Any]:
        values = self._template.copy()
        for index, name, processor in self._from_row:
            value = row[name]
            values[index] = processor(value) if processor is not None else value
        return values

    def encode(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """Driver parameters for ``rows``; done apart from ``execute`` so it can happen
        before a transaction takes the database's write lock."""
        if self.positional:
            return [tuple(self._encode(row)) for row in rows]
        return [dict(zip(self._names, self._encode(row), strict=True)) for row in rows]

    def execute_encoded(self, conn: Connection, params: list[Any]) -> None:
        if params:
            conn.exec_driver_sql(self.sql, params)

    def execute(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        self.execute_encoded(conn, self.encode(rows))
