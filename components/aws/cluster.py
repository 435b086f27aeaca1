"""The ECS cluster and the security group every api and worker task shares (reachable from the ALB only)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws.security_groups import PortFromGroup, group_admitting


@dataclass(frozen=True)
class ClusterArgs:
    cluster_name: str
    vpc_id: pulumi.Input[str]
    alb_security_group_id: pulumi.Input[str]
    api_port: int
    tags: dict[str, str]


class Cluster(pulumi.ComponentResource):
    cluster: aws.ecs.Cluster
    services_security_group: aws.ec2.SecurityGroup

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:aws/cluster:Cluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.cluster = aws.ecs.Cluster(
            f"{name}-ecs",
            name=args.cluster_name,
            settings=[{"name": "containerInsights", "value": "enabled"}],
            tags=args.tags,
            opts=child,
        )
        self.services_security_group = group_admitting(
            PortFromGroup(
                f"{name}-services-sg", f"{name}-services-from-alb", args.vpc_id, args.alb_security_group_id,
                args.api_port, "api and worker tasks", "api port from the ALB", args.tags,
            ),
            child,
        )
        # Tasks reach ECR, Secrets Manager, AMP and S3 through the NAT gateways.
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-services-out",
            security_group_id=self.services_security_group.id,
            ip_protocol="-1",
            cidr_ipv4="0.0.0.0/0",
            description="AWS APIs, data stores",
            opts=child,
        )
        self.name = self.cluster.name
        self.register_outputs({"name": self.name, "arn": self.cluster.arn})
