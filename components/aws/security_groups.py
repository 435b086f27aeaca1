"""One security group that admits a single TCP port from one other security group, and nothing else.

Data stores admit the services, the services admit the ALB, Grafana admits the ALB: the same two resources each
time, named by the caller so existing resource names (and so URNs) stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class PortFromGroup:
    group_name: str  # logical name of the security group
    rule_name: str  # logical name of its ingress rule
    vpc_id: pulumi.Input[str]
    source_group_id: pulumi.Input[str]
    port: int
    description: str  # of the group
    rule_description: str
    tags: dict[str, str]


def group_admitting(spec: PortFromGroup, opts: pulumi.ResourceOptions) -> aws.ec2.SecurityGroup:
    group = aws.ec2.SecurityGroup(
        spec.group_name, vpc_id=spec.vpc_id, description=spec.description, tags=spec.tags, opts=opts
    )
    aws.vpc.SecurityGroupIngressRule(
        spec.rule_name,
        security_group_id=group.id,
        referenced_security_group_id=spec.source_group_id,
        ip_protocol="tcp",
        from_port=spec.port,
        to_port=spec.port,
        description=spec.rule_description,
        opts=opts,
    )
    return group
