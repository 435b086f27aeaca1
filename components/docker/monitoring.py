"""Prometheus (scrapes both colors and the router, evaluates the alert rules) and Grafana (provisioned datasource
and release dashboard). Both publish on the Docker host's loopback only, and run as their images' users."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components.docker import grafana_config, prometheus_config
from components.docker.containers import (
    StackContext,
    healthcheck,
    loopback_port,
    plain_uploads,
    secret_path,
    secret_uploads,
    shared_labels,
    stack_container,
    volume,
)
from infra.settings.monitoring import MonitoringSettings

PROMETHEUS_PORT = 9090
GRAFANA_PORT = 3000
GRAFANA_ADMIN_USER = "admin"
GRAFANA_PASSWORD_FILE = secret_path("grafana_admin_password")


@dataclass(frozen=True)
class MonitoringArgs:
    ctx: StackContext
    settings: MonitoringSettings
    targets: list[prometheus_config.ScrapeTarget]
    prometheus_image: str
    grafana_image: str
    prometheus_memory_mb: int
    grafana_memory_mb: int
    prometheus_port: int
    grafana_port: int
    prometheus_volume: pulumi.Input[str]
    grafana_volume: pulumi.Input[str]
    grafana_admin_password: pulumi.Output[str]


class Monitoring(pulumi.ComponentResource):
    prometheus: docker.Container
    grafana: docker.Container

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:docker/monitoring:Monitoring", name, None, opts)
        ctx, settings = args.ctx, args.settings
        child = pulumi.ResourceOptions(parent=self)
        prometheus_name = ctx.name("prometheus")
        self.prometheus = stack_container(
            ctx,
            prometheus_name,
            image=args.prometheus_image,
            alias="prometheus",
            labels=shared_labels(ctx, "prometheus"),
            memory_mb=args.prometheus_memory_mb,
            check=healthcheck(["CMD", "wget", "-q", "-O", "/dev/null", f"http://127.0.0.1:{PROMETHEUS_PORT}/-/ready"]),
            command=[
                f"--config.file={prometheus_config.CONFIG_FILE}",
                "--storage.tsdb.path=/prometheus",
                f"--storage.tsdb.retention.time={settings.retention_days}d",
            ],
            uploads=plain_uploads(
                {
                    prometheus_config.CONFIG_FILE: prometheus_config.render_prometheus_config(
                        args.targets, settings.scrape_interval_seconds, ctx.stack
                    ),
                    prometheus_config.RULES_FILE: prometheus_config.render_alert_rules(settings.alerts),
                }
            ),
            volumes=[volume(args.prometheus_volume, "/prometheus")],
            ports=[loopback_port(args.prometheus_port, PROMETHEUS_PORT)],
            opts=child,
        )
        self.grafana = stack_container(
            ctx,
            ctx.name("grafana"),
            image=args.grafana_image,
            alias="grafana",
            labels=shared_labels(ctx, "grafana"),
            memory_mb=args.grafana_memory_mb,
            check=healthcheck(
                ["CMD-SHELL", f"wget -q -O /dev/null http://127.0.0.1:{GRAFANA_PORT}/api/health || exit 1"]
            ),
            env={
                "GF_SECURITY_ADMIN_USER": GRAFANA_ADMIN_USER,
                "GF_SECURITY_ADMIN_PASSWORD__FILE": GRAFANA_PASSWORD_FILE,
                "GF_USERS_ALLOW_SIGN_UP": "false",
                "GF_ANALYTICS_REPORTING_ENABLED": "false",
            },
            uploads=[
                *plain_uploads(
                    {
                        grafana_config.DATASOURCE_FILE: grafana_config.render_datasource(
                            f"http://{prometheus_name}:{PROMETHEUS_PORT}"
                        ),
                        grafana_config.DASHBOARD_PROVIDER_FILE: grafana_config.render_dashboard_provider(),
                        grafana_config.DASHBOARD_FILE: grafana_config.render_dashboard(
                            f"{ctx.service} ({ctx.stack}) release"
                        ),
                    }
                ),
                *secret_uploads({GRAFANA_PASSWORD_FILE: args.grafana_admin_password}),
            ],
            volumes=[volume(args.grafana_volume, "/var/lib/grafana")],
            ports=[loopback_port(args.grafana_port, GRAFANA_PORT)],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.prometheus]),
        )
        self.register_outputs({"prometheus": self.prometheus.name, "grafana": self.grafana.name})
