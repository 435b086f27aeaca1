"""Pure container definitions of an ECS task: the app container and its metrics collector sidecar.

Collector choice: an AMP managed scraper discovers targets through EKS only, so it cannot scrape Fargate tasks.
Each api and worker task therefore runs an ADOT collector sidecar that scrapes the app's `/metrics` on localhost
and remote-writes to AMP with SigV4 (the task role may `aps:RemoteWrite` to this workspace only). A sidecar needs
no service discovery, scales with the tasks, and labels every series with the task's color and role, which the
promote metric gate and the per-color alert rules use. A separate collector service would need ECS service
discovery (Cloud Map) and a role that can list every task; a sidecar costs a little memory per task instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml

APP_CONTAINER = "app"
COLLECTOR_CONTAINER = "collector"
COLLECTOR_MEMORY_MB = 128


@dataclass(frozen=True)
class LogTarget:
    group: str
    region: str
    prefix: str

    def configuration(self) -> dict[str, Any]:
        options = {"awslogs-group": self.group, "awslogs-region": self.region, "awslogs-stream-prefix": self.prefix}
        return {"logDriver": "awslogs", "options": options}


@dataclass(frozen=True)
class Collector:
    image: str
    remote_write_url: str
    region: str
    scrape_interval_seconds: int
    labels: dict[str, str] = field(default_factory=dict)


def collector_config(collector: Collector, job: str, port: int) -> str:
    scrape = {
        "job_name": job,
        "metrics_path": "/metrics",
        "static_configs": [{"targets": [f"localhost:{port}"], "labels": dict(sorted(collector.labels.items()))}],
    }
    config = {
        "extensions": {"sigv4auth": {"region": collector.region, "service": "aps"}},
        "receivers": {
            "prometheus": {
                "config": {
                    "global": {"scrape_interval": f"{collector.scrape_interval_seconds}s"},
                    "scrape_configs": [scrape],
                }
            }
        },
        "exporters": {
            "prometheusremotewrite": {
                "endpoint": collector.remote_write_url,
                "auth": {"authenticator": "sigv4auth"},
            }
        },
        "service": {
            "extensions": ["sigv4auth"],
            "pipelines": {"metrics": {"receivers": ["prometheus"], "exporters": ["prometheusremotewrite"]}},
        },
    }
    return yaml.safe_dump(config, sort_keys=True)


def container_definitions(
    *,
    image: str,
    port: int,
    command: list[str] | None,
    environment: dict[str, str],
    secrets: dict[str, str],
    logs: LogTarget,
    collector: Collector | None,
    job: str,
) -> str:
    """The task's container definitions as ECS wants them (JSON text); env and secrets sorted for stable diffs."""
    app: dict[str, Any] = {
        "name": APP_CONTAINER,
        "image": image,
        "essential": True,
        "portMappings": [{"containerPort": port, "protocol": "tcp"}],
        "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
        "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(secrets.items())],
        "logConfiguration": logs.configuration(),
        "readonlyRootFilesystem": False,
    }
    if command:
        app["command"] = list(command)
    containers = [app]
    if collector is not None:
        containers.append(
            {
                "name": COLLECTOR_CONTAINER,
                "image": collector.image,
                "essential": False,
                "memoryReservation": COLLECTOR_MEMORY_MB,
                "environment": [{"name": "AOT_CONFIG_CONTENT", "value": collector_config(collector, job, port)}],
                "logConfiguration": LogTarget(logs.group, logs.region, COLLECTOR_CONTAINER).configuration(),
            }
        )
    return json.dumps(containers, sort_keys=True)
