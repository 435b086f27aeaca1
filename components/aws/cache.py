"""ElastiCache (valkey or redis) replication group: private, TLS in transit, encrypted at rest, auth token."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.aws.security_groups import PortFromGroup, group_admitting

REDIS_PORT = 6379


@dataclass(frozen=True)
class CacheArgs:
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    client_security_group_id: pulumi.Input[str]
    engine: Literal["redis", "valkey"]
    engine_version: str
    node_type: str
    replicas: int
    automatic_failover: bool
    auth_token: pulumi.Output[str]
    protect: bool
    tags: dict[str, str]


class Cache(pulumi.ComponentResource):
    group: aws.elasticache.ReplicationGroup

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:aws/cache:Cache", name, None, opts)
        if args.automatic_failover and args.replicas < 1:
            raise ValueError("aws.cache.automatic_failover: needs replicas >= 1")
        child = pulumi.ResourceOptions(parent=self)
        security_group = group_admitting(
            PortFromGroup(
                f"{name}-sg", f"{name}-from-services", args.vpc_id, args.client_security_group_id, REDIS_PORT,
                "Cache, from the services only", "cache from the api and worker tasks", args.tags,
            ),
            child,
        )
        subnets = aws.elasticache.SubnetGroup(
            f"{name}-subnets", description="private subnets", subnet_ids=args.subnet_ids, tags=args.tags,
            opts=child,
        )
        self.group = aws.elasticache.ReplicationGroup(
            f"{name}-group",
            description=f"{name} {args.engine}",
            engine=args.engine,
            engine_version=args.engine_version,
            node_type=args.node_type,
            port=REDIS_PORT,
            num_cache_clusters=1 + args.replicas,
            automatic_failover_enabled=args.automatic_failover,
            multi_az_enabled=args.automatic_failover,
            transit_encryption_enabled=True,
            at_rest_encryption_enabled=True,
            auth_token=pulumi.Output.secret(args.auth_token),  # type: ignore[arg-type]
            subnet_group_name=subnets.name,
            security_group_ids=[security_group.id],
            snapshot_retention_limit=7,
            apply_immediately=False,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.host = self.group.primary_endpoint_address
        self.register_outputs({"host": self.host})
