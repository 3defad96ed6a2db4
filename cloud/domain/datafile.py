"""Errors for the data files the domain parses (catalogue, province, postal tariff, calendar).

The parsers take an already-loaded ``dict`` (the caller reads the YAML: the
domain does no I/O) plus the name of the file it came from, and report every
problem at once, each naming the file and the entry (see
:mod:`workdays.datafile`). The implementation lives in ``workdays``, the
calendar package the hub imports too, so that the calendar's override file and
the cloud's catalogue fail with the same :class:`DataError`.
"""

from __future__ import annotations

from workdays.datafile import DataError, key_path, validation_problems

__all__ = ["DataError", "key_path", "validation_problems"]
