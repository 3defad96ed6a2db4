"""Where the broker layer finds mosquitto, mosquitto_passwd and the config templates.

Read from the environment by pydantic-settings when a command needs them,
never at import: a test or a service that sets ``MOSQUITTO`` after importing
``broker`` still gets the broker it asked for, and nothing else in
``broker/`` touches ``os.environ``. The variables keep the names they have
always had (``MOSQUITTO`` and ``MOSQUITTO_PASSWD`` are the tools' own names,
without the project's ``ONESTOP_`` prefix); ``docs/brokers.md`` lists them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Templates live at the repository root (ARCHITECTURE.md layout).
DEFAULT_TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "mosquitto"
#: Debian's paths, tried after the override and before ``PATH``.
DEFAULT_MOSQUITTO = Path("/usr/sbin/mosquitto")
DEFAULT_MOSQUITTO_PASSWD = Path("/usr/bin/mosquitto_passwd")


class BrokerSettings(BaseSettings):
    """Overrides for a self-built broker or a non-editable install; all optional."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    mosquitto: Path | None = Field(
        default=None, validation_alias="MOSQUITTO",
        description="The mosquitto executable to run (default: /usr/sbin/mosquitto, then PATH).",
    )
    mosquitto_passwd: Path | None = Field(
        default=None, validation_alias="MOSQUITTO_PASSWD",
        description="The mosquitto_passwd executable (default: /usr/bin/mosquitto_passwd, then PATH).",
    )
    template_dir: Path = Field(
        default=DEFAULT_TEMPLATE_DIR, validation_alias="ONESTOP_MOSQUITTO_TEMPLATES",
        description="Directory of the mosquitto/*.j2 templates (default: the project's mosquitto/).",
    )


def find_executable(override: Path | None, default: Path, name: str) -> str | None:
    """The first executable file of: the override, Debian's path, ``name`` on ``PATH``; None if none is."""
    for candidate in (override, default, shutil.which(name)):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return str(candidate)
    return None
