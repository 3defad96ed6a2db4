"""structlog set-up shared by every command: one event per line, key=value, on standard error.

Standard error, so that what a command prints as its result (the token of
``onestop users token``, the JSON of ``protocol schema``) is all that is on
standard output for a script to capture.

``ONESTOP_LOG_LEVEL`` (or ``--log-level``) and ``ONESTOP_LOG_FORMAT``
(``console``, the default, or ``json`` for a log collector) are read by
``LogSettings``; a misspelt value stops the command with an error naming the
variable instead of being silently ignored.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal

import structlog
from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from onestop_cli.environment import read_settings

Level = Literal["debug", "info", "warning", "error", "critical"]


class LogSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ONESTOP_LOG_", extra="ignore")

    level: Level = "info"
    format: Literal["console", "json"] = "console"

    @field_validator("level", "format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


def configure(level: str | None = None) -> None:
    settings = read_settings(LogSettings, {"level": "--log-level"}, level=level)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer() if settings.format == "json"
            else structlog.dev.ConsoleRenderer(colors=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, settings.level.upper())),
        # sys.stderr looked up per logger, not once: tests (and click's runner) swap it.
        logger_factory=lambda *_args: structlog.PrintLogger(sys.stderr),
    )
