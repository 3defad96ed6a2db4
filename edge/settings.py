"""Settings of the hub agent that come from its environment, ``ONESTOP_EDGE_*``.

The office configuration (``firmware_configs/*.yaml``, pushed by the cloud)
says what the office *is*: its fields, counters, devices and broker. What is
left is how this one process runs on this one machine: where its database
lives, the office broker's password (a secret that stays out of the YAML),
and the overrides the demo and the tests need to put a hub on free ports.
Those come from the environment (a systemd ``EnvironmentFile`` on the Pi) or
from ``onestop edge``'s options, which win over the environment. One class
holds them, as ``cloud.settings.Settings`` does for the cloud.

Older names are still read, as aliases, because scripts and units written
before this class set them: ``ONESTOP_OFFICE_MQTT_PORT``,
``ONESTOP_HUB_MQTT_PASSWORD``, ``ONESTOP_DISPLAY_PORT`` and
``ONESTOP_DISPLAY_HOST``. When both are set, the ``ONESTOP_EDGE_*`` name wins.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ENV_PREFIX", "EdgeSettings"]

ENV_PREFIX = "ONESTOP_EDGE_"


def _env(name: str, *older: str) -> AliasChoices:
    """The variable ``ONESTOP_EDGE_<NAME>``, then the older names that meant the same."""
    return AliasChoices(f"{ENV_PREFIX}{name.upper()}", *older)


class EdgeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path("data/edge"), description="The hub's database and audio files.")
    mqtt_port: int | None = Field(
        default=None, ge=1, le=65535, validation_alias=_env("mqtt_port", "ONESTOP_OFFICE_MQTT_PORT"),
        description="Port of the office broker, instead of the configuration's hub.mqtt.port (demo, tests).",
    )
    mqtt_password: SecretStr | None = Field(
        default=None, validation_alias=_env("mqtt_password", "ONESTOP_HUB_MQTT_PASSWORD"),
        description="The hub's password on the office broker; default: the file named by hub.mqtt.password_file.",
    )
    display_port: int | None = Field(
        default=None, ge=0, le=65535, validation_alias=_env("display_port", "ONESTOP_DISPLAY_PORT"),
        description="Port of the hall display and virtual office pages; default: hub.display_port; 0: none.",
    )
    display_host: str = Field(
        default="127.0.0.1", validation_alias=_env("display_host", "ONESTOP_DISPLAY_HOST"),
        description="Address the display server listens on (0.0.0.0 for a display on another machine).",
    )

    def password(self) -> str | None:
        return self.mqtt_password.get_secret_value() if self.mqtt_password else None
