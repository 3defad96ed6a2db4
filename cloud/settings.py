"""Settings of the cloud service, read from ``ONESTOP_*`` environment variables.

One class, so that a province's IT person finds every knob in one place
(``docs/cloud.md`` lists them) and tests build the service with plain keyword
arguments instead of patching the environment.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from transport import MqttSettings


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ONESTOP_", extra="ignore")

    data_dir: Path = Field(default=Path("data/cloud"), description="Where the SQLite database lives.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: a SQLite file cloud.db under data_dir."
    )

    mqtt_host: str = "127.0.0.1"
    mqtt_port: int = 1883
    mqtt_username: str | None = None
    mqtt_password: SecretStr | None = None
    mqtt_keepalive: int = 15
    mqtt_client_id: str = Field(
        default="onestop-cloud",
        description="Stable base of the client ids (…-ingest, …-commands): the broker keeps the ingest "
        "session's messages under it while the service is down. Give each worker its own.",
    )

    http_host: str = "127.0.0.1"
    http_port: int = 8000
    http_access_log: bool = Field(
        default=False, description="One log line per HTTP request; off because every open console polls each second."
    )

    http_max_body_bytes: int = Field(
        default=64 * 1024, ge=0,
        description="Largest request body a route takes unless it says more (its max_body_size): JSON and forms.",
    )
    http_keep_alive_s: int = Field(
        default=5, ge=1, description="An idle keep-alive connection is closed after this many seconds (uvicorn)."
    )
    http_limit_concurrency: int | None = Field(
        default=None, ge=1,
        description="Open connections and requests beyond which uvicorn answers 503 at once; none: no limit.",
    )
    http_head_timeout_s: float = Field(
        default=10.0, gt=0,
        description="A request's head (request line and headers) must arrive within this many seconds (slowloris).",
    )
    http_max_header_bytes: int = Field(
        default=16 * 1024, ge=1024,
        description="Largest request head with uvicorn's h11 parser (h11_max_incomplete_event_size).",
    )

    attachments_dir: Path | None = Field(
        default=None, description="Where files attached to dossiers are kept (0700, each file 0600, named by its "
        "SHA-256); default: attachments/ under data_dir. Back it up with the database.",
    )
    attachment_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1,
        description="Largest file attached to a dossier; the upload routes take this plus 64 KiB of form.",
    )

    procedure_form_max_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1,
        description="Largest downloadable form (PDF or DOCX) of a procedure; at most attachment_max_bytes (the "
        "upload routes' body limit).",
    )

    firmware_configs: Path = Field(default=Path("firmware_configs"), description="Directory of office YAML files.")

    reference_data: Path = Field(
        default=Path(__file__).resolve().parent / "data",
        description="Directory of catalogue.yaml, province.yaml and calendar_overrides.yaml (dossier workflow).",
    )
    seed_at_startup: bool = Field(
        default=True, description="Load the catalogue and units at startup when the procedure table is empty."
    )

    startup_connect_timeout_s: float = Field(
        default=5.0, ge=0, description="How long startup waits for the broker before serving degraded."
    )
    command_timeout_s: float = Field(default=5.0, gt=0, description="How long the API waits for a hub's ack.")

    ingest_batch_size: int = Field(default=500, ge=1, description="Most messages committed in one transaction.")
    ingest_max_delay_ms: float = Field(
        default=20.0, ge=0, description="Longest a received message waits for its batch to fill."
    )

    api_token_days: float = Field(default=90, gt=0, description="Life of a token from POST /api/v1/auth/token.")
    session_hours: float = Field(default=10, gt=0, description="Life of a web console sign-in (a working day).")
    secure_cookies: bool = Field(
        default=False, description="Mark the session cookie Secure: set it when the console is served over HTTPS."
    )

    dead_letter_retention_days: float = Field(
        default=30, gt=0, description="Dead letters not seen again for this long are deleted by the ingest writer.")
    dead_letter_max_rows: int = Field(
        default=100_000, ge=1, description="Most dead letters kept (each at most 4 KiB of its payload); the oldest go.")

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if self.database_url is None:
            self.database_url = f"sqlite:///{(self.data_dir / 'cloud.db').resolve()}"
        return self

    @property
    def attachments_path(self) -> Path:
        return self.attachments_dir if self.attachments_dir is not None else self.data_dir / "attachments"

    @property
    def upload_max_body_bytes(self) -> int:
        """The body limit of an upload route: the largest file and the multipart form around it."""
        return self.attachment_max_bytes + 64 * 1024

    @property
    def db_url(self) -> str:
        assert self.database_url is not None  # set by the validator
        return self.database_url

    def mqtt_settings(self) -> MqttSettings:
        return MqttSettings(
            host=self.mqtt_host,
            port=self.mqtt_port,
            username=self.mqtt_username,
            password=self.mqtt_password.get_secret_value() if self.mqtt_password else None,
            keepalive=self.mqtt_keepalive,
        )
