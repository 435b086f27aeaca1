"""The aws platform program: read settings, wire the components, return the exports. Decisions live elsewhere."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.aws.alb import LoadBalancer, LoadBalancerArgs
from components.aws.app_services import AppServices, AppServicesArgs
from components.aws.cache import REDIS_PORT, Cache, CacheArgs
from components.aws.cluster import Cluster, ClusterArgs
from components.aws.database import MASTER_USERNAME, POSTGRES_PORT, Database, DatabaseArgs
from components.aws.ecr import ImageRepository, ImageRepositoryArgs
from components.aws.grafana import Grafana, GrafanaArgs
from components.aws.monitoring import Monitoring, MonitoringArgs
from components.aws.network import Network, NetworkArgs
from components.aws.plan import check_fargate_size
from components.aws.secrets import GeneratedSecret, GeneratedSecretArgs
from components.aws.storage import Bucket, BucketArgs
from components.naming import prefix as stack_prefix
from infra.settings import SettingsError, StackSettings


def check_sizes(settings: StackSettings) -> None:
    problems = []
    for role, size in (("api", settings.service.api), ("worker", settings.service.worker)):
        try:
            check_fargate_size(role, size.cpu, size.memory_mb)
        except ValueError as error:
            problems.append(str(error))
    if problems:
        raise SettingsError(problems)


def build_aws_stack(settings: StackSettings, stack: str) -> dict[str, pulumi.Input[object]]:
    check_sizes(settings)
    cfg = settings.aws_settings
    service = settings.service
    name = stack_prefix(service.name, stack)
    tags = {"shipyard:service": service.name, "shipyard:stack": stack}
    protect = cfg.database.deletion_protection

    zones = aws.get_availability_zones(state="available").names[: cfg.network.az_count]
    if len(zones) < cfg.network.az_count:
        raise SettingsError([f"aws.network.az_count: {cfg.region} offers only {len(zones)} zones"])
    network = Network(f"{name}-net", NetworkArgs(cfg.network.cidr, list(zones), cfg.network.nat, tags))
    images = ImageRepository(f"{name}-ecr", ImageRepositoryArgs(name, settings.release.retain, tags))
    repository_url = service.image.repository or images.repository_url
    alb = LoadBalancer(f"{name}-alb", LoadBalancerArgs(
        vpc_id=network.vpc.id, vpc_cidr=cfg.network.cidr, subnet_ids=network.public_subnet_ids,
        live=settings.release.live, target_port=service.api.port, health_path=settings.gates.health_path,
        deregistration_delay_seconds=cfg.alb.deregistration_delay_seconds,
        idle_timeout_seconds=cfg.alb.idle_timeout_seconds, certificate_arn=cfg.alb.certificate_arn,
        test_port=cfg.alb.test_port, test_cidrs=cfg.alb.test_cidrs, deletion_protection=protect, tags=tags))
    cluster = Cluster(f"{name}-cluster", ClusterArgs(name, network.vpc.id, alb.security_group.id,
                                                     service.api.port, tags))
    clients = cluster.services_security_group.id
    private = network.private_subnet_ids
    bucket = Bucket(f"{name}-storage", BucketArgs(f"{service.bucket}-{stack}", protect, tags))
    database = Database(f"{name}-db", DatabaseArgs(
        vpc_id=network.vpc.id, subnet_ids=private, client_security_group_id=clients, database_name=service.database,
        instance_class=cfg.database.instance_class, engine_version=cfg.database.engine_version,
        allocated_storage_gb=cfg.database.allocated_storage_gb, multi_az=cfg.database.multi_az,
        backup_retention_days=cfg.database.backup_retention_days,
        deletion_protection=cfg.database.deletion_protection, final_snapshot_identifier=f"{name}-db-final",
        protect=protect, tags=tags))
    redis_token = GeneratedSecret(f"{name}-redis-token", GeneratedSecretArgs("cache auth token", tags=tags))
    cache = Cache(f"{name}-cache", CacheArgs(
        vpc_id=network.vpc.id, subnet_ids=private, client_security_group_id=clients, engine=cfg.cache.engine,
        engine_version=cfg.cache.engine_version, node_type=cfg.cache.node_type, replicas=cfg.cache.replicas,
        automatic_failover=cfg.cache.automatic_failover, auth_token=redis_token.value, protect=protect, tags=tags))

    monitoring = None
    if settings.monitoring.enabled:
        alerts = settings.monitoring.alerts
        monitoring = Monitoring(f"{name}-monitoring", MonitoringArgs(
            service=service.name, region=cfg.region, error_rate_ratio=alerts.error_rate_ratio,
            p95_latency_seconds=alerts.p95_latency_seconds, for_minutes=alerts.for_minutes,
            collector_image=cfg.collector_image, scrape_interval_seconds=settings.monitoring.scrape_interval_seconds,
            tags=tags))

    apps = AppServices(f"{name}-app", AppServicesArgs(
        prefix=name, service=service, release=settings.release, standby=settings.standby.mode,
        repository_url=repository_url, cluster_name=cluster.name, subnet_ids=private, security_group_id=clients,
        target_group_arns={color: group.arn for color, group in alb.target_groups.items()},
        shared_environment={
            "POSTGRES_HOST": database.address, "POSTGRES_PORT": str(POSTGRES_PORT),
            "POSTGRES_USER": MASTER_USERNAME, "POSTGRES_DB": service.database, "POSTGRES_SSLMODE": "require",
            "REDIS_HOST": cache.host, "REDIS_PORT": str(REDIS_PORT), "REDIS_TLS": "true",
            "S3_BUCKET": bucket.name, "S3_REGION": cfg.region,
        },
        secrets={"POSTGRES_PASSWORD": database.password_value_from, "REDIS_PASSWORD": redis_token.arn},
        bucket_arn=bucket.arn, workspace_arn=monitoring.workspace.arn if monitoring else None,
        collector=monitoring.collector if monitoring else None, region=cfg.region,
        log_retention_days=cfg.log_retention_days, cpu_target_percent=cfg.cpu_target_percent, tags=tags,
        listeners=[alb.live_listener, alb.test_listener]))

    exports: dict[str, pulumi.Input[object]] = {}
    if monitoring is not None:
        grafana = Grafana(f"{name}-grafana", GrafanaArgs(
            managed=cfg.managed_grafana, workspace_arn=monitoring.workspace.arn, query_url=monitoring.query_url,
            region=cfg.region, image=cfg.grafana_image, cluster_name=None if cfg.managed_grafana else cluster.name,
            alb=None if cfg.managed_grafana else alb, listener_port=cfg.alb.grafana_port,
            operator_cidrs=tuple(cfg.alb.test_cidrs), vpc_id=network.vpc.id, subnet_ids=tuple(private),
            log_retention_days=cfg.log_retention_days, service_name=f"{name}-grafana", tags=tags))
        exports.update(grafana_url=grafana.url, prometheus_query_url=monitoring.query_url)

    scheme = "https" if cfg.alb.domain else "http"
    host: pulumi.Input[str] = cfg.alb.domain or alb.dns_name
    exports.update(
        live_url=pulumi.Output.concat(f"{scheme}://", host),
        test_url=pulumi.Output.concat(f"{scheme}://", host, f":{cfg.alb.test_port}"),
        alb_dns_name=alb.dns_name,
        ecr_repository_url=images.repository_url,
        image_repository=repository_url,
        cluster_name=cluster.name,
        live_color=settings.release.live,
        live_color_parameter=apps.live_color_parameter.name,
        bucket=bucket.name,
        database_secret_arn=database.master_secret_arn,
        **{f"service_{key.replace('-', '_')}": value for key, value in apps.service_names.items()},
    )
    return exports
