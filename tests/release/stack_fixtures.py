"""Temporary project directories with a Pulumi.yaml and a stack file, for release tests."""

from __future__ import annotations

import shutil
import socket
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

STACK_TEMPLATE = """\
# A release test stack. This comment must survive every write of the release section.
config:
  shipyard:platform: docker
  shipyard:service:
    name: {service}
    image:
      repository: shipyard-test/app
    api:
      memory_mb: 256
    worker:
      command: ["python", "-m", "app.worker"]
      memory_mb: 192
  # release state: written by the release commands
  shipyard:release:
    live: blue
    blue:
      tag: "1.0.0"  # the first tag
    green:
      tag: "1.0.0"
    history: []
    retain: 10
  shipyard:gates:
    consecutive_passes: 3
    interval_seconds: 0.3
    request_timeout_seconds: 2
    deadline_seconds: {deadline}
    watch_window_seconds: 2
    migrate_command: ["python", "-m", "app.migrate"]
    smoke:
      - path: /health
        status: 200
  shipyard:standby:
    mode: warm
  shipyard:monitoring:
    enabled: false
  shipyard:backup:
    enabled: false
  shipyard:docker:
    bind_address: 127.0.0.1
    live_port: {live}
    test_port: {test}
    grafana_port: {grafana}
    prometheus_port: {prometheus}
    images:
      router: shipyard-test/haproxy:2.6
      postgres: shipyard-test/postgres:15
      redis: shipyard-test/redis:7
      minio: shipyard-test/minio:s3
      minio_client: shipyard-test/minio:s3
"""


def free_ports(count: int) -> list[int]:
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def make_project(root: Path, stack: str | None = None, service: str | None = None,
                 deadline: float = 45) -> tuple[Path, str, str]:
    """A project dir under `root` with Pulumi.yaml and Pulumi.<stack>.yaml; returns (dir, stack, service)."""
    stack = stack or f"e2e{uuid.uuid4().hex[:6]}"
    service = service or f"sy{uuid.uuid4().hex[:6]}"
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
    live, test, grafana, prometheus = free_ports(4)
    (root / f"Pulumi.{stack}.yaml").write_text(STACK_TEMPLATE.format(
        service=service, live=live, test=test, grafana=grafana, prometheus=prometheus, deadline=deadline))
    return root, stack, service
