"""Grafana over the AMP workspace: Amazon Managed Grafana, or Grafana on Fargate behind the ALB.

Default: Grafana on Fargate (`aws.managed_grafana: false`). Managed Grafana needs IAM Identity Center (or a SAML
IdP) set up in the account, which a fresh account lacks; Fargate Grafana works everywhere, signs its AMP queries
with SigV4 through its task role (query actions on this workspace only), keeps its admin password in Secrets
Manager, and is reachable only from `alb.test_cidrs` on `alb.grafana_port`. Its dashboards live in the container
(no persistent volume): the AMP datasource is provisioned at start, so a replaced task comes back configured.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import yaml

from components.aws.alb import LoadBalancer
from components.aws.iam import TaskRoles, TaskRolesArgs
from components.aws.policies import assume_role, document, grafana_query
from components.aws.secrets import GeneratedSecret, GeneratedSecretArgs
from components.aws.security_groups import PortFromGroup, group_admitting
from components.aws.task_spec import LogTarget

GRAFANA_PORT = 3000
PROVISIONING = "/tmp/provisioning"


@dataclass(frozen=True)
class GrafanaArgs:
    managed: bool
    workspace_arn: pulumi.Input[str]
    query_url: pulumi.Input[str]
    region: str
    image: str
    # Fargate only:
    cluster_name: pulumi.Input[str] | None = None
    alb: LoadBalancer | None = None
    listener_port: int = 3000
    operator_cidrs: tuple[str, ...] = ()
    vpc_id: pulumi.Input[str] | None = None
    subnet_ids: tuple[pulumi.Input[str], ...] = ()
    log_retention_days: int = 30
    service_name: str = "grafana"
    tags: dict[str, str] | None = None


def grafana_containers(image: str, query_url: str, region: str, secret_arn: str, logs: LogTarget) -> str:
    datasource = {"apiVersion": 1, "datasources": [{
        "name": "Amazon Managed Prometheus", "type": "prometheus", "access": "proxy", "isDefault": True,
        "url": query_url.rstrip("/"),
        "jsonData": {"sigV4Auth": True, "sigV4AuthType": "default", "sigV4Region": region},
    }]}
    start = f"mkdir -p {PROVISIONING}/datasources && printf '%s' \"$DATASOURCES\" > " \
            f"{PROVISIONING}/datasources/amp.yaml && exec /run.sh"
    environment = {"DATASOURCES": yaml.safe_dump(datasource, sort_keys=True), "GF_PATHS_PROVISIONING": PROVISIONING,
                   "GF_AUTH_SIGV4_AUTH_ENABLED": "true", "GF_SECURITY_ADMIN_USER": "admin",
                   "GF_AUTH_ANONYMOUS_ENABLED": "false", "AWS_REGION": region}
    return json.dumps([{
        "name": "grafana", "image": image, "essential": True, "entryPoint": ["sh", "-c"], "command": [start],
        "portMappings": [{"containerPort": GRAFANA_PORT, "protocol": "tcp"}],
        "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
        "secrets": [{"name": "GF_SECURITY_ADMIN_PASSWORD", "valueFrom": secret_arn}],
        "logConfiguration": logs.configuration(),
    }], sort_keys=True)


class Grafana(pulumi.ComponentResource):
    def __init__(self, name: str, args: GrafanaArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:aws/grafana:Grafana", name, None, opts)
        if args.managed and args.alb is not None:
            raise ValueError("managed Grafana takes no ALB; pass alb only for Grafana on Fargate")
        if not args.managed and (args.alb is None or args.cluster_name is None or args.vpc_id is None):
            raise ValueError("Grafana on Fargate needs alb, cluster_name and vpc_id")
        self.child = pulumi.ResourceOptions(parent=self)
        self.tags = args.tags or {}
        self.url = self._managed(name, args) if args.managed else self._fargate(name, args)
        self.register_outputs({"url": self.url})

    def _managed(self, name: str, args: GrafanaArgs) -> pulumi.Output[str]:
        role = aws.iam.Role(f"{name}-role", assume_role_policy=assume_role("grafana.amazonaws.com"),
                            tags=self.tags, opts=self.child)
        aws.iam.RolePolicy(f"{name}-query", role=role.id, opts=self.child,
                           policy=pulumi.Output.from_input(args.workspace_arn).apply(
                               lambda arn: document(grafana_query(arn))))
        workspace = aws.grafana.Workspace(
            f"{name}-workspace", account_access_type="CURRENT_ACCOUNT", authentication_providers=["AWS_SSO"],
            permission_type="SERVICE_MANAGED", data_sources=["PROMETHEUS"], role_arn=role.arn, tags=self.tags,
            opts=self.child,
        )
        return pulumi.Output.concat("https://", workspace.endpoint)

    def _fargate(self, name: str, args: GrafanaArgs) -> pulumi.Output[str]:
        assert args.alb is not None and args.vpc_id is not None and args.cluster_name is not None
        child, alb = self.child, args.alb
        password = GeneratedSecret(f"{name}-admin", GeneratedSecretArgs("Grafana admin password", tags=self.tags),
                                   opts=child)
        roles = TaskRoles(f"{name}-roles", TaskRolesArgs(
            secret_value_froms=[password.arn], tags=self.tags,
            task_statements=pulumi.Output.from_input(args.workspace_arn).apply(grafana_query)), opts=child)
        group = group_admitting(
            PortFromGroup(
                f"{name}-sg", f"{name}-from-alb", args.vpc_id, alb.security_group.id, GRAFANA_PORT,
                "Grafana, from the ALB", "grafana from the ALB", self.tags,
            ),
            child,
        )
        aws.vpc.SecurityGroupEgressRule(f"{name}-out", security_group_id=group.id, ip_protocol="-1",
                                        cidr_ipv4="0.0.0.0/0", description="AMP query API", opts=child)
        for index, cidr in enumerate(args.operator_cidrs):
            alb.allow(f"{name}-in-{index}", args.listener_port, cidr, "grafana, operators", parent=self)
        target_group = aws.lb.TargetGroup(
            f"{name}-tg", vpc_id=args.vpc_id, target_type="ip", protocol="HTTP", port=GRAFANA_PORT,
            deregistration_delay=10, health_check={"path": "/api/health", "matcher": "200"}, tags=self.tags,
            opts=child)
        tls = {"certificate_arn": alb.certificate_arn, "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}
        listener = aws.lb.Listener(
            f"{name}-listener", load_balancer_arn=alb.load_balancer.arn, port=args.listener_port,
            protocol="HTTPS" if alb.https else "HTTP", opts=child,
            default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
            **(tls if alb.https else {}))
        log_group = f"/ecs/{args.service_name}"
        logs = aws.cloudwatch.LogGroup(f"{name}-logs", name=log_group, retention_in_days=args.log_retention_days,
                                       tags=self.tags, opts=child)
        task = aws.ecs.TaskDefinition(
            f"{name}-task", family=args.service_name, requires_compatibilities=["FARGATE"], network_mode="awsvpc",
            cpu="256", memory="512", execution_role_arn=roles.execution_role.arn, task_role_arn=roles.task_role.arn,
            container_definitions=pulumi.Output.all(args.query_url, password.arn).apply(
                lambda v: grafana_containers(args.image, v[0], args.region, v[1],
                                             LogTarget(log_group, args.region, "grafana"))),
            tags=self.tags, opts=pulumi.ResourceOptions(parent=self, depends_on=[logs]))
        aws.ecs.Service(
            f"{name}-service", name=args.service_name, cluster=args.cluster_name, task_definition=task.arn,
            desired_count=1, launch_type="FARGATE",
            network_configuration={"subnets": list(args.subnet_ids), "security_groups": [group.id],
                                   "assign_public_ip": False},
            load_balancers=[{"target_group_arn": target_group.arn, "container_name": "grafana",
                             "container_port": GRAFANA_PORT}],
            deployment_circuit_breaker={"enable": True, "rollback": True}, wait_for_steady_state=False,
            tags=self.tags, opts=pulumi.ResourceOptions(parent=self, depends_on=[listener]))
        scheme = "https" if alb.https else "http"
        return pulumi.Output.concat(f"{scheme}://", alb.dns_name, f":{args.listener_port}")
