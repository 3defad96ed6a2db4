"""Reading a settings class for a command, with errors that name the variable to fix.

Every setting a command takes from the environment is a field of a
pydantic-settings class (``cloud.settings.Settings``, ``edge.settings.EdgeSettings``,
``onestop_cli.logging.LogSettings``); none is read from ``os.environ`` by hand.
Options given on the command line are passed in as overrides and win.

pydantic names a bad value by its field (``mqtt_port``) or by the first of
its aliases, not by what the operator typed; ``settings_error_text`` names
the environment variable(s) a field is read from, or the option it came from:
``ONESTOP_EDGE_MQTT_PORT (or ONESTOP_OFFICE_MQTT_PORT): Input should be a valid integer``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import typer
from pydantic import AliasChoices, ValidationError
from pydantic_settings import BaseSettings

from protocol.errors import validation_text

__all__ = ["read_settings", "settings_error_text"]

S = TypeVar("S", bound=BaseSettings)

#: Exit status of a command refused for bad settings (as for a bad configuration file).
BAD_SETTINGS = 2


def read_settings(cls: type[S], options: Mapping[str, str] | None = None, **overrides: Any) -> S:
    """``cls`` from the environment, with the options that were given (not None) on top.

    ``options`` maps a field to its option's name where they differ (``level`` → ``--log-level``).
    A bad value ends the command with exit status 2 and one line per problem on standard error.
    """
    given = {name: value for name, value in overrides.items() if value is not None}
    try:
        return cls(**given)
    except ValidationError as exc:
        names = {name: (options or {}).get(name, f"--{name.replace('_', '-')}") for name in given}
        typer.echo(f"invalid settings:\n{settings_error_text(exc, cls, names)}", err=True)
        raise typer.Exit(BAD_SETTINGS) from None


def settings_error_text(exc: ValidationError, cls: type[BaseSettings], options: Mapping[str, str] | None = None) -> str:
    """One ``VARIABLE: reason`` line per problem; ``--option: reason`` for a field in ``options`` (field → option)."""
    given = dict(options or {})

    def source(loc: Iterable[int | str]) -> str:
        parts = list(loc)
        if not parts:
            return ""
        head, rest = str(parts[0]), "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts[1:])
        return _source(cls, head, given) + rest

    return validation_text(exc, separator="\n", path=source, plain=True)


def _source(cls: type[BaseSettings], head: str, options: Mapping[str, str]) -> str:
    prefix = str(cls.model_config.get("env_prefix", ""))
    for name, info in cls.model_fields.items():
        alias = info.validation_alias
        choices = [str(c) for c in alias.choices] if isinstance(alias, AliasChoices) else [str(alias)] if alias else []
        if head != name and head not in choices:
            continue
        if name in options:
            return options[name]
        variables = choices or [f"{prefix}{name}".upper()]
        return variables[0] + (f" (or {', '.join(variables[1:])})" if variables[1:] else "")
    return head
