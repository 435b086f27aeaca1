"""Settings from the environment: every secret as NAME or NAME_FILE."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Settings


@pytest.fixture
def no_app_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    import os

    for key in list(os.environ):
        if key.startswith(("APP_", "POSTGRES_", "REDIS_", "S3_", "LIVE_COLOR_", "WORKER_")) or key in (
            "PORT", "LOG_LEVEL", "METRICS_PORT"
        ):
            monkeypatch.delenv(key)
    return monkeypatch


def test_secrets_from_files(no_app_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("postgres_password", "redis_password", "s3_access_key_id", "s3_secret_access_key",
                 "app_secret_key"):
        (tmp_path / name).write_text(f"{name}-value\n")
        no_app_env.setenv(f"{name.upper()}_FILE", str(tmp_path / name))
    settings = Settings()
    assert settings.postgres_password == "postgres_password-value"
    assert settings.redis_password == "redis_password-value"
    assert settings.s3_access_key_id == "s3_access_key_id-value"
    assert settings.s3_secret_access_key == "s3_secret_access_key-value"
    assert settings.app_secret_key == "app_secret_key-value"


def test_plain_env_wins_over_file_and_defaults(no_app_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("from-file")
    no_app_env.setenv("POSTGRES_PASSWORD_FILE", str(tmp_path / "pw"))
    no_app_env.setenv("POSTGRES_PASSWORD", "from-env")
    no_app_env.setenv("REDIS_TLS", "true")
    no_app_env.setenv("S3_ENDPOINT_URL", "")
    no_app_env.setenv("LOG_LEVEL", "WARN")
    settings = Settings()
    assert settings.log_level == "warning"
    assert settings.postgres_password == "from-env"
    assert settings.redis_tls is True
    assert settings.s3_endpoint_url is None
    assert (settings.port, settings.postgres_port, settings.redis_port) == (8000, 5432, 6379)
    assert (settings.postgres_sslmode, settings.s3_region, settings.metrics_port) == ("prefer", "us-east-1", 9100)
    assert (settings.worker_heartbeat_ttl_seconds, settings.worker_grace_seconds) == (15.0, 20.0)
    assert settings.redis_password is None and settings.s3_ensure_bucket is False


def test_unreadable_secret_file_is_an_error(no_app_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    no_app_env.setenv("REDIS_PASSWORD_FILE", str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError):
        Settings()


def test_unknown_fault_is_rejected(no_app_env: pytest.MonkeyPatch) -> None:
    no_app_env.setenv("APP_FAULT", "explode")
    with pytest.raises(ValueError):
        Settings()
