"""One color of the service: its image (built or pulled) and its api and worker containers.

Inputs depend only on this color's tag and the shared services, never on which color is live: a flip must not
touch a container, and a deploy to the idle color must not touch the live one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi_docker as docker

from components import naming
from components.docker.containers import StackContext, healthcheck, secret_path, secret_uploads, stack_container
from infra.settings.service import ServiceSettings

WORKER_METRICS_PORT = 9100
LIVE_MAP_MOUNT = os.path.dirname(naming.WORKER_LIVE_MAP)
S3_REGION = "us-east-1"


def http_check(port: int, path: str) -> list[str]:
    """A healthcheck with the image's own Python (python:3.11-slim has no curl): exit 0 only on HTTP 200."""
    code = (
        "import sys, urllib.request\n"
        "try:\n"
        f"    status = urllib.request.urlopen('http://127.0.0.1:{port}{path}', timeout=2).status\n"
        "except Exception:\n"
        "    sys.exit(1)\n"
        "sys.exit(0 if status == 200 else 1)\n"
    )
    return ["CMD", "python", "-c", code]


@dataclass(frozen=True)
class AppBacking:
    """The shared services a color talks to, and the secrets it reads from files."""

    postgres_host: str
    postgres_port: int
    postgres_user: str
    redis_host: str
    redis_port: int
    storage_endpoint: str
    router_maps_volume: pulumi.Input[str]
    secret_files: dict[str, pulumi.Output[str]]
    depends_on: Sequence[pulumi.Resource] = field(default_factory=list)


@dataclass(frozen=True)
class AppColorArgs:
    ctx: StackContext
    color: str
    tag: str
    service: ServiceSettings
    backing: AppBacking
    project_root: Path
    health_path: str = "/health"


class AppColor(pulumi.ComponentResource):
    image: docker.Image | docker.RemoteImage
    api: docker.Container
    worker: docker.Container

    def __init__(self, name: str, args: AppColorArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:docker/app_color:AppColor", name, None, opts)
        ctx, service, color, tag = args.ctx, args.service, args.color, args.tag
        image_ref = self._image(args)
        backing = args.backing
        env = {
            "APP_COLOR": color,
            "APP_VERSION": tag,
            "PORT": str(service.api.port),
            "POSTGRES_HOST": backing.postgres_host,
            "POSTGRES_PORT": str(backing.postgres_port),
            "POSTGRES_USER": backing.postgres_user,
            "POSTGRES_DB": service.database,
            "REDIS_HOST": backing.redis_host,
            "REDIS_PORT": str(backing.redis_port),
            "S3_ENDPOINT_URL": backing.storage_endpoint,
            "S3_BUCKET": service.bucket,
            "S3_REGION": S3_REGION,
            "S3_ENSURE_BUCKET": "true",
            **{f"{name.upper()}_FILE": secret_path(name) for name in backing.secret_files},
            **service.env,
        }
        uploads = secret_uploads({secret_path(name): value for name, value in backing.secret_files.items()})
        child = pulumi.ResourceOptions(parent=self, depends_on=list(backing.depends_on))
        self.api = stack_container(
            ctx,
            naming.color_name(ctx.service, ctx.stack, "api", color),
            image=image_ref,
            alias=f"api-{color}",
            labels=naming.color_labels(ctx.service, ctx.stack, "api", color, tag),
            memory_mb=service.api.memory_mb,
            check=healthcheck(
                http_check(service.api.port, args.health_path),
                interval="2s", timeout="2s", retries=3, start_period="10s",
            ),
            env=env,
            command=service.api.command,
            uploads=uploads,
            opts=child,
        )
        self.worker = stack_container(
            ctx,
            naming.color_name(ctx.service, ctx.stack, "worker", color),
            image=image_ref,
            alias=f"worker-{color}",
            labels=naming.color_labels(ctx.service, ctx.stack, "worker", color, tag),
            memory_mb=service.worker.memory_mb,
            check=healthcheck(http_check(WORKER_METRICS_PORT, "/metrics"), interval="10s", start_period="10s"),
            env={**env, "LIVE_COLOR_FILE": naming.WORKER_LIVE_MAP, "METRICS_PORT": str(WORKER_METRICS_PORT)},
            command=service.worker.command,
            uploads=uploads,
            volumes=[docker.ContainerVolumeArgs(
                volume_name=backing.router_maps_volume, container_path=LIVE_MAP_MOUNT, read_only=True
            )],
            opts=child,
        )
        self.register_outputs({"api": self.api.name, "worker": self.worker.name, "tag": tag})

    def _image(self, args: AppColorArgs) -> pulumi.Output[str]:
        """Build (embedded default) or pull `<repository>:<tag>`; containers follow the image's identity."""
        ctx, service = args.ctx, args.service
        logical = naming.color_image_resource(ctx.service, ctx.stack, args.color)
        ref = naming.image_ref(service.image.repository, args.tag)
        child = pulumi.ResourceOptions(parent=self)
        if service.image.build_context:
            built = docker.Image(
                logical,
                image_name=ref,
                build=docker.DockerBuildArgs(
                    context=build_context_path(args.project_root, service.image.build_context),
                    args={"APP_VERSION": args.tag},
                ),
                skip_push=True,
                opts=child,
            )
            self.image = built
            # Not pushed: repo_digest is the local image id, so a rebuild of the tag replaces the containers.
            return built.repo_digest
        pulled = docker.RemoteImage(logical, name=ref, keep_locally=True, opts=child)
        self.image = pulled
        return pulled.image_id


def build_context_path(project_root: Path, context: str) -> str:
    """The build directory relative to the working directory (infra/ under `pulumi up`), so state holds no
    machine-specific absolute path."""
    return os.path.relpath(project_root / context)
