"""Errors for the data files the rules parse (calendar overrides, and the cloud's catalogue, province, tariff).

The parsers take an already-loaded ``dict`` (the caller reads the YAML: the
rules do no I/O) plus the name of the file it came from, and report every
problem at once, each naming the file and the entry, the way ESPHome names the
key path (STYLE.md): an administrator fixing ``catalogue.yaml`` must be told
``catalogue.yaml: procedures[12] (code HT.04): time_limit: ...``, not a Python
traceback.

The type lives here, in the lowest package that parses a data file, because
the calendar's override file is parsed here and both the hub and the cloud
read it; the cloud re-exports it as ``cloud.domain.datafile.DataError`` so that
every data file of the system fails with one error type. The text of each
problem comes from ``protocol.errors``, which every input of the system uses.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from protocol.errors import key_path, validation_lines

__all__ = ["DataError", "key_path", "validation_problems"]


class DataError(ValueError):
    """A data file failed validation. ``problems`` holds one line per problem."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"{source}: {count} problem{'s' if count != 1 else ''}"
        super().__init__("\n".join([head, *self.problems]))


def validation_problems(exc: ValidationError, prefix: str) -> list[str]:
    """One readable line per pydantic error, prefixed with the file and entry.

    pydantic's ``Value error, `` prefix is dropped: our validators already
    write the whole sentence.
    """
    return validation_lines(exc, prefix, path=key_path, plain=True)
