"""Monitoring and backup policy, shared by both platforms."""

from __future__ import annotations

from pydantic import Field

from infra.settings.base import StrictModel


class AlertSettings(StrictModel):
    error_rate_ratio: float = Field(default=0.01, gt=0, lt=1, description="5xx share of requests")
    p95_latency_seconds: float = Field(default=0.5, gt=0)
    for_minutes: int = Field(default=5, ge=1, le=1440)


class MonitoringSettings(StrictModel):
    enabled: bool = True
    scrape_interval_seconds: int = Field(default=15, ge=5, le=300)
    retention_days: int = Field(default=15, ge=1, le=3650)
    alerts: AlertSettings = Field(default_factory=AlertSettings)


class BackupSettings(StrictModel):
    enabled: bool = True
    # Seconds between pg_dump runs on the docker platform (aws uses RDS automated backups).
    interval_seconds: int = Field(default=6 * 3600, ge=60)
    keep: int = Field(default=14, ge=1, le=1000)
