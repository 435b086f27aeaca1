"""The ALB: a live listener weighting both colors' target groups 100/0, and a test listener weighting them 0/100.

A flip (or a rollback) is an in-place update of the listeners' default actions: both target groups stay attached,
only the weights move, so no target group, load balancer or service is replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws.plan import COLORS, Color, listener_weights, other

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
INTERNET = "0.0.0.0/0"


@dataclass(frozen=True)
class LoadBalancerArgs:
    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    subnet_ids: Sequence[pulumi.Input[str]]
    live: Color
    target_port: int
    health_path: str
    deregistration_delay_seconds: int
    idle_timeout_seconds: int
    certificate_arn: str | None
    test_port: int
    test_cidrs: list[str]
    deletion_protection: bool
    tags: dict[str, str]


def forward(groups: dict[Color, aws.lb.TargetGroup], target: Color) -> dict[str, object]:
    weights = listener_weights(target)
    targets = [{"arn": groups[color].arn, "weight": weights[color]} for color in COLORS]
    return {"type": "forward", "forward": {"target_groups": targets}}


class LoadBalancer(pulumi.ComponentResource):
    def __init__(self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:aws/alb:LoadBalancer", name, None, opts)
        if args.test_port in (80, 443):
            raise ValueError(f"aws.alb.test_port: {args.test_port} is taken by the live entry; pick another port")
        child = pulumi.ResourceOptions(parent=self)
        self.https = args.certificate_arn is not None
        self.certificate_arn = args.certificate_arn
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg", vpc_id=args.vpc_id, description="ALB: live entry from anywhere, test entry restricted",
            tags=args.tags, opts=child,
        )
        public_ports = [80, 443] if self.https else [80]
        for port in public_ports:
            self.allow(f"{name}-in-{port}", port, INTERNET, "live entry")
        for index, cidr in enumerate(args.test_cidrs):
            self.allow(f"{name}-in-test-{index}", args.test_port, cidr, "test entry")
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-out-vpc", security_group_id=self.security_group.id, ip_protocol="-1", cidr_ipv4=args.vpc_cidr,
            description="to targets inside the VPC", opts=child,
        )
        self.load_balancer = aws.lb.LoadBalancer(
            f"{name}-lb",
            load_balancer_type="application",
            internal=False,
            subnets=args.subnet_ids,
            security_groups=[self.security_group.id],
            idle_timeout=args.idle_timeout_seconds,
            drop_invalid_header_fields=True,
            enable_deletion_protection=args.deletion_protection,
            tags=args.tags,
            opts=child,
        )
        self.target_groups: dict[Color, aws.lb.TargetGroup] = {
            color: aws.lb.TargetGroup(
                f"{name}-tg-{color}",
                vpc_id=args.vpc_id,
                target_type="ip",
                protocol="HTTP",
                port=args.target_port,
                deregistration_delay=args.deregistration_delay_seconds,
                health_check={"path": args.health_path, "matcher": "200", "interval": 10, "timeout": 5,
                              "healthy_threshold": 2, "unhealthy_threshold": 3},
                tags={**args.tags, "shipyard:color": color},
                opts=child,
            )
            for color in COLORS
        }
        protocol = "HTTPS" if self.https else "HTTP"
        tls = {"certificate_arn": args.certificate_arn, "ssl_policy": TLS_POLICY} if self.https else {}
        if self.https:
            aws.lb.Listener(
                f"{name}-http-redirect",
                load_balancer_arn=self.load_balancer.arn,
                port=80,
                protocol="HTTP",
                default_actions=[{"type": "redirect",
                                  "redirect": {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}}],
                opts=child,
            )
        self.live_listener = aws.lb.Listener(
            f"{name}-live",
            load_balancer_arn=self.load_balancer.arn,
            port=443 if self.https else 80,
            protocol=protocol,
            default_actions=[forward(self.target_groups, args.live)],
            opts=child,
            **tls,
        )
        self.test_listener = aws.lb.Listener(
            f"{name}-test",
            load_balancer_arn=self.load_balancer.arn,
            port=args.test_port,
            protocol=protocol,
            default_actions=[forward(self.target_groups, other(args.live))],
            opts=child,
            **tls,
        )
        self.dns_name = self.load_balancer.dns_name
        self.register_outputs({"dns_name": self.dns_name})

    def allow(self, name: str, port: int, cidr: str, why: str, parent: pulumi.Resource | None = None) -> None:
        aws.vpc.SecurityGroupIngressRule(
            name, security_group_id=self.security_group.id, ip_protocol="tcp", from_port=port, to_port=port,
            cidr_ipv4=cidr, description=why, opts=pulumi.ResourceOptions(parent=parent or self),
        )
