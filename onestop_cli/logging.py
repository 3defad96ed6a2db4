"""structlog set-up shared by every command: one event per line, key=value, on standard error.

Standard error, so that what a command prints as its result (the token of
``onestop users token``, the JSON of ``protocol schema``) is all that is on
standard output for a script to capture.
"""

from __future__ import annotations

import logging
import os
import sys

import structlog


def configure(level: str | None = None) -> None:
    name = (level or os.environ.get("ONESTOP_LOG_LEVEL", "info")).upper()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.dev.ConsoleRenderer(colors=False) if os.environ.get("ONESTOP_LOG_FORMAT") != "json"
            else structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, name, logging.INFO)),
        # sys.stderr looked up per logger, not once: tests (and click's runner) swap it.
        logger_factory=lambda *_args: structlog.PrintLogger(sys.stderr),
    )
