"""Service configuration from the environment (the platform components set exactly these names).

Every secret can come as `NAME` or `NAME_FILE` (a path to a file holding it): docker mounts files under
/run/secrets, AWS injects plain env vars. A `NAME_FILE` that cannot be read is an error at startup.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FIELDS = (
    "app_secret_key",
    "postgres_password",
    "redis_password",
    "s3_access_key_id",
    "s3_secret_access_key",
)

Fault = Literal["", "ready", "crash", "flappy"]


def read_secret_file(path: str) -> str:
    """A secret file's content without the trailing newline editors and `echo` add."""
    return Path(path).read_text(encoding="utf-8").rstrip("\r\n")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    app_version: str = "dev"
    app_color: str = "blue"
    app_role: str | None = None
    port: int = 8000
    log_level: str = "info"
    app_secret_key: str | None = None
    app_fault: Fault = ""

    postgres_host: str = "localhost"
    postgres_port: int = 5432
    postgres_user: str = "postgres"
    postgres_db: str = "app"
    postgres_password: str | None = None
    postgres_sslmode: str = "prefer"

    redis_host: str = "localhost"
    redis_port: int = 6379
    redis_password: str | None = None
    redis_tls: bool = False

    s3_bucket: str = "app"
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_ensure_bucket: bool = False

    live_color_file: str | None = None
    live_color_ssm_parameter: str | None = None
    metrics_port: int = 9100
    worker_job_delay_seconds: float = 0.0
    worker_heartbeat_ttl_seconds: float = Field(default=15.0, gt=0)
    worker_grace_seconds: float = Field(default=20.0, ge=0)
    worker_id: str | None = None

    # Per-dependency timeout of the /ready checks.
    ready_timeout_seconds: float = 1.0

    @model_validator(mode="before")
    @classmethod
    def _secrets_from_files(cls, data: object) -> object:
        """Fill each secret from `NAME_FILE` when `NAME` itself is not set."""
        if not isinstance(data, dict):
            return data
        values = dict(data)
        for name in SECRET_FIELDS:
            if values.get(name):
                continue
            path = values.pop(f"{name}_file", None) or os.environ.get(f"{name.upper()}_FILE")
            if path:
                values[name] = read_secret_file(str(path))
        return values

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        """Lower case, as uvicorn wants it (`warn` means `warning`); logging accepts the upper-cased form."""
        level = (value or "info").strip().lower()
        return {"warn": "warning", "fatal": "critical"}.get(level, level)

    @model_validator(mode="after")
    def _empty_strings_are_unset(self) -> Settings:
        if self.s3_endpoint_url == "":
            self.s3_endpoint_url = None
        if self.live_color_file == "":
            self.live_color_file = None
        if self.live_color_ssm_parameter == "":
            self.live_color_ssm_parameter = None
        return self

    def postgres_conninfo(self, connect_timeout: int = 2) -> str:
        from psycopg.conninfo import make_conninfo

        return make_conninfo(
            host=self.postgres_host,
            port=self.postgres_port,
            user=self.postgres_user,
            dbname=self.postgres_db,
            password=self.postgres_password or "",
            sslmode=self.postgres_sslmode,
            connect_timeout=connect_timeout,
            application_name=f"app-{self.app_role or 'api'}-{self.app_color}",
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
