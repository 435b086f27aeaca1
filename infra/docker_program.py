"""The docker platform (staging): wire the stack's components on one Docker engine and say what to export."""

from __future__ import annotations

from urllib.parse import urlparse

import pulumi
import pulumi_docker as docker

from components import naming
from components.docker.app_color import AppBacking, AppColor, AppColorArgs
from components.docker.containers import StackContext
from components.docker.minio import Minio, MinioArgs
from components.docker.monitoring import Monitoring, MonitoringArgs
from components.docker.network import StackNetwork, StackNetworkArgs
from components.docker.postgres import POSTGRES_PORT, Postgres, PostgresArgs
from components.docker.prometheus_config import ScrapeTarget
from components.docker.redis import REDIS_PORT, Redis, RedisArgs
from components.docker.router import Router, RouterArgs
from components.docker.router_config import RouterBackends
from components.docker.secrets import StackSecrets, StackSecretsArgs
from infra.settings import COLORS, StackSettings
from infra.settings.loading import PROJECT_ROOT


def public_host(host: str | None, bind_address: str) -> str:
    """Where the router's published ports are reached: the remote engine's host, else the bind address."""
    if host and not host.startswith("unix://"):
        hostname = urlparse(host).hostname
        if hostname:
            return hostname
    return "localhost" if bind_address in ("0.0.0.0", "::") else bind_address


def docker_options(settings: StackSettings, service: str, stack: str) -> pulumi.ResourceOptions:
    """An explicit provider for a configured host; otherwise the default one (DOCKER_HOST or the local socket)."""
    host = settings.docker_settings.host
    if host is None:
        return pulumi.ResourceOptions()
    provider = docker.Provider(naming.shared_name(service, stack, "docker"), host=host)
    return pulumi.ResourceOptions(providers={"docker": provider})


def build_docker_stack(settings: StackSettings, stack: str) -> dict[str, pulumi.Input[object]]:
    platform = settings.docker_settings
    images, memory = platform.images, platform.memory_mb
    service = settings.service
    name = service.name
    opts = docker_options(settings, name, stack)
    prefix = naming.prefix(name, stack)

    net = StackNetwork(f"{prefix}-network", StackNetworkArgs(name, stack), opts)
    ctx = StackContext(name, stack, net.network.name)
    secrets = StackSecrets(f"{prefix}-secrets", StackSecretsArgs(name, stack))

    minio = Minio(
        f"{prefix}-storage",
        MinioArgs(ctx, images.minio, secrets.minio_root_user, secrets.minio_root_password,
                  net.volume_name("miniodata"), memory.minio),
        opts,
    )
    postgres = Postgres(
        f"{prefix}-database",
        PostgresArgs(
            ctx=ctx, image=images.postgres, client_image=images.minio_client, database=service.database,
            password=secrets.postgres_password, data_volume=net.volume_name("pgdata"),
            backups_volume=net.volume_name("backups"), memory_mb=memory.postgres, backup_memory_mb=memory.backup,
            backup=settings.backup, storage_endpoint=minio.endpoint, storage_user=secrets.minio_root_user,
            storage_password=secrets.minio_root_password,
        ),
        opts,
    )
    redis = Redis(
        f"{prefix}-cache",
        RedisArgs(ctx, images.redis, secrets.redis_password, net.volume_name("redisdata"), memory.redis),
        opts,
    )
    backing = AppBacking(
        postgres_host=postgres.host, postgres_port=POSTGRES_PORT, postgres_user=postgres.user,
        redis_host=redis.host, redis_port=REDIS_PORT, storage_endpoint=minio.endpoint,
        router_maps_volume=net.volume_name("router_maps"),
        secret_files={
            "postgres_password": secrets.postgres_password,
            "redis_password": secrets.redis_password,
            "s3_access_key_id": secrets.minio_root_user,
            "s3_secret_access_key": secrets.minio_root_password,
            "app_secret_key": secrets.app_secret_key,
        },
        depends_on=[postgres.container, redis.container, minio.container],
    )
    colors = {
        color: AppColor(
            f"{prefix}-color-{color}",
            AppColorArgs(ctx, color, settings.release.tag_of(color), service, backing, PROJECT_ROOT,
                         settings.gates.health_path),
            opts,
        )
        for color in COLORS
    }
    router = Router(
        f"{prefix}-routing",
        RouterArgs(
            ctx=ctx, image=images.router, memory_mb=memory.router,
            backends=RouterBackends(
                blue_host=naming.color_name(name, stack, "api", "blue"),
                green_host=naming.color_name(name, stack, "api", "green"),
                port=service.api.port, health_path=settings.gates.health_path,
            ),
            maps_volume=net.volume_name("router_maps"), bind_address=platform.bind_address,
            live_port=platform.live_port, test_port=platform.test_port, live=settings.release.live,
            docker_host=platform.host,
        ),
        opts,
    )
    host = public_host(platform.host, platform.bind_address)
    exports: dict[str, pulumi.Input[object]] = {
        "live_url": f"http://{host}:{platform.live_port}",
        "test_url": f"http://{host}:{platform.test_port}",
        "router": router.container.name,
        "live_color": router.switch.live,
        "colors": {
            color: {"api": part.api.name, "worker": part.worker.name} for color, part in colors.items()
        },
    }
    if settings.monitoring.enabled:
        monitoring = Monitoring(f"{prefix}-monitoring", monitoring_args(settings, ctx, net, secrets), opts)
        exports["prometheus_url"] = f"http://127.0.0.1:{platform.prometheus_port}"
        exports["grafana_url"] = f"http://127.0.0.1:{platform.grafana_port}"
        exports["grafana_container"] = monitoring.grafana.name
        password: pulumi.Output[str] = pulumi.Output.secret(secrets.grafana_admin_password)
        exports["grafana_admin_password"] = password
    return exports


def scrape_targets(settings: StackSettings, stack: str) -> list[ScrapeTarget]:
    from components.docker.app_color import WORKER_METRICS_PORT

    name = settings.service.name
    targets = []
    for color in COLORS:
        api = naming.color_name(name, stack, "api", color)
        worker = naming.color_name(name, stack, "worker", color)
        targets.append(ScrapeTarget(f"api-{color}", f"{api}:{settings.service.api.port}", color, "api"))
        targets.append(ScrapeTarget(f"worker-{color}", f"{worker}:{WORKER_METRICS_PORT}", color, "worker"))
    router = naming.shared_name(name, stack, "router")
    targets.append(ScrapeTarget("router", f"{router}:{naming.ROUTER_STATS_PORT}", "none", "router"))
    return targets


def monitoring_args(
    settings: StackSettings, ctx: StackContext, net: StackNetwork, secrets: StackSecrets
) -> MonitoringArgs:
    platform = settings.docker_settings
    return MonitoringArgs(
        ctx=ctx, settings=settings.monitoring, targets=scrape_targets(settings, ctx.stack),
        prometheus_image=platform.images.prometheus, grafana_image=platform.images.grafana,
        prometheus_memory_mb=platform.memory_mb.prometheus, grafana_memory_mb=platform.memory_mb.grafana,
        prometheus_port=platform.prometheus_port, grafana_port=platform.grafana_port,
        prometheus_volume=net.volume_name("prometheus_data"), grafana_volume=net.volume_name("grafana_data"),
        grafana_admin_password=secrets.grafana_admin_password,
    )
