"""Per-platform settings: one Docker host (staging) or AWS (production)."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, field_validator, model_validator

from infra.settings.base import StrictModel


class DockerImages(StrictModel):
    """Third-party images of the docker platform. Point them at a mirror if the host cannot reach Docker Hub."""

    router: str = "haproxy:2.8"
    postgres: str = "postgres:16"
    redis: str = "redis:7.4"
    minio: str = "minio/minio:RELEASE.2025-04-22T22-12-26Z"
    minio_client: str = "minio/mc:RELEASE.2025-04-16T18-13-26Z"
    prometheus: str = "prom/prometheus:v2.55.1"
    grafana: str = "grafana/grafana:11.3.1"


class DockerMemory(StrictModel):
    """Memory limits in MiB for the shared containers (api and worker use service.api/worker.memory_mb)."""

    router: int = Field(default=128, ge=32)
    postgres: int = Field(default=1024, ge=128)
    redis: int = Field(default=256, ge=32)
    minio: int = Field(default=512, ge=128)
    prometheus: int = Field(default=512, ge=128)
    grafana: int = Field(default=256, ge=128)
    backup: int = Field(default=256, ge=64)


class DockerPlatformSettings(StrictModel):
    # None: the engine from DOCKER_HOST or the local socket. "ssh://user@host" reaches a remote engine.
    host: str | None = Field(default=None, pattern=r"^(unix|tcp|ssh)://")
    # Address the router's live and test ports bind to. Everything else binds to loopback or nothing.
    bind_address: str = "0.0.0.0"
    live_port: int = Field(default=8080, ge=1, le=65535)
    test_port: int = Field(default=8081, ge=1, le=65535)
    grafana_port: int = Field(default=3000, ge=1, le=65535)
    prometheus_port: int = Field(default=9090, ge=1, le=65535)
    images: DockerImages = Field(default_factory=DockerImages)
    memory_mb: DockerMemory = Field(default_factory=DockerMemory)

    @field_validator("bind_address")
    @classmethod
    def _ip(cls, value: str) -> str:
        ipaddress.ip_address(value)
        return value

    @model_validator(mode="after")
    def _distinct_ports(self) -> DockerPlatformSettings:
        ports = {
            "live_port": self.live_port,
            "test_port": self.test_port,
            "grafana_port": self.grafana_port,
            "prometheus_port": self.prometheus_port,
        }
        seen: dict[int, str] = {}
        for key, port in ports.items():
            if port in seen:
                raise ValueError(f"{key}: {port} is already used by {seen[port]}; pick a free port")
            seen[port] = key
        return self


class AwsNetworkSettings(StrictModel):
    cidr: str = "10.40.0.0/16"
    az_count: int = Field(default=2, ge=2, le=3)
    nat: Literal["single", "per_az"] = "single"

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        net = ipaddress.ip_network(value)
        if net.prefixlen > 20:
            raise ValueError(f"must be a /20 or larger network to fit the subnets, got {value!r}")
        return value


class AwsAlbSettings(StrictModel):
    # With a domain and a certificate, the ALB serves HTTPS on 443 and redirects 80 to it.
    domain: str | None = None
    certificate_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:acm:")
    # The test entry: a second listener port, reachable only from these CIDRs.
    test_port: int = Field(default=8443, ge=1, le=65535)
    test_cidrs: list[str] = Field(default_factory=lambda: ["10.0.0.0/8"])
    deregistration_delay_seconds: int = Field(default=30, ge=0, le=3600)
    idle_timeout_seconds: int = Field(default=60, ge=1, le=4000)
    # Grafana on Fargate (managed_grafana off) is reached on this ALB port, from test_cidrs only.
    grafana_port: int = Field(default=3000, ge=1, le=65535)

    @field_validator("test_cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            net = ipaddress.ip_network(cidr)
            if net.prefixlen == 0:
                raise ValueError(f"{cidr!r} opens the test entry to the internet; name your office or VPN ranges")
        return value

    @model_validator(mode="after")
    def _domain_with_cert(self) -> AwsAlbSettings:
        if bool(self.domain) != bool(self.certificate_arn):
            raise ValueError("domain and certificate_arn: set both for HTTPS, or neither for HTTP only")
        return self

    @model_validator(mode="after")
    def _distinct_ports(self) -> AwsAlbSettings:
        taken = {80: "the live entry (80)", 443: "the live entry (443)"}
        for key, port in (("test_port", self.test_port), ("grafana_port", self.grafana_port)):
            if port in taken:
                raise ValueError(f"{key}: {port} is already used by {taken[port]}; pick a free port")
            taken[port] = key
        return self


class AwsDatabaseSettings(StrictModel):
    instance_class: str = Field(default="db.t4g.medium", pattern=r"^db\.")
    engine_version: str = "16.4"
    allocated_storage_gb: int = Field(default=50, ge=20, le=65536)
    multi_az: bool = True
    backup_retention_days: int = Field(default=14, ge=7, le=35)
    deletion_protection: bool = True


class AwsCacheSettings(StrictModel):
    engine: Literal["redis", "valkey"] = "valkey"
    engine_version: str = "7.2"
    node_type: str = Field(default="cache.t4g.small", pattern=r"^cache\.")
    replicas: int = Field(default=1, ge=0, le=5)
    automatic_failover: bool = True

    @model_validator(mode="after")
    def _failover_needs_replica(self) -> AwsCacheSettings:
        if self.automatic_failover and self.replicas < 1:
            raise ValueError("automatic_failover: needs replicas >= 1; add a replica or turn failover off")
        return self


class AwsPlatformSettings(StrictModel):
    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    network: AwsNetworkSettings = Field(default_factory=AwsNetworkSettings)
    alb: AwsAlbSettings = Field(default_factory=AwsAlbSettings)
    database: AwsDatabaseSettings = Field(default_factory=AwsDatabaseSettings)
    cache: AwsCacheSettings = Field(default_factory=AwsCacheSettings)
    log_retention_days: int = Field(default=30, ge=1, le=3653)
    # Scale the api on average CPU of the live color.
    cpu_target_percent: int = Field(default=60, ge=10, le=95)
    # Amazon Managed Grafana needs IAM Identity Center in the account; off means Grafana on Fargate.
    managed_grafana: bool = False
    # Metrics collector sidecar of every api and worker task (scrapes /metrics, remote-writes to AMP).
    collector_image: str = Field(
        default="public.ecr.aws/aws-observability/aws-otel-collector:v0.43.1", pattern=r"^[a-z0-9][a-z0-9._/:@-]*$"
    )
    # Grafana on Fargate, when managed_grafana is off.
    grafana_image: str = Field(default="grafana/grafana:11.3.1", pattern=r"^[a-z0-9][a-z0-9._/:@-]*$")
